"""Open data: the public register, the announcements and publicity notices published on the platform,
and the national lists' data-quality report, as a read-only JSON API with an OpenAPI document
(django-ninja).

Responses list their fields explicitly (the schemas below); adding a model field never publishes it.
No docs page is served by ninja (its Swagger UI loads from a CDN): the endpoints are described on
register:api_docs and in /api/openapi.json."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError

# the function form of Query for a default with bounds; ninja types `Query` itself as an alias for mypy
from ninja.params.functions import Query as query_param
from ninja.renderers import JSONRenderer

from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.publication import selectors as publication
from greenmfg.publication.models import Announcement, ImportIssue, PublicityNotice, Title

from . import selectors
from .exports import choice_label
from .models import RegisterEntry, batch_label

MAX_PAGE_SIZE = 100


class _Renderer(JSONRenderer):
    # Chinese as UTF-8, not \uXXXX escapes: half the bytes, and readable
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="绿色制造名单开放数据接口",
    version="1.0",
    description=(
        "国家级绿色制造名单（第一至六批）与本平台发布的绿色工厂、绿色工业园区、绿色供应链管理企业、"
        "绿色设计产品称号；本平台发布的公告、公示名单；国家级名单导入的数据质量报告。只读，无需登录。"
    ),
    urls_namespace="api",
    docs_url=None,
    renderer=_Renderer(),
)


# --------------------------------------------------------------------------------------------------
# errors: JSON in the user's language, with the place named (never ninja's English-only defaults)


def error_body(status: int, place: str = "") -> dict[str, Any]:
    """{"status", "detail", "place"}: detail in the active language."""
    messages = {
        400: gettext("请求参数无效"),
        404: gettext("未找到所请求的数据"),
        405: gettext("只支持 GET 请求"),
        422: gettext("请求参数无效"),
        500: gettext("服务器内部错误，请稍后再试"),
    }
    return {"status": status, "detail": messages.get(status, messages[400]), "place": place}


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body(404), status=404)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # each wrong parameter by name: "query.page" -> "page"
    errors = [
        {
            "place": ".".join(str(p) for p in e.get("loc", ())[1:]) or str(e.get("loc", "")),
            "detail": gettext("参数 %(name)s 的值无效")
            % {"name": ".".join(str(p) for p in e.get("loc", ())[1:])},
        }
        for e in exc.errors
    ]
    body = error_body(422, ", ".join(e["place"] for e in errors)) | {"errors": errors}
    return api.create_response(request, body, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, error_body(exc.status_code), status=exc.status_code)


class RegionOut(Schema):
    code: str
    name: str


# the kinds and levels as catalog.TitleKind and TitleLevel spell them (test_api_district_titles compares)
Kind = Literal["factory", "park", "supply_chain", "product"]
Level = Literal["district", "city", "province", "national"]


class IndustryOut(Schema):
    code: str
    name: str


class IndicatorOut(Schema):
    label: str
    level: str = ""
    value: str = ""
    unit: str = ""


class TitleOut(Schema):
    id: uuid.UUID = Field(description="登记编号（稳定不变）")
    kind: Kind
    kind_label: str
    level: Level
    level_label: str
    grade: str = Field(description="等级，如 3A级；无等级时为空")
    year: int = Field(description="名单年度")
    batch: str = Field(description="国家级名单批次（1–5、2021）；平台发布的称号为空")
    batch_label: str
    announced_on: date
    announcement_ref: str = Field(description="公告文号")
    authority: str = Field(description="发布机关")
    province: RegionOut | None
    region: RegionOut | None = Field(description="已知的最精确行政区划")
    region_text: str = Field(description="名单所列地区")
    unit_key: str
    unit_name: str
    credit_code: str = Field(description="统一社会信用代码；未知时为空")
    industry: IndustryOut | None = Field(description="GB/T 4754-2017 行业")
    industry_text: str
    product_name: str
    product_model: str
    product_category: str
    standard: str
    evaluation_body: str = Field(description="第三方评价机构")
    highlights: str
    published_indicators: list[IndicatorOut]
    source: str = Field(description="national_list（国家级名单）或 platform（本平台发布）")
    status: Literal["active", "revoked"]
    revoked_on: date | None
    revoked_reason: str

    @staticmethod
    def resolve_id(obj: RegisterEntry) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_kind_label(obj: RegisterEntry) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_level_label(obj: RegisterEntry) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_batch_label(obj: RegisterEntry) -> str:
        return batch_label(obj.batch)

    @staticmethod
    def resolve_province(obj: RegisterEntry) -> dict[str, str] | None:
        return {"code": obj.province.code, "name": obj.province.name} if obj.province else None

    @staticmethod
    def resolve_region(obj: RegisterEntry) -> dict[str, str] | None:
        return {"code": obj.region.code, "name": obj.region.name} if obj.region else None

    @staticmethod
    def resolve_industry(obj: RegisterEntry) -> dict[str, str] | None:
        return {"code": obj.industry.code, "name": obj.industry.name} if obj.industry else None


class TitlePage(Schema):
    count: int = Field(description=f"符合条件的条数；超过 {selectors.COUNT_CAP} 条时为该上限")
    count_capped: bool = Field(description="为 true 时实际条数多于 count")
    page: int
    page_size: int
    num_pages: int
    items: list[TitleOut]


class UnitOut(Schema):
    unit_key: str
    unit_name: str
    other_names: list[str] = Field(description="该单位在名单中出现过的其他名称写法")
    credit_code: str
    titles: list[TitleOut]


class TitleFilters(Schema):
    q: str = Field("", max_length=100, description="关键词（单位、产品、地区、行业；空格分隔的词须同时出现）")
    kind: Kind | None = None
    level: Level | None = None
    province: str | None = Field(None, pattern=r"^\d{2}0000$", description="省级行政区划代码")
    region: str | None = Field(None, pattern=r"^\d{6}$", description="行政区划代码（含下级）")
    industry: str | None = Field(
        None, pattern=r"^([A-T]|\d{2,4})$", description="GB/T 4754 门类或代码（含下级）"
    )
    year: int | None = Field(None, ge=2000, le=2100)
    batch: Literal["1", "2", "3", "4", "5", "2021"] | None = None
    status: Literal["active", "revoked", "all"] = "active"


@api.get("/titles", response=TitlePage, url_name="titles", summary="称号列表（可筛选、分页）")
def list_titles(
    request: HttpRequest,
    filters: Query[TitleFilters],
    page: int = query_param(1, ge=1),
    page_size: int = query_param(20, ge=1, le=MAX_PAGE_SIZE),
) -> dict[str, Any]:
    found = selectors.search(
        q=filters.q,
        kind=filters.kind or "",
        level=filters.level or "",
        province=filters.province or "",
        region=filters.region or "",
        industry=filters.industry or "",
        year=filters.year,
        batch=filters.batch or "",
        status=filters.status,
    )
    paginator = selectors.BoundedPaginator(found.qs.select_related("region"), page_size, index=found.index)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "count_capped": paginator.capped,
        "page": current.number,
        "page_size": page_size,
        "num_pages": paginator.num_pages,
        "items": list(current.object_list),
    }


@api.get("/titles/{uuid:title_id}", response=TitleOut, url_name="title", summary="单个称号")
def get_title(request: HttpRequest, title_id: uuid.UUID) -> RegisterEntry:
    entry = selectors.title(title_id)
    if entry is None:
        raise Http404
    return entry


@api.get("/units/{path:unit_key}", response=UnitOut, url_name="unit", summary="单位及其全部称号")
def get_unit(request: HttpRequest, unit_key: str) -> dict[str, Any]:
    found = selectors.unit_page(unit_key)
    if found is None:
        raise Http404
    return {
        "unit_key": found.unit_key,
        "unit_name": found.unit_name,
        "other_names": found.other_names,
        "credit_code": found.credit_code,
        "titles": found.entries,
    }


# --------------------------------------------------------------------------------------------------
# self-declarations (自我声明): what a unit declared, as its bureau chose to show it, once public


class DeclaredIndicatorOut(Schema):
    label: str
    value: str
    unit: str = ""


class DeclarationOut(Schema):
    title_id: uuid.UUID = Field(description="所声明称号的登记编号（同 /titles/{title_id}）")
    kind: Literal["factory", "park", "supply_chain", "product"]
    kind_label: str
    level: Literal["district", "city", "province", "national"]
    level_label: str
    period: str = Field(description="声明期：年度如 2026，半年度如 2026H1、2026H2")
    published_on: date = Field(description="公开日期：该声明期的声明截止日的次日")
    indicators: list[DeclaredIndicatorOut] = Field(description="主管部门选择公开的指标及其声明值")


class UnitDeclarationsOut(Schema):
    unit_key: str
    unit_name: str
    declarations: list[DeclarationOut] = Field(description="已公开的自我声明，声明期由新到旧")


@api.get(
    "/declarations/{path:unit_key}",
    response=UnitDeclarationsOut,
    url_name="declarations",
    summary="单位已公开的自我声明",
    description=(
        "平台上获评单位按主管部门的声明周期（年度或半年度）所作的自我声明，仅含主管部门选择公开的指标；"
        "每个声明期的声明在声明截止日的次日公开，此前不出现在此处。"
    ),
)
def get_declarations(request: HttpRequest, unit_key: str) -> dict[str, Any]:
    found = selectors.unit_page(unit_key)
    if found is None:
        raise Http404
    return {
        "unit_key": found.unit_key,
        "unit_name": found.unit_name,
        "declarations": [
            {
                "title_id": d.entry.public_id,
                "kind": d.entry.kind,
                "kind_label": str(d.entry.get_kind_display()),
                "level": d.entry.level,
                "level_label": str(d.entry.get_level_display()),
                "period": d.period,
                "published_on": d.published_on,
                "indicators": d.indicators,
            }
            for d in found.declarations
        ],
    }


# --------------------------------------------------------------------------------------------------
# announcements, publicity notices and the data-quality report: the same envelope as /titles


def _page(qs: QuerySet[Any], page: int, page_size: int) -> tuple[dict[str, Any], list[Any]]:
    """The page envelope (count, count_capped, page, page_size, num_pages) and the page's objects."""
    paginator = selectors.BoundedPaginator(qs, page_size)
    current = paginator.get_page(page)
    envelope = {
        "count": paginator.count,
        "count_capped": paginator.capped,
        "page": current.number,
        "page_size": page_size,
        "num_pages": paginator.num_pages,
    }
    return envelope, list(current.object_list)


class AnnouncedTitleOut(Schema):
    register_id: uuid.UUID | None = Field(
        description="该称号在绿色制造名单中的登记编号（/api/titles/{id}）；尚未登记时为空"
    )
    unit_name: str
    region: RegionOut | None = Field(description="单位所在行政区划")
    kind: Kind
    kind_label: str
    level: Level
    level_label: str
    grade_label: str = Field(description="等级，如 3A级；无等级时为空")
    valid_from: date = Field(description="有效期起")
    status: Literal["active", "revoked"]


class AnnouncementOut(Schema):
    id: uuid.UUID = Field(description="公告编号（稳定不变）")
    number: str = Field(description="公告文号")
    title: str
    authority: str = Field(description="发布机关")
    call: str = Field(description="申报批次")
    kind: Kind
    kind_label: str
    level: Level
    level_label: str
    published_on: date
    title_count: int = Field(description="授予的称号数")


class AnnouncementDetailOut(AnnouncementOut):
    titles: list[AnnouncedTitleOut]


class AnnouncementPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    num_pages: int
    items: list[AnnouncementOut]


def _announcement(a: Announcement) -> dict[str, Any]:
    kind, level = a.call.title_kind, a.call.level
    return {
        "id": a.public_id,
        "number": a.number,
        "title": a.title,
        "authority": a.authority.name,
        "call": a.call.name,
        "kind": kind,
        "kind_label": choice_label(TitleKind, kind),
        "level": level,
        "level_label": choice_label(TitleLevel, level),
        "published_on": a.published_on,
        "title_count": a.title_count,  # type: ignore[attr-defined]  # annotated by the selector
    }


def _announced_titles(titles: list[Title]) -> list[dict[str, Any]]:
    ids = selectors.register_ids(f"title:{t.public_id}" for t in titles)
    out = []
    for t in titles:
        region = t.organisation.region
        out.append(
            {
                "register_id": ids.get(f"title:{t.public_id}"),
                "unit_name": t.organisation.name,
                "region": {"code": region.code, "name": region.name} if region else None,
                "kind": t.kind,
                "kind_label": choice_label(TitleKind, t.kind),
                "level": t.level,
                "level_label": choice_label(TitleLevel, t.level),
                "grade_label": t.grade_label,
                "valid_from": t.valid_from,
                "status": t.status,
            }
        )
    return out


@api.get(
    "/announcements",
    response=AnnouncementPage,
    url_name="announcements",
    summary="公告列表（分页，由新到旧）",
)
def list_announcements(
    request: HttpRequest,
    page: int = query_param(1, ge=1),
    page_size: int = query_param(20, ge=1, le=MAX_PAGE_SIZE),
) -> dict[str, Any]:
    envelope, found = _page(publication.announcements(), page, page_size)
    return {**envelope, "items": [_announcement(a) for a in found]}


@api.get(
    "/announcements/{uuid:announcement_id}",
    response=AnnouncementDetailOut,
    url_name="announcement",
    summary="单个公告及其授予的称号",
)
def get_announcement(request: HttpRequest, announcement_id: uuid.UUID) -> dict[str, Any]:
    found = publication.announcement(announcement_id)
    if found is None:
        raise Http404
    return {**_announcement(found), "titles": _announced_titles(list(publication.announcement_titles(found)))}


class NoticeEntryOut(Schema):
    unit_name: str
    region: str = Field(description="所在地区（按公示所列）")
    grade: str = Field(description="拟授予等级；无等级时为空")


class AnnouncementRef(Schema):
    id: uuid.UUID
    number: str


class NoticeOut(Schema):
    id: uuid.UUID = Field(description="公示编号（稳定不变）")
    title: str
    authority: str = Field(description="发布机关")
    call: str = Field(description="申报批次")
    body: str
    opens_on: date = Field(description="公示开始日期")
    closes_on: date = Field(description="公示截止日期（受理异议的最后一天）")
    is_open: bool = Field(description="今天是否在公示期内")
    announcement: AnnouncementRef | None = Field(description="名单公布后的公告；尚未公布时为空")
    entry_count: int = Field(description="公示的单位数（异议成立、已移出的不计）")


class NoticeDetailOut(NoticeOut):
    entries: list[NoticeEntryOut]


class NoticePage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    num_pages: int
    items: list[NoticeOut]


def _notice(n: PublicityNotice, today: date) -> dict[str, Any]:
    announced = getattr(n, "announcement", None)
    return {
        "id": n.public_id,
        "title": n.title,
        "authority": n.authority.name,
        "call": n.call.name,
        "body": n.body,
        "opens_on": n.opens_on,
        "closes_on": n.closes_on,
        "is_open": publication.is_open(n, today),
        "announcement": {"id": announced.public_id, "number": announced.number} if announced else None,
        "entry_count": n.entry_count,  # type: ignore[attr-defined]  # annotated by the selector
    }


@api.get("/notices", response=NoticePage, url_name="notices", summary="公示列表（分页，由新到旧）")
def list_notices(
    request: HttpRequest,
    state: Literal["open", "past", "all"] = query_param(
        "all", description="open 正在公示、past 公示期已结束、all 全部"
    ),
    page: int = query_param(1, ge=1),
    page_size: int = query_param(20, ge=1, le=MAX_PAGE_SIZE),
) -> dict[str, Any]:
    today = timezone.localdate()
    envelope, found = _page(publication.notices(today, state), page, page_size)
    return {**envelope, "items": [_notice(n, today) for n in found]}


@api.get("/notices/{uuid:notice_id}", response=NoticeDetailOut, url_name="notice", summary="单个公示及其名单")
def get_notice(request: HttpRequest, notice_id: uuid.UUID) -> dict[str, Any]:
    today = timezone.localdate()
    found = publication.notice(notice_id, today)
    if found is None:
        raise Http404
    entries = [
        {"unit_name": e.unit_name, "region": e.region_name, "grade": e.grade}
        for e in publication.public_notice_entries(found)
    ]
    return {**_notice(found, today), "entries": entries}


Severity = Literal["rejected", "corrected", "flagged"]
SourceFile = Literal[publication.SOURCE_FILES]  # type: ignore[valid-type]


class IssueFilters(Schema):
    source_file: SourceFile | None = Field(None, description="名单文件")
    severity: Severity | None = None


class IssueOut(Schema):
    source_file: str = Field(description="名单文件")
    row: int = Field(description="行号（表头为第 1 行）")
    severity: Severity = Field(description="rejected 已剔除（未导入）、corrected 已更正、flagged 待核实")
    severity_label: str
    field: str = Field(description="列名；空表示整行")
    reason_zh: str
    reason_en: str
    original: str = Field(description="原值")
    corrected: str = Field(description="更正后的值；未更正时为空")

    @staticmethod
    def resolve_row(obj: ImportIssue) -> int:
        return obj.source_row

    @staticmethod
    def resolve_severity_label(obj: ImportIssue) -> str:
        return publication.SEVERITY_LABELS.get(obj.severity, obj.severity)


class IssuePage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    num_pages: int
    items: list[IssueOut]


class SeverityCountOut(Schema):
    severity: str
    severity_label: str
    count: int


class FileCountOut(Schema):
    source_file: str
    count: int
    by_severity: list[SeverityCountOut]


class IssueCountsOut(Schema):
    total: int
    by_severity: list[SeverityCountOut]
    by_file: list[FileCountOut]


@api.get(
    "/data-quality",
    response=IssuePage,
    url_name="quality",
    summary="国家级名单数据质量报告（逐条，分页）",
)
def list_issues(
    request: HttpRequest,
    filters: Query[IssueFilters],
    page: int = query_param(1, ge=1),
    page_size: int = query_param(20, ge=1, le=MAX_PAGE_SIZE),
) -> dict[str, Any]:
    envelope, found = _page(publication.import_issues(filters.source_file, filters.severity), page, page_size)
    return {**envelope, "items": found}


@api.get(
    "/data-quality/counts",
    response=IssueCountsOut,
    url_name="quality_counts",
    summary="国家级名单数据质量报告：按文件和处理结果计数",
)
def issue_counts(request: HttpRequest) -> dict[str, Any]:
    counts = publication.import_issue_counts()

    def by_severity(file: str | None) -> list[dict[str, Any]]:
        return [
            {
                "severity": s,
                "severity_label": publication.SEVERITY_LABELS.get(s, s),
                "count": n if file is None else counts.cells.get((file, s), 0),
            }
            for s, n in counts.by_severity.items()
        ]

    return {
        "total": counts.total,
        "by_severity": by_severity(None),
        "by_file": [
            {"source_file": f, "count": n, "by_severity": by_severity(f)} for f, n in counts.by_file.items()
        ],
    }
