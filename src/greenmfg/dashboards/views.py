"""The authorities' dashboard: reviewers only (anyone else: 404, as for any page that is not theirs)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from greenmfg.catalog.models import TitleKind
from greenmfg.core.errors import Refused
from greenmfg.core.i18n import label, localized
from greenmfg.orgs.access import access_actor
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import Actor
from greenmfg.reference.models import Region
from greenmfg.register.exports import write_xlsx
from greenmfg.schemes.access import access_own_scheme
from greenmfg.schemes.selectors import keeps_schemes, schemes_of

from . import selectors, services
from .access import access_backtest, access_region
from .forms import TargetForm
from .models import Backtest, BacktestMove

GEOJSON = Path(__file__).resolve().parent.parent / "reference" / "data" / "china-provinces.geojson"
TENTH = Decimal("0.1")
TABLES = (
    "kind",
    "level",
    "batch",
    "area",
    "growth",
    "state",
    "targets",
    "scores",
    "grades",
    "indicators",
    "bodies",
)


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
    if table in ("scores", "grades"):
        found = selectors.quality(authority)
        if table == "scores":
            head = [_("得分段"), _("单位数")]
            return _("得分分布"), [head] + [[b.label, b.count] for b in found.bands]
        return _("等级分布"), [[_("等级"), _("单位数")]] + [
            [b.label or _("无等级"), b.count] for b in found.grades
        ]
    if table == "indicators":
        spreads = _spreads(request, authority)
        head = [_("指标"), _("单位"), _("单位数")]
        head += [f"{_('数值')} {_percent(p)}" for p in selectors.PROBABILITIES]
        head += [f"{_('得分')} {_percent(p)}" for p in selectors.PROBABILITIES]
        blank = [""] * len(selectors.PROBABILITIES)
        return _("指标分布"), [head] + [
            [label(s.label), s.unit, s.n, *(s.values or blank), *(s.points or blank)] for s in spreads
        ]
    if table == "bodies":
        panel = selectors.bodies(authority, timezone.localdate())
        head = [_("评价机构"), _("项目数"), _("已出具结论"), _("本年国家级项目"), _("限额")]
        head += [
            _("比对数"),
            _("偏差超限数"),
            _("偏差率（%）"),
            _("平均偏差（分）"),
            _("监督检查"),
            _("不合格"),
        ]
        return _("第三方评价机构"), [head] + [
            [
                r.body.name,
                r.projects,
                r.concluded,
                r.quota_taken,
                panel.quota.limit,
                r.discrepancy.compared,
                r.discrepancy.flagged,
                "" if r.discrepancy.rate is None else r.discrepancy.rate.quantize(TENTH),
                "" if r.discrepancy.mean_abs is None else r.discrepancy.mean_abs.quantize(Decimal("0.01")),
                r.checks,
                r.nonconforming,
                "" if r.track is None else r.track.reports,
                "" if r.track is None else r.track.beyond_tolerance,
                "" if r.track is None or r.track.mean_relative is None else r.track.mean_relative,
            ]
            for r in panel.rows
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


def _xlsx(heading: str, slug: str, rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(
        write_xlsx(rows, heading[:31]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{heading}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"dashboard-{slug}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response


@require_safe
def table_xlsx(request: HttpRequest, table: str) -> HttpResponseBase:
    if table not in TABLES:
        raise Http404
    heading, rows = _table(request, table)
    return _xlsx(heading, table, rows)


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


# --- how good ----------------------------------------------------------------------------------------------


def _percent(p: Decimal) -> str:
    return f"P{(p * 100):.0f}"


def _spread_choice(request: HttpRequest, authority: Organisation) -> tuple[str, str, list[str], list[Any]]:
    """The scheme and industry division asked for in ?scheme=&industry=, among the titled units' own;
    an unknown one is named in a message and the first scheme / every industry shown instead."""
    schemes = selectors.scheme_choices(authority)
    industries = selectors.industry_choices(authority)
    scheme = request.GET.get("scheme", "")
    industry = request.GET.get("industry", "")
    if scheme and scheme not in schemes:
        messages.error(request, _("评价方案“%(s)s”在辖区内没有获评单位。") % {"s": scheme[:60]})
        scheme = ""
    if industry and industry not in {code for code, _name in industries}:
        messages.error(request, _("行业“%(s)s”在辖区内没有获评单位，已显示全部行业。") % {"s": industry[:10]})
        industry = ""
    return scheme or (schemes[0] if schemes else ""), industry, schemes, industries


def _spreads(request: HttpRequest, authority: Organisation) -> list[selectors.Spread]:
    scheme, industry, *_choices = _spread_choice(request, authority)
    if not scheme:
        return []
    return selectors.indicator_spread(selectors.peers(scheme, industry, authority))


@require_safe
def quality(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    authority = actor.organisation
    found = selectors.quality(authority)
    scheme, industry, schemes, industries = _spread_choice(request, authority)
    spreads = selectors.indicator_spread(selectors.peers(scheme, industry, authority)) if scheme else []
    chart_data = {
        "bars": {
            "scores": [{"label": b.label, "value": b.count} for b in found.bands],
            "grades": [{"label": b.label or _("无等级"), "value": b.count} for b in found.grades],
        },
        "map": None,
    }
    return render(
        request,
        "dashboards/quality.html",
        {
            "authority": authority,
            "quality": found,
            "quantiles": [(_percent(p), v) for p, v in found.quantiles or []],
            "probabilities": [_percent(p) for p in selectors.PROBABILITIES],
            "scheme": scheme,
            "industry": industry,
            "schemes": schemes,
            "industries": industries,
            "spreads": spreads,
            "chart_data": chart_data,
        },
    )


@require_safe
def quality_titles(request: HttpRequest) -> HttpResponse:
    """The titles behind a figure of the quality page: a score band (?band=0..) or a grade (?grade=)."""
    actor = access_actor(request.user, "reviewer")
    band = request.GET.get("band", "")
    grade = request.GET.get("grade")
    if band and not (band.isdigit() and int(band) < len(selectors.SCORE_EDGES) - 1):
        raise Http404
    titles = selectors.titles_behind(actor.organisation, band, grade)
    page = Paginator(titles, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/quality_titles.html",
        {"authority": actor.organisation, "page": page, "band": band, "grade": grade},
    )


@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """An enterprise's own position: its score and indicators against the titled units of the same scheme
    and industry (aggregates only, over enough peers)."""
    actor = access_actor(request.user, "applicant")
    return render(
        request,
        "dashboards/mine.html",
        {
            "organisation": actor.organisation,
            "positions": selectors.own_positions(actor.organisation),
            "probabilities": [_percent(p) for p in selectors.PROBABILITIES],
            "min_peers": selectors.MIN_PEERS,
        },
    )


# --- evaluation bodies ---------------------------------------------------------------------------------


@require_safe
def bodies(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    found = selectors.bodies(actor.organisation, timezone.localdate())
    chart_data = {
        "bars": {"bodies": [{"label": r.body.name, "value": r.projects} for r in found.rows]},
        "map": None,
    }
    return render(
        request,
        "dashboards/bodies.html",
        {"authority": actor.organisation, "bodies": found, "chart_data": chart_data},
    )


# --- scheme back-testing -------------------------------------------------------------------------------


def _keeper(request: HttpRequest) -> Actor:
    actor = access_actor(request.user, "reviewer")
    if not keeps_schemes(actor):  # a district issues no calls and keeps no schemes
        raise Http404
    return actor


@require_http_methods(["GET", "HEAD", "POST"])
def backtests(request: HttpRequest) -> HttpResponse:
    actor = _keeper(request)
    if request.method == "POST":
        raw = request.POST.get("scheme", "")
        if not raw.isdigit():
            messages.error(request, _("请选择要回测的方案。"))
        else:
            row = access_own_scheme(request.user, int(raw))
            try:
                job = services.start_backtest(actor, row)
            except Refused as error:
                messages.error(request, localized(error))
            else:
                return redirect("dashboards:backtest", pk=job.pk)
    return render(
        request,
        "dashboards/backtests.html",
        {
            "authority": actor.organisation,
            "schemes": schemes_of(actor),
            "jobs": Backtest.objects.filter(authority=actor.organisation).select_related("scheme")[:50],
        },
    )


MOVED_PER_PAGE = 50


def _moved_page(request: HttpRequest, job: Backtest, direction: str) -> dict[str, Any]:
    """One page of the units that move one way (the page number in the query parameter named after the
    direction, so both lists page on their own): the page reads these rows only, never the whole result."""
    rows = job.moved.filter(direction=direction).order_by("position")
    page: Page[BacktestMove] = Paginator(rows, MOVED_PER_PAGE).get_page(request.GET.get(direction))

    def link(number: int) -> str:
        query = request.GET.copy()
        query[direction] = str(number)
        return f"?{query.urlencode()}#moved-{direction}"

    return {
        "direction": direction,
        "page": page,
        "previous": link(page.previous_page_number()) if page.has_previous() else "",
        "next": link(page.next_page_number()) if page.has_next() else "",
    }


@require_safe
def backtest(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _keeper(request)
    job = access_backtest(actor, pk)
    summary = job.summary or {}
    grades = [*summary.get("grades", []), ""]
    rows = (
        [
            {"grade": g, "before": summary["before"].get(g, 0), "after": summary["after"].get(g, 0)}
            for g in reversed(grades)
        ]
        if summary
        else []
    )
    chart_data = {
        "bars": {
            "before": [{"label": r["grade"] or _("无等级"), "value": r["before"]} for r in rows],
            "after": [{"label": r["grade"] or _("无等级"), "value": r["after"]} for r in rows],
        },
        "map": None,
    }
    return render(
        request,
        "dashboards/backtest.html",
        {
            "authority": actor.organisation,
            "job": job,
            "summary": summary,
            "rows": rows,
            "gained": _moved_page(request, job, BacktestMove.Direction.GAINED),
            "lost": _moved_page(request, job, BacktestMove.Direction.LOST),
            "chart_data": chart_data,
            "running": job.status in (Backtest.Status.QUEUED, Backtest.Status.RUNNING),
        },
    )


@require_safe
def backtest_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = _keeper(request)
    job = access_backtest(actor, pk)
    stored = job.workbook_en if translation.get_language() == "en" else job.workbook_zh
    if job.status != Backtest.Status.DONE:
        raise Http404
    if not stored:  # a back-test finished before the job wrote its lists: the worker writes them now
        services.prepare_backtest_workbooks(job)
        messages.info(request, _("Excel 名单正在生成，请稍后再下载。"))
        return redirect("dashboards:backtest", pk=job.pk)
    name = f"{_('方案回测')}-{job.pk}.xlsx"
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
