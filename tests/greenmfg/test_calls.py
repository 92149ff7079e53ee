"""Calls issued by the bureaus (申报批次): who may issue where, the review chain checked by greencore, edits
once applications exist, and the eligibility a call enforces when an applicant starts (13号文: a national
applicant must already be on the provincial list; Suzhou: 3A needs 2A held; the Art. 15 negative list)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from factories import actor, start

from greencore.workflow.chain import ChainError, steps
from greenmfg.applications.models import Application
from greenmfg.applications.services import ApplicationError
from greenmfg.audit.models import Event
from greenmfg.catalog import services
from greenmfg.catalog.models import Call
from greenmfg.catalog.selectors import call_open_to
from greenmfg.catalog.services import CallError
from greenmfg.publication.models import Announcement, HistoricalTitle, PublicityNotice, Title
from greenmfg.reviews.models import CreditCheck

TODAY = timezone.localdate()
CITY_CHAIN = [{"level": "district", "days": 20}, {"level": "city", "days": 30, "publicity_days": 7}]
NATIONAL_CHAIN = [
    {"level": "province", "days": 30},
    {"level": "ministry", "days": 60, "panel": {"size": 5}, "credit_check": True, "publicity_days": 15},
]


def fields(**changes):
    base = {
        "name": "2027年度苏州市绿色工厂申报（测试）",
        "title_kind": "factory",
        "region_code": "320500",
        "scheme": "factory-gbt36132-2025@2025.1",
        "opens_on": TODAY - timedelta(days=1),
        "closes_on": TODAY + timedelta(days=30),
        "review_chain": CITY_CHAIN,
        "requires_third_party": False,
        "score_margin": Decimal("2"),
        "eligibility": {},
        "notice": "",
    }
    base.update(changes)
    return base


def snapshot():
    """Everything a refused call write could have touched."""
    return (
        list(Call.objects.order_by("pk").values()),
        Event.objects.filter(action__startswith="call.").count(),
    )


def refused(kind, user, call=None, code="sz-2027-factory", **changes):
    """The refusal a call write gets, after checking that nothing changed."""
    before = snapshot()
    if call is None:
        with pytest.raises(kind) as error:
            services.create_call(actor(user), code=code, **fields(**changes))
    else:
        with pytest.raises(kind) as error:
            services.update_call(actor(user), call, **fields(**changes))
    assert snapshot() == before
    return error.value


def form_data(**changes):
    """The call page's form as a browser posts it: the call's fields and four chain rows."""
    data = {
        "code": "sz-2027-factory",
        "name": "2027年度苏州市绿色工厂分级评价（测试）",
        "title_kind": "factory",
        "region": "320500",
        "scheme": "factory-suzhou@2023.1",
        "opens_on": str(TODAY),
        "closes_on": str(TODAY + timedelta(days=60)),
        "requires_third_party": "on",
        "score_margin": "3.5",
        "requires_title_level": "city",
        "requires_title_grade": "2A",
        "negative_list": "on",
        "evidence_required": "",
        "notice": "请于截止日期前在线填报。",
        "step-TOTAL_FORMS": "4",
        "step-INITIAL_FORMS": "0",
        "step-0-level": "district",
        "step-0-days": "20",
        "step-0-forward_min": "80",
        "step-1-level": "city",
        "step-1-panel_size": "3",
        "step-1-panel_aggregation": "trimmed_mean",
        "step-1-credit_check": "on",
        "step-1-publicity_days": "7",
    }
    data.update(changes)
    return data


def page_text(response) -> str:
    return unescape(response.content.decode())


# --- issuing and editing ---------------------------------------------------------------------------


def test_a_city_bureau_issues_a_call_through_its_page(world):
    client = world.client("sz-reviewer")
    response = client.post("/calls/new/", form_data())
    assert response.status_code == 302, page_text(response)
    assert response["Location"] == "/calls/"
    call = Call.objects.get(code="sz-2027-factory")
    assert call.name == "2027年度苏州市绿色工厂分级评价（测试）"
    assert (call.title_kind, call.level, call.region_id) == ("factory", "city", "320500")
    assert call.authority == world.users["sz-reviewer"].membership.organisation
    assert (call.scheme_id, call.scheme_version) == ("factory-suzhou", "2023.1")
    assert (call.opens_on, call.closes_on) == (TODAY, TODAY + timedelta(days=60))
    assert call.review_chain == [
        {"level": "district", "days": 20, "forward": {"min": 80}},
        {
            "level": "city",
            "panel": {"size": 3, "aggregation": "trimmed_mean"},
            "credit_check": True,
            "publicity_days": 7,
        },
    ]
    assert call.requires_third_party is True
    assert call.score_margin == Decimal("3.50")
    assert call.eligibility == {
        "requires_title": {"level": "city", "grade_at_least": "2A"},
        "negative_list": True,
    }
    assert call.notice == "请于截止日期前在线填报。"
    event = Event.objects.get(action="call.created")
    assert (event.object_id, event.actor, event.role) == (
        "sz-2027-factory",
        world.users["sz-reviewer"],
        "signer",  # the demo city's reviewer signs too (ADR 0011): the event records the role acted in
    )
    assert event.detail["scheme"] == "factory-suzhou@2023.1"
    listing = page_text(client.get("/calls/"))
    assert "2027年度苏州市绿色工厂分级评价（测试）" in listing
    assert "2026年度苏州市绿色工厂申报（演示）" in listing  # the city's own demo calls
    assert "江苏省绿色工业园区" not in listing  # the province's call is not the city's to manage
    edit = page_text(client.get("/calls/sz-2027-factory/edit/"))
    assert 'value="2A"' in edit
    assert 'name="step-0-forward_min" value="80"' in edit


def test_the_level_is_the_bureaus_own(world):
    province = services.create_call(
        actor(world.users["js-reviewer"]),
        code="js-2027-factory",
        **fields(
            region_code="320000",
            review_chain=[{"level": "city"}, {"level": "province", "credit_check": True}],
        ),
    )
    national = services.create_call(
        actor(world.users["mof-reviewer"]),
        code="mof-2027-factory",
        **fields(region_code="110000", review_chain=NATIONAL_CHAIN),
    )
    assert (province.level, national.level) == ("province", "national")
    # a national call is open nationwide, whatever the ministry's own region
    assert call_open_to(national, world.users["sz-machinery"].membership.organisation, TODAY) is None


def test_a_district_bureau_cannot_issue_a_call(world):
    refused(PermissionDenied, world.users["wz-reviewer"], region_code="320506")
    before = snapshot()
    client = world.client("wz-reviewer")
    assert client.get("/calls/new/").status_code == 404
    assert client.post("/calls/new/", form_data(region="320506")).status_code == 404
    assert snapshot() == before


def test_a_city_cannot_issue_a_call_for_another_city(world):
    error = refused(CallError, world.users["sz-reviewer"], region_code="320200")
    assert error.message_dict == {"region_code": ["申报地区须在本部门辖区内（江苏省无锡市不在辖区内）。"]}
    before = snapshot()
    response = world.client("sz-reviewer").post("/calls/new/", form_data(region="320200"))
    assert response.status_code == 200
    assert "申报地区须在本部门辖区内（江苏省无锡市不在辖区内）。" in page_text(response)
    assert snapshot() == before


def test_another_city_can_neither_see_nor_edit_the_call(world):
    call = Call.objects.get(code="suzhou-2026-factory")
    refused(PermissionDenied, world.users["wx-reviewer"], call=call, region_code="320200")
    before = snapshot()
    client = world.client("wx-reviewer")
    assert client.get("/calls/suzhou-2026-factory/edit/").status_code == 404
    assert client.post("/calls/suzhou-2026-factory/edit/", form_data(region="320200")).status_code == 404
    assert client.get("/calls/no-such-call/edit/").status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    ("chain", "message"),
    [
        (
            [{"level": "city"}, {"level": "district"}],
            "审核流程第 2 步：层级须逐级向上（district 不高于上一步）",
        ),
        (
            [{"level": "district", "days": 0}, {"level": "city"}],
            "审核流程第 1 步：days 须为不小于 1 的整数（现为 0）",
        ),
        (
            [{"level": "district"}, {"level": "city", "panel": {"size": 2, "aggregation": "trimmed_mean"}}],
            "审核流程第 2 步：去掉最高最低分需要至少 3 位专家（现为 2）",
        ),
        (
            [{"level": "district", "publicity_days": 5}, {"level": "city"}],
            "审核流程第 1 步：公示只在最后一步",
        ),
        ([], "审核流程不能为空"),
    ],
)
def test_a_malformed_chain_is_refused_with_greencores_message(world, chain, message):
    with pytest.raises(ChainError) as greencore:
        steps(chain)
    assert greencore.value.zh == message
    error = refused(CallError, world.users["sz-reviewer"], review_chain=chain)
    assert error.message_dict == {"review_chain": [message]}


def test_a_malformed_chain_on_the_page_is_shown_beside_the_chain(world):
    before = snapshot()
    data = form_data(**{"step-0-level": "city", "step-1-level": "district", "step-0-forward_min": ""})
    response = world.client("sz-reviewer").post("/calls/new/", data)
    assert response.status_code == 200
    match = re.search(r'<p class="error" role="alert" id="chain-error">(.*?)</p>', page_text(response))
    assert match is not None
    assert match.group(1) == "审核流程第 2 步：层级须逐级向上（district 不高于上一步）"
    assert snapshot() == before
    response = world.client("sz-reviewer").post("/calls/new/", form_data(**{"step-0-days": "0"}))
    assert "审核流程第 1 步：days 须为不小于 1 的整数（现为 0）" in page_text(response)
    assert snapshot() == before


def test_the_chain_ends_at_the_issuers_level_and_forwarding_rules_are_checked(world):
    error = refused(
        CallError, world.users["sz-reviewer"], review_chain=[{"level": "district"}, {"level": "province"}]
    )
    assert error.message_dict == {
        "review_chain": ["审核流程最后一步须为市级审核（由发布批次的部门公示、公布），现为省级。"]
    }
    error = refused(
        CallError,
        world.users["sz-reviewer"],
        review_chain=[{"level": "district", "forward": {"min": -5}}, {"level": "city"}],
    )
    assert error.message_dict == {"review_chain": ["审核流程第 1 步：转报规则 min 的值 -5 不能为负数"]}


def test_the_scheme_must_evaluate_the_title_kind(world):
    error = refused(CallError, world.users["sz-reviewer"], scheme="park-miit-2016@2016.1")
    assert error.message_dict == {
        "scheme": [
            "评价方案「绿色园区评价（工信部 2016《绿色园区评价要求》）」适用于绿色工业园区，与称号类型「绿色工厂」不符。"
        ]
    }
    error = refused(CallError, world.users["sz-reviewer"], scheme="factory-gbt36132-2025")
    assert error.message_dict == {"scheme": ["请选择具体版本的评价方案（如 factory-gbt36132-2025@2025.1）。"]}


def test_closing_may_not_precede_opening(world):
    error = refused(
        CallError, world.users["sz-reviewer"], opens_on=date(2027, 3, 1), closes_on=date(2027, 2, 28)
    )
    assert error.message_dict == {"closes_on": ["截止日期不能早于开始日期（2027年03月01日）。"]}


def test_eligibility_rules_are_checked_against_the_call(world):
    user = world.users["sz-reviewer"]
    error = refused(CallError, user, eligibility={"requires_title": {"level": "province"}})
    assert error.message_dict == {"requires_title": ["须已取得的称号（省级）不能高于本批次的层级（市级）。"]}
    error = refused(
        CallError,
        user,
        scheme="factory-suzhou@2023.1",
        eligibility={"requires_title": {"level": "city", "grade_at_least": "2B"}},
    )
    assert error.message_dict == {
        "requires_title": ["等级 2B 不是评价方案 factory-suzhou@2023.1 的等级（可选：5A、4A、3A、2A、1A）。"]
    }
    error = refused(
        CallError, user, eligibility={"requires_title": {"level": "city", "grade_at_least": "2A"}}
    )
    assert error.message_dict == {
        "requires_title": [
            "等级 2A 不是评价方案 factory-gbt36132-2025@2025.1 的等级"
            "（该方案不分等级；要求其他方案的等级时，请注明该方案，如 factory-suzhou）。"
        ]
    }
    error = refused(CallError, user, eligibility={"evidence_required": ["no-such-indicator"]})
    assert error.message_dict == {
        "evidence_required": ["评价方案 factory-gbt36132-2025@2025.1 中没有这些指标：no-such-indicator"]
    }
    error = refused(CallError, user, eligibility={"quota": 3})
    assert error.message_dict == {"eligibility": ["不认识的申报条件：quota"]}


def test_a_call_with_applications_keeps_its_scheme_and_kind(world):
    call = Call.objects.get(code="suzhou-2026-factory")
    start(world.users["sz-machinery"])
    reviewer = world.users["sz-reviewer"]
    kept = {"region_code": "320500", "review_chain": call.review_chain, "requires_third_party": True}
    error = refused(CallError, reviewer, call=call, scheme="factory-suzhou@2023.1", **kept)
    assert error.message_dict == {"scheme": ["该批次已有 1 份申报，不能再修改评价方案、称号类型或层级。"]}
    error = refused(
        CallError, reviewer, call=call, title_kind="product", scheme="product-gbt32161-2015@2015.1", **kept
    )
    assert error.message_dict == {
        "scheme": ["该批次已有 1 份申报，不能再修改评价方案、称号类型或层级。"],
        "title_kind": ["该批次已有 1 份申报，不能再修改评价方案、称号类型或层级。"],
    }
    page = page_text(world.client("sz-reviewer").get("/calls/suzhou-2026-factory/edit/"))
    assert "该批次已有 1 份申报：评价方案、称号类型和层级不能再修改。" in page
    # what was not applied for may still change
    closes = call.closes_on + timedelta(days=10)
    saved = services.update_call(
        actor(reviewer),
        call,
        **fields(name="2026年度苏州市绿色工厂申报（延期）", closes_on=closes, opens_on=call.opens_on, **kept),
    )
    assert (saved.name, saved.closes_on, saved.scheme_id) == (
        "2026年度苏州市绿色工厂申报（延期）",
        closes,
        "factory-gbt36132-2025",
    )
    event = Event.objects.get(action="call.updated")
    assert event.detail["changes"]["name"] == [
        "2026年度苏州市绿色工厂申报（演示）",
        "2026年度苏州市绿色工厂申报（延期）",
    ]
    assert event.detail["changes"]["closes_on"] == [str(call.closes_on), str(closes)]


def test_editing_through_the_page_round_trips_the_chain(world):
    client = world.client("sz-reviewer")
    page = page_text(client.get("/calls/suzhou-2026-factory-grading/edit/"))
    assert 'name="step-0-forward_min" value="80"' in page
    call = Call.objects.get(code="suzhou-2026-factory-grading")
    before = call.review_chain
    data = form_data(
        code="ignored",
        name=call.name,
        scheme="factory-suzhou@2023.1",
        opens_on=str(call.opens_on),
        closes_on=str(call.closes_on),
        requires_title_level="",
        requires_title_grade="",
        negative_list="",
        notice="",
        **{"step-1-panel_aggregation": "", "step-1-days": "30"},
    )
    response = client.post("/calls/suzhou-2026-factory-grading/edit/", data)
    assert response.status_code == 302, page_text(response)
    call.refresh_from_db()
    assert call.code == "suzhou-2026-factory-grading"  # the code stays
    assert before[1]["panel"] == {"size": 3}
    assert call.review_chain == [
        {"level": "district", "days": 20, "forward": {"min": 80}},
        {"level": "city", "days": 30, "panel": {"size": 3}, "credit_check": True, "publicity_days": 7},
    ]
    assert call.eligibility == {}


# --- eligibility when an applicant starts ----------------------------------------------------------


def grant(world, username, level, grade="", status=Title.Status.ACTIVE, kind="factory"):
    """A title as publication grants it (set up directly: the rule reads titles, not how they came)."""
    bureau = world.users["js-reviewer"]
    call = Call.objects.get(code="suzhou-2026-factory")
    notice = PublicityNotice.objects.create(
        call=call,
        authority=bureau.membership.organisation,
        title="测试公示",
        opens_on=TODAY - timedelta(days=30),
        closes_on=TODAY - timedelta(days=23),
        created_by=bureau,
        closed_at=timezone.now(),
    )
    sequence = Announcement.objects.count() + 1
    announcement = Announcement.objects.create(
        authority=bureau.membership.organisation,
        call=call,
        notice=notice,
        year=TODAY.year,
        sequence=sequence,
        number=f"测试〔{TODAY.year}〕{sequence}号",
        title="测试公告",
        published_on=TODAY - timedelta(days=20),
        published_by=bureau,
    )
    return Title.objects.create(
        organisation=world.users[username].membership.organisation,
        announcement=announcement,
        kind=kind,
        level=level,
        grade=grade,
        scheme="factory-suzhou@2023.1",
        valid_from=TODAY - timedelta(days=20),
        status=status,
    )


def national_call(world, **eligibility):
    return services.create_call(
        actor(world.users["mof-reviewer"]),
        code="mof-2027-factory",
        **fields(
            name="2027年度国家级绿色工厂申报（测试）",
            region_code="110000",
            review_chain=NATIONAL_CHAIN,
            eligibility=eligibility,
        ),
    )


def refused_start(user, call) -> ApplicationError:
    before = Application.objects.count()
    with pytest.raises(ApplicationError) as error:
        start(user, call.code)
    assert Application.objects.count() == before
    return error.value


def test_a_national_applicant_must_be_on_the_provincial_list(world):
    call = national_call(world, requires_title={"level": "province"})
    user = world.users["sz-machinery"]
    error = refused_start(user, call)
    assert error.zh == "申报国家级须已列入省级绿色工厂名单（未找到本单位的省级称号）"
    grant(world, "sz-machinery", "city", "3A")  # a city title is not the provincial list
    grant(world, "sz-machinery", "province", status=Title.Status.REVOKED)  # nor a revoked one
    grant(world, "sz-machinery", "province", kind="supply_chain")  # nor one of another kind
    assert refused_start(user, call).zh == "申报国家级须已列入省级绿色工厂名单（未找到本单位的省级称号）"
    grant(world, "sz-machinery", "province")
    application = start(user, call.code)
    assert application.state == "draft"
    # the rule is the applicant's own: another enterprise is still refused
    assert refused_start(world.users["sz-energy"], call).zh == (
        "申报国家级须已列入省级绿色工厂名单（未找到本单位的省级称号）"
    )


def test_a_unit_on_the_national_lists_counts_as_listed(world):
    call = national_call(world, requires_title={"level": "province"})
    user = world.users["ks-electronics"]
    organisation = user.membership.organisation
    HistoricalTitle.objects.create(
        kind="park",  # another kind does not count
        batch="5",
        announced=date(2020, 10, 1),
        listed_region="江苏",
        unit_name=organisation.name,
        source_file="test.csv",
        source_row=1,
    )
    assert refused_start(user, call).zh == "申报国家级须已列入省级绿色工厂名单（未找到本单位的省级称号）"
    HistoricalTitle.objects.create(
        kind="factory",
        batch="5",
        announced=date(2020, 10, 1),
        listed_region="江苏",
        unit_name=organisation.name,
        source_file="test.csv",
        source_row=2,
    )
    assert start(user, call.code).state == "draft"


def test_suzhou_3a_needs_2a_held(world):
    call = Call.objects.get(code="suzhou-2026-factory-grading")
    services.update_call(
        actor(world.users["sz-reviewer"]),
        call,
        **fields(
            name=call.name,
            scheme="factory-suzhou@2023.1",
            opens_on=call.opens_on,
            closes_on=call.closes_on,
            review_chain=call.review_chain,
            requires_third_party=True,
            eligibility={"requires_title": {"level": "city", "grade_at_least": "2A"}},
        ),
    )
    user = world.users["sz-machinery"]
    assert refused_start(user, call).zh == (
        "申报市级须已获得市级绿色工厂称号且等级不低于2A（未找到本单位的市级称号）"
    )
    grant(world, "sz-machinery", "city", "1A")
    assert refused_start(user, call).zh == (
        "申报市级须已获得市级绿色工厂称号且等级不低于2A（本单位的市级称号等级为1A）"
    )
    grant(world, "sz-energy", "city", "3A")  # better than 2A counts
    assert start(world.users["sz-energy"], call.code).state == "draft"
    grant(world, "sz-machinery", "city", "2A")
    assert start(user, call.code).state == "draft"


def credit_hit(world, username, checked_on, outcome="hit", item="dishonest"):
    """A credit check recorded on one of the enterprise's earlier applications."""
    organisation = world.users[username].membership.organisation
    earlier, _ = Application.objects.get_or_create(
        call=Call.objects.get(code="jiangsu-2026-supply-chain"),
        applicant=organisation,
        defaults={"region": organisation.region, "state": "rejected"},
    )
    return CreditCheck.objects.create(
        application=earlier,
        step=1,
        checked_on=checked_on,
        source="creditchina",
        outcome=outcome,
        negative_item=item if outcome == "hit" else "",
        recorded_by=world.users["sz-reviewer"],
    )


def negative_list_call(world):
    call = Call.objects.get(code="suzhou-2026-factory")
    call.eligibility = {"negative_list": True}
    call.save()
    return call


def test_a_negative_list_hit_in_the_last_three_years_refuses(world):
    call = negative_list_call(world)
    checked = TODAY - timedelta(days=400)
    credit_hit(world, "sz-machinery", checked)
    error = refused_start(world.users["sz-machinery"], call)
    assert error.zh == (
        f"本单位近三年有负面清单记录：被列为失信被执行人（信用中国，{checked:%Y年%m月%d日}核查），不能申报。"
    )
    assert start(world.users["sz-energy"]).state == "draft"  # only the organisation with the hit


def test_an_older_hit_or_a_clear_check_does_not_refuse(world):
    call = negative_list_call(world)
    credit_hit(world, "sz-machinery", TODAY - timedelta(days=3 * 366 + 1))
    credit_hit(world, "sz-machinery", TODAY - timedelta(days=10), outcome="clear")
    assert start(world.users["sz-machinery"], call.code).state == "draft"


def test_calls_without_eligibility_rules_behave_as_before(world):
    call = Call.objects.get(code="suzhou-2026-factory")
    assert call.eligibility == {}
    credit_hit(world, "sz-machinery", TODAY - timedelta(days=10))
    organisation = world.users["sz-machinery"].membership.organisation
    assert call_open_to(call, organisation, TODAY) is None
    assert call_open_to(call, organisation, call.closes_on + timedelta(days=1)) == (
        f"该批次已于 {call.closes_on:%Y年%m月%d日} 截止。",
        f"the call closed on {call.closes_on}",
    )
    wuxi = world.users["wx-materials"].membership.organisation
    assert call_open_to(call, wuxi, TODAY) == (
        "本单位不在该批次的申报地区内。",
        "the organisation is outside the call's region",
    )


def test_the_refusal_is_shown_when_starting_from_the_page(world):
    negative_list_call(world)
    checked = TODAY - timedelta(days=30)
    credit_hit(world, "sz-machinery", checked)
    response = world.client("sz-machinery").post("/applications/start/suzhou-2026-factory/", follow=True)
    assert "本单位近三年有负面清单记录：被列为失信被执行人" in page_text(response)
    assert not Application.objects.filter(call__code="suzhou-2026-factory").exists()


# --- a requirement naming the scheme whose grade it asks for (seeds/003: 申报省级须已获评3A级) ----------

SUZHOU_3A = {"requires_title": {"level": "city", "grade_at_least": "3A", "scheme": "factory-suzhou"}}


def provincial_fields(**changes):
    """Jiangsu's provincial call under the national 通则 (no grades), requiring Suzhou's city 3A."""
    values = {
        "name": "2027年度江苏省绿色工厂申报（测试）",
        "region_code": "320000",
        "review_chain": [
            {"level": "district", "days": 20},
            {"level": "city", "days": 20},
            {"level": "province", "days": 30},
        ],
        "eligibility": SUZHOU_3A,
    }
    return fields(**{**values, **changes})


def test_a_call_without_grades_requires_the_grade_of_a_named_scheme(world):
    user = world.users["js-reviewer"]
    call = services.create_call(actor(user), code="js-2027-factory", **provincial_fields())
    assert (call.level, call.scheme_id) == ("province", "factory-gbt36132-2025")
    assert call.eligibility == SUZHOU_3A

    # the grade is checked against the named scheme, the scheme must exist and evaluate the call's kind
    bad = [
        (
            {"level": "city", "grade_at_least": "3B", "scheme": "factory-suzhou"},
            "等级 3B 不是评价方案 factory-suzhou@2023.1 的等级（可选：5A、4A、3A、2A、1A）。",
        ),
        (
            {"level": "city", "grade_at_least": "3A", "scheme": "factory-nowhere"},
            "须已取得称号的评价方案 factory-nowhere 不存在（须为平台已有或已采用的方案）。",
        ),
        (
            {"level": "city", "grade_at_least": "3A", "scheme": "park-miit-2016"},
            "须已取得称号的评价方案 park-miit-2016@2016.1 评价的称号类型与本批次的评价方案 "
            "factory-gbt36132-2025@2025.1 不同。",
        ),
    ]
    for rule, message in bad:
        before = snapshot()
        with pytest.raises(CallError) as error:
            services.create_call(
                actor(user), code="js-2027-bad", **provincial_fields(eligibility={"requires_title": rule})
            )
        assert error.value.message_dict == {"requires_title": [message]}
        assert snapshot() == before
        with pytest.raises(CallError):
            services.update_call(actor(user), call, **provincial_fields(eligibility={"requires_title": rule}))
        assert snapshot() == before


def test_only_a_title_of_the_named_scheme_meets_it(world):
    call = services.create_call(
        actor(world.users["js-reviewer"]), code="js-2027-factory", **provincial_fields()
    )
    energy, machinery = (world.users[u].membership.organisation for u in ("sz-energy", "sz-machinery"))
    refusal = (
        "申报省级须已获得市级绿色工厂称号「苏州市绿色工厂评价（1A–5A）」且等级不低于3A（未找到本单位的市级称号）",
        "a province application needs a city factory title (Suzhou green factory grading (1A–5A)) of grade 3A "
        "or better (none found)",
    )
    assert call_open_to(call, energy, TODAY) == refusal
    # a city 3A graded under another scheme with the same grade names is not Suzhou's 3A
    granted = grant(world, "sz-energy", "city", "3A")
    Title.objects.filter(pk=granted.pk).update(scheme="factory-other@1")
    assert call_open_to(call, energy, TODAY) == refusal
    Title.objects.filter(pk=granted.pk).update(scheme="factory-suzhou@2023.1")
    assert call_open_to(call, energy, TODAY) is None
    grant(world, "sz-machinery", "city", "2A")
    assert call_open_to(call, machinery, TODAY) == (
        "申报省级须已获得市级绿色工厂称号「苏州市绿色工厂评价（1A–5A）」且等级不低于3A（本单位的市级称号等级为2A）",
        "a province application needs a city factory title (Suzhou green factory grading (1A–5A)) of grade 3A "
        "or better (held: 2A)",
    )
    before = list(Application.objects.order_by("pk").values())
    with pytest.raises(ApplicationError):
        start(world.users["sz-machinery"], call.code)
    assert list(Application.objects.order_by("pk").values()) == before
    assert start(world.users["sz-energy"], call.code).state == "draft"


def test_the_call_page_names_the_scheme_of_the_grade(world):
    client = world.client("js-reviewer")
    page = client.get("/calls/new/")
    assert page.status_code == 200
    assert 'name="requires_title_scheme"' in page_text(page) and "factory-suzhou" in page_text(page)
    data = form_data(
        code="js-2027-factory",
        name="2027年度江苏省绿色工厂申报（测试）",
        region="320000",
        scheme="factory-gbt36132-2025@2025.1",
        requires_title_level="city",
        requires_title_grade="3A",
        requires_title_scheme="factory-suzhou",
        **{
            "step-0-forward_min": "",
            "step-1-level": "city",
            "step-1-panel_size": "",
            "step-1-panel_aggregation": "",
            "step-1-credit_check": "",
            "step-1-publicity_days": "",
            "step-2-level": "province",
        },
    )
    response = client.post("/calls/new/", data)
    assert response.status_code == 302, page_text(response)
    call = Call.objects.get(code="js-2027-factory")
    assert call.eligibility["requires_title"] == SUZHOU_3A["requires_title"]
    edit = page_text(client.get(f"/calls/{call.code}/edit/"))
    assert re.search(r'<option value="factory-suzhou" selected', edit)
