"""Open data: the public register as a read-only JSON API with an OpenAPI document (django-ninja).

Responses list their fields explicitly (the schemas below); adding a model field never publishes it.
No docs page is served by ninja (its Swagger UI loads from a CDN): the endpoints are described on
register:api_docs and in /api/openapi.json."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, NinjaAPI, Query, Schema
from ninja.renderers import JSONRenderer

from . import selectors
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
        "绿色设计产品称号。只读，无需登录。"
    ),
    urls_namespace="api",
    docs_url=None,
    renderer=_Renderer(),
)


class RegionOut(Schema):
    code: str
    name: str


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
    kind: Literal["factory", "park", "supply_chain", "product"]
    kind_label: str
    level: Literal["city", "province", "national"]
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
    kind: Literal["factory", "park", "supply_chain", "product"] | None = None
    level: Literal["city", "province", "national"] | None = None
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
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE),
) -> dict[str, Any]:
    qs = selectors.search_titles(
        q=filters.q,
        kind=filters.kind or "",
        level=filters.level or "",
        province=filters.province or "",
        region=filters.region or "",
        industry=filters.industry or "",
        year=filters.year,
        batch=filters.batch or "",
        status=filters.status,
    ).select_related("region")
    paginator = selectors.BoundedPaginator(qs, page_size, scan=bool(filters.q.strip()))
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
