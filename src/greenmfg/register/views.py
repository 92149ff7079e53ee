"""The public register: search pages, unit pages and downloads. No login; read-only (GET/HEAD)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

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
        paginator = selectors.BoundedPaginator(
            selectors.search_titles(**filters), PER_PAGE, scan=bool(filters["q"].strip())
        )
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
    return render(request, "register/unit.html", {"unit": page})


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


def _attachment(response: HttpResponseBase, extension: str, truncated: bool) -> HttpResponseBase:
    stem = f"绿色制造名单-{timezone.localdate():%Y%m%d}"
    if truncated:
        stem += f"-前{exports.EXPORT_CAP}条"
        response["X-Export-Truncated"] = str(exports.EXPORT_CAP)
    name = f"{stem}.{extension}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"register.{extension}\"; filename*=UTF-8''{quote(name)}"
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
