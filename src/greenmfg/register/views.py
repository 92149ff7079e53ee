"""The public register: search pages, unit pages and downloads; and the other public lists as open data
(announcements, publicity notices, the national lists' data-quality report), each with its CSV and Excel
downloads. No login; read-only (GET/HEAD)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from greenmfg.publication import integrity
from greenmfg.publication import selectors as publication

from . import exports, selectors
from .forms import SearchForm

PER_PAGE = 20


def _choices(form: SearchForm) -> dict[str, Any]:
    province = form.cleaned_data.get("province", "") if form.is_bound and form.is_valid() else ""
    return {
        "provinces": selectors.province_choices(),
        "cities": selectors.city_choices(province),
        "industries": selectors.industry_choices(),
        "years": selectors.year_choices(),
        "batches": selectors.batch_choices(),
    }


@login_not_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    form = SearchForm()
    return render(
        request, "register/home.html", {"form": form, "overview": selectors.overview(), **_choices(form)}
    )


@login_not_required
@require_safe
def titles(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"form": form, **_choices(form)}
    if form.is_valid():
        filters = form.filters()
        found = selectors.search(**filters)
        paginator = selectors.BoundedPaginator(found.qs, PER_PAGE, scan=found.scan)
        page = paginator.get_page(request.GET.get("page"))
        context |= {"paginator": paginator, "page": page}
        if not paginator.capped and paginator.count:
            context["facets"] = paginator.facets()
    return render(request, "register/titles.html", context, status=200 if form.is_valid() else 400)


@login_not_required
@require_safe
def unit(request: HttpRequest, unit_key: str) -> HttpResponse:
    page = selectors.unit_page(unit_key)
    if page is None:
        raise Http404
    # a platform title is shown as official only when it matches the bureau's SM2-signed announcement
    verdicts = integrity.register_verdicts(page.entries)
    rows = [(entry, verdicts.get(entry.pk)) for entry in page.entries]
    return render(request, "register/unit.html", {"unit": page, "rows": rows})


@login_not_required
@require_safe
def api_docs(request: HttpRequest) -> HttpResponse:
    context = {
        "count_cap": selectors.COUNT_CAP,
        "export_cap": exports.EXPORT_CAP,
        # the unit endpoint's path up to its parameter, for the description
        "units_prefix": reverse("api:unit", kwargs={"unit_key": "x"})[:-1],
    }
    return render(request, "register/api_docs.html", context)


def _export_rows(request: HttpRequest) -> tuple[Any, bool] | None:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return None
    qs = selectors.search_titles(**form.filters()).select_related("province")
    truncated = qs[exports.EXPORT_CAP : exports.EXPORT_CAP + 1].exists()
    entries = qs[: exports.EXPORT_CAP].iterator(chunk_size=2000)
    return exports.export_rows(entries), truncated


def _attachment(
    response: HttpResponseBase,
    extension: str,
    truncated: bool,
    title: str = "绿色制造名单",
    ascii_name: str = "register",
) -> HttpResponseBase:
    stem = f"{title}-{timezone.localdate():%Y%m%d}"
    if truncated:
        stem += f"-前{exports.EXPORT_CAP}条"
        response["X-Export-Truncated"] = str(exports.EXPORT_CAP)
    name = f"{stem}.{extension}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}.{extension}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


@login_not_required
@require_safe
def export_csv(request: HttpRequest) -> HttpResponseBase:
    found = _export_rows(request)
    if found is None:
        return HttpResponse("筛选条件无效", status=400, content_type="text/plain; charset=utf-8")
    rows, truncated = found
    response = StreamingHttpResponse(exports.csv_lines(rows), content_type="text/csv; charset=utf-8")
    return _attachment(response, "csv", truncated)


@login_not_required
@require_safe
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    found = _export_rows(request)
    if found is None:
        return HttpResponse("筛选条件无效", status=400, content_type="text/plain; charset=utf-8")
    rows, truncated = found
    response = FileResponse(
        exports.write_xlsx(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return _attachment(response, "xlsx", truncated)


# --------------------------------------------------------------------------------------------------
# announcements, publicity notices and the data-quality report


def _bad_filter() -> HttpResponse:
    return HttpResponse("筛选条件无效", status=400, content_type="text/plain; charset=utf-8")


def _capped(qs: QuerySet[Any]) -> tuple[Iterator[Any], bool]:
    """At most EXPORT_CAP rows of `qs`, fetched in chunks, and whether there were more."""
    truncated = qs[exports.EXPORT_CAP : exports.EXPORT_CAP + 1].exists()
    return qs[: exports.EXPORT_CAP].iterator(chunk_size=2000), truncated


def _download(
    extension: str, rows: Iterator[list[Any]], truncated: bool, title: str, ascii_name: str, sheet: str
) -> HttpResponseBase:
    """A CSV or Excel attachment named `title` (the date appended); `sheet` names the Excel sheet
    (at most 31 characters, none of []:*?/\\)."""
    response: HttpResponseBase
    if extension == "csv":
        response = StreamingHttpResponse(exports.csv_lines(rows), content_type="text/csv; charset=utf-8")
    else:
        response = FileResponse(
            exports.write_xlsx(rows, sheet_title=sheet),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return _attachment(response, extension, truncated, title, ascii_name)


def _one_of(value: str, allowed: Any) -> bool:
    return value == "" or value in allowed


def _uuid_param(request: HttpRequest, name: str) -> tuple[bool, uuid.UUID | None]:
    """(valid, value) of an optional uuid in the query string."""
    raw = request.GET.get(name, "")
    if not raw:
        return True, None
    try:
        return True, uuid.UUID(raw)
    except ValueError:
        return False, None


@login_not_required
@require_safe
def announcements(request: HttpRequest) -> HttpResponse:
    paginator = selectors.BoundedPaginator(publication.announcements(), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "register/announcements.html", {"paginator": paginator, "page": page})


def _announcement_export(request: HttpRequest, extension: str) -> HttpResponseBase:
    valid, one = _uuid_param(request, "announcement")
    if not valid:
        return _bad_filter()
    chosen = publication.announcements()
    title = "绿色制造称号公告"
    if one is not None:
        found = publication.announcement(one)
        if found is None:
            raise Http404
        chosen = chosen.filter(pk=found.pk)
        title = found.number
    rows, truncated = _capped(publication.announced_titles(chosen))
    return _download(
        extension, exports.announcement_rows(rows), truncated, title, "announcements", "公告称号"
    )


@login_not_required
@require_safe
def announcements_csv(request: HttpRequest) -> HttpResponseBase:
    return _announcement_export(request, "csv")


@login_not_required
@require_safe
def announcements_xlsx(request: HttpRequest) -> HttpResponseBase:
    return _announcement_export(request, "xlsx")


NOTICE_STATES = {"all": "全部", "open": "正在公示", "past": "公示期已结束"}


@login_not_required
@require_safe
def notices(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "") or "all"
    if state not in NOTICE_STATES:
        return _bad_filter()
    today = timezone.localdate()
    paginator = selectors.BoundedPaginator(publication.notices(today, state), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "register/notices.html",
        {
            "paginator": paginator,
            "page": page,
            "state": state,
            "state_label": NOTICE_STATES[state],
            "states": NOTICE_STATES,
            "today": today,
        },
    )


def _notice_export(request: HttpRequest, extension: str) -> HttpResponseBase:
    state = request.GET.get("state", "") or "all"
    valid, one = _uuid_param(request, "notice")
    if state not in NOTICE_STATES or not valid:
        return _bad_filter()
    today = timezone.localdate()
    chosen = publication.notices(today, state)
    if one is not None:
        found = publication.notice(one, today)
        if found is None:
            raise Http404
        chosen = chosen.filter(pk=found.pk)
    rows, truncated = _capped(publication.public_entries(chosen))
    return _download(
        extension, exports.notice_rows(rows), truncated, "绿色制造公示名单", "notices", "公示名单"
    )


@login_not_required
@require_safe
def notices_csv(request: HttpRequest) -> HttpResponseBase:
    return _notice_export(request, "csv")


@login_not_required
@require_safe
def notices_xlsx(request: HttpRequest) -> HttpResponseBase:
    return _notice_export(request, "xlsx")


def _issue_filters(request: HttpRequest) -> tuple[str, str] | None:
    source_file = request.GET.get("source_file", "")
    severity = request.GET.get("severity", "")
    if not _one_of(source_file, publication.SOURCE_FILES) or not _one_of(
        severity, publication.SEVERITY_LABELS
    ):
        return None
    return source_file, severity


@login_not_required
@require_safe
def quality(request: HttpRequest) -> HttpResponse:
    filters = _issue_filters(request)
    if filters is None:
        return _bad_filter()
    source_file, severity = filters
    paginator = selectors.BoundedPaginator(publication.import_issues(source_file, severity), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "register/quality.html",
        {
            "paginator": paginator,
            "page": page,
            "counts": publication.import_issue_counts(),
            "attribution": selectors.attribution(),
            "severities": publication.SEVERITIES,
            "source_files": publication.SOURCE_FILES,
            "source_file": source_file,
            "severity": severity,
        },
    )


def _issue_export(request: HttpRequest, extension: str) -> HttpResponseBase:
    filters = _issue_filters(request)
    if filters is None:
        return _bad_filter()
    rows, truncated = _capped(publication.import_issues(*filters))
    return _download(
        extension,
        exports.issue_rows(rows),
        truncated,
        "国家级名单数据质量报告",
        "data-quality",
        "数据质量报告",
    )


@login_not_required
@require_safe
def quality_csv(request: HttpRequest) -> HttpResponseBase:
    return _issue_export(request, "csv")


@login_not_required
@require_safe
def quality_xlsx(request: HttpRequest) -> HttpResponseBase:
    return _issue_export(request, "xlsx")
