"""The pages where a city, provincial or ministry bureau issues and edits its calls (申报批次). Every call
comes through the access gate (404 for missing and not yours); every change is a service call; a refused
field is shown with its reason next to it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from greenmfg.orgs.selectors import Actor, actor_of

from . import services
from .access import access_own_call
from .forms import CallForm, StepFormSet, chain_from, rows_from
from .models import Call, TitleLevel
from .selectors import CALL_LEVEL_OF, call_region_choices, calls_managed_by, issues_calls, scheme_choices
from .services import CallError

# where a service's refusal is shown: the form field of the same input (None: above the form)
ERROR_FIELDS = {"region_code": "region", "requires_title": "requires_title_level", "eligibility": None}
CONDITIONS = ("requires_title_level", "requires_title_grade", "negative_list", "evidence_required")


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
            messages.success(request, f"已发布申报批次“{call.name}”。")
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
            messages.success(request, f"已保存申报批次“{saved.name}”。")
            return redirect("catalog:list")
    return _page(request, actor, form, chain, chain_error=chain_error, call=call)
