"""The pages where a bureau keeps its local schemes: submit one as YAML text or derive one from a parent's
numbers in a form, see its diff against the parent and its unverified numbers, and adopt it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from greencore import editable_numbers
from greenmfg.core.i18n import localized
from greenmfg.orgs.selectors import Actor, actor_of

from . import services
from .access import access_own_scheme
from .selectors import diff_of, get_scheme, keeps_schemes, parent_choices, scheme_of, schemes_of

MAX_TEXT = 400_000


def _keeper(request: HttpRequest) -> Actor:
    actor = actor_of(request.user)
    if actor is None or not keeps_schemes(actor):
        raise Http404
    return actor


def _list(
    request: HttpRequest, actor: Actor, text: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "schemes/list.html",
        {"schemes": schemes_of(actor), "text": text, "error": error},
        status=status,
    )


@require_GET
def schemes(request: HttpRequest) -> HttpResponse:
    return _list(request, _keeper(request))


@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    actor = _keeper(request)
    text = request.POST.get("text", "")[: MAX_TEXT + 1]
    try:
        row = services.submit_text(actor, text)
    except services.SchemeRefused as refused:
        if not text.strip():
            messages.error(request, localized(refused))
            return redirect("schemes:list")
        return _list(request, actor, text, localized(refused), status=400)
    except PermissionDenied:
        raise Http404 from None
    return redirect("schemes:detail", pk=row.pk)


@require_http_methods(["GET", "POST"])
def derive(request: HttpRequest) -> HttpResponse:
    actor = _keeper(request)
    data = request.POST if request.method == "POST" else request.GET
    parents = parent_choices(actor)
    parent_key = data.get("parent", "")
    context: dict[str, object] = {"parents": parents, "parent_key": parent_key, "values": data, "error": ""}
    if parent_key not in {key for key, _ in parents}:
        return render(request, "schemes/derive.html", context)
    parent = get_scheme(parent_key)
    numbers = editable_numbers(parent)
    context["numbers"] = [
        (f"n{i}", n, data.get(f"n{i}", format(n.value.normalize(), "f"))) for i, n in enumerate(numbers)
    ]
    context["pass_mark"] = data.get("pass_mark", "")
    if request.method == "POST":
        changed: dict[str, Decimal] = {}
        try:
            for i, number in enumerate(numbers):
                typed = Decimal(request.POST.get(f"n{i}", "").strip() or str(number.value))
                if typed != number.value:
                    changed[number.path] = typed
            if request.POST.get("pass_mark", "").strip():
                changed["outcome.pass_mark"] = Decimal(request.POST["pass_mark"].strip())
        except InvalidOperation:
            context["error"] = _("请填写数字。")
            return render(request, "schemes/derive.html", context, status=400)
        try:
            row = services.derive(
                actor,
                parent,
                scheme_id=request.POST.get("scheme_id", "").strip(),
                version=request.POST.get("version", "").strip(),
                title=request.POST.get("title", "").strip(),
                source=request.POST.get("source", "").strip(),
                numbers=changed,
            )
        except services.SchemeRefused as refused:
            context["error"] = localized(refused)
            return render(request, "schemes/derive.html", context, status=400)
        return redirect("schemes:detail", pk=row.pk)
    return render(request, "schemes/derive.html", context)


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = access_own_scheme(request.user, pk)
    scheme = scheme_of(row)
    return render(
        request,
        "schemes/detail.html",
        {
            "row": row,
            "changes": diff_of(row),
            "unverified": [n for n in scheme.numbers if not n.mark.is_verified],
            # which of them a new version may confirm or override (greencore.editable_numbers)
            "verifiable": {n.path for n in editable_numbers(scheme)},
        },
    )


@require_POST
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    row = access_own_scheme(request.user, pk)
    try:
        services.adopt(_keeper(request), row)
    except services.SchemeRefused as refused:
        messages.error(request, localized(refused))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("已采用该版本，可在申报批次中选用。"))
    return redirect("schemes:detail", pk=pk)


@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    row = access_own_scheme(request.user, pk)
    try:
        value = Decimal(request.POST.get("value", "").strip())
    except InvalidOperation:
        messages.error(request, _("请填写数字。"))
        return redirect("schemes:detail", pk=pk)
    try:
        confirmed = services.verify_number(
            _keeper(request),
            row,
            path=request.POST.get("path", ""),
            value=value,
            source=request.POST.get("source", "").strip(),
            version=request.POST.get("version", "").strip(),
        )
    except services.SchemeRefused as refused:
        messages.error(request, localized(refused))
        return redirect("schemes:detail", pk=pk)
    except PermissionDenied:
        raise Http404 from None
    return redirect("schemes:detail", pk=confirmed.pk)
