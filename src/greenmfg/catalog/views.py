"""The pages where a city, provincial or ministry bureau issues and edits its calls (申报批次). Every call
comes through the access gate (404 for missing and not yours); every change is a service call; a refused
field is shown with its reason next to it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from greencore import is_overdue, steps
from greenmfg.orgs.selectors import Actor, actor_of

from . import services
from .access import access_key_list_call, access_own_call
from .forms import CalendarForm, CallForm, KeyListForm, StepFormSet, chain_from, rows_from
from .models import Call, KeyListEntry, TitleLevel
from .selectors import (
    CALL_LEVEL_OF,
    calendar_dates,
    calendar_of,
    call_region_choices,
    calls_managed_by,
    graded_scheme_choices,
    issues_calls,
    key_list_bureaus,
    key_list_of,
    scheme_choices,
)
from .services import CallError

# where a service's refusal is shown: the form field of the same input (None: above the form)
ERROR_FIELDS = {"region_code": "region", "requires_title": "requires_title_level", "eligibility": None}
CONDITIONS = (
    "requires_title_level",
    "requires_title_grade",
    "requires_title_scheme",
    "negative_list",
    "evidence_required",
)


def _issuer(request: HttpRequest) -> Actor:
    actor = actor_of(request.user)
    if actor is None or not issues_calls(actor):
        raise Http404
    return actor


def _forms(request: HttpRequest, actor: Actor, call: Call | None = None) -> tuple[CallForm, Any]:
    data = request.POST if request.method == "POST" else None
    form = CallForm(
        data,
        initial=CallForm.initial_from(call) if call else {"region": actor.organisation.region_id},
        regions=call_region_choices(actor),
        schemes=scheme_choices(),
        graded=graded_scheme_choices(),
        editing=call is not None,
    )
    chain = StepFormSet(
        data,
        initial=rows_from(call.review_chain if call else []),
        prefix="step",
        # every row is read, also one equal to its initial value (all its fields are optional anyway)
        form_kwargs={"empty_permitted": False},
    )
    return form, chain


def _show(form: CallForm, error: CallError) -> str:
    """Attach each refusal to its field; the chain's own message is returned for the chain's fieldset."""
    chain_error = ""
    for key, problems in error.message_dict.items():
        if key == "review_chain":
            chain_error = "；".join(problems)
            continue
        field = ERROR_FIELDS.get(key, key)
        form.add_error(field if field in form.fields else None, problems)
    return chain_error


def _page(request: HttpRequest, actor: Actor, form: CallForm, chain: Any, **extra: Any) -> HttpResponse:
    return render(
        request,
        "catalog/call_form.html",
        {
            "form": form,
            "basic": [form[name] for name in form.fields if name not in CONDITIONS],
            "conditions": [form[name] for name in CONDITIONS],
            "chain": chain,
            "level": TitleLevel(CALL_LEVEL_OF[actor.organisation.level]).label,
            **extra,
        },
    )


@require_GET
def calls(request: HttpRequest) -> HttpResponse:
    actor = _issuer(request)
    return render(request, "catalog/list.html", {"calls": calls_managed_by(actor)})


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    actor = _issuer(request)
    form, chain = _forms(request, actor)
    chain_error = ""
    if request.method == "POST" and all([form.is_valid(), chain.is_valid()]):
        try:
            call = services.create_call(
                actor, code=form.cleaned_data["code"], review_chain=chain_from(chain), **form.call_fields()
            )
        except CallError as error:
            chain_error = _show(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("已发布申报批次“%(name)s”。") % {"name": call.name})
            return redirect("catalog:list")
    return _page(request, actor, form, chain, chain_error=chain_error, call=None)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, code: str) -> HttpResponse:
    actor = _issuer(request)
    call = access_own_call(request.user, code)
    form, chain = _forms(request, actor, call)
    chain_error = ""
    if request.method == "POST" and all([form.is_valid(), chain.is_valid()]):
        try:
            saved = services.update_call(actor, call, review_chain=chain_from(chain), **form.call_fields())
        except CallError as error:
            chain_error = _show(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("已保存申报批次“%(name)s”。") % {"name": saved.name})
            return redirect("catalog:list")
    return _page(request, actor, form, chain, chain_error=chain_error, call=call)


# --- the call's calendar and key-enterprise list (issue 12) ------------------------------------------


def _calendar_rows(call: Call, dates: list[Any]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    rows = []
    for spec in steps(call.review_chain):
        day = dates[spec.index] if spec.index < len(dates) else None
        rows.append({"step": spec, "date": day, "overdue": is_overdue(day, today)})
    return rows


def _key_list_groups(call: Call) -> list[tuple[Any, list[KeyListEntry]]]:
    groups: dict[int, tuple[Any, list[KeyListEntry]]] = {}
    for entry in key_list_of(call):
        groups.setdefault(entry.bureau_id, (entry.bureau, []))[1].append(entry)
    return list(groups.values())


@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest, code: str) -> HttpResponse:
    """The call page of its calendar: the bureau sets or moves the dates and the quota, and sees the
    key-enterprise lists reported so far."""
    actor = _issuer(request)
    call = access_own_call(request.user, code)
    chain = steps(call.review_chain)
    held = calendar_of(call)
    dates = calendar_dates(held)
    initial: dict[str, Any] = {f"step_{i}": day for i, day in enumerate(dates)}
    if held is not None:
        initial |= {"key_list_due": held.key_list_due, "quota": held.quota}
    form = CalendarForm(request.POST if request.method == "POST" else None, chain=chain, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.set_calendar(
                    actor,
                    call,
                    step_dates=form.step_dates(),
                    key_list_due=form.cleaned_data["key_list_due"],
                    quota=form.cleaned_data["quota"],
                )
            except CallError as error:
                for key, problems in error.message_dict.items():
                    form.add_error(key if key in form.fields else None, problems)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("已保存申报批次“%(name)s”的日程。") % {"name": call.name})
                return redirect("catalog:calendar", code=call.code)
        status = 400
    return render(
        request,
        "catalog/calendar.html",
        {
            "call": call,
            "form": form,
            "rows": _calendar_rows(call, dates),
            "calendar": held,
            "groups": _key_list_groups(call),
            "reporters": key_list_bureaus(call),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def key_list(request: HttpRequest, code: str) -> HttpResponse:
    """A bureau that reports the call's key-enterprise list (对标摸底名单) adds its units, up to the date."""
    actor = actor_of(request.user)
    call = access_key_list_call(request.user, code)
    assert actor is not None  # the gate found a call this actor's bureau reports
    form = KeyListForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                added = services.record_key_list(actor, call, form.codes())
            except CallError as error:
                for problems in error.message_dict.values():
                    form.add_error("units", problems)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("已报送 %(count)s 个单位。") % {"count": len(added)})
                return redirect("catalog:key_list", code=call.code)
        status = 400
    held = calendar_of(call)
    return render(
        request,
        "catalog/key_list.html",
        {
            "call": call,
            "form": form,
            "due": held.key_list_due if held else None,
            "entries": key_list_of(call).filter(bureau=actor.organisation),
        },
        status=status,
    )
