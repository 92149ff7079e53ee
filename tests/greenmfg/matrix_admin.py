"""Authorization-matrix rows for a jurisdiction's administration pages (issue 12), merged into
test_authorization_matrix.MATRIX: no role of the demo world (applicants, reviewers, evaluators, experts)
reaches any of them — 404 for every one, the login page for the anonymous.

The three administrator roles and a bureau acting outside its tree are checked against the same URLs in
test_administration.py (ADMIN_EXPECTED below), which builds these administrators in the demo world:

- sz-sysadmin, sz-secadmin, sz-auditadmin: 苏州市's three administrators (their tree: 苏州市, 吴中区, 昆山市);
- wx-sysadmin, wx-secadmin: 无锡市's, outside 苏州市's tree;
- mof-sysadmin, mof-secadmin, mof-auditadmin: the ministry's, the installation's top bureau (its security
  administrator alone edits the security policy).
"""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from greenmfg.orgs import services
from greenmfg.orgs.models import Organisation, Role
from greenmfg.orgs.selectors import actor_of
from greenmfg.reference.models import Region
from greenmfg.reviews import services as reviews
from greenmfg.reviews.models import ExpertProfile
from greenmfg.web.demo import demo_uscc

# administrator -> (the region whose bureau it serves, its level, its role); each bureau's system
# administrator is started first (manage.py start_jurisdiction's service), and opens the others
ADMINS = {
    "sz-sysadmin": ("320500", "city", Role.SYSADMIN),
    "sz-secadmin": ("320500", "city", Role.SECADMIN),
    "sz-auditadmin": ("320500", "city", Role.AUDITADMIN),
    "wx-sysadmin": ("320200", "city", Role.SYSADMIN),
    "wx-secadmin": ("320200", "city", Role.SECADMIN),
    "mof-sysadmin": ("110000", "ministry", Role.SYSADMIN),
    "mof-secadmin": ("110000", "ministry", Role.SECADMIN),
    "mof-auditadmin": ("110000", "ministry", Role.AUDITADMIN),
}


def signed_up(user: Any) -> Any:
    """The account as its first login leaves it: its own password set, an authenticator enrolled."""
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def build_admins(users: dict[str, Any]) -> None:
    sysadmins: dict[str, Any] = {}
    for username, (region, level, role) in ADMINS.items():
        if role == Role.SYSADMIN:
            _, user, _ = services.start_jurisdiction(region_code=region, level=level, username=username)
            sysadmins[region] = user
        else:
            user, _ = services.open_staff_account(
                actor_of(sysadmins[region]),
                bureau_id=sysadmins[region].membership.organisation_id,
                username=username,
                display_name=username,
                email="",
                role=role,
            )
        users[username] = signed_up(user)


def objects(world: Any, found: dict[str, Any]) -> dict[str, Any]:
    build_admins(world.users)
    wz = Organisation.objects.get(name="苏州市吴中区工业和信息化局（演示）")
    staff, _ = services.open_staff_account(
        actor_of(world.users["sz-sysadmin"]),
        bureau_id=wz.pk,
        username="wz-staff",
        display_name="吴中区审核员",
        email="",
        role=Role.REVIEWER,
    )
    body = services.apply_body(
        name="矩阵测试评价中心（演示）",
        credit_code=demo_uscc("矩阵测试评价中心（演示）", "320506"),
        region=Region.objects.get(code="320506"),
        legal_person="张三",
        qualifications="CMA 证书 123456",
        evaluators="李四, 绿色制造评价师, GM-0001",
        address="",
        username="matrix-body",
        password="Qx7#Lp2v9Rk4",
        display_name="联系人",
    )
    expert = actor_of(world.users["expert-1"])
    relation = reviews.declare_relation(
        expert,
        credit_code=Organisation.objects.get(name="苏州示例精密机械有限公司（演示）").credit_code or "",
        kind="consulted",
        note="2024 年节能诊断",
    )
    profile = ExpertProfile.objects.get(user=world.users["expert-1"])
    return {"staff": staff, "pending_body": body, "relation": relation, "expert_profile": profile}


BODY_REGISTRARS = {"sz-reviewer", "js-reviewer", "mof-reviewer"}  # over 吴中区, above the district


def _nobody(role: str) -> bool:
    return False


STAFF = lambda o: {"pk": o["staff"].pk}  # noqa: E731

ROWS: dict[str, Any] = {
    "orgs:admin_home": ("GET", None, _nobody, 200),
    "orgs:bureau_new": ("GET", None, _nobody, 200),
    "orgs:staff_new": ("GET", None, _nobody, 200),
    "orgs:staff_deactivate": ("POST", STAFF, _nobody, 302),
    "orgs:sessions_end": ("POST", STAFF, _nobody, 302),
    "orgs:factor_reset": ("POST", STAFF, _nobody, 302),
    "orgs:audit_log": ("GET", None, _nobody, 200),
    "orgs:audit_export": ("GET", None, _nobody, 200),
    "orgs:security_policy": ("GET", None, _nobody, 200),
    # the expert pool: every bureau keeps the experts employed in its jurisdiction (expert-1 works in 吴中区);
    # an expert keeps their own relations
    "reviews:experts": ("GET", None, "reviewers", 200),
    "reviews:expert_new": ("GET", None, "reviewers", 200),
    "reviews:expert_edit": ("GET", lambda o: {"pk": o["expert_profile"].pk}, "visible-reviewers", 200),
    "reviews:my_relations": ("GET", None, lambda role: role == "expert-1", 200),
    "reviews:relation_withdraw": (
        "POST",
        lambda o: {"pk": o["relation"].pk},
        lambda role: role == "expert-1",
        302,
    ),
    # the notification centre: every signed-in user's own
    "notifications:centre": ("GET", None, "any", 200),
    "notifications:read_all": ("POST", None, "any", 302),
    "notifications:preferences": ("POST", None, "any", 302),
    # evaluation bodies apply in public; the bureaus above the district over the body's region list them
    "accounts:register_body": ("GET", None, "public", 200),
    "orgs:bodies": ("GET", None, lambda role: role in BODY_REGISTRARS | {"wx-reviewer"}, 200),
    # a POST without an action is refused by the service (nothing changes) and redirected with the reason
    "orgs:body_decide": (
        "POST",
        lambda o: {"pk": o["pending_body"].pk},
        lambda role: role in BODY_REGISTRARS,
        302,
    ),
}

# url name -> {administrator: status}; an administrator not named answers 404
ADMIN_EXPECTED: dict[str, dict[str, int]] = {
    "orgs:admin_home": {
        "sz-sysadmin": 200,
        "sz-secadmin": 200,
        "wx-sysadmin": 200,
        "wx-secadmin": 200,
        "mof-sysadmin": 200,
        "mof-secadmin": 200,
        "sz-auditadmin": 302,  # sent on to the audit log
        "mof-auditadmin": 302,
    },
    "orgs:bureau_new": {"sz-sysadmin": 200, "wx-sysadmin": 200, "mof-sysadmin": 200},
    "orgs:staff_new": {"sz-sysadmin": 200, "wx-sysadmin": 200, "mof-sysadmin": 200},
    # the staff account lies in 吴中区, inside 苏州市's (and the ministry's) tree and outside 无锡市's
    "orgs:staff_deactivate": {"sz-sysadmin": 302, "mof-sysadmin": 302},
    "orgs:sessions_end": {"sz-secadmin": 302, "mof-secadmin": 302},
    "orgs:factor_reset": {"sz-secadmin": 302, "mof-secadmin": 302},
    "orgs:audit_log": {"sz-auditadmin": 200, "mof-auditadmin": 200},
    # the whole log: only the top bureau's audit administrator
    "orgs:audit_export": {"mof-auditadmin": 200},
    # every security administrator reads the policy; the top bureau's alone edits it (test_security_policy)
    "orgs:security_policy": {"sz-secadmin": 200, "wx-secadmin": 200, "mof-secadmin": 200},
}
