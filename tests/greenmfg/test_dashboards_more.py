"""The dashboards' newer panels (issue 17): how good (scores, grades, indicators, an enterprise's own position),
the forecast per target, targets as shares, growth per year, the evaluation bodies panel and scheme
back-testing. Figures equal direct DB counts per jurisdiction; quantiles and forecasts are worked by hand."""

from __future__ import annotations

import datetime
import importlib
import importlib.util
import io
import itertools
import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from test_dashboards import grant

from greencore import (
    backtest_draft,
    forecast,
    get_scheme,
    input_key,
    input_table_key,
    jurisdiction_prefix,
    table_cell_key,
)
from greenmfg.applications.models import Application, Dossier
from greenmfg.applications.states import LIVE, UNDECIDED
from greenmfg.catalog.models import Call, TitleLevel
from greenmfg.dashboards import selectors, services
from greenmfg.dashboards.models import Backtest, BacktestMove, Target
from greenmfg.dashboards.services import load_reference_targets
from greenmfg.evaluations.models import Engagement
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import actor_of
from greenmfg.publication.models import Announcement, PublicityNotice, Title
from greenmfg.schemes import services as schemes
from greenmfg.schemes.selectors import scheme_of
from greenmfg.supervision.models import Check

_numbers = itertools.count(1)
ROOT = Path(__file__).resolve().parents[2]


def _conftest() -> Any:
    """greencore's worked scheme inputs (tests/greencore/schemes/conftest.py), loaded by path."""
    spec = importlib.util.spec_from_file_location(
        "greencore_scheme_inputs", ROOT / "tests/greencore/schemes/conftest.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def org(name: str, region: str, industry: str | None = None) -> Organisation:
    return Organisation.objects.create(
        kind="enterprise", name=name, region_id=region, status="active", industry_id=industry
    )


def announcement(world: Any, call: Call) -> Announcement:
    n = next(_numbers)
    user = world.users["sz-reviewer"]
    authority = user.membership.organisation
    today = datetime.date(2026, 6, 30)
    notice = PublicityNotice.objects.create(
        call=call,
        authority=authority,
        title=f"看板测试公示 {n}",
        opens_on=today,
        closes_on=today,
        created_by=user,
    )
    return Announcement.objects.create(
        authority=authority,
        call=call,
        notice=notice,
        year=2026,
        sequence=2000 + n,
        number=f"看板测试〔2026〕{2000 + n}号",
        title="看板测试公告",
        published_on=today,
        published_by=user,
    )


def application(
    call: Call,
    unit: Organisation,
    state: str = "published",
    result: Any = None,
    answers: Any = None,
    score: Any = None,
) -> Application:
    app = Application.objects.create(call=call, applicant=unit, region_id=unit.region_id, state=state)
    Dossier.objects.create(
        application=app,
        number=1,
        answers={"inputs": answers or {}, "raw": {}},
        result=None if result is None else json.dumps(result, ensure_ascii=False),
        score=score,
        frozen_at=timezone.now(),
    )
    return app


def title(
    world: Any,
    unit: Organisation,
    score: str | None,
    grade: str,
    *,
    call: Call,
    app: Application | None = None,
    revoked: bool = False,
) -> Title:
    return Title.objects.create(
        organisation=unit,
        application=app,
        announcement=announcement(world, call),
        kind="factory",
        level="city",
        grade=grade.removesuffix("级"),
        grade_label=grade,
        score=None if score is None else D(score),
        scheme=f"{call.scheme_id}@{call.scheme_version}",
        valid_from=datetime.date(2026, 6, 30),
        status=Title.Status.REVOKED if revoked else Title.Status.ACTIVE,
    )


def result_with(value: str, points: str) -> dict[str, Any]:
    return {
        "indicators": [
            {
                "id": "e1",
                "label": "单位产值综合能耗",
                "label_en": "Energy per output",
                "is_leaf": True,
                "value": value,
                "unit": "tce/万元",
                "points": points,
            },
            {"id": "top", "label": "能源", "is_leaf": False, "value": None, "points": "10"},
        ]
    }


@pytest.fixture
def scored(world: Any) -> dict[str, Any]:
    call = Call.objects.get(code="suzhou-2026-factory")
    mine = world.users["sz-machinery"].membership.organisation
    industry = mine.industry_id
    units = {}
    # 吴中区 (320506): 62, 71.5, 88, 95 (+ sz-machinery), one revoked 99, one without a score; 昆山 80; 无锡 66
    rows = [
        ("吴中A", "320506", "62", "1A级", "0.4", "2"),
        ("吴中B", "320506", "71.5", "2A级", "0.5", "4"),
        ("吴中C", "320506", "88", "3A级", "0.6", "6"),
        ("昆山A", "320583", "80", "3A级", "0.8", "10"),
    ]
    for name, region, score, grade, value, points in rows:
        unit = org(f"看板质量{name}（测试）", region, industry)
        app = application(call, unit, result=result_with(value, points))
        units[name] = title(world, unit, score, grade, call=call, app=app)
    app = application(call, mine, result=result_with("0.7", "8"))
    units["mine"] = title(world, mine, "95", "3A级", call=call, app=app)
    title(world, org("看板质量吴中撤销（测试）", "320506", industry), "99", "3A级", call=call, revoked=True)
    title(world, org("看板质量吴中无分（测试）", "320506", industry), None, "", call=call)
    title(world, org("看板质量无锡（测试）", "320200", industry), "66", "1A级", call=call)
    return {"call": call, "units": units, "industry": industry}


def bureau(world: Any, role: str) -> Organisation:
    return world.users[role].membership.organisation


def direct_titles(authority: Organisation) -> Any:
    prefix = selectors.jurisdiction_of(authority) or ""
    return [
        t
        for t in Title.objects.filter(status="active").select_related("organisation")
        if t.organisation.region_id.startswith(prefix)
    ]


def test_scores_and_grades_equal_direct_counts_and_hand_quantiles(world, scored):
    for role in ("wz-reviewer", "ks-reviewer", "sz-reviewer", "wx-reviewer", "js-reviewer", "mof-reviewer"):
        found = selectors.quality(bureau(world, role))
        direct = direct_titles(bureau(world, role))
        assert found.scored == sum(t.score is not None for t in direct), role
        assert found.unscored == sum(t.score is None for t in direct), role
        assert sum(b.count for b in found.bands) == found.scored, role
        grades: dict[str, int] = {}
        for t in direct:
            grades[t.grade_label] = grades.get(t.grade_label, 0) + 1
        assert {b.key: b.count for b in found.grades} == grades, role
    sz = selectors.quality(bureau(world, "sz-reviewer"))
    # 62, 71.5, 80, 88, 95: h = 4p → P10 62 + 0.4 × 9.5, P25 71.5, P50 80, P75 88, P90 88 + 0.6 × 7
    assert sz.quantiles == [
        (D("0.1"), D("65.80")),
        (D("0.25"), D("71.5")),
        (D("0.5"), D("80")),
        (D("0.75"), D("88")),
        (D("0.9"), D("92.20")),
    ]
    assert [(b.label, b.count) for b in sz.bands] == [
        ("0–60", 0),
        ("60–70", 1),
        ("70–80", 1),
        ("80–90", 2),
        ("≥90", 1),
    ]
    assert {b.key: b.count for b in sz.grades} == {"1A级": 1, "2A级": 1, "3A级": 3, "": 1}
    # the list behind a number holds exactly the titles it counts
    assert list(
        selectors.titles_behind(bureau(world, "sz-reviewer"), band="3").values_list("score", flat=True)
    ) == [D("88"), D("80")]
    page = world.client("sz-reviewer").get(reverse("dashboards:quality_titles") + "?band=3").content.decode()
    assert "看板质量吴中C（测试）" in page and "看板质量昆山A（测试）" in page and "吴中B" not in page
    assert (
        world.client("sz-reviewer").get(reverse("dashboards:quality_titles") + "?band=9").status_code == 404
    )


def test_indicator_spread_and_own_position(world, scored):
    sz = bureau(world, "sz-reviewer")
    call = scored["call"]
    scheme = f"{call.scheme_id}@{call.scheme_version}"
    spreads = selectors.indicator_spread(selectors.peers(scheme, scored["industry"][:2], sz))
    (e1,) = spreads
    # values 0.4, 0.5, 0.6, 0.7, 0.8: P10 0.44, P25 0.5, P50 0.6, P75 0.7, P90 0.76; points 2, 4, 6, 8, 10: P10 2 + 0.4 × 2, P90 8 + 0.6 × 2
    assert (e1.id, e1.unit, e1.n) == ("e1", "tce/万元", 5)
    assert e1.values == [D("0.44"), D("0.5"), D("0.6"), D("0.7"), D("0.76")]
    assert e1.points == [D("2.8"), D("4"), D("6"), D("8"), D("9.2")]
    page = (
        world.client("sz-reviewer").get(reverse("dashboards:quality") + f"?scheme={scheme}").content.decode()
    )
    assert "单位产值综合能耗" in page and "0.4400" in page
    english_client = world.client("sz-reviewer")
    english_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = english_client.get(reverse("dashboards:quality") + f"?scheme={scheme}").content.decode()
    assert "Each indicator across the titled units" in english
    assert "Growth per year" in english_client.get(reverse("dashboards:home")).content.decode()
    assert (
        "Projects and discrepancies per body"
        in english_client.get(reverse("dashboards:bodies")).content.decode()
    )
    english_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    xlsx = world.client("sz-reviewer").get(
        reverse("dashboards:table_xlsx", args=["indicators"]) + f"?scheme={scheme}"
    )
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("单位产值综合能耗", "tce/万元", 5)
    assert D(str(rows[1][3])) == D("0.44")
    bad = world.client("sz-reviewer").get(reverse("dashboards:quality") + "?scheme=nope@1").content.decode()
    assert "nope@1" in bad  # named, the titled units' first scheme shown instead

    (own,) = selectors.own_positions(world.users["sz-machinery"].membership.organisation)
    # nationwide peers of the same scheme and industry with a score: 62, 71.5, 88, 80, 95, 66 (无锡) = 6
    assert own.peers == 6
    assert own.score_position.percentile == (D(5) + D("0.5")) * 100 / 6
    (mine,) = own.spreads
    assert mine.own_value == D("0.7")
    assert (mine.position.below, mine.position.equal, mine.position.above) == (3, 1, 1)
    assert mine.position.percentile == D(70)
    page = world.client("sz-machinery").get(reverse("dashboards:mine")).content.decode()
    assert "70.0" in page and "看板质量吴中A" not in page  # aggregates only, never another unit


def test_too_few_peers_show_no_distribution(world):
    call = Call.objects.get(code="suzhou-2026-factory")
    mine = world.users["sz-machinery"].membership.organisation
    title(world, mine, "90", "3A级", call=call, app=application(call, mine, result=result_with("0.7", "8")))
    (own,) = selectors.own_positions(mine)
    assert own.peers == 1 and own.score_quantiles is None and own.spreads == []
    assert "不足" in world.client("sz-machinery").get(reverse("dashboards:mine")).content.decode()


def _wuxi_history(world: Any) -> Call:
    """无锡 (no demo applications): 3 granted and 1 refused at city level; 4 undecided."""
    call = Call.objects.filter(title_kind="factory", level="city").first()
    states = (
        ["published"] * 3
        + ["rejected"]
        + ["submitted", "submitted", "in_review", "publicity"]
        + ["draft", "withdrawn"]
    )
    for i, state in enumerate(states):
        Application.objects.create(
            call=call, applicant=org(f"无锡预测企业{i}（测试）", "320205"), region_id="320205", state=state
        )
    return call


def test_forecast_from_pass_rates_per_level(world):
    _wuxi_history(world)
    wx = actor_of(world.users["wx-reviewer"])
    services.record_target(
        wx,
        kind="factory",
        level="city",
        count=10,
        deadline=datetime.date(2030, 12, 31),
        source_document="无锡测试目标",
    )
    for i in range(2):
        grant(f"wx-fc-{i}", "320205")
    rates = selectors.pass_rates_in(wx.organisation)
    assert rates["city"].rate == D("0.75")
    assert rates["province"].rate is None
    (p,) = [p for p in selectors.progress(wx.organisation) if p.target.source_document == "无锡测试目标"]
    # achieved 2; undecided 4 × 0.75 = 3 expected; 10 − 2 − 3 = 5 missing; in review (live) 3
    assert (p.achieved, p.pipeline) == (2, 3)
    assert (p.forecast.expected, p.forecast.gap, p.forecast.unrated) == (D(3), D(5), 0)
    page = world.client("wx-reviewer").get(reverse("dashboards:home")).content.decode()
    assert '<strong class="bad">5.0</strong>' in page
    xlsx = world.client("wx-reviewer").get(reverse("dashboards:table_xlsx", args=["targets"]))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    row = next(r for r in rows if r[-2] == "无锡测试目标")
    assert D(row[10]) == 3 and D(row[12]) == 5  # Decimals are written as exact text


def test_target_as_a_share_means_a_count_rounded_up(world):
    wx = actor_of(world.users["wx-reviewer"])
    target = services.record_target(
        wx,
        kind="factory",
        level="",
        count=None,
        deadline=datetime.date(2030, 12, 31),
        source_document="无锡占比目标",
        share=D("30"),
        base_count=1001,
        base_label="规上工业企业数",
    )
    assert (target.count, target.share, target.base_count) == (301, D("30"), 1001)
    before = Target.objects.count()
    with pytest.raises(services.TargetRefused):
        services.record_target(
            wx,
            kind="factory",
            level="",
            count=5,
            deadline=datetime.date(2030, 1, 1),
            source_document="x",
            share=D("10"),
            base_count=10,
            base_label="y",
        )
    assert Target.objects.count() == before
    client = world.client("wx-reviewer")
    response = client.post(
        reverse("dashboards:target_new"),
        {
            "kind": "factory",
            "level": "",
            "share": "12.5",
            "deadline": "2030-12-31",
            "source_document": "表单占比",
        },
    )
    assert response.status_code == 200 and "占比目标须填写基数" in response.content.decode()
    assert Target.objects.count() == before
    response = client.post(
        reverse("dashboards:target_new"),
        {
            "kind": "factory",
            "level": "",
            "share": "12.5",
            "base_count": "8",
            "base_label": "园区数",
            "deadline": "2030-12-31",
            "source_document": "表单占比",
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(source_document="表单占比").count == 1
    assert "规上工业企业数 1001 的 30.00%" in client.get(reverse("dashboards:home")).content.decode()


def test_growth_per_year(world):
    grant("g1", "320506", year=2022)
    grant("g2", "320506", year=2024)
    grant("g3", "320506", year=2024)
    grant("g4", "320506", year=2025)
    growth = selectors.growth_of(selectors.where(bureau(world, "wz-reviewer")))
    assert [(g.year.year, g.year.added, g.year.total, g.year.change) for g in growth] == [
        (2022, 1, 1, None),
        (2023, 0, 1, D(-100)),
        (2024, 2, 3, None),
        (2025, 1, 4, D(-50)),
    ]
    assert growth[2].query == "region=320506&year=2024"
    xlsx = world.client("wz-reviewer").get(reverse("dashboards:table_xlsx", args=["growth"]))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[1:] == [(2022, 1, 1, None), (2023, 0, 1, "-100.0"), (2024, 2, 3, None), (2025, 1, 4, "-50.0")]


def test_evaluation_bodies_panel(world):
    body = Organisation.objects.get(name="江苏示例绿色发展评价中心（演示）")
    call = Call.objects.get(code="suzhou-2026-factory")
    user = world.users["evaluator"]
    # self 80 vs 75 (5 > 3: flagged), 70 vs 73 (3: not), 90 vs 90.5 (0.5); one engaged (no conclusion); 无锡 outside
    cases = [
        ("80", "75", "concluded", "320506"),
        ("70", "73", "concluded", "320583"),
        ("90", "90.5", "concluded", "320506"),
        ("60", None, "engaged", "320506"),
        ("50", "99", "concluded", "320205"),
    ]
    made = []
    for i, (own, third, status, region) in enumerate(cases):
        unit = org(f"评价看板企业{i}（测试）", region)
        app = application(call, unit, state="in_review", score=D(own))
        made.append(
            Engagement.objects.create(
                application=app,
                body=body,
                year=timezone.localdate().year,
                status=status,
                engaged_by=user,
                engaged_at=timezone.now(),
                score=None if third is None else D(third),
                dossier=app.versions.first(),
                score_margin=D("3") if third else None,
            )
        )
    # a non-conforming check of a title the body evaluated
    evaluated = title(world, made[0].application.applicant, "75", "3A级", call=call, app=made[0].application)
    Check.objects.create(
        title=evaluated, authority=bureau(world, "sz-reviewer"), purpose="spot_check", status="nonconforming"
    )
    found = selectors.bodies(bureau(world, "sz-reviewer"), timezone.localdate())
    (row,) = [r for r in found.rows if r.body == body]
    assert (row.projects, row.concluded) == (4, 3)
    assert (row.discrepancy.compared, row.discrepancy.flagged) == (3, 1)
    assert row.discrepancy.mean_abs == D("8.5") / 3
    assert (row.checks, row.nonconforming) == (1, 1)
    # supervision's track record: the check measured nothing, so no report was compared
    assert (row.track.reports, row.track.compared) == (0, 0)
    # the quota counts national projects only, across every region
    assert (
        row.quota_taken
        == Engagement.objects.filter(
            body=body,
            status__in=["engaged", "concluded"],
            year=timezone.localdate().year,
            application__call__level="national",
        ).count()
    )
    wx = [
        r for r in selectors.bodies(bureau(world, "wx-reviewer"), timezone.localdate()).rows if r.body == body
    ]
    assert (
        wx
        and wx[0].projects
        == Engagement.objects.filter(
            body=body, application__region__code__startswith="3202", status__in=["engaged", "concluded"]
        ).count()
    )
    page = world.client("sz-reviewer").get(reverse("dashboards:bodies")).content.decode()
    assert "33.3%" in page and "2.83" in page


def _answers(inputs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in inputs.items():
        if isinstance(value, list):
            for row, cells in enumerate(value):
                for column, cell in cells.items():
                    out[table_cell_key(input_table_key(key), row, column)] = cell
        else:
            out[input_key(key)] = value if not isinstance(value, bool) else ("是" if value else "否")
    return out


def test_backtest_a_draft_over_past_applications(world, django_capture_on_commit_callbacks):
    make = _conftest()._factory2018
    call = Call.objects.get(code="suzhou-2026-factory-grading")
    cases = [
        ("base", "2A"),
        ("score_80", "2A"),
        ("score_75", "none"),
        ("score_67", "none"),
        ("score_59", "none"),
    ]
    past = []
    for i, (variant, held) in enumerate(cases):
        inputs = _answers({**make(variant), "held_grade": held})
        past.append(inputs)
        application(call, org(f"回测企业{i}（测试）", "320506"), state="published", answers=inputs)
    application(
        call, org("回测无锡企业（测试）", "320205"), state="published", answers=past[0]
    )  # outside 苏州
    application(call, org("回测草稿企业（测试）", "320506"), state="draft", answers=past[0])  # private
    bureau_actor = actor_of(world.users["sz-reviewer"])
    current = get_scheme(f"{call.scheme_id}@{call.scheme_version}")
    draft = schemes.derive(
        bureau_actor,
        current,
        scheme_id="factory-suzhou-draft",
        version="1",
        title="苏州分级征求意见稿",
        source="回测测试〔2026〕1号",
        numbers={"outcome.grades[3A].min": D("83"), "outcome.grades[2A].min": D("66")},
    )
    client = world.client("sz-reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboards:backtests"), {"scheme": draft.pk})
    job = Backtest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "dashboards:backtest", args=[job.pk]
    )
    assert job.status == "done" and job.progress == 100 and job.total == 5
    summary = job.summary
    assert (summary["gained"], summary["lost"], summary["unchanged"]) == (1, 2, 2)
    assert summary["moves"] == [["1A", "2A", 1], ["3A", "2A", 2]]
    assert summary["before"] == {"1A": 1, "2A": 1, "3A": 2, "4A": 0, "5A": 0, "": 1}
    assert summary["after"] == {"1A": 0, "2A": 4, "3A": 0, "4A": 0, "5A": 0, "": 1}
    assert "moved" not in summary and summary["moved_total"] == 3
    assert sorted(job.moved.values_list("unit", flat=True)) == [
        "回测企业0（测试）",
        "回测企业1（测试）",
        "回测企业3（测试）",
    ]
    # the platform reports what greencore's bulk comparison of the same answers gives
    direct = backtest_draft(current, scheme_of(draft), past)
    assert summary["gained"] == len(direct.shifts.gained) and summary["lost"] == len(direct.shifts.lost)
    page = client.get(reverse("dashboards:backtest", args=[job.pk])).content.decode()
    assert "回测企业3（测试）" in page and "等级上升" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert (
        "Units whose grade rises"
        in client.get(reverse("dashboards:backtest", args=[job.pk])).content.decode()
    )
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    xlsx = client.get(reverse("dashboards:backtest_xlsx", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    # greencore's bureau table: title, subtitle, a frozen header with filters, then real numbers
    assert sheet["A1"].value.startswith("回测：factory-suzhou-draft@1") and sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:F6"
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 4 and rows[0][0] == "申报单位"
    # each moved unit once, as greencore compared it: grade and score before and after, unchanged
    by_unit = {r[0]: r[1:] for r in rows[1:]}
    for i in range(len(cases)):
        unit = f"回测企业{i}（测试）"
        if unit in by_unit:
            change, before, after, score_before, score_after = by_unit[unit]
            assert (before, after) == (direct.grade_before[i] or "无等级", direct.grade_after[i] or "无等级")
            # a real number in the cell, equal to greencore's Decimal (a float's repr is its shortest decimal)
            assert (D(repr(score_before)), D(repr(score_after))) == (
                direct.score_before[i],
                direct.score_after[i],
            )
            assert change == ("升级" if i in direct.shifts.gained else "降级")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("dashboards:backtest_xlsx", args=[job.pk]))
    head = next(
        load_workbook(io.BytesIO(b"".join(english.streaming_content))).active.iter_rows(
            min_row=3, values_only=True
        )
    )
    assert head[0] != "申报单位" and head[0].isascii()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    # another bureau's back-test is not found; a district keeps no schemes
    assert world.client("wx-reviewer").get(reverse("dashboards:backtest", args=[job.pk])).status_code == 404
    assert world.client("wz-reviewer").get(reverse("dashboards:backtests")).status_code == 404
    # someone else's scheme cannot be back-tested: 404, nothing queued
    other = schemes.derive(
        actor_of(world.users["js-reviewer"]),
        current,
        scheme_id="factory-js-draft",
        version="1",
        title="省草稿",
        source="x",
        numbers={"outcome.pass_mark": D("65")},
    )
    assert client.post(reverse("dashboards:backtests"), {"scheme": other.pk}).status_code == 404
    assert Backtest.objects.count() == 1


def test_backtest_results_page_reads_one_page_of_moved_units(
    world, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """A back-test whose draft moves 130 units: the page lists 50 per direction with its own pager, reads
    only those rows, and a job finished before the Excel lists were written by the job gets them from
    the worker on the first download."""
    call = Call.objects.get(code="suzhou-2026-factory-grading")
    unit = org("回测分页企业（测试）", "320506")
    target = application(call, unit, state="published", answers={})
    bureau = world.users["sz-reviewer"]
    draft = schemes.derive(
        actor_of(bureau),
        get_scheme(f"{call.scheme_id}@{call.scheme_version}"),
        scheme_id="factory-suzhou-page",
        version="1",
        title="分页测试稿",
        source="回测测试〔2026〕2号",
        numbers={"outcome.pass_mark": D("65")},
    )
    job = Backtest.objects.create(
        authority=actor_of(bureau).organisation,
        scheme=draft,
        scheme_key=draft.key,
        scheme_sm3=draft.text_sm3,
        current_key=draft.parent_key,
        created_by=bureau,
        status=Backtest.Status.DONE,
        progress=100,
        summary={
            "n": 130,
            "grades": ["1A", "2A", "3A"],
            "before": {},
            "after": {},
            "gained": 120,
            "lost": 10,
            "unchanged": 0,
            "moves": [],
            "passed": [0, 0],
            "refused": [0, 0],
            "quantiles": [],
            "moved_total": 130,
        },
    )
    BacktestMove.objects.bulk_create(
        BacktestMove(
            job=job,
            position=i,
            application=target.public_id,
            unit=f"单位{i:03d}",
            direction="gained" if i < 120 else "lost",
            grade_before="1A",
            grade_after="2A" if i < 120 else "",
            score_before="61.50",
            score_after="70.25",
        )
        for i in range(130)
    )
    client = world.client("sz-reviewer")
    url = reverse("dashboards:backtest", args=[job.pk])
    client.get(url)  # warm the session and the scheme cache
    with django_assert_max_num_queries(20):
        first = client.get(url).content.decode()
    assert "单位000" in first and "单位049" in first and "单位050" not in first
    assert "单位120" in first and "单位129" in first  # the lost list is short: one page
    assert "共 120 个，第 1 / 3 页" in first and "?gained=2#moved-gained" in first
    third = client.get(url, {"gained": "3", "lost": "1"}).content.decode()
    assert "单位100" in third and "单位119" in third and "单位099" not in third
    assert "单位120" in third
    assert "70.25" in first and "61.50" in first
    # junk page numbers show a page, never an error
    assert client.get(url, {"gained": "x", "lost": "99"}).status_code == 200
    assert client.get(url, {"gained": "x\x00"}).status_code == 400  # the boundary's NUL check
    # an older job without its lists: the first download queues them, the next one serves them
    download = reverse("dashboards:backtest_xlsx", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(download)
    assert response.status_code == 302 and response["Location"] == url
    job.refresh_from_db()
    assert job.workbook_zh and job.workbook_en
    sheet = load_workbook(io.BytesIO(b"".join(client.get(download).streaming_content))).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 131 and rows[1] == ("单位000", "升级", "1A", "2A", D("61.50"), D("70.25"))
    assert sheet["E4"].number_format == "0.00"
    assert rows[130][1:4] == ("降级", "1A", "无等级")
    # migration 0005 moves the lists that older jobs kept in their summary into rows, and back
    migration = importlib.import_module("greenmfg.dashboards.migrations.0005_backtest_moves_as_rows")
    kept = list(job.moved.values_list("position", "unit", "direction", "grade_after", "score_after"))
    migration.rows_to_moves(apps, None)
    job.refresh_from_db()
    assert len(job.summary["moved"]) == 130 and job.summary["moved"][129]["grade_after"] == ""
    job.moved.all().delete()
    migration.moves_to_rows(apps, None)
    job.refresh_from_db()
    assert "moved" not in job.summary
    assert list(job.moved.values_list("position", "unit", "direction", "grade_after", "score_after")) == kept


def test_waiting_per_target_equals_direct_counts(world):
    """The applications in the pipeline and undecided for each target (read in one grouped query) equal a
    direct count per target: the ministry's, provinces', a city's and a levelled target together."""
    load_reference_targets()
    services.record_target(
        actor_of(world.users["wx-reviewer"]),
        kind="factory",
        level="city",
        count=10,
        deadline=datetime.date(2030, 12, 31),
        source_document="无锡分级目标",
    )
    states = ["submitted", "in_review", "returned", "publicity", "published", "rejected", "draft"]
    regions = ["370100", "371002", "371082", "440300", "320205", "320582", "110101"]
    for i, (call, region, state) in enumerate(itertools.product(Call.objects.all(), regions, states)):
        if i % 3:  # not every combination: counts differ between targets
            Application.objects.create(
                call=call, applicant=org(f"在途企业{i}（测试）", region), region_id=region, state=state
            )
    ministry = actor_of(world.users["mof-reviewer"]).organisation
    rates = selectors.pass_rates_in(ministry)
    rows = [p for p in selectors.progress(ministry) if p.achieved is not None]
    assert {p.target.scope for p in rows} == {"ministry", "province", "city"}
    assert any(p.target.level for p in rows)
    for p in rows:
        t = p.target
        prefix = "" if t.scope == "ministry" else jurisdiction_prefix(t.scope, t.region_id)
        apps = Application.objects.filter(region__code__startswith=prefix, call__title_kind=t.kind)
        live = apps.filter(state__in=LIVE, **({"call__level": t.level} if t.level else {}))
        assert p.pipeline == live.count(), t
        undecided = {
            level: apps.filter(state__in=UNDECIDED, call__level=level).count()
            for level in ([t.level] if t.level else TitleLevel.values)
        }
        assert p.forecast == forecast(t.count, p.achieved, undecided, rates), t
    assert sum(p.pipeline for p in rows) > 0
