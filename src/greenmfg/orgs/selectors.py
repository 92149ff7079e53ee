"""Reads about organisations, memberships and jurisdictions, for every other context."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from greencore import REVIEWING_ROLES, jurisdiction_contains, jurisdiction_prefix
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
        """Reviews for a bureau: a reviewer, or a signer (who reviews too, and also signs)."""
        return self.role in REVIEWING_ROLES and self.organisation.kind == OrgKind.AUTHORITY

    @property
    def is_signer(self) -> bool:
        """Signs the bureau's decisions and publications (签发): greencore.signers.SIGNED_DECISIONS."""
        return self.role == Role.SIGNER and self.organisation.kind == OrgKind.AUTHORITY

    @property
    def is_evaluator(self) -> bool:
        return self.role == Role.EVALUATOR and self.organisation.kind == OrgKind.EVALUATION_BODY

    @property
    def is_expert(self) -> bool:
        return self.role == Role.EXPERT

    # the three administrators of 等保 level 3 (三权分立), each of a bureau and nothing else
    @property
    def is_sysadmin(self) -> bool:
        return self.role == Role.SYSADMIN and self.organisation.kind == OrgKind.AUTHORITY

    @property
    def is_secadmin(self) -> bool:
        return self.role == Role.SECADMIN and self.organisation.kind == OrgKind.AUTHORITY

    @property
    def is_auditadmin(self) -> bool:
        return self.role == Role.AUDITADMIN and self.organisation.kind == OrgKind.AUTHORITY


def actor_of(user: AnyUser) -> Actor | None:
    """The actor behind a logged-in user, or None (anonymous, no membership, organisation not confirmed)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
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


# --- a bureau's tree, for its administrators (issue 12) ---------------------------------------------


def bureaus_in_tree(authority: Organisation) -> QuerySet[Organisation]:
    """The bureau itself and every bureau inside its jurisdiction at a lower level: those its
    administrators manage."""
    if authority.kind != OrgKind.AUTHORITY:
        return Organisation.objects.none()
    levels = [level for level, _ in AuthorityLevel.choices]
    lower = levels[: levels.index(authority.level)]  # choices run district → ministry
    inside = Organisation.objects.filter(in_jurisdiction(authority), kind=OrgKind.AUTHORITY, level__in=lower)
    return Organisation.objects.filter(Q(pk=authority.pk) | Q(pk__in=inside.values("pk"))).order_by(
        "region_id", "name"
    )


def staff_in_tree(authority: Organisation) -> QuerySet[Membership]:
    """The memberships (accounts and roles) of the bureaus in the tree."""
    return (
        Membership.objects.filter(organisation__in=bureaus_in_tree(authority))
        .select_related("user", "organisation")
        .order_by("organisation__region_id", "organisation__name", "user__username")
    )


def is_root_bureau(authority: Organisation) -> bool:
    """No bureau of the installation lies outside this one's tree: its audit administrator answers for the
    whole log (an export covers every event, whoever's)."""
    if authority.kind != OrgKind.AUTHORITY:
        return False
    tree = bureaus_in_tree(authority).values("pk")
    return not Organisation.objects.filter(kind=OrgKind.AUTHORITY).exclude(pk__in=tree).exists()


def bodies_for_bureau(actor: Actor) -> QuerySet[Organisation]:
    """The evaluation bodies in the bureau's jurisdiction, every listing status, pending first."""
    if not actor.is_reviewer or actor.organisation.level == AuthorityLevel.DISTRICT:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(in_jurisdiction(actor.organisation), kind=OrgKind.EVALUATION_BODY)
        .select_related("region", "body_profile")
        .prefetch_related("listed_evaluators")
        .order_by("name")
    )
