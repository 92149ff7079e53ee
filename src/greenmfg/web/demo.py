"""The demo world: a province, two cities, districts, bureaus at each level, enterprises and parks, an
evaluation body, experts and an open call per title kind. Every organisation is fictitious and says so
in its name (演示); the regions, industries, schemes and national lists are real."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from greencore import get_scheme
from greenmfg.catalog.models import Call
from greenmfg.orgs.models import Membership, Organisation, OrgKind, OrgStatus
from greenmfg.orgs.uscc import make_uscc
from greenmfg.reference.models import Industry, Region
from greenmfg.reviews.models import ExpertProfile

DEMO_PASSWORD = "Demo#Pass2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    organisation: str
    totp_secret: str = ""


def org_code(seed: str) -> str:
    """A 9-character 组织机构代码 with its GB 11714 check character, derived from `seed`."""
    digits = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[-8:]
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return digits + {10: "X", 11: "0"}.get(check, str(check))


def demo_uscc(name: str, region: str) -> str:
    return make_uscc("91" + region + org_code(name))


def _totp_key() -> str:
    """A fresh secret per installation: a secret derived from the user name would be the same, and
    public, on every installation."""
    return secrets.token_hex(20)


AUTHORITIES = [
    ("工业和信息化部（演示）", "110000", "ministry"),
    ("江苏省工业和信息化厅（演示）", "320000", "province"),
    ("苏州市工业和信息化局（演示）", "320500", "city"),
    ("无锡市工业和信息化局（演示）", "320200", "city"),
    ("苏州市吴中区工业和信息化局（演示）", "320506", "district"),
    ("昆山市工业和信息化局（演示）", "320583", "district"),
    ("无锡市锡山区工业和信息化局（演示）", "320205", "district"),
]
ENTERPRISES = [
    ("苏州示例精密机械有限公司（演示）", "320506", "34"),
    ("苏州示例新能源科技有限公司（演示）", "320506", "38"),
    ("昆山示例电子科技有限公司（演示）", "320583", "39"),
    ("无锡示例新材料有限公司（演示）", "320205", "26"),
]
PARKS = [("苏州吴中示例经济技术开发区（演示）", "320506")]
OTHERS = [
    ("江苏示例绿色发展评价中心（演示）", "320500", OrgKind.EVALUATION_BODY),
    ("苏州示例大学环境学院（演示）", "320506", OrgKind.INSTITUTION),
    ("南京示例节能设计研究院（演示）", "320102", OrgKind.INSTITUTION),
]
USERS = [
    ("mof-reviewer", "工业和信息化部（演示）", "signer"),
    ("js-reviewer", "江苏省工业和信息化厅（演示）", "signer"),
    ("sz-reviewer", "苏州市工业和信息化局（演示）", "signer"),
    ("wx-reviewer", "无锡市工业和信息化局（演示）", "signer"),
    ("wz-reviewer", "苏州市吴中区工业和信息化局（演示）", "signer"),
    ("ks-reviewer", "昆山市工业和信息化局（演示）", "signer"),
    ("xs-reviewer", "无锡市锡山区工业和信息化局（演示）", "signer"),
    # a reviewer who does not sign: prepares publicity and publication, which sz-reviewer signs (ADR 0011)
    ("sz-clerk", "苏州市工业和信息化局（演示）", "reviewer"),
    ("sz-machinery", "苏州示例精密机械有限公司（演示）", "applicant"),
    ("sz-energy", "苏州示例新能源科技有限公司（演示）", "applicant"),
    ("ks-electronics", "昆山示例电子科技有限公司（演示）", "applicant"),
    ("wx-materials", "无锡示例新材料有限公司（演示）", "applicant"),
    ("wz-park", "苏州吴中示例经济技术开发区（演示）", "applicant"),
    ("evaluator", "江苏示例绿色发展评价中心（演示）", "evaluator"),
    ("expert-1", "苏州示例大学环境学院（演示）", "expert"),
    ("expert-2", "苏州示例大学环境学院（演示）", "expert"),
    ("expert-3", "南京示例节能设计研究院（演示）", "expert"),
    # two experts the panel must never draw for a case of the park's enterprises evaluated by the centre:
    ("expert-4", "江苏示例绿色发展评价中心（演示）", "expert"),
    ("expert-5", "苏州吴中示例经济技术开发区（演示）", "expert"),
]
EXPERT_FIELDS = {
    "expert-1": ["factory", "energy"],
    "expert-2": ["factory", "water"],
    "expert-3": ["factory", "park", "carbon"],
    "expert-4": ["factory"],
    "expert-5": ["park"],
}
# District initial review, then the city: expert panel (trimmed mean), credit check, 7-day publicity.
CITY_CHAIN = [
    {"level": "district", "days": 20},
    {
        "level": "city",
        "days": 30,
        "panel": {"size": 3, "aggregation": "trimmed_mean", "window_days": 10},
        "credit_check": True,
        "publicity_days": 7,
    },
]
# Suzhou 3A: districts forward only applicants whose initial score is at least 80 (seeds/003, V P32).
SUZHOU_3A_CHAIN = [
    {"level": "district", "days": 20, "forward": {"min": 80}},
    {"level": "city", "days": 30, "panel": {"size": 3}, "credit_check": True, "publicity_days": 7},
]
PROVINCE_CHAIN = [
    {"level": "district", "days": 20},
    {"level": "city", "days": 20},
    {"level": "province", "days": 30, "panel": {"size": 3}, "credit_check": True, "publicity_days": 7},
]


CALLS: list[dict[str, Any]] = [
    dict(
        code="suzhou-2026-factory",
        name="2026年度苏州市绿色工厂申报（演示）",
        title_kind="factory",
        level="city",
        region="320500",
        authority="苏州市工业和信息化局（演示）",
        scheme="factory-gbt36132-2025",
        chain=CITY_CHAIN,
        third_party=True,
    ),
    dict(
        code="suzhou-2026-factory-grading",
        name="2026年度苏州市绿色工厂分级（1A–5A）评价（演示）",
        title_kind="factory",
        level="city",
        region="320500",
        authority="苏州市工业和信息化局（演示）",
        scheme="factory-suzhou",
        chain=SUZHOU_3A_CHAIN,
        third_party=True,
    ),
    dict(
        code="jiangsu-2026-park",
        name="2026年度江苏省绿色工业园区申报（演示）",
        title_kind="park",
        level="province",
        region="320000",
        authority="江苏省工业和信息化厅（演示）",
        scheme="park-miit-2016",
        chain=PROVINCE_CHAIN,
    ),
    dict(
        code="jiangsu-2026-supply-chain",
        name="2026年度江苏省绿色供应链管理企业申报（演示）",
        title_kind="supply_chain",
        level="province",
        region="320000",
        authority="江苏省工业和信息化厅（演示）",
        scheme="supply-chain-miit-2016",
        chain=PROVINCE_CHAIN,
    ),
    dict(
        code="jiangsu-2026-product",
        name="2026年度江苏省绿色设计产品申报（演示）",
        title_kind="product",
        level="province",
        region="320000",
        authority="江苏省工业和信息化厅（演示）",
        scheme="product-gbt32161-2015",
        chain=PROVINCE_CHAIN,
    ),
]


def seed_demo(password: str = DEMO_PASSWORD) -> list[DemoLogin]:
    """Create the demo world once (idempotent: existing rows are kept) and return its logins."""
    today = timezone.localdate()
    User = get_user_model()
    orgs: dict[str, Organisation] = {}
    with transaction.atomic():
        for name, region, level in AUTHORITIES:
            orgs[name], _ = Organisation.objects.get_or_create(
                name=name, defaults={"kind": OrgKind.AUTHORITY, "region_id": region, "level": level}
            )
        for name, region, industry in ENTERPRISES:
            orgs[name], _ = Organisation.objects.get_or_create(
                name=name,
                defaults={
                    "kind": OrgKind.ENTERPRISE,
                    "region_id": region,
                    "credit_code": demo_uscc(name, region),
                    "industry": Industry.objects.filter(code=industry).first(),
                },
            )
        for name, region in PARKS:
            orgs[name], _ = Organisation.objects.get_or_create(
                name=name,
                defaults={"kind": OrgKind.PARK, "region_id": region, "credit_code": demo_uscc(name, region)},
            )
        for name, region, kind in OTHERS:
            orgs[name], _ = Organisation.objects.get_or_create(
                name=name,
                defaults={"kind": kind, "region_id": region, "credit_code": demo_uscc(name, region)},
            )
        Organisation.objects.filter(name__in=[n for n, _, _ in ENTERPRISES]).update(
            park=orgs[PARKS[0][0]], status=OrgStatus.ACTIVE
        )
        logins: list[DemoLogin] = []
        for username, org_name, role in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, display_name=username, password_changed_at=timezone.now())
                user.set_password(password)
                user.save()
                Membership.objects.create(user=user, organisation=orgs[org_name], role=role)
            else:  # a world seeded before the signer role (ADR 0011): its bureaus' reviewers sign now
                Membership.objects.filter(user=user, organisation=orgs[org_name]).exclude(role=role).update(
                    role=role
                )
            secret = ""
            if role in ("reviewer", "signer", "evaluator", "expert"):
                device, _ = TOTPDevice.objects.get_or_create(
                    user=user, name="演示验证器", defaults={"key": _totp_key(), "confirmed": True}
                )
                secret = base64.b32encode(bytes.fromhex(device.key)).decode()
            if role == "expert":
                ExpertProfile.objects.get_or_create(
                    user=user, defaults={"fields": EXPERT_FIELDS.get(username, []), "title": "高级工程师"}
                )
            logins.append(DemoLogin(username, role, org_name, secret))
        for spec in CALLS:
            scheme = get_scheme(str(spec["scheme"]))
            Call.objects.get_or_create(
                code=spec["code"],
                defaults={
                    "name": spec["name"],
                    "title_kind": spec["title_kind"],
                    "level": spec["level"],
                    "region": Region.objects.get(code=spec["region"]),
                    "authority": orgs[str(spec["authority"])],
                    "scheme_id": scheme.id,
                    "scheme_version": scheme.version,
                    "opens_on": today - timedelta(days=30),
                    "closes_on": today + timedelta(days=60),
                    "review_chain": spec["chain"],
                    "requires_third_party": bool(spec.get("third_party", False)),
                },
            )
    return logins
