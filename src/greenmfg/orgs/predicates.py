"""The ownership and role predicates, written once: every access gate and every service asks these.

An actor (`selectors.Actor`) acts for one organisation in one role; the role predicates are its properties
(`is_applicant`, `is_reviewer`, `is_evaluator`, `is_expert`). The predicates here add what an object's
owner or place says: whether the actor acts for the organisation that owns it, or is the bureau over the
region it lies in. Each takes `Actor | None` (None: anonymous, or no confirmed organisation) and an id or
a region code, never a model of a context above this one, so every context may ask them.

Plain functions rather than the `rules` package (ADR 0007): the gates scope querysets (404 for missing and
not yours alike), which `rules`' per-object predicates cannot express, and services need a plain yes/no
inside their transaction with typed arguments, not a permission name looked up in a registry.
"""

from __future__ import annotations

from greencore import may_decide

from .models import AuthorityLevel, OrgKind
from .selectors import Actor, covers


def acts_for(actor: Actor | None, organisation_id: int | None) -> bool:
    """The actor acts for this organisation (in any role)."""
    return actor is not None and organisation_id is not None and actor.organisation.pk == organisation_id


def applicant_for(actor: Actor | None, organisation_id: int | None) -> bool:
    """The actor applies for this enterprise or park: what it owns (its applications, evidence, sites)."""
    return actor is not None and actor.is_applicant and acts_for(actor, organisation_id)


def evaluator_for(actor: Actor | None, body_id: int | None) -> bool:
    """The actor evaluates for this evaluation body: its engagements and findings."""
    return actor is not None and actor.is_evaluator and acts_for(actor, body_id)


def reviewer_for(actor: Actor | None, authority_id: int | None) -> bool:
    """The actor reviews for this bureau: what it issued (its calls, notices, announcements)."""
    return actor is not None and actor.is_reviewer and acts_for(actor, authority_id)


def decides_for(actor: Actor | None, decision: str, authority_id: int | None) -> bool:
    """The actor may take `decision` for this bureau: a reviewer of it, and its signer (签发人员) when
    greencore says the decision is signed (publicity, publication, revocation; ADR 0011)."""
    return reviewer_for(actor, authority_id) and actor is not None and may_decide(actor.role, decision)


def bureau_over(actor: Actor | None, region_code: str) -> bool:
    """The actor reviews for a bureau whose jurisdiction holds the region `region_code`."""
    return actor is not None and actor.is_reviewer and covers(actor.organisation, region_code)


def district_bureau_over(actor: Actor | None, region_code: str) -> bool:
    """The district bureau of the region: it confirms the organisations that register there."""
    return (
        bureau_over(actor, region_code)
        and actor is not None
        and actor.organisation.level == AuthorityLevel.DISTRICT
    )


def enterprise_applicant(actor: Actor | None) -> bool:
    """An applicant of an enterprise (not a park): it keeps production sites."""
    return actor is not None and actor.is_applicant and actor.organisation.kind == OrgKind.ENTERPRISE


def body_registrar_over(actor: Actor | None, region_code: str) -> bool:
    """A bureau above the district (city, province, ministry) over the region: it lists the evaluation
    bodies there (approves, suspends, removes them)."""
    return (
        bureau_over(actor, region_code)
        and actor is not None
        and actor.organisation.level != AuthorityLevel.DISTRICT
    )
