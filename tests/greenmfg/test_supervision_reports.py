"""Social supervision (社会监督, issue 13): anyone reports a titled unit under their real name with evidence;
the report counts once the e-mailed code comes back (as objections do), the supervising bureau upholds or
dismisses it with reasons, may open a check from it, and an upheld report weighs in risk-weighted draws."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from factories import actor, pdf_bytes
from supervision_world import grant_title
from test_abuse_limits import settings_limit
from test_reviews import emailed_code, raises_zh

from greenmfg.audit.models import Event
from greenmfg.register.models import RegisterEntry
from greenmfg.supervision import services
from greenmfg.supervision.models import Check, Purpose, Report
from greenmfg.supervision.selectors import risk_weights
from greenmfg.supervision.services import SupervisionError

GROUNDS = "该企业厂区夜间偷排废水，附现场照片和视频截图。"


def _filed(title, contact: str = "zhangsan@example.cn", **extra) -> Report:
    return services.file_report(title, name="张三", contact=contact, grounds=GROUNDS, **extra)


def test_a_report_counts_once_its_code_comes_back_and_the_bureau_upholds_it_with_a_check(world):
    title = grant_title(world)
    filed = _filed(
        title, files=[SimpleUploadedFile("现场照片.pdf", pdf_bytes("photo"), content_type="application/pdf")]
    )
    assert filed.status == Report.Status.UNVERIFIED and filed.files.get().sm3
    bureau = actor(world.users["sz-reviewer"])
    # unverified: the bureau neither sees it nor can decide it
    with raises_zh(SupervisionError, "尚未验证"):
        services.decide_report(bureau, filed, upheld=True, reason="属实")
    assert Report.objects.get(pk=filed.pk).status == Report.Status.UNVERIFIED
    received = services.verify_report(filed, emailed_code("zhangsan@example.cn"))
    assert received.status == Report.Status.RECEIVED and received.code_digest == ""
    decided = services.decide_report(
        bureau, received, upheld=True, reason="经现场核实，存在夜间排放情况。", open_check=True
    )
    assert decided.status == Report.Status.UPHELD
    check = Check.objects.get(pk=decided.check_opened_id)
    assert (check.title_id, check.purpose, check.status, check.draw_id) == (
        title.pk,
        Purpose.REPORT,
        Check.Status.OPEN,
        None,
    )
    # the check runs like any other: a finding, a non-conformity, a rectification
    services.record_finding(bureau, check, conforms=False, text="废水排放口未按规定设置")
    services.conclude_check(bureau, check)
    assert Check.objects.get(pk=check.pk).rectification.status == "open"
    with raises_zh(SupervisionError, "已处理"):
        services.decide_report(bureau, decided, upheld=False, reason="再次处理")
    actions = list(
        Event.objects.filter(action__startswith="supervision.report").values_list("action", flat=True)
    )
    assert actions == [
        "supervision.report_filed",
        "supervision.report_received",
        "supervision.report_decided",
    ]


def test_an_upheld_report_weighs_in_a_risk_weighted_draw_and_a_dismissed_one_does_not(world):
    upheld, dismissed = grant_title(world), grant_title(world, "sz-energy")
    bureau = actor(world.users["sz-reviewer"])
    for title, verdict in ((upheld, True), (dismissed, False)):
        report = _filed(title, contact=f"r{title.pk}@example.cn")
        report = services.verify_report(report, emailed_code(f"r{title.pk}@example.cn"))
        services.decide_report(bureau, report, upheld=verdict, reason="经核实作出处理。")
    weights = risk_weights([upheld, dismissed], timezone.localdate())
    # one ticket, plus the complaint factor's (greencore.RISK_TICKETS) for the upheld report only
    assert weights[str(dismissed.public_id)] == 1
    assert weights[str(upheld.public_id)] > 1


def test_only_the_supervising_bureau_decides_and_a_refusal_changes_nothing(world):
    title = grant_title(world)
    report = services.verify_report(_filed(title), emailed_code("zhangsan@example.cn"))
    for role in ("wx-reviewer", "js-reviewer", "sz-machinery"):
        with pytest.raises(PermissionDenied):
            services.decide_report(actor(world.users[role]), report, upheld=True, reason="属实")
    with raises_zh(SupervisionError, "处理意见"):
        services.decide_report(actor(world.users["sz-reviewer"]), report, upheld=True, reason="  ")
    assert Report.objects.get(pk=report.pk).status == Report.Status.RECEIVED
    assert not Check.objects.exists()


@pytest.mark.parametrize(
    ("name", "contact", "grounds", "refusal"),
    [
        ("", "a@example.cn", GROUNDS, "匿名举报不予受理"),
        ("张三", "", GROUNDS, "匿名举报不予受理"),
        ("张三", "13800000000", GROUNDS, "请填写电子邮箱"),
        ("张三", "a@example.cn", "有问题", "至少 10 个字"),
    ],
)
def test_anonymous_or_groundless_reports_are_refused_and_nothing_is_stored(
    world, name, contact, grounds, refusal
):
    title = grant_title(world)
    with raises_zh(SupervisionError, refusal):
        services.file_report(title, name=name, contact=contact, grounds=grounds)
    assert not Report.objects.exists() and not mail.outbox
    assert Event.objects.filter(action="supervision.report_refused").count() == 1


def test_a_revoked_title_is_not_reported(world):
    title = grant_title(world)
    services.revoke(actor(world.users["sz-reviewer"]), title, reason="major_accident", details="重大环境事故")
    with raises_zh(SupervisionError, "已撤销"):
        _filed(title)
    assert Client().get(f"/supervision/report/{title.public_id}/").status_code == 404


def test_wrong_and_late_codes_lapse_the_report(world):
    title = grant_title(world)
    report = _filed(title)
    code = emailed_code("zhangsan@example.cn")
    wrong = "000000" if code != "000000" else "111111"
    with raises_zh(SupervisionError, "还可尝试 4 次"):
        services.verify_report(report, wrong)
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False),
        raises_zh(SupervisionError, "已过期"),
    ):
        services.verify_report(report, code)
    assert Report.objects.get(pk=report.pk).status == Report.Status.EXPIRED
    with raises_zh(SupervisionError, "已失效"):
        services.verify_report(report, code)


def test_the_pages_take_a_report_from_the_public_to_the_bureaus_decision(world):
    title = grant_title(world)
    public = Client()
    # the public register's unit page links to the form
    entry = RegisterEntry.objects.get(source_key=f"title:{title.public_id}")
    assert (
        f'href="/supervision/report/{title.public_id}/"'
        in public.get(reverse("register:unit", kwargs={"unit_key": entry.unit_key})).content.decode()
    )
    page = public.get(f"/supervision/report/{title.public_id}/")
    assert page.status_code == 200 and title.organisation.name in page.content.decode()
    refused = public.post(
        f"/supervision/report/{title.public_id}/", {"name": "", "contact": "x@example.cn", "grounds": GROUNDS}
    )
    assert refused.status_code == 400 and "匿名举报不予受理" in refused.content.decode()
    response = public.post(
        f"/supervision/report/{title.public_id}/",
        {
            "name": "李四",
            "contact": "lisi@example.cn",
            "grounds": GROUNDS,
            "files": [SimpleUploadedFile("视频截图.pdf", pdf_bytes("frame"), content_type="application/pdf")],
        },
    )
    report = Report.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/supervision/report/verify/{report.public_id}/"
    )
    assert "l***@example.cn" in public.get(response["Location"]).content.decode()
    done = public.post(response["Location"], {"code": emailed_code("lisi@example.cn")})
    assert done.status_code == 200 and "待处理" in done.content.decode()
    bureau = world.client("sz-reviewer")
    assert report.title.organisation.name in bureau.get("/supervision/reports/").content.decode()
    file_url = f"/supervision/reports/files/{report.files.get().pk}/"
    assert bureau.get(file_url).status_code == 200
    assert world.client("wx-reviewer").get(file_url).status_code == 404
    assert world.client("sz-machinery").get(f"/supervision/reports/{report.public_id}/").status_code == 404
    bureau.post(
        f"/supervision/reports/{report.public_id}/",
        {"upheld": "no", "reason": "经核实，排放口监测数据达标。"},
    )
    assert Report.objects.get().status == Report.Status.DISMISSED and not Check.objects.exists()
    page = bureau.get(f"/supervision/reports/{report.public_id}/").content.decode()
    assert "经核实，排放口监测数据达标。" in page and 'id="report-decide-form"' not in page


def test_a_flood_of_reports_from_one_address_gets_429(world):
    title = grant_title(world)
    url = f"/supervision/report/{title.public_id}/"
    client = Client()
    allowed = settings_limit("report", "per_address")
    statuses = [
        client.post(
            url,
            {"name": f"实名{n}", "contact": f"r{n}@example.cn", "grounds": GROUNDS},
            REMOTE_ADDR="203.0.113.9",
        ).status_code
        for n in range(allowed + 2)
    ]
    assert statuses == [302] * allowed + [429, 429]
    assert Report.objects.count() == allowed
