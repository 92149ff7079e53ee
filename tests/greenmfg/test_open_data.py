"""Every public list as open data: announcements, publicity notices and the national lists' data-quality
report, in the JSON API, on the public pages and as CSV/Excel downloads (security EXP-01, EXP-02).

What is never published: objections and objectors (personal information), units removed from a notice
after an upheld objection, the review scores behind a notice or a title, notices not yet open."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from export_helpers import EXPORT_URL_NAMES, exported, start
from openpyxl import load_workbook

from greenmfg.applications.models import Application
from greenmfg.catalog.models import Call
from greenmfg.orgs.models import Organisation
from greenmfg.publication import selectors as publication
from greenmfg.publication.models import (
    Announcement,
    ImportIssue,
    Objection,
    PublicityEntry,
    PublicityNotice,
    Title,
)
from greenmfg.publication.services import import_national_lists
from greenmfg.register import exports
from greenmfg.register import services as register

HOSTILE = '=HYPERLINK("http://example.invalid","点击")'
# what objectors gave, and what bureaus decided about objections: none of it is ever public
OBJECTION_SECRETS = (
    "异议人甲某",
    "13911112222",
    "异议人所在单位丙",
    "该企业存在未批先建问题（测试理由）",
    "经核实异议属实（处理意见）",
    "异议人乙某",
    "13833334444",
    "公示期内提出的异议理由（测试）",
    "异议人丁某",
    "ding@example.invalid",
)
# the review scores behind the entries and titles
SCORES = ("87.65", "76.43", "91.27", "82.19")

PAGES = ("register:announcements", "register:notices", "register:quality")
EXPORTS = tuple(name for name in EXPORT_URL_NAMES if not name.startswith("register:export_"))
API_LISTS = ("api:announcements", "api:notices", "api:quality", "api:quality_counts")


@dataclass
class Published:
    today: date
    call: Call
    city: Organisation
    machinery: Organisation
    hostile: Organisation
    energy: Organisation  # removed from the past notice after an upheld objection
    electronics: Organisation
    past: PublicityNotice
    current: PublicityNotice
    future: PublicityNotice
    announcement: Announcement
    titles: list[Title]
    register_id: Any


def _application(call: Call, org: Organisation) -> Application:
    return Application.objects.create(
        call=call, applicant=org, region_id=org.region_id, state="in_review", submitted_at=timezone.now()
    )


@pytest.fixture
def published(world: Any) -> Published:
    """Set up directly (the publication services are tested elsewhere): a past notice whose list was
    published by a numbered announcement, one unit of it removed after an upheld objection; a notice
    open today with an objection received; a notice that opens in three days."""
    today = timezone.localdate()
    call = Call.objects.get(code="suzhou-2026-factory")
    bureau = world.users["sz-reviewer"]
    city = bureau.membership.organisation
    machinery = world.users["sz-machinery"].membership.organisation
    energy = world.users["sz-energy"].membership.organisation
    electronics = world.users["ks-electronics"].membership.organisation
    hostile = Organisation.objects.create(kind="enterprise", name=HOSTILE, region_id="320506")

    past = PublicityNotice.objects.create(
        call=call,
        authority=city,
        title="2026年度苏州市绿色工厂拟入选名单公示",
        body="公示期 7 天。",
        opens_on=today - timedelta(days=20),
        closes_on=today - timedelta(days=14),
        created_by=bureau,
        closed_at=timezone.now(),
    )
    first = PublicityEntry.objects.create(
        notice=past,
        application=_application(call, machinery),
        unit_name=machinery.name,
        region_name="吴中区",
        score=Decimal("87.65"),
        grade="3A级",
        status=PublicityEntry.Status.PUBLISHED,
    )
    second = PublicityEntry.objects.create(
        notice=past,
        application=_application(call, hostile),
        unit_name=HOSTILE,
        region_name="吴中区",
        score=Decimal("76.43"),
        grade="2A级",
        status=PublicityEntry.Status.PUBLISHED,
    )
    removed = PublicityEntry.objects.create(
        notice=past,
        application=_application(call, energy),
        unit_name=energy.name,
        region_name="吴中区",
        score=Decimal("91.27"),
        grade="4A级",
        status=PublicityEntry.Status.REMOVED,
    )
    Objection.objects.create(
        notice=past,
        entry=removed,
        name="异议人甲某",
        contact="13911112222",
        organisation="异议人所在单位丙",
        grounds="该企业存在未批先建问题（测试理由）",
        status=Objection.Status.UPHELD,
        decision_reason="经核实异议属实（处理意见）",
        decided_by=bureau,
        decided_at=timezone.now(),
    )
    Objection.objects.create(
        notice=past,
        entry=first,
        name="异议人乙某",
        contact="13833334444",
        grounds="公示期内提出的异议理由（测试）",
        status=Objection.Status.DISMISSED,
        decision_reason="异议不成立",
        decided_by=bureau,
        decided_at=timezone.now(),
    )
    announcement = Announcement.objects.create(
        authority=city,
        call=call,
        notice=past,
        year=today.year,
        sequence=1,
        number=f"苏州市工业和信息化局公告〔{today.year}〕1号",
        title="关于公布2026年度苏州市绿色工厂申报名单的通知",
        published_on=today - timedelta(days=10),
        published_by=bureau,
    )
    titles = [
        Title.objects.create(
            organisation=entry.application.applicant,
            application=entry.application,
            announcement=announcement,
            kind="factory",
            level="city",
            grade=grade,
            grade_label=f"{grade}级",
            score=entry.score,
            scheme="factory-gbt36132-2025@2025",
            valid_from=today - timedelta(days=10),
        )
        for entry, grade in ((first, "3A"), (second, "2A"))
    ]
    # the first title is in the register (as publication.services records it); the second is not yet
    listed = register.record_title(
        source_key=f"title:{titles[0].public_id}",
        kind="factory",
        level="city",
        grade="3A级",
        year=today.year,
        announced_on=announcement.published_on,
        announcement_ref=announcement.number,
        authority=city.name,
        region_code=machinery.region_id,
        unit_name=machinery.name,
        credit_code="",
        industry_code="",
    )

    current = PublicityNotice.objects.create(
        call=call,
        authority=city,
        title="2026年度苏州市绿色工厂拟入选名单公示（第二批）",
        opens_on=today,
        closes_on=today + timedelta(days=6),
        created_by=bureau,
    )
    listed_now = PublicityEntry.objects.create(
        notice=current,
        application=_application(call, electronics),
        unit_name=electronics.name,
        region_name="昆山市",
        score=Decimal("82.19"),
        grade="",
    )
    Objection.objects.create(
        notice=current,
        entry=listed_now,
        name="异议人丁某",
        contact="ding@example.invalid",
        grounds="公示期内提出的异议理由（测试）",
    )
    future_call = Call.objects.exclude(pk=call.pk).first()
    future = PublicityNotice.objects.create(
        call=future_call,
        authority=city,
        title="尚未开始的公示（测试）",
        opens_on=today + timedelta(days=3),
        closes_on=today + timedelta(days=9),
        created_by=bureau,
    )
    return Published(
        today=today,
        call=call,
        city=city,
        machinery=machinery,
        hostile=hostile,
        energy=energy,
        electronics=electronics,
        past=past,
        current=current,
        future=future,
        announcement=announcement,
        titles=titles,
        register_id=listed.public_id,
    )


def _json(response: Any) -> Any:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def _csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _sheet(response: Any) -> Any:
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def _body(response: Any) -> str:
    """The text of any response: a page, JSON, a CSV or an xlsx (its cells)."""
    if response.streaming:
        raw = b"".join(response.streaming_content)
        if raw.startswith(b"PK"):
            sheet = load_workbook(io.BytesIO(raw)).active
            return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
        return raw.decode("utf-8-sig")
    return response.content.decode()


# --------------------------------------------------------------------------------------------------
# selectors


def test_selectors_keep_out_what_is_not_published(published):
    p = published
    assert list(publication.open_notices(p.today)) == [p.current]
    assert list(publication.past_notices(p.today)) == [p.past]
    assert list(publication.notices(p.today)) == [p.current, p.past]  # the future one is not public yet
    assert publication.notice(p.future.public_id, p.today) is None
    assert publication.notice("not-a-uuid", p.today) is None
    assert [n.entry_count for n in publication.notices(p.today)] == [1, 2]
    entries = list(publication.public_notice_entries(p.past))
    assert [e.unit_name for e in entries] == [p.machinery.name, HOSTILE]  # the page's order
    # only the public columns are loaded: the score is never read
    assert all("score" in e.get_deferred_fields() for e in entries)
    assert [a.title_count for a in publication.announcements()] == [2]
    assert [t.organisation.name for t in publication.announcement_titles(p.announcement)] == [
        p.machinery.name,
        HOSTILE,
    ]


# --------------------------------------------------------------------------------------------------
# the JSON API


def test_announcements_api_exact(published):
    p = published
    client = Client()
    summary = {
        "id": str(p.announcement.public_id),
        "number": p.announcement.number,
        "title": "关于公布2026年度苏州市绿色工厂申报名单的通知",
        "authority": "苏州市工业和信息化局（演示）",
        "call": "2026年度苏州市绿色工厂申报（演示）",
        "kind": "factory",
        "kind_label": "绿色工厂",
        "level": "city",
        "level_label": "市级",
        "published_on": (p.today - timedelta(days=10)).isoformat(),
        "title_count": 2,
    }
    assert _json(client.get(reverse("api:announcements"))) == {
        "count": 1,
        "count_capped": False,
        "page": 1,
        "page_size": 20,
        "num_pages": 1,
        "items": [summary],
    }
    valid_from = (p.today - timedelta(days=10)).isoformat()
    detail = _json(client.get(reverse("api:announcement", args=[p.announcement.public_id])))
    assert detail == {
        **summary,
        "titles": [
            {
                "register_id": str(p.register_id),
                "unit_name": "苏州示例精密机械有限公司（演示）",
                "region": {"code": "320506", "name": "吴中区"},
                "kind": "factory",
                "kind_label": "绿色工厂",
                "level": "city",
                "level_label": "市级",
                "grade_label": "3A级",
                "valid_from": valid_from,
                "status": "active",
            },
            {
                "register_id": None,
                "unit_name": HOSTILE,
                "region": {"code": "320506", "name": "吴中区"},
                "kind": "factory",
                "kind_label": "绿色工厂",
                "level": "city",
                "level_label": "市级",
                "grade_label": "2A级",
                "valid_from": valid_from,
                "status": "active",
            },
        ],
    }
    # the register id leads to the title in the register
    assert _json(client.get(reverse("api:title", args=[p.register_id])))["unit_name"] == p.machinery.name
    assert client.get(reverse("api:announcement", args=[p.past.public_id])).status_code == 404
    assert client.get("/api/announcements", {"page_size": 0}).status_code == 422
    assert client.get("/api/announcements", {"page_size": 101}).status_code == 422


def test_notices_api_exact(published):
    p = published
    client = Client()
    past = {
        "id": str(p.past.public_id),
        "title": "2026年度苏州市绿色工厂拟入选名单公示",
        "authority": "苏州市工业和信息化局（演示）",
        "call": "2026年度苏州市绿色工厂申报（演示）",
        "body": "公示期 7 天。",
        "opens_on": (p.today - timedelta(days=20)).isoformat(),
        "closes_on": (p.today - timedelta(days=14)).isoformat(),
        "is_open": False,
        "announcement": {"id": str(p.announcement.public_id), "number": p.announcement.number},
        "entry_count": 2,
    }
    current = {
        "id": str(p.current.public_id),
        "title": "2026年度苏州市绿色工厂拟入选名单公示（第二批）",
        "authority": "苏州市工业和信息化局（演示）",
        "call": "2026年度苏州市绿色工厂申报（演示）",
        "body": "",
        "opens_on": p.today.isoformat(),
        "closes_on": (p.today + timedelta(days=6)).isoformat(),
        "is_open": True,
        "announcement": None,
        "entry_count": 1,
    }
    envelope = {"count_capped": False, "page": 1, "page_size": 20, "num_pages": 1}
    url = reverse("api:notices")
    assert _json(client.get(url)) == {**envelope, "count": 2, "items": [current, past]}
    assert _json(client.get(url, {"state": "open"})) == {**envelope, "count": 1, "items": [current]}
    assert _json(client.get(url, {"state": "past"})) == {**envelope, "count": 1, "items": [past]}
    paged = _json(client.get(url, {"page_size": 1, "page": 2}))
    assert (paged["count"], paged["num_pages"], paged["items"]) == (2, 2, [past])
    assert client.get(url, {"state": "future"}).status_code == 422

    assert _json(client.get(reverse("api:notice", args=[p.past.public_id]))) == {
        **past,
        "entries": [
            {"unit_name": "苏州示例精密机械有限公司（演示）", "region": "吴中区", "grade": "3A级"},
            {"unit_name": HOSTILE, "region": "吴中区", "grade": "2A级"},
        ],
    }
    assert _json(client.get(reverse("api:notice", args=[p.current.public_id]))) == {
        **current,
        "entries": [{"unit_name": "昆山示例电子科技有限公司（演示）", "region": "昆山市", "grade": ""}],
    }
    # not open yet: not public
    assert client.get(reverse("api:notice", args=[p.future.public_id])).status_code == 404


def test_openapi_lists_the_new_endpoints_with_explicit_fields(world):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = set(schema["paths"])
    assert {
        "/api/announcements",
        "/api/announcements/{announcement_id}",
        "/api/notices",
        "/api/notices/{notice_id}",
        "/api/data-quality",
        "/api/data-quality/counts",
    } <= paths
    assert all(set(ops) == {"get"} for ops in schema["paths"].values())
    components = schema["components"]["schemas"]

    def props(name: str) -> set[str]:
        return set(components[name]["properties"])

    assert props("NoticeEntryOut") == {"unit_name", "region", "grade"}
    notice = {
        "id", "title", "authority", "call", "body", "opens_on", "closes_on", "is_open", "announcement",
        "entry_count",
    }  # fmt: skip
    assert props("NoticeOut") == notice
    assert props("NoticeDetailOut") == notice | {"entries"}
    announcement = {
        "id", "number", "title", "authority", "call", "kind", "kind_label", "level", "level_label",
        "published_on", "title_count",
    }  # fmt: skip
    assert props("AnnouncementOut") == announcement
    assert props("AnnouncementDetailOut") == announcement | {"titles"}
    assert props("AnnouncedTitleOut") == {
        "register_id", "unit_name", "region", "kind", "kind_label", "level", "level_label", "grade_label",
        "valid_from", "status",
    }  # fmt: skip
    assert props("IssueOut") == {
        "source_file", "row", "severity", "severity_label", "field", "reason_zh", "reason_en", "original",
        "corrected",
    }  # fmt: skip
    for page in ("AnnouncementPage", "NoticePage", "IssuePage"):
        assert props(page) == {"count", "count_capped", "page", "page_size", "num_pages", "items"}
    # nothing about objections or scores is even described
    text = json.dumps(schema, ensure_ascii=False)
    for word in ('"score"', "objection", "objector", '"contact"', "异议人"):
        assert word not in text
    params = {p["name"] for p in schema["paths"]["/api/data-quality"]["get"]["parameters"]}
    assert params == {"source_file", "severity", "page", "page_size"}


# --------------------------------------------------------------------------------------------------
# nothing about objections, removed units or scores in any public response


def _public_responses(p: Published) -> dict[str, Any]:
    client = Client()
    urls = {
        name: reverse(name)
        for name in (
            *PAGES,
            *EXPORTS,
            *API_LISTS,
            "register:home",
            "register:api_docs",
            "publication:notices",
        )
    }
    urls |= {
        "api:openapi-json": reverse("api:openapi-json"),
        "api:notices?state=past": reverse("api:notices") + "?state=past",
        "api:announcement": reverse("api:announcement", args=[p.announcement.public_id]),
        "publication:announcement": reverse("publication:announcement", args=[p.announcement.public_id]),
    }
    for notice in (p.past, p.current):
        urls[f"api:notice {notice.title}"] = reverse("api:notice", args=[notice.public_id])
        urls[f"publication:notice {notice.title}"] = reverse("publication:notice", args=[notice.public_id])
        for name in ("register:notices_csv", "register:notices_xlsx"):
            urls[f"{name} {notice.title}"] = reverse(name) + f"?notice={notice.public_id}"
    for name in ("register:announcements_csv", "register:announcements_xlsx"):
        urls[f"{name} one"] = reverse(name) + f"?announcement={p.announcement.public_id}"
    found = {}
    for label, url in urls.items():
        response = exported(client, url) if "/export." in url else client.get(url)
        assert response.status_code == 200, (label, response.status_code)
        found[label] = _body(response)
    return found


def test_no_objection_removed_unit_or_score_is_ever_public(published):
    p = published
    bodies = _public_responses(p)
    for label, text in bodies.items():
        for secret in (*OBJECTION_SECRETS, *SCORES, p.energy.name):
            assert secret not in text, (label, secret)
    # and the lists are really there (the check above is not vacuous)
    assert p.machinery.name in bodies["register:notices_csv"]
    assert p.electronics.name in bodies[f"api:notice {p.current.title}"]
    assert p.machinery.name in bodies["api:announcement"]


# --------------------------------------------------------------------------------------------------
# downloads (EXP-01)


def test_notice_and_announcement_downloads_exact_and_safe(published):
    p = published
    client = Client()
    opens = p.today.isoformat()
    closes = (p.today + timedelta(days=6)).isoformat()
    past_opens = (p.today - timedelta(days=20)).isoformat()
    past_closes = (p.today - timedelta(days=14)).isoformat()
    past_title = "2026年度苏州市绿色工厂拟入选名单公示"
    city = "苏州市工业和信息化局（演示）"
    rows = _csv_rows(exported(client, reverse("register:notices_csv")))
    assert rows == [
        list(exports.NOTICE_COLUMNS),
        [
            "2026年度苏州市绿色工厂拟入选名单公示（第二批）",
            city,
            opens,
            closes,
            "1",
            p.electronics.name,
            "昆山市",
            "",
        ],
        [past_title, city, past_opens, past_closes, "1", p.machinery.name, "吴中区", "3A级"],
        [past_title, city, past_opens, past_closes, "2", "'" + HOSTILE, "吴中区", "2A级"],
    ]
    assert _csv_rows(exported(client, reverse("register:notices_csv"), {"state": "past"})) == [
        rows[0],
        *rows[2:],
    ]
    assert (
        _csv_rows(exported(client, reverse("register:notices_csv"), {"notice": str(p.current.public_id)}))
        == rows[:2]
    )

    sheet = _sheet(exported(client, reverse("register:notices_xlsx")))
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert [list(r) for r in sheet.values][3][5] == "'" + HOSTILE
    assert [list(r) for r in sheet.values][3][4] == 2  # numbers stay numbers

    published_on = (p.today - timedelta(days=10)).isoformat()
    head = [p.announcement.number, "关于公布2026年度苏州市绿色工厂申报名单的通知", city]
    head += ["2026年度苏州市绿色工厂申报（演示）", published_on]
    response = exported(client, reverse("register:announcements_csv"))
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert 'filename="announcements.csv"' in response["Content-Disposition"]
    assert _csv_rows(response) == [
        list(exports.ANNOUNCEMENT_COLUMNS),
        [*head, p.machinery.name, "吴中区", "320506", "绿色工厂", "市级", "3A级", published_on, "有效"],
        [*head, "'" + HOSTILE, "吴中区", "320506", "绿色工厂", "市级", "2A级", published_on, "有效"],
    ]
    sheet = _sheet(
        exported(client, reverse("register:announcements_xlsx"), {"announcement": p.announcement.public_id})
    )
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert sheet.cell(row=3, column=6).value == "'" + HOSTILE
    assert sheet.max_row == 3

    # bad or unknown filters are refused, not ignored
    assert client.get(reverse("register:notices_csv"), {"state": "soon"}).status_code == 400
    assert client.get(reverse("register:notices_csv"), {"notice": "x"}).status_code == 400
    assert (
        client.get(reverse("register:notices_xlsx"), {"notice": str(p.future.public_id)}).status_code == 404
    )
    assert client.get(reverse("register:announcements_csv"), {"announcement": "x"}).status_code == 400
    unknown = str(p.past.public_id)  # a notice's id is not an announcement's
    assert client.get(reverse("register:announcements_xlsx"), {"announcement": unknown}).status_code == 404


def test_downloads_are_capped_and_say_so(published, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_CAP", 1)
    response = exported(Client(), reverse("register:notices_csv"))
    assert response["X-Export-Truncated"] == "1"
    assert len(_csv_rows(response)) == 1 + 1
    response = exported(Client(), reverse("register:announcements_xlsx"))
    assert response["X-Export-Truncated"] == "1"
    assert _sheet(response).max_row == 1 + 1


# --------------------------------------------------------------------------------------------------
# the data-quality report


def test_quality_report_matches_the_import(world):
    import_national_lists()
    by_severity = dict(ImportIssue.objects.values_list("severity").annotate(n=Count("id")).order_by())
    by_file = dict(ImportIssue.objects.values_list("source_file").annotate(n=Count("id")).order_by())
    total = ImportIssue.objects.count()
    assert total > 0 and set(by_severity) == {"rejected", "corrected", "flagged"}
    client = Client()

    counts = _json(client.get(reverse("api:quality_counts")))
    assert counts["total"] == total
    assert [(c["severity"], c["severity_label"], c["count"]) for c in counts["by_severity"]] == [
        ("rejected", "已剔除（未导入）", by_severity["rejected"]),
        ("corrected", "已更正", by_severity["corrected"]),
        ("flagged", "待核实", by_severity["flagged"]),
    ]
    assert [f["source_file"] for f in counts["by_file"]] == list(publication.SOURCE_FILES)
    for item in counts["by_file"]:
        assert item["count"] == by_file.get(item["source_file"], 0)
        for cell in item["by_severity"]:
            assert (
                cell["count"]
                == ImportIssue.objects.filter(
                    source_file=item["source_file"], severity=cell["severity"]
                ).count()
            )

    url = reverse("api:quality")
    body = _json(client.get(url, {"page_size": 100}))
    assert (body["count"], body["count_capped"], body["page_size"]) == (total, False, 100)
    assert body["num_pages"] == -(-total // 100)
    first = ImportIssue.objects.order_by("source_file", "source_row", "pk").first()
    assert body["items"][0] == {
        "source_file": first.source_file,
        "row": first.source_row,
        "severity": first.severity,
        "severity_label": publication.SEVERITY_LABELS[first.severity],
        "field": first.field,
        "reason_zh": first.reason_zh,
        "reason_en": first.reason_en,
        "original": first.original,
        "corrected": first.corrected,
    }
    for severity, n in by_severity.items():
        assert _json(client.get(url, {"severity": severity}))["count"] == n
    for source_file, n in by_file.items():
        filtered = _json(client.get(url, {"source_file": source_file, "page_size": 100}))
        assert filtered["count"] == n
        assert {i["source_file"] for i in filtered["items"]} == {source_file}
    assert client.get(url, {"severity": "fatal"}).status_code == 422
    assert client.get(url, {"source_file": "other.csv"}).status_code == 422

    # the page shows the same counts; the downloads hold every row
    page = client.get(reverse("register:quality"))
    assert page.status_code == 200
    text = page.content.decode()
    assert f'<a href="/public/quality/">{total:,}</a>' in text
    for severity, n in by_severity.items():
        assert f'<a href="?severity={severity}">{n:,}</a>' in text
    assert f"共 {total:,} 条" in text
    rows = _csv_rows(exported(client, reverse("register:quality_csv")))
    assert rows[0] == list(exports.ISSUE_COLUMNS)
    assert len(rows) == 1 + total
    assert sum(1 for r in rows[1:] if r[3] == "flagged") == by_severity["flagged"]
    flagged = exported(client, reverse("register:quality_xlsx"), {"severity": "flagged"})
    sheet = _sheet(flagged)
    assert sheet.max_row == 1 + by_severity["flagged"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert {type(r[1]) for r in list(sheet.values)[1:]} == {int}  # row numbers stay numbers
    filtered_page = client.get(reverse("register:quality"), {"severity": "rejected"}).content.decode()
    assert f"共 {by_severity['rejected']:,} 条" in filtered_page
    assert client.get(reverse("register:quality"), {"severity": "fatal"}).status_code == 400
    assert client.get(reverse("register:quality_csv"), {"source_file": "x.csv"}).status_code == 400


def test_quality_export_neutralises_hostile_cells(world):
    ImportIssue.objects.create(
        source_file="绿色工厂名单.csv",
        source_row=7,
        severity="corrected",
        field="单位名称",
        reason_zh="测试",
        reason_en="test",
        original=HOSTILE,
        corrected="@SUM(A1:A2)",
    )
    client = Client()
    rows = _csv_rows(exported(client, reverse("register:quality_csv")))
    assert rows[1] == [
        "绿色工厂名单.csv",
        "7",
        "已更正",
        "corrected",
        "单位名称",
        "测试",
        "test",
        "'" + HOSTILE,
        "'@SUM(A1:A2)",
    ]
    sheet = _sheet(exported(client, reverse("register:quality_xlsx")))
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert (sheet.cell(row=2, column=8).value, sheet.cell(row=2, column=2).value) == ("'" + HOSTILE, 7)
    # the JSON keeps the value as published (JSON is not a spreadsheet)
    item = _json(client.get(reverse("api:quality")))["items"][0]
    assert (item["original"], item["corrected"]) == (HOSTILE, "@SUM(A1:A2)")


# --------------------------------------------------------------------------------------------------
# pages, anonymous and read-only


def _export_form(page: str, name: str, field: str) -> int:
    """How many download forms posting to `name` the page holds (with `field` among their inputs)."""
    forms = page.split(f'<form method="post" action="{reverse(name)}" class="inline export-form">')[1:]
    return sum(1 for form in forms if field in form.split("</form>", 1)[0])


def test_pages_link_the_lists_and_downloads(published):
    p = published
    client = Client()
    home = client.get(reverse("register:home")).content.decode()
    for name in ("register:announcements", "register:notices", "register:quality"):
        assert f'href="{reverse(name)}"' in home

    text = client.get(reverse("register:announcements")).content.decode()
    assert reverse("publication:announcement", args=[p.announcement.public_id]) in text
    assert p.announcement.number in text and "共 1 份公告" in text
    # downloads are forms that post (issue 16): the whole list's, and one announcement's
    assert _export_form(text, "register:announcements_csv", "") == 2  # the list's and the one's
    assert (
        _export_form(
            text, "register:announcements_xlsx", f'name="announcement" value="{p.announcement.public_id}"'
        )
        == 1
    )

    text = client.get(reverse("register:notices")).content.decode()
    assert reverse("publication:notice", args=[p.past.public_id]) in text
    assert reverse("publication:notice", args=[p.current.public_id]) in text
    assert p.future.title not in text
    assert "公示中" in text and p.announcement.number in text
    assert _export_form(text, "register:notices_csv", "") >= 1
    text = client.get(reverse("register:notices"), {"state": "open"}).content.decode()
    assert reverse("publication:notice", args=[p.current.public_id]) in text and "共 1 份公示" in text
    assert reverse("publication:notice", args=[p.past.public_id]) not in text
    assert _export_form(text, "register:notices_csv", 'name="state" value="open"') == 1
    assert client.get(reverse("register:notices"), {"state": "x"}).status_code == 400

    text = client.get(reverse("register:quality")).content.decode()
    assert reverse("register:quality_csv") not in text  # nothing to download yet
    assert "国家级名单尚未导入" in text

    docs = client.get(reverse("register:api_docs")).content.decode()
    for name in ("api:announcements", "api:notices", "api:quality", "api:quality_counts"):
        assert reverse(name) in docs


def test_anonymous_read_only(published):
    p = published
    client = Client()
    urls = [reverse(name) for name in (*PAGES, *EXPORTS)]
    api = [reverse(name) for name in API_LISTS]
    api += [
        reverse("api:announcement", args=[p.announcement.public_id]),
        reverse("api:notice", args=[p.past.public_id]),
    ]
    # an export's GET is a confirmation form; its POST answers with a redirect to the background job
    for url in urls + api:
        assert client.get(url).status_code == 200, url
        assert start(client, url).status_code == (302 if "/export." in url else 405), url
    for url in urls:
        assert client.head(url).status_code == 200, url
    for url in api:
        for method in ("put", "patch", "delete"):
            assert getattr(client, method)(url).status_code == 405, (method, url)
    # every role, signed in or not, gets the same public answer: tests/greenmfg/matrix_register.py
