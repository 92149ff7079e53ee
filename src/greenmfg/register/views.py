"""The public register: search pages, unit pages and downloads; and the other public lists as open data
(announcements, publicity notices, the national lists' data-quality report), each with its CSV and Excel
downloads. No login. Pages are read-only (GET/HEAD); a download is built in the background and so is
started by a POST only (its GET is a confirmation form): a crawler or a browser's prefetch following a
link starts no work (issue 16)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from greenmfg.core.http import HtmxHttpRequest
from greenmfg.core.idempotency import idempotent
from greenmfg.publication import integrity
from greenmfg.publication import selectors as publication

from . import export_jobs, exports, selectors
from .forms import SearchForm
from .models import ExportJob

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
        paginator = selectors.BoundedPaginator(found.qs, PER_PAGE, index=found.index)
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
        "declarations_prefix": reverse("api:declarations", kwargs={"unit_key": "x"})[:-1],
    }
    return render(request, "register/api_docs.html", context)


# A download's request, validated: (kind, the filters the worker re-applies, the file's title or "")
Prepared = tuple[str, dict[str, Any], str]
# names of the query that are not filters: they are not carried into the download's form
_NOT_FILTERS = {"page", "csrfmiddlewaretoken", "idempotency_key"}

_download = require_http_methods(["GET", "HEAD", "POST"])


def _export(
    request: HttpRequest, extension: str, prepare: Callable[[QueryDict], Prepared | None]
) -> HttpResponseBase:
    """One download URL: GET shows what will be built and a form to start it (no side effect: a crawler
    or a prefetch following the link builds nothing); POST (CSRF, idempotency key, rate-limited) records
    the job and answers at once with a redirect to its status page. Both refuse bad filters with 400."""
    data = request.POST if request.method == "POST" else request.GET
    prepared = prepare(data)
    if prepared is None:
        return _bad_filter()
    kind, params, title = prepared
    if request.method == "POST":
        job = export_jobs.start_export(kind, extension, params, title)
        return redirect("register:export_status", job_id=job.pk)
    hidden = [(name, value) for name, values in data.lists() if name not in _NOT_FILTERS for value in values]
    context = {
        "kind_label": ExportJob.Kind(kind).label,
        "title": title,
        "extension": extension,
        "hidden": hidden,
    }
    return render(request, "register/export_confirm.html", context)


def _titles_params(data: QueryDict) -> Prepared | None:
    form = SearchForm(data)
    if not form.is_valid():
        return None
    return ExportJob.Kind.TITLES, {name: data[name] for name in form.fields if name in data}, ""


@login_not_required
@_download
@idempotent
def export_csv(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "csv", _titles_params)


@login_not_required
@_download
@idempotent
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "xlsx", _titles_params)


@login_not_required
@require_safe
def export_status(request: HtmxHttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = export_jobs.expire_stale(get_object_or_404(ExportJob, pk=job_id))
    template = "register/export_status.html#progress" if request.htmx else "register/export_status.html"
    return render(request, template, {"job": job})


@login_not_required
@require_safe
def export_download(request: HttpRequest, job_id: uuid.UUID) -> HttpResponseBase:
    job = get_object_or_404(ExportJob, pk=job_id, status=ExportJob.Status.DONE)
    name = job.file.name if job.file else None
    if not name or not default_storage.exists(name):
        raise Http404
    content_type = (
        "text/csv; charset=utf-8"
        if job.extension == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    if job.truncated:
        response["X-Export-Truncated"] = str(exports.EXPORT_CAP)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{job.ascii_name}.{job.extension}\"; filename*=UTF-8''{quote(job.file_name)}"
    )
    return response


# --------------------------------------------------------------------------------------------------
# announcements, publicity notices and the data-quality report


def _bad_filter() -> HttpResponse:
    return HttpResponse("筛选条件无效", status=400, content_type="text/plain; charset=utf-8")


def _one_of(value: str, allowed: Any) -> bool:
    return value == "" or value in allowed


def _uuid_param(data: QueryDict, name: str) -> tuple[bool, uuid.UUID | None]:
    """(valid, value) of an optional uuid in the query string (or the posted form)."""
    raw = data.get(name, "")
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


def _announcement_params(data: QueryDict) -> Prepared | None:
    valid, one = _uuid_param(data, "announcement")
    if not valid:
        return None
    if one is None:
        return ExportJob.Kind.ANNOUNCEMENTS, {}, ""
    found = publication.announcement(one)
    if found is None:
        raise Http404
    return ExportJob.Kind.ANNOUNCEMENTS, {"announcement": str(found.pk)}, found.number


@login_not_required
@_download
@idempotent
def announcements_csv(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "csv", _announcement_params)


@login_not_required
@_download
@idempotent
def announcements_xlsx(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "xlsx", _announcement_params)


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


def _notice_params(data: QueryDict) -> Prepared | None:
    state = data.get("state", "") or "all"
    valid, one = _uuid_param(data, "notice")
    if state not in NOTICE_STATES or not valid:
        return None
    # the notices open on the day of the request, whenever the worker builds the file
    today = timezone.localdate()
    params: dict[str, Any] = {"state": state, "today": today.isoformat()}
    if one is not None:
        found = publication.notice(one, today)
        if found is None:
            raise Http404
        params["notice"] = str(found.pk)
    return ExportJob.Kind.NOTICES, params, ""


@login_not_required
@_download
@idempotent
def notices_csv(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "csv", _notice_params)


@login_not_required
@_download
@idempotent
def notices_xlsx(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "xlsx", _notice_params)


def _issue_filters(data: QueryDict) -> tuple[str, str] | None:
    source_file = data.get("source_file", "")
    severity = data.get("severity", "")
    if not _one_of(source_file, publication.SOURCE_FILES) or not _one_of(
        severity, publication.SEVERITY_LABELS
    ):
        return None
    return source_file, severity


@login_not_required
@require_safe
def quality(request: HttpRequest) -> HttpResponse:
    filters = _issue_filters(request.GET)
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


def _issue_params(data: QueryDict) -> Prepared | None:
    filters = _issue_filters(data)
    if filters is None:
        return None
    source_file, severity = filters
    return ExportJob.Kind.QUALITY, {"source_file": source_file, "severity": severity}, ""


@login_not_required
@_download
@idempotent
def quality_csv(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "csv", _issue_params)


@login_not_required
@_download
@idempotent
def quality_xlsx(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "xlsx", _issue_params)
