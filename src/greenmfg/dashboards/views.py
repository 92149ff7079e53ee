"""The authorities' dashboard: reviewers only (anyone else: 404, as for any page that is not theirs)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from greenmfg.catalog.models import TitleKind
from greenmfg.core.errors import Refused
from greenmfg.core.i18n import label, localized
from greenmfg.orgs.access import access_actor
from greenmfg.orgs.selectors import Actor
from greenmfg.reference.models import Region
from greenmfg.register.exports import write_xlsx

from . import selectors, services
from .access import access_region
from .forms import TargetForm

GEOJSON = Path(__file__).resolve().parent.parent / "reference" / "data" / "china-provinces.geojson"
TENTH = Decimal("0.1")
TABLES = ("kind", "level", "batch", "area", "growth", "state", "targets")


@cache
def _geojson() -> bytes:
    return GEOJSON.read_bytes()


def _bars(figures: Any) -> list[dict[str, Any]]:
    return [{"label": label(f.label), "value": f.count} for f in figures]


def _kind(request: HttpRequest) -> str:
    """The title kind asked for in ?kind=, or '' (all kinds) with a message naming the field when it is
    not one."""
    kind = request.GET.get("kind", "")
    if kind and kind not in TitleKind.values:
        messages.error(request, _("称号类型“%(kind)s”不存在，已显示全部类型。") % {"kind": kind[:40]})
        return ""
    return kind


def _within(request: HttpRequest, actor: Actor) -> Region | None:
    code = request.GET.get("region", "")
    return access_region(actor, code) if code else None


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    where = selectors.where(actor.organisation, _kind(request), _within(request, actor))
    flow = selectors.pipeline(actor.organisation, timezone.localdate())
    growth = selectors.growth_of(where)
    chart_data: dict[str, Any] = {
        "bars": {
            "kind": _bars(where.by_kind),
            "level": _bars(where.by_level),
            "batch": _bars(where.by_batch),
            "growth": [{"label": str(g.year.year), "value": g.year.added} for g in growth],
            "state": _bars(flow.by_state),
        },
        "map": None,
        "geojson": reverse("dashboards:provinces_geojson"),
    }
    if where.area_level == "province":  # the ministry: the map of China by province
        chart_data["map"] = [
            {"code": f.key, "value": f.count, "label": label(f.label)} for f in where.by_area if f.query
        ]
    else:
        chart_data["bars"]["area"] = _bars(where.by_area)
    return render(
        request,
        "dashboards/home.html",
        {
            "authority": actor.organisation,
            "where": where,
            "pipeline": flow,
            "chart_data": chart_data,
            "kinds": TitleKind.choices,
            "progress": selectors.progress(actor.organisation),
            "growth": growth,
            "drill_region": where.region.code if where.drilled and where.region else "",
        },
    )


def _table(request: HttpRequest, table: str) -> tuple[str, list[list[Any]]]:
    actor = access_actor(request.user, "reviewer")
    authority = actor.organisation
    if table == "targets":
        head = [_("地区"), _("称号类型"), _("级别"), _("目标"), _("占比（%）"), _("基数"), _("期限")]
        head += [_("已达成"), _("在审"), _("缺口"), _("预计新增"), _("无历史通过率的申报"), _("预计缺口")]
        head += [_("出处"), _("可信度")]
        return _("目标进度"), [head] + [
            [
                p.target.place_text,
                label(p.target.get_kind_display()),
                label(p.target.get_level_display()) if p.target.level else _("不限级别"),
                p.target.count,
                "" if p.target.share is None else p.target.share,
                "" if p.target.base_count is None else f"{p.target.base_count} {p.target.base_label}",
                p.target.deadline,
                "" if p.achieved is None else p.achieved,
                p.pipeline,
                "" if p.gap is None else p.gap,
                "" if p.forecast is None else p.forecast.expected.quantize(TENTH),
                "" if p.forecast is None else p.forecast.unrated,
                "" if p.forecast is None else p.forecast.gap.quantize(TENTH),
                p.target.source_document,
                p.target.confidence,
            ]
            for p in selectors.progress(authority)
        ]
    if table == "state":
        flow = selectors.pipeline(authority, timezone.localdate())
        return _("申报状态"), [[_("状态"), _("申报数")]] + [[label(f.label), f.count] for f in flow.by_state]
    where = selectors.where(authority, _kind(request), _within(request, actor))
    if table == "growth":
        head = [_("年度"), _("新增"), _("累计"), _("比上年（%）")]
        return _("逐年增长"), [head] + [
            [
                g.year.year,
                g.year.added,
                g.year.total,
                "" if g.year.change is None else g.year.change.quantize(TENTH),
            ]
            for g in selectors.growth_of(where)
        ]
    figures, heading = {
        "kind": (where.by_kind, _("称号类型")),
        "level": (where.by_level, _("级别")),
        "batch": (where.by_batch, _("年度批次")),
        "area": (where.by_area, _("地区")),
    }[table]
    return heading, [[heading, _("称号数")]] + [[label(f.label), f.count] for f in figures]


@require_safe
def table_xlsx(request: HttpRequest, table: str) -> HttpResponseBase:
    if table not in TABLES:
        raise Http404
    heading, rows = _table(request, table)
    response = HttpResponse(
        write_xlsx(rows, heading[:31]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{heading}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"dashboard-{table}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response


@require_safe
def provinces_geojson(request: HttpRequest) -> HttpResponse:
    access_actor(request.user, "reviewer")
    response = HttpResponse(_geojson(), content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def target_new(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    form = TargetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_target(actor, **form.cleaned_data)
        except Refused as error:
            messages.error(request, localized(error))
        else:
            messages.success(request, _("目标已记录。"))
            return redirect("dashboards:home")
    return render(request, "dashboards/target_new.html", {"form": form, "authority": actor.organisation})
