"""The jurisdiction's administration and onboarding pages in English (issue 12).

Each page is opened with the English switch (the language cookie) as the role that uses it; after the data
on it (organisation, region, industry, user and evaluator names, which stay as entered) is taken out, no
Chinese may be left. The same pages without the switch still speak Chinese.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.urls import reverse
from matrix_admin import objects
from test_i18n import CJK, english

from greenmfg.orgs.models import BodyEvaluator, BodyProfile, Organisation, Site
from greenmfg.reference.models import Industry, Region
from greenmfg.web.demo import demo_uscc

PASSWORD = "Qx7#Lp2v9Rk4"
DATA_MODELS: tuple[type[models.Model], ...] = (
    Organisation,
    Region,
    Industry,
    get_user_model(),
    BodyProfile,
    BodyEvaluator,
    Site,
)


def data_values() -> list[str]:
    """Every Chinese text the database holds in the models these pages show: it is data, not the page's."""
    values: set[str] = set()
    for model in DATA_MODELS:
        fields = [f.name for f in model._meta.fields if isinstance(f, models.CharField | models.TextField)]
        for row in model.objects.values_list(*fields):
            values.update(str(v) for v in row if v and CJK.search(str(v)))
    return sorted(values, key=len, reverse=True)


@cache
def _pattern(values: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(v) for v in values))


def own_text(html: str, typed: tuple[str, ...] = ()) -> str:
    """The page without its data, without what the user typed into a refused form (echoed in its fields and
    named in its errors) and without the switch's own label 中文."""
    text = re.sub(r'value="[^"]*"', "", html.replace(">中文<", "><"))
    text = re.sub(r"(<textarea[^>]*>).*?(</textarea>)", r"\1\2", text, flags=re.S)
    values = tuple(sorted({*data_values(), *typed}, key=len, reverse=True))
    return _pattern(values).sub("", text) if values else text


def leftovers(html: str, typed: tuple[str, ...] = ()) -> list[str]:
    text = own_text(html, typed)
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in CJK.finditer(text)][:5]


def in_english(response: Any, *texts: str, typed: tuple[str, ...] = ()) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in texts:
        assert text in html, text
    assert not leftovers(html, typed), leftovers(html, typed)
    return html


def in_chinese(response: Any, *texts: str) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    for text in texts:
        assert text in html, text
    return html


def follow(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, follow=True)


def test_the_check_finds_chinese_left_in_a_page(world: Any) -> None:
    """The check is not vacuous: the page's own Chinese remains after the data is taken out."""
    html = '<html lang="en"><h1>苏州示例精密机械有限公司（演示） 的厂区</h1></html>'
    assert leftovers(html) and "苏州示例" not in own_text(html)
    assert not leftovers("<h1>Sites of 苏州示例精密机械有限公司（演示）</h1><button>中文</button>")


def registration(**changes: str) -> dict[str, str]:
    """A complete self-registration of an enterprise, with `changes`."""
    name = changes.get("name", "英文注册示例有限公司")
    return {
        "kind": "enterprise",
        "name": name,
        "credit_code": demo_uscc(name, "320506"),
        "region": "320506",
        "display_name": "王五",
        "username": "en-register",
        "password": PASSWORD,
        **changes,
    }


def body_application(**changes: str) -> dict[str, str]:
    """A complete listing application of an evaluation body, with `changes`."""
    name = changes.get("name", "英文登记评价中心")
    return {
        "name": name,
        "credit_code": demo_uscc(name, "320506"),
        "legal_person": "赵六",
        "region": "320506",
        "qualifications": "CMA 证书 654321",
        "evaluators": "钱七, 绿色制造评价师, GM-0099",
        "display_name": "孙八",
        "username": "en-body",
        "password": PASSWORD,
        **changes,
    }


def test_onboarding_pages_in_english(world: Any) -> None:
    client = english(Client())
    register, apply = reverse("accounts:register"), reverse("accounts:register_body")
    in_english(client.get(register), "Type of organisation", "Contact person", "Industry (division)")
    refused = client.post(register, {"kind": "enterprise", "username": "a b"})
    in_english(refused, "This field is required.", "A username is 4–40 letters, digits or _ . -")
    in_english(
        client.post(register, registration(credit_code="91320506MA1X0000")), "unified social credit code"
    )
    weak = client.post(register, registration(password="abcdefghijklmn"))
    in_english(weak, "The password must contain at least 3 of")
    in_english(client.post(register, registration()), "Registration submitted")

    in_english(
        client.get(apply),
        "Third-party evaluation body: apply to be listed",
        "Certified evaluators (one a line: name, certificate, certificate number)",
        'id="apply-body">Submit application</button>',
    )
    applied = client.post(apply, body_application())
    in_english(applied, "<h1>Application submitted</h1>", "Once the bureau approves it, you can log in.")
    again = body_application(name="英文登记评价中心二", evaluators="钱七 绿色制造评价师")
    in_english(client.post(apply, {**again, "legal_person": ""}), "This field is required.")
    in_english(
        client.post(apply, again),
        "should read: name, certificate, certificate number",
        typed=("钱七 绿色制造评价师",),
    )


def test_administration_pages_in_english(world: Any) -> None:
    found = objects(world, {})
    sysadmin = english(world.client("sz-sysadmin"))
    in_english(
        sysadmin.get(reverse("orgs:admin_home")),
        "Administration: ",
        "Separation of duties",
        ">Open a subordinate bureau</a>",
        "<th>Administrative division</th>",
        ">Deactivate</button>",
        ">Reviewer<",
    )
    in_english(
        sysadmin.get(reverse("orgs:bureau_new")),
        "Administrative division code (GB/T 2260)",
        ">District<",
        'id="open-bureau">Open bureau</button>',
    )
    in_english(sysadmin.get(reverse("orgs:staff_new")), "Open a staff account", ">Audit administrator<")
    created = sysadmin.post(
        reverse("orgs:staff_new"),
        {
            "bureau": found["staff"].membership.organisation_id,
            "role": "reviewer",
            "display_name": "周九",
            "username": "en-staff",
            "email": "",
        },
    )
    in_english(created, "Account opened: ", "One-time initial password", "Back to administration")
    done = follow(sysadmin, reverse("orgs:staff_deactivate", args=[found["staff"].pk]), {})
    in_english(done, "The account is deactivated and its sessions have ended.", ">Deactivated<")

    secadmin = english(world.client("sz-secadmin"))
    in_english(
        secadmin.get(reverse("orgs:admin_home")),
        "Security policy (current configuration)",
        "Maximum password age",
        ">End sessions</button>",
    )
    user = get_user_model().objects.get(username="en-staff")
    in_english(follow(secadmin, reverse("orgs:sessions_end", args=[user.pk]), {}), "Sessions ended: 0.")
    in_english(
        secadmin.get(reverse("orgs:security_policy")),
        "<h1>Security policy</h1>",
        "Minimum password length",
        "<th>Allowed range</th>",
        "shown here for reference",
    )
    top = english(world.client("mof-secadmin"))
    in_english(top.get(reverse("orgs:admin_home")), "Change the security policy")
    saved = follow(
        top,
        reverse("orgs:security_policy"),
        {
            "min_length": 14,
            "lockout_threshold": 5,
            "lockout_window_minutes": 15,
            "session_timeout_minutes": 30,
            "password_max_age_days": 60,
            "session_absolute_hours": 10,
            "reason": "",
        },
    )
    in_english(
        saved,
        "saved as version 1",
        "History of changes",
        "<th>Changed by</th>",
        "<th>Maximum password age (days)</th>",
        "<th>Absolute session length (hours)</th>",
        "the initial values before any version is saved",
    )
    refused = top.post(
        reverse("orgs:security_policy"),
        {
            "min_length": 9,
            "lockout_threshold": 5,
            "lockout_window_minutes": 15,
            "session_timeout_minutes": 30,
            "password_max_age_days": 60,
            "session_absolute_hours": 10,
        },
    )
    assert refused.status_code == 400
    assert "minimum password length must lie between 10 and 64" in refused.content.decode()
    in_english(sysadmin.get(reverse("orgs:staff_new")), ">Signer (reviews, and signs publicity notices")

    in_english(
        english(world.client("sz-auditadmin")).get(reverse("orgs:audit_log")),
        "Audit log: ",
        "<th>Performed by</th>",
        "Succeeded",
    )
    in_english(
        english(world.client("mof-auditadmin")).get(reverse("orgs:audit_log")),
        "Export the audit log (JSON Lines)",
        "top-level authority",
    )


def test_bodies_accounts_and_sites_in_english(world: Any) -> None:
    found = objects(world, {})
    reviewer = english(world.client("sz-reviewer"))
    in_english(
        reviewer.get(reverse("orgs:bodies")),
        "Third-party evaluation bodies (jurisdiction of ",
        "<th>Certified evaluators</th>",
        'class="approve">Approve</button>',
        'placeholder="Reasons"',
    )
    approved = follow(
        reviewer, reverse("orgs:body_decide", args=[found["pending_body"].pk]), {"action": "approve"}
    )
    in_english(approved, 'class="suspend">Suspend</button>')
    refused = follow(
        reviewer, reverse("orgs:body_decide", args=[found["pending_body"].pk]), {"action": "suspend"}
    )
    in_english(refused, "give the reason")

    district = english(world.client("wz-reviewer"))
    in_english(
        district.get(reverse("orgs:account_new")),
        "Open an enterprise or park account",
        "District (within this bureau’s jurisdiction)",
    )
    opened = district.post(
        reverse("orgs:account_new"),
        {
            "kind": "park",
            "name": "英文开设示例园区",
            "credit_code": demo_uscc("英文开设示例园区", "320506"),
            "region": "320506",
            "display_name": "吴十",
            "username": "en-park",
        },
    )
    in_english(opened, "Account opened: ", "Industrial park", "Open another account")

    enterprise = english(world.client("sz-machinery"))
    in_english(enterprise.get(reverse("orgs:sites")), "Sites of ", 'id="new-site">Add site</a>')
    in_english(enterprise.get(reverse("orgs:site_new")), "<h1>Add site</h1>", ">Please choose<")
    added = follow(enterprise, reverse("orgs:site_new"), {"name": "英文二厂", "region": "320506"})
    in_english(added, "Site “英文二厂” added.", ">Edit</a>")
    twice = enterprise.post(reverse("orgs:site_new"), {"name": "英文二厂", "region": "320506"})
    in_english(twice, "The enterprise already has a site named “英文二厂”.")
    elsewhere = enterprise.post(reverse("orgs:site_new"), {"name": "英文三厂", "region": "110101"})
    in_english(elsewhere, "The site must lie in ", "is not in", typed=("英文三厂",))
    site = Site.objects.get(name="英文二厂")
    in_english(enterprise.get(reverse("orgs:site_edit", args=[site.pk])), "Edit site: ", "Site name")
    in_english(
        enterprise.get(reverse("accounts:password_change")), "Current password", "Confirm new password"
    )
    mismatch = enterprise.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password": "a", "new_password2": "b"},
    )
    in_english(mismatch, "The current password is wrong.", "The two new passwords differ.")


def test_the_same_pages_in_chinese(world: Any) -> None:
    found = objects(world, {})
    in_chinese(Client().get(reverse("accounts:register")), "单位类型", "联系人姓名")
    in_chinese(
        Client().get(reverse("accounts:register_body")), "<h1>第三方评价机构申请登记</h1>", "持证评价人员（"
    )
    sysadmin = world.client("sz-sysadmin")
    in_chinese(
        sysadmin.get(reverse("orgs:admin_home")),
        "辖区管理：",
        "开设下级主管部门",
        ">停用</button>",
        ">审核人员<",
    )
    in_chinese(sysadmin.get(reverse("orgs:bureau_new")), "所在行政区划代码（GB/T 2260）", ">区县<")
    in_chinese(sysadmin.get(reverse("orgs:staff_new")), "<h1>开设人员账号</h1>", ">审计管理员<")
    in_chinese(world.client("sz-secadmin").get(reverse("orgs:admin_home")), "安全策略（当前配置）")
    in_chinese(world.client("sz-auditadmin").get(reverse("orgs:audit_log")), "审计日志：", "<th>操作人</th>")
    reviewer = world.client("sz-reviewer")
    in_chinese(reviewer.get(reverse("orgs:bodies")), "辖区）</h1>", ">批准</button>")
    done = follow(
        reviewer, reverse("orgs:body_decide", args=[found["pending_body"].pk]), {"action": "reject"}
    )
    in_chinese(done, "请填写理由。")
    in_chinese(world.client("wz-reviewer").get(reverse("orgs:account_new")), "所在区县（本部门辖区内）")
    enterprise = world.client("sz-machinery")
    in_chinese(enterprise.get(reverse("orgs:sites")), " 的厂区</h1>", ">添加厂区</a>")
    added = follow(enterprise, reverse("orgs:site_new"), {"name": "中文二厂", "region": "320506"})
    in_chinese(added, "已添加厂区“中文二厂”。")
    in_chinese(enterprise.get(reverse("accounts:password_change")), "原密码", "确认新密码")
