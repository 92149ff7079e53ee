from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from greenmfg.core.idempotency import idempotent
from greenmfg.orgs.access import access_actor, access_organisation
from greenmfg.orgs.selectors import actor_of, pending_registrations
from greenmfg.orgs.services import RegistrationError, decide_registration


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    if actor is None:
        return render(request, "web/no_role.html", status=403)
    if actor.is_applicant:
        return redirect("applications:mine")
    if actor.is_reviewer:
        return redirect("reviews:queue")
    if actor.is_evaluator:
        return redirect("evaluations:list")
    if actor.is_expert:
        return redirect("reviews:expert_cases")
    return render(request, "web/home.html", {"actor": actor})


@login_not_required
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def registrations(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    return render(request, "web/registrations.html", {"pending": pending_registrations(actor)})


@require_POST
@idempotent
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    organisation = access_organisation(request.user, pk)
    try:
        decide_registration(
            actor,
            organisation.pk,
            approve=request.POST.get("approve") == "1",
            reason=request.POST.get("reason", ""),
        )
    except PermissionDenied:
        raise Http404 from None
    except RegistrationError as error:
        messages.error(request, _("；").join(m for ms in error.message_dict.values() for m in ms))
    return redirect("web:registrations")
