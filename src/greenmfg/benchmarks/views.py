"""The page where a bureau that issues calls keeps its industry benchmark values: the values it holds, the
imports it made, and the import form. A refused workbook is answered with every bad cell by row and
column, and nothing is stored."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

import greencore
from greenmfg.core.i18n import localized
from greenmfg.orgs.selectors import Actor, actor_of

from . import services
from .selectors import imports_of, keeps_benchmarks, values_of


def _keeper(request: HttpRequest) -> Actor:
    actor = actor_of(request.user)
    if actor is None or not keeps_benchmarks(actor):
        raise Http404
    return actor


def _page(
    request: HttpRequest, actor: Actor, problems: list[greencore.RowProblem] | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "benchmarks/list.html",
        {
            "values": values_of(actor.organisation).exclude(input_id__contains=".")[:500],
            # the energy-limit grades and water quotas, per product (greencore.LIMIT_COLUMNS)
            "limits": values_of(actor.organisation).filter(input_id__contains=".")[:500],
            "imports": imports_of(actor.organisation)[:20],
            "columns": greencore.BENCHMARK_COLUMNS,
            "problems": problems or [],
        },
        status=status,
    )


@require_GET
def values(request: HttpRequest) -> HttpResponse:
    return _page(request, _keeper(request))


@require_POST
def import_sheet(request: HttpRequest) -> HttpResponse:
    actor = _keeper(request)
    try:
        record = services.import_benchmarks(actor, request.FILES.get("file"))
    except services.BenchmarkRowsRefused as refused:
        messages.error(request, localized(refused))
        return _page(request, actor, refused.problems, status=400)
    except services.BenchmarkError as refused:
        messages.error(request, localized(refused))
        return redirect("benchmarks:list")
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("已导入 %(count)s 条基准值。") % {"count": record.count})
    return redirect("benchmarks:list")
