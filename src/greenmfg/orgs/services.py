"""Writes to organisations and memberships: registration by a bureau or by the enterprise itself, the
district bureau's confirmation, and a jurisdiction's administration (its first administrator, the bureaus
and staff accounts its system administrator opens, the sessions and second factors its security
administrator resets)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from greencore import (
    LISTING_TARGET,
    PolicyError,
    authority_level_for,
    bureau_refusal,
    check_policy,
    listing_refusal,
    policy_changes,
    province_of,
    same_province,
)
from greenmfg.accounts.models import SecurityPolicyVersion, User
from greenmfg.accounts.policy import as_policy, default_policy
from greenmfg.audit import services as audit
from greenmfg.core.errors import Refused
from greenmfg.core.i18n import localized
from greenmfg.reference.models import Industry, Region

from .models import (
    AuthorityLevel,
    BodyEvaluator,
    BodyProfile,
    Membership,
    Organisation,
    OrgKind,
    OrgStatus,
    Role,
    Site,
)
from .ports import body_listing_changed
from .predicates import acts_for, body_registrar_over, bureau_over, district_bureau_over, enterprise_applicant
from .selectors import Actor, bureaus_in_tree, is_root_bureau, staff_in_tree
from .uscc import InvalidUSCC, validate_uscc


class RegistrationError(ValidationError):
    pass


def _checked_code(code: str) -> str:
    try:
        normalised = validate_uscc(code)
    except InvalidUSCC as error:
        raise RegistrationError({"credit_code": localized(error)}) from None
    if Organisation.objects.filter(credit_code=normalised).exists():
        raise RegistrationError(
            {"credit_code": gettext("该统一社会信用代码已注册，请联系本单位管理员或所在区县主管部门。")}
        )
    return normalised


def register_applicant(
    *,
    kind: str,
    name: str,
    credit_code: str,
    region: Region,
    industry: Industry | None,
    username: str,
    password: str,
    display_name: str,
    created_by: Actor | None = None,
) -> Organisation:
    """An enterprise or park with its first user. Self-registered ones wait for the district's confirmation;
    ones a bureau creates in its own jurisdiction are active at once."""
    if kind not in (OrgKind.ENTERPRISE, OrgKind.PARK):
        raise RegistrationError({"kind": gettext("只能注册企业或园区。")})
    if region.level != "county":
        raise RegistrationError({"region": gettext("请选择所在区县。")})
    if created_by is not None and not bureau_over(created_by, region.code):
        raise PermissionDenied
    code = _checked_code(credit_code)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise RegistrationError({"username": gettext("该用户名已被使用。")})
    user = User(username=username, display_name=display_name)
    validate_password(password, user)
    with transaction.atomic():
        status = OrgStatus.ACTIVE if created_by is not None else OrgStatus.PENDING
        organisation = Organisation.objects.create(
            kind=kind, name=name.strip(), credit_code=code, region=region, industry=industry, status=status
        )
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.must_change_password = created_by is not None  # a bureau-issued password is one-time
        user.save()
        Membership.objects.create(user=user, organisation=organisation, role=Role.APPLICANT)
        audit.record(
            "org.registered",
            actor=created_by.user if created_by else user,
            role=created_by.role if created_by else "",
            organisation_id=created_by.organisation.pk if created_by else organisation.pk,
            obj=organisation,
            to_state=status,
            detail={"self_registered": created_by is None, "credit_code": code},
        )
    return organisation


def decide_registration(
    actor: Actor, organisation_id: int, *, approve: bool, reason: str = ""
) -> Organisation:
    """The district bureau confirms (or refuses) a self-registered organisation in its district."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        if not district_bureau_over(actor, organisation.region_id):
            raise PermissionDenied
        if organisation.status != OrgStatus.PENDING:
            raise RegistrationError({"status": gettext("该单位已处理，无需重复操作。")})
        organisation.status = OrgStatus.ACTIVE if approve else OrgStatus.REJECTED
        organisation.save(update_fields=["status"])
        audit.record(
            "org.confirmed" if approve else "org.refused",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=organisation,
            from_state=OrgStatus.PENDING,
            to_state=organisation.status,
            detail={"reason": reason},
        )
    return organisation


# --- accounts a bureau opens, and an enterprise's sites ---------------------------------------------

ONE_TIME_ALPHABETS = ("abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "#%+=@-")
ONE_TIME_LENGTH = 16


def one_time_password() -> str:
    """A random first password with every character class (no look-alikes such as 0/O, 1/l/I)."""
    every = "".join(ONE_TIME_ALPHABETS)
    chars = [secrets.choice(alphabet) for alphabet in ONE_TIME_ALPHABETS]
    chars += [secrets.choice(every) for _ in range(ONE_TIME_LENGTH - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def open_applicant_account(
    actor: Actor,
    *,
    kind: str,
    name: str,
    credit_code: str,
    region: Region,
    industry: Industry | None,
    username: str,
    display_name: str,
) -> tuple[Organisation, str]:
    """A bureau opens an enterprise or park account in its jurisdiction: active at once, with a one-time
    password returned to be shown once (only its hash is stored; it must be changed at the first login)."""
    if not actor.is_reviewer:
        raise PermissionDenied
    candidate = get_user_model()(username=username, display_name=display_name)
    for _ in range(5):  # a random password practically always passes; try again if a validator objects
        password = one_time_password()
        try:
            validate_password(password, candidate)
        except ValidationError:
            continue
        break
    organisation = register_applicant(
        kind=kind,
        name=name,
        credit_code=credit_code,
        region=region,
        industry=industry,
        username=username,
        password=password,
        display_name=display_name,
        created_by=actor,
    )
    return organisation, password


class SiteError(ValidationError):
    """Refused site input: {field: Chinese message}."""


def _manages_sites(actor: Actor) -> None:
    if not enterprise_applicant(actor):
        raise PermissionDenied


def _site_fields(organisation: Organisation, name: str, region_code: str, address: str) -> dict[str, Any]:
    """A site lies in a county-level division (GB/T 2260) of the enterprise's own province."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = gettext("请填写厂区名称。")
    elif len(name) > 128:
        errors["name"] = gettext("厂区名称不能超过 128 个字。")
    code = (region_code or "").strip()
    region = Region.objects.filter(code=code).first()
    province = Region.objects.filter(code=province_of(organisation.region_id)).first()
    province_name = province.name if province else organisation.region_id[:2]
    if region is None:
        errors["region"] = gettext("没有行政区划代码 %(code)s，请选择厂区所在区县。") % {
            "code": code or gettext("（空）")
        }
    elif region.level != "county":
        errors["region"] = gettext("请选择区县级行政区划（%(code)s %(name)s是%(level)s）。") % {
            "code": region.code,
            "name": region.full_name(),
            "level": gettext(region.get_level_display()),
        }
    elif not same_province(region.code, organisation.region_id):
        errors["region"] = gettext("厂区须在本企业所在的%(province)s内（%(name)s不在%(province)s）。") % {
            "province": province_name,
            "name": region.full_name(),
        }
    address = (address or "").strip()
    if len(address) > 200:
        errors["address"] = gettext("地址不能超过 200 个字。")
    if errors:
        raise SiteError(errors)
    return {"name": name, "region": region, "address": address}


def _site_event(actor: Actor, action: str, site: Site, detail: dict[str, Any]) -> None:
    audit.record(
        f"org.site_{action}",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=site,
        detail=detail,
    )


def add_site(actor: Actor, *, name: str, region_code: str, address: str = "") -> Site:
    """A new production site (厂区) of the actor's enterprise."""
    _manages_sites(actor)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=actor.organisation.pk)
        values = _site_fields(organisation, name, region_code, address)
        if organisation.sites.filter(name=values["name"]).exists():
            raise SiteError({"name": gettext("本企业已有名为“%(name)s”的厂区。") % {"name": values["name"]}})
        site = Site.objects.create(organisation=organisation, **values)
        _site_event(
            actor, "added", site, {"name": site.name, "region": site.region_id, "address": site.address}
        )
    return site


def change_site(actor: Actor, site_id: int, *, name: str, region_code: str, address: str = "") -> Site:
    """The enterprise edits one of its own sites."""
    _manages_sites(actor)
    with transaction.atomic():
        site = Site.objects.select_for_update().select_related("organisation").get(pk=site_id)
        if not acts_for(actor, site.organisation_id):
            raise PermissionDenied
        values = _site_fields(site.organisation, name, region_code, address)
        if site.organisation.sites.filter(name=values["name"]).exclude(pk=site.pk).exists():
            raise SiteError({"name": gettext("本企业已有名为“%(name)s”的厂区。") % {"name": values["name"]}})
        before = {"name": site.name, "region": site.region_id, "address": site.address}
        for key, value in values.items():
            setattr(site, key, value)
        site.save()
        after = {"name": site.name, "region": site.region_id, "address": site.address}
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        _site_event(actor, "changed", site, changes)
    return site


# --- a jurisdiction's administration (issue 12) ------------------------------------------------------
# 等保 level 3 separates three administrators (三权分立): the system administrator opens bureaus and staff
# accounts, the security administrator ends sessions and resets second factors and lockouts, the audit
# administrator reads and exports the audit log. Each is a role of a membership, and a user has exactly one
# membership (a one-to-one row, so the database itself refuses a second role to the same account).

STAFF_ROLES = (Role.REVIEWER, Role.SIGNER, Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN)
ADMIN_ROLES = (Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN)
USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{4,40}$"


class AdminRefused(Refused):
    """An administration step refused; `field` names the form field it is about ("" for the whole form)."""

    def __init__(self, zh: str, en: str = "", *, field: str = "") -> None:
        super().__init__(zh, en)
        self.field = field


def _new_password(candidate: User) -> str:
    for _ in range(5):  # a random password practically always passes; try again if a validator objects
        password = one_time_password()
        try:
            validate_password(password, candidate)
        except ValidationError:
            continue
        return password
    raise AdminRefused(
        "无法生成符合密码规则的初始密码，请重试。",
        "no initial password meeting the password rules could be made: try again",
    )


def checked_username(username: str) -> str:
    username = (username or "").strip()
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise AdminRefused(
            "用户名为 4–40 位字母、数字或 _ . -",
            "a user name has 4–40 letters, digits or _ . -",
            field="username",
        )
    if get_user_model().objects.filter(username=username).exists():
        raise AdminRefused("该用户名已被使用。", "this user name is taken", field="username")
    return username


def checked_email(email: str) -> str:
    email = (email or "").strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise AdminRefused(f"电子邮箱 {email} 格式不正确。", f"e-mail {email} is malformed", field="email")
    return email


def new_member_account(
    organisation: Organisation, role: str, username: str, display_name: str, email: str
) -> tuple[User, str]:
    """A new personal account of `organisation` in `role`, with a one-time password to change at the first
    login (the second factor is enrolled then too for the privileged roles). The caller has checked that
    its actor may open it (a system administrator for its staff, a bureau for its experts)."""
    user = get_user_model()(
        username=username, display_name=(display_name or "").strip()[:64], email=email, is_staff=False
    )
    password = _new_password(user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    user.save()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user, password


def start_jurisdiction(
    *,
    region_code: str,
    username: str,
    email: str = "",
    level: str = "",
    name: str = "",
    display_name: str = "",
) -> tuple[Organisation, User, str]:
    """A real deployment's first step: the bureau of a region (by GB/T 2260 code) and its first system
    administrator, with a one-time password. Refused when that bureau already has a system administrator."""
    region = Region.objects.filter(code=(region_code or "").strip()).select_related("parent__parent").first()
    if region is None:
        raise AdminRefused(
            f"没有行政区划代码 {region_code}（请先运行 manage.py load_reference 载入行政区划）。",
            f"no division {region_code} (load the regions first: manage.py load_reference)",
            field="region",
        )
    level = level or authority_level_for(region.code, region.level)
    if level not in AuthorityLevel.values:
        raise AdminRefused(f"未知的主管部门层级 {level}。", f"unknown authority level {level}", field="level")
    seat_refused = bureau_refusal("ministry", "", level, region.code, child_region_level=region.level)
    if level == AuthorityLevel.MINISTRY:
        seat_refused = None if region.level == "province" else ("部级主管部门须设在省级区划。", "")
    if seat_refused is not None:
        raise AdminRefused(seat_refused[0], seat_refused[1], field="region")
    username = checked_username(username)
    email = checked_email(email)
    with transaction.atomic():
        bureau = (
            Organisation.objects.select_for_update()
            .filter(kind=OrgKind.AUTHORITY, level=level, region=region)
            .order_by("pk")
            .first()
        )
        if bureau is not None and bureau.members.filter(role=Role.SYSADMIN, user__is_active=True).exists():
            raise AdminRefused(
                f"{bureau.name}已有系统管理员，请由其开设账号。",
                f"{bureau.name} already has a system administrator, who opens further accounts",
                field="region",
            )
        if bureau is None:
            default = (
                "工业和信息化部"
                if level == AuthorityLevel.MINISTRY
                else f"{region.full_name()}工业和信息化主管部门"
            )
            bureau = Organisation.objects.create(
                kind=OrgKind.AUTHORITY, level=level, region=region, name=(name or default).strip()[:128]
            )
        user, password = new_member_account(bureau, Role.SYSADMIN, username, display_name, email)
        audit.record(
            "org.jurisdiction_started",
            organisation_id=bureau.pk,
            obj=bureau,
            detail={"region": region.code, "level": level, "sysadmin": user.username},
        )
    return bureau, user, password


def _require(actor: Actor, allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _event(actor: Actor, action: str, obj: Any, detail: dict[str, Any], **extra: Any) -> None:
    audit.record(
        action,
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=obj,
        detail=detail,
        **extra,
    )


def open_bureau(actor: Actor, *, name: str, region_code: str, level: str) -> Organisation:
    """The system administrator opens a bureau below its own, inside its jurisdiction (greencore's rule)."""
    _require(actor, actor.is_sysadmin)
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise AdminRefused(
            "请填写部门名称（不超过 128 个字）。", "name the bureau (at most 128 characters)", field="name"
        )
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        raise AdminRefused(f"没有行政区划代码 {region_code}。", f"no division {region_code}", field="region")
    if level not in AuthorityLevel.values:
        raise AdminRefused(f"未知的主管部门层级 {level}。", f"unknown authority level {level}", field="level")
    own = actor.organisation
    refused = bureau_refusal(own.level, own.region_id, level, region.code, child_region_level=region.level)
    if refused is not None:
        raise AdminRefused(refused[0], refused[1], field="region")
    with transaction.atomic():
        if Organisation.objects.filter(kind=OrgKind.AUTHORITY, level=level, region=region).exists():
            raise AdminRefused(
                f"{region.full_name()}已有{AuthorityLevel(level).label}主管部门。",
                f"{region.code} already has a {level} bureau",
                field="region",
            )
        bureau = Organisation.objects.create(kind=OrgKind.AUTHORITY, level=level, region=region, name=name)
        _event(actor, "org.bureau_opened", bureau, {"name": name, "region": region.code, "level": level})
    return bureau


def open_staff_account(
    actor: Actor, *, bureau_id: int, username: str, display_name: str, email: str, role: str
) -> tuple[User, str]:
    """The system administrator opens a personal account of a bureau in its tree, in one staff role."""
    _require(actor, actor.is_sysadmin)
    if role not in STAFF_ROLES:
        raise AdminRefused(f"未知的角色 {role}。", f"unknown role {role}", field="role")
    username = checked_username(username)
    email = checked_email(email)
    with transaction.atomic():
        bureau = bureaus_in_tree(actor.organisation).select_for_update().filter(pk=bureau_id).first()
        if bureau is None:
            raise PermissionDenied
        user, password = new_member_account(bureau, role, username, display_name, email)
        _event(actor, "org.staff_opened", user, {"username": username, "bureau": bureau.pk, "role": role})
    return user, password


def _staff_member(actor: Actor, user_id: int) -> Membership:
    """A membership of the actor's tree (locked), never the actor's own."""
    membership = (
        staff_in_tree(actor.organisation).select_for_update(of=("self",)).filter(user_id=user_id).first()
    )
    if membership is None:
        raise PermissionDenied
    if membership.user_id == actor.user.pk:
        raise AdminRefused("不能对本人账号执行此操作。", "this cannot be done to one's own account")
    return membership


def _end_sessions_of(user_id: int) -> int:
    """Delete the server-side sessions of the user (a signed-in browser is signed out at its next request)."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if str(session.get_decoded().get("_auth_user_id", "")) == str(user_id)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def deactivate_account(actor: Actor, user_id: int) -> User:
    """The system administrator deactivates a staff account of its tree: it can no longer sign in, and its
    open sessions end. The account and its history stay."""
    _require(actor, actor.is_sysadmin)
    with transaction.atomic():
        membership = _staff_member(actor, user_id)
        user = get_user_model().objects.select_for_update().get(pk=membership.user_id)
        if not user.is_active:
            raise AdminRefused("该账号已停用。", "the account is already deactivated")
        user.is_active = False
        user.save(update_fields=["is_active"])
        ended = _end_sessions_of(user.pk)
        _event(
            actor,
            "org.staff_deactivated",
            user,
            {"username": user.username, "sessions_ended": ended},
            from_state="active",
            to_state="inactive",
        )
    return user


def end_sessions(actor: Actor, user_id: int) -> int:
    """The security administrator ends every session of a staff account of its tree."""
    _require(actor, actor.is_secadmin)
    with transaction.atomic():
        membership = _staff_member(actor, user_id)
        ended = _end_sessions_of(membership.user_id)
        _event(actor, "authn.sessions_ended", membership.user, {"sessions_ended": ended})
    return ended


def reset_second_factor(actor: Actor, user_id: int) -> None:
    """The security administrator removes a staff account's authenticator (lost phone) and lifts its
    lockout: the user enrols a new one at the next sign-in, and its sessions end."""
    _require(actor, actor.is_secadmin)
    with transaction.atomic():
        membership = _staff_member(actor, user_id)
        removed = TOTPDevice.objects.filter(user_id=membership.user_id).delete()[0]
        ended = _end_sessions_of(membership.user_id)
        axes_reset(username=membership.user.username)
        _event(
            actor,
            "authn.mfa_reset",
            membership.user,
            {"devices_removed": removed, "sessions_ended": ended},
        )


# --- the security policy, the security administrator's (issue 12) ------------------------------------


def may_set_security_policy(actor: Actor | None) -> bool:
    """The installation has one policy: its top bureau's security administrator sets it (a city's secadmin
    under a province reads it). In a city started from nothing, the city is the top bureau."""
    return actor is not None and actor.is_secadmin and is_root_bureau(actor.organisation)


def set_security_policy(actor: Actor, values: dict[str, Any], *, reason: str = "") -> SecurityPolicyVersion:
    """A new version of the security policy (greencore checks each value within its bounds, naming the
    field); the old value and the new of each field changed go into the audit event. Refused when nothing
    changes."""
    _require(actor, may_set_security_policy(actor))
    try:
        wanted = check_policy(values)
    except PolicyError as error:
        raise AdminRefused(error.zh, error.en, field=error.place) from None
    with transaction.atomic():
        # the latest version, locked: two administrators saving at once make two numbered versions in turn
        latest = SecurityPolicyVersion.objects.select_for_update().order_by("-number").first()
        before = as_policy(latest) if latest is not None else default_policy()
        changes = policy_changes(before, wanted)
        if not changes:
            raise AdminRefused("安全策略没有变化。", "the security policy is unchanged")
        version = SecurityPolicyVersion.objects.create(
            number=(latest.number if latest is not None else 0) + 1,
            reason=(reason or "").strip()[:200],
            changed_by=actor.user,
            **wanted.as_dict(),
        )
        _event(
            actor,
            "security.policy_changed",
            version,
            {
                "version": version.number,
                "changes": {name: {"from": old, "to": new} for name, (old, new) in changes.items()},
                "reason": version.reason,
            },
        )
    return version


# --- evaluation bodies apply to be listed; the bureau decides (issue 12) ----------------------------


def parse_evaluators(text: str) -> list[tuple[str, str, str]]:
    """The evaluators a body lists, one a line: "姓名, 证书名称, 证书编号" (commas or 、/，/tabs). Each
    malformed line is named."""
    rows: list[tuple[str, str, str]] = []
    problems: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[,，、\t]", line) if p.strip()]
        if len(parts) != 3 or any(len(p) > 64 for p in parts):
            problems.append(
                gettext("第 %(number)s 行“%(line)s”应为：姓名, 证书名称, 证书编号")
                % {"number": number, "line": line.strip()[:40]}
            )
            continue
        rows.append((parts[0], parts[1], parts[2]))
    numbers = [r[2] for r in rows]
    if len(set(numbers)) != len(numbers):
        problems.append(gettext("证书编号有重复。"))
    if problems:
        raise RegistrationError({"evaluators": problems})
    if not rows:
        raise RegistrationError({"evaluators": gettext("请至少列出一名持证评价人员。")})
    return rows


def apply_body(
    *,
    name: str,
    credit_code: str,
    region: Region,
    legal_person: str,
    qualifications: str,
    evaluators: str,
    address: str,
    username: str,
    password: str,
    display_name: str,
) -> Organisation:
    """An evaluation body applies to be listed, with its first evaluator account: pending until the bureau
    over its region approves (greencore.LISTING_TRANSITIONS); until then it can neither act nor be
    engaged."""
    errors: dict[str, str] = {}
    if not (legal_person or "").strip():
        errors["legal_person"] = gettext("请填写法定代表人。")
    if not (qualifications or "").strip():
        errors["qualifications"] = gettext("请填写评价资质（如检验检测机构资质认定证书编号、业务范围）。")
    if errors:
        raise RegistrationError(errors)
    listed = parse_evaluators(evaluators)
    code = _checked_code(credit_code)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise RegistrationError({"username": gettext("该用户名已被使用。")})
    user = User(username=username, display_name=display_name)
    validate_password(password, user)
    with transaction.atomic():
        body = Organisation.objects.create(
            kind=OrgKind.EVALUATION_BODY,
            name=name.strip(),
            credit_code=code,
            region=region,
            address=(address or "").strip()[:200],
            status=OrgStatus.PENDING,
        )
        BodyProfile.objects.create(
            organisation=body, legal_person=legal_person.strip()[:64], qualifications=qualifications.strip()
        )
        BodyEvaluator.objects.bulk_create(
            BodyEvaluator(body=body, name=n, certificate=c, certificate_no=no) for n, c, no in listed
        )
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save()
        Membership.objects.create(user=user, organisation=body, role=Role.EVALUATOR)
        audit.record(
            "org.body_applied",
            actor=user,
            organisation_id=body.pk,
            obj=body,
            to_state=OrgStatus.PENDING,
            detail={"credit_code": code, "evaluators": len(listed)},
        )
    return body


def decide_body(actor: Actor, body_id: int, action: str, reason: str = "") -> Organisation:
    """The bureau over the body's region approves, refuses, suspends, reinstates or removes its listing.
    A suspended or removed body can no longer be engaged (evaluations engages active bodies only), and the
    contexts above hear of it in this transaction (ports.body_listing_changed)."""
    with transaction.atomic():
        body = (
            Organisation.objects.select_for_update().filter(pk=body_id, kind=OrgKind.EVALUATION_BODY).first()
        )
        if body is None or not body_registrar_over(actor, body.region_id):
            raise PermissionDenied
        refused = listing_refusal(body.status, action)
        if refused is not None:
            raise AdminRefused(*refused)
        reason = (reason or "").strip()[:500]
        if action in ("reject", "suspend", "remove") and not reason:
            raise AdminRefused("请填写理由。", "give the reason", field="reason")
        before = body.status
        body.status = LISTING_TARGET[action]
        body.save(update_fields=["status"])
        BodyProfile.objects.filter(organisation=body).update(decided_reason=reason)
        _event(actor, f"org.body_{action}", body, {"reason": reason}, from_state=before, to_state=body.status)
        for listener in body_listing_changed:
            listener(body, before, actor)
    return body


def open_institution(actor: Actor, *, name: str, region_code: str, credit_code: str = "") -> Organisation:
    """A bureau records an expert's employer (a university, an institute) in its jurisdiction; the credit
    code is checked when given."""
    if not actor.is_reviewer:
        raise PermissionDenied
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise AdminRefused(
            "请填写工作单位名称（不超过 128 个字）。",
            "name the employer (at most 128 characters)",
            field="employer_name",
        )
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None or not bureau_over(actor, region.code):
        raise AdminRefused(
            f"行政区划 {region_code} 不在本部门辖区内。",
            f"the division {region_code} lies outside this bureau's jurisdiction",
            field="employer_region",
        )
    code = None
    if (credit_code or "").strip():
        try:
            code = _checked_code(credit_code)
        except RegistrationError as error:
            raise AdminRefused(
                error.message_dict["credit_code"][0],
                "the unified social credit code is not valid",
                field="employer_code",
            ) from None
    with transaction.atomic():
        organisation = Organisation.objects.create(
            kind=OrgKind.INSTITUTION, name=name, region=region, credit_code=code
        )
        _event(actor, "org.institution_recorded", organisation, {"name": name, "region": region.code})
    return organisation


def rename_after_accepted_change(actor: Actor, organisation: Organisation, name: str, *, change: str) -> None:
    """A bureau accepted the unit's declared change of name (or merger into a named unit): the
    organisation takes the new name; the old one stays in the change's record and in this event.
    Called by supervision inside its transaction, with the change's public id."""
    name = name.strip()
    if not name:
        raise PermissionDenied
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = locked.name
    locked.name = name
    locked.save(update_fields=["name"])
    audit.record(
        "org.renamed",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=locked,
        detail={"before": before, "after": name, "change": change},
    )
