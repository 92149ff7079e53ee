"""Reads about organisations, memberships and jurisdictions, for every other context."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from greencore import jurisdiction_contains, jurisdiction_prefix
from greenmfg.accounts.models import User

from .models import AuthorityLevel, Membership, Organisation, OrgKind, OrgStatus, Role

# whoever asks: request.user (signed in or anonymous), or None where there is no request
AnyUser = AbstractBaseUser | AnonymousUser | None


@dataclass(frozen=True)
class Actor:
    """The user acting, the organisation they act for and their role in it."""

    user: User
    organisation: Organisation
    role: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)

    @property
    def is_applicant(self) -> bool:
        return self.role == Role.APPLICANT and self.organisation.kind in (OrgKind.ENTERPRISE, OrgKind.PARK)

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.REVIEWER and self.organisation.kind == OrgKind.AUTHORITY

    @property
    def is_evaluator(self) -> bool:
        return self.role == Role.EVALUATOR and self.organisation.kind == OrgKind.EVALUATION_BODY

    @property
    def is_expert(self) -> bool:
        return self.role == Role.EXPERT


def actor_of(user: AnyUser) -> Actor | None:
    """The actor behind a logged-in user, or None (anonymous, no membership, organisation not confirmed)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        membership = Membership.objects.select_related("organisation__region").get(user=user)
    except Membership.DoesNotExist:
        return None
    if membership.organisation.status != OrgStatus.ACTIVE:
        return None
    return Actor(user, membership.organisation, membership.role)


def jurisdiction_of(authority: Organisation) -> str | None:
    """The region-code prefix an authority answers for (greencore.jurisdiction_prefix); '' for the ministry
    (everything); None if the organisation is no authority."""
    if authority.kind != OrgKind.AUTHORITY:
        return None
    return jurisdiction_prefix(authority.level, authority.region_id)


def in_jurisdiction(authority: Organisation, field: str = "region") -> Q:
    """A filter for the rows whose `field` (a Region foreign key) lies in the authority's jurisdiction."""
    prefix = jurisdiction_of(authority)
    if prefix is None:
        return Q(pk__in=[])
    if prefix == "":
        return Q(**{f"{field}__isnull": False})  # everything (an empty Q() would vanish inside an OR)
    return Q(**{f"{field}__code__startswith": prefix})


def covers(authority: Organisation, region_code: str) -> bool:
    """Whether the region lies in the authority's jurisdiction (never for an organisation that is none)."""
    return authority.kind == OrgKind.AUTHORITY and jurisdiction_contains(
        authority.level, authority.region_id, region_code
    )


def organisations_visible_to(actor: Actor | None) -> QuerySet[Organisation]:
    if actor is None:
        return Organisation.objects.none()
    if actor.is_reviewer:
        return Organisation.objects.filter(in_jurisdiction(actor.organisation) | Q(pk=actor.organisation.pk))
    return Organisation.objects.filter(pk=actor.organisation.pk)


def pending_registrations(actor: Actor) -> QuerySet[Organisation]:
    """Self-registered enterprises and parks awaiting this district bureau's confirmation."""
    if not actor.is_reviewer or actor.organisation.level != AuthorityLevel.DISTRICT:
        return Organisation.objects.none()
    return organisations_visible_to(actor).filter(status=OrgStatus.PENDING).order_by("created_at")


def district_authority_for(region_code: str) -> Organisation | None:
    return (
        Organisation.objects.filter(
            kind=OrgKind.AUTHORITY, level=AuthorityLevel.DISTRICT, region_id=region_code
        )
        .order_by("pk")
        .first()
    )
