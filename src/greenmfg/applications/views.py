from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from greencore import grade_caps, working
from greenmfg.catalog.models import Call
from greenmfg.catalog.selectors import open_calls_for
from greenmfg.core.boundary import refuse
from greenmfg.core.forms import posted_fields
from greenmfg.core.http import HtmxHttpRequest
from greenmfg.core.i18n import english, localized
from greenmfg.core.idempotency import idempotent
from greenmfg.evidence import services as evidence
from greenmfg.evidence.selectors import evidence_by_indicator
from greenmfg.evidence.services import EvidenceError
from greenmfg.orgs.access import access_actor
from greenmfg.orgs.selectors import Actor, actor_of

from . import services
from .access import access_application, access_evidence
from .answers import Answers, as_typed
from .dossier import (
    Evaluation,
    blockers,
    build_form,
    evaluation_for_page,
    grouped_blockers,
    scheme_for,
)
from .models import Application, Dossier, ImportJob
from .selectors import (
    applications_visible_to,
    decided_inputs,
    dossier_for,
    fixed_benchmarks,
    limit_cells_shown,
    review_queue,
    versions_for,
)
from .services import ApplicationError
from .states import WORKFLOW
from .workbook import write_dossier_workbook


def _actor(request: HttpRequest) -> Actor:
    return access_actor(request.user)


def _applicant(request: HttpRequest) -> Actor:
    return access_actor(request.user, "applicant")


def _reviewer(request: HttpRequest) -> Actor:
    return access_actor(request.user, "reviewer")


@require_GET
def my_applications(request: HttpRequest) -> HttpResponse:
    actor = _applicant(request)
    applications = applications_visible_to(actor).order_by("-created_at")
    taken = set(applications.values_list("call_id", flat=True))
    calls = [c for c in open_calls_for(actor, timezone.localdate()) if c.pk not in taken]
    return render(
        request,
        "applications/mine.html",
        {"applications": applications, "calls": calls, "states": WORKFLOW.states},
    )


@require_POST
def start(request: HttpRequest, code: str) -> HttpResponse:
    actor = _applicant(request)
    call = get_object_or_404(Call, code=code)
    try:
        application = services.start_application(actor, call)
    except ApplicationError as error:
        messages.error(request, localized(error))
        return redirect("applications:mine")
    return redirect("applications:dossier", public_id=application.public_id)


def _result_context(
    application: Application, dossier: Dossier, evaluation: Evaluation | None = None
) -> dict[str, Any]:
    call = application.call
    scheme = scheme_for(call.scheme_id, call.scheme_version)
    form = build_form(scheme)
    evaluation = evaluation or evaluation_for_page(scheme, dossier.answers, decided_inputs(application))
    result = evaluation.result
    radar = None
    if result is not None:
        categories = result.categories()
        radar = {
            "indicators": [{"name": c.label, "max": float(c.max_points)} for c in categories],
            "values": [float(c.points or 0) for c in categories],
        }
    editable = WORKFLOW.states[application.state].editable and dossier.frozen_at is None
    # during a partial return only the reopened sections can be changed; the others are shown read-only
    reopened = set(application.reopened_items or [])
    writable = {s.title for s in form.sections if not reopened or s.title in reopened} if editable else set()
    return {
        "application": application,
        "dossier": dossier,
        "scheme": scheme,
        "form": form,
        # the benchmark inputs the bureau fixes by industry: read-only, with their source
        "fixed": fixed_benchmarks(call, application.applicant, form),
        # the energy-limit grades and water quotas of each product row: filled by the product's name
        # (read-only, with their source), or marked as the enterprise's to type
        "limit_cells": limit_cells_shown(
            call, application.applicant, form, dossier.answers, frozen=dossier.frozen_at is not None
        ),
        "evaluation": evaluation,
        "result": result,
        # the figures read from raw data with their steps and reference rows, under the form
        "working": working(result) if result is not None else [],
        "radar": radar,
        "blockers": blockers(form, evaluation, english=english()) if editable else [],
        # the same, one list grouped by section with a link to each field (issue 11)
        "blocker_groups": grouped_blockers(form, evaluation, english=english()) if editable else [],
        # why the grade is lower than the score reaches ("申报3A级须已获评2A级")
        "caps": grade_caps(scheme, result) if result is not None else (),
        "editable": editable,
        "writable": writable,
        "partial_return": bool(reopened) and editable,
    }


def _version(request: HttpRequest) -> int | None:
    version = request.GET.get("version", "")
    return int(version) if version.isdigit() and len(version) < 10 else None


def _readable(request: HttpRequest, public_id: str) -> tuple[Application, Actor, Dossier]:
    application = access_application(request.user, public_id)
    actor = _actor(request)
    current = dossier_for(actor, application, _version(request))
    if current is None:  # a draft (or a missing version) is its author's alone
        raise Http404
    return application, actor, current


# The sections shown open when the page loads (the others load when opened: the page stays light).
OPEN_SECTIONS = frozenset({0})


@require_GET
def dossier(request: HttpRequest, public_id: str) -> HttpResponse:
    application, actor, current = _readable(request, public_id)
    context = _result_context(application, current)
    values = Answers.from_json(current.answers).values()
    # without JavaScript, a section's link opens it here; "all" shows every section (to print, or to read
    # the whole form at once)
    asked = request.GET.get("section", "")
    if asked == "all":
        shown = set(range(len(context["form"].sections)))
    else:
        shown = set(OPEN_SECTIONS) | ({int(asked)} if asked.isdigit() and len(asked) < 4 else set())
    context.update(
        values=values,
        shown=shown,
        evidence=evidence_by_indicator(application.pk, submitted_only=not actor.is_applicant),
        versions=versions_for(actor, application),
        states=WORKFLOW.states,
        # bureaus decide on the review case page; evaluators and experts only read
        actions=(
            [t.id for t in WORKFLOW.allowed(application.state, "applicant")] if actor.is_applicant else []
        ),
        is_owner=actor.is_applicant,
        is_reviewer=actor.is_reviewer,
        imports=application.imports.all()[:3] if actor.is_applicant else [],
        upload_refused=request.session.pop("evidence_refused", {}) if actor.is_applicant else {},
    )
    return render(request, "applications/dossier.html", context)


@require_GET
def section(request: HttpRequest, public_id: str, index: int) -> HttpResponse:
    """One section of the dossier's form, server-rendered, fetched when the user opens it."""
    application, actor, current = _readable(request, public_id)
    context = _result_context(application, current)
    sections = context["form"].sections
    if index >= len(sections):
        raise Http404
    context.update(
        section=sections[index],
        values=Answers.from_json(current.answers).values(),
        is_owner=actor.is_applicant,
    )
    return render(request, "applications/dossier.html#section_body", context)


@require_POST
def save(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application(request.user, public_id)
    actor = _applicant(request)
    values = posted_fields(request)
    try:
        outcome = services.save_answers(actor, application, values)
    except ApplicationError as error:
        # said beside each field sent, with the text typed: the input keeps it (never a silent 409)
        refused = [(key, as_typed(value)) for key, value in values.items()]
        return render(request, "applications/_refused.html", {"error": error, "refused": refused}, status=409)
    context = _result_context(application, outcome.dossier, outcome.evaluation)
    context["saved_keys"] = list(values)
    context["oob"] = True  # the working under the form follows the live score
    return render(request, "applications/dossier.html#live", context)


@require_POST
@idempotent
def submit(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application(request.user, public_id)
    actor = _applicant(request)
    try:
        services.submit(actor, application)
    except ApplicationError as error:
        messages.error(request, localized(error))
        for detail in error.details[:30]:
            messages.warning(request, localized(detail))
        return redirect("applications:dossier", public_id=public_id)
    messages.success(request, _("已提交。申报数据与佐证材料已冻结，如需修改请撤回或等待退回。"))
    return redirect("applications:dossier", public_id=public_id)


@require_POST
def withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application(request.user, public_id)
    try:
        services.withdraw(_applicant(request), application, request.POST.get("reason", ""))
    except ApplicationError as error:
        messages.error(request, localized(error))
    return redirect("applications:dossier", public_id=public_id)


@require_POST
def reopen(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application(request.user, public_id)
    try:
        services.reopen(_applicant(request), application)
    except ApplicationError as error:
        messages.error(request, localized(error))
    return redirect("applications:dossier", public_id=public_id)


@require_GET
def template_download(request: HttpRequest, public_id: str) -> HttpResponseBase:
    application = access_application(request.user, public_id)
    scheme = scheme_for(application.call.scheme_id, application.call.scheme_version)
    # the answers already entered, of the version this user may read (the owner's draft, else the
    # latest submitted one): downloaded and imported unchanged, the workbook changes nothing
    current = dossier_for(_actor(request), application)
    tmp = Path(tempfile.mkdtemp()) / "template.xlsx"
    write_dossier_workbook(scheme, tmp, Answers.from_json(current.answers) if current is not None else None)
    handle = tmp.open("rb")
    tmp.unlink()  # the open handle keeps the data; nothing stays on disk (PI-03)
    return FileResponse(handle, as_attachment=True, filename=f"自评价表-{scheme.id}.xlsx")


@require_POST
def import_upload(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application(request.user, public_id)
    actor = _applicant(request)
    try:
        job = services.start_import(actor, application, request.FILES.get("workbook"))
    except ApplicationError as error:
        messages.error(request, localized(error))
        return redirect("applications:dossier", public_id=public_id)
    return redirect("applications:import_status", public_id=public_id, job_id=job.pk)


@require_GET
def import_status(request: HtmxHttpRequest, public_id: str, job_id: int) -> HttpResponse:
    application = access_application(request.user, public_id)
    _applicant(request)
    job = get_object_or_404(ImportJob, pk=job_id, application=application)
    template = (
        "applications/import_status.html#progress" if request.htmx else "applications/import_status.html"
    )
    return render(request, template, {"application": application, "job": job})


# --- evidence (served under /evidence/, the evidence namespace: see evidence_urls.py) -------------------


@require_POST
@idempotent
def evidence_upload(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application(request.user, public_id)
    actor = actor_of(request.user)
    if actor is None or not actor.is_applicant:
        raise Http404
    files = request.FILES.getlist("file")
    indicator = request.POST.get("indicator", "")
    replaces = None
    if request.POST.get("replaces"):
        replaces = access_evidence(request.user, request.POST["replaces"])
        if replaces.application_id != application.pk:
            return refuse(
                request,
                "replaces",
                ("只能替换本申报的佐证材料。", "a file can only replace evidence of the same application"),
            )
    refused: list[str] = []
    if not files:
        refused.append(_("请选择要上传的文件。"))
    for item in files:
        try:
            services.upload_evidence(actor, application, indicator, item, item.name or "", replaces=replaces)
        except EvidenceError as error:
            refused.append(f"{item.name}：{localized(error)}")
        else:
            messages.success(request, f"已上传：{item.name}")
    target = f"/applications/{application.public_id}/#evidence-{indicator}"
    if request.headers.get("X-Upload") == "progress":
        # the page's uploader (dossier.js) shows the refusals beside the file input, with its progress bar
        return JsonResponse({"refused": refused, "next": target}, status=400 if refused else 200)
    for text in refused:
        messages.error(request, text)
    if refused:  # also beside the file input, once the page is back
        request.session["evidence_refused"] = {indicator[:64]: refused[:10]}
    return redirect(target)


@require_GET
def evidence_download(request: HttpRequest, pk: str) -> HttpResponseBase:
    item = access_evidence(request.user, pk)
    actor = actor_of(request.user)
    if actor is None:
        raise Http404
    try:
        handle = evidence.open_verified(actor, item)
    except evidence.IntegrityFailure as failure:
        return HttpResponse(failure.zh, status=409, content_type="text/plain; charset=utf-8")
    response = FileResponse(handle, as_attachment=True, filename=item.name, content_type=item.mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_POST
def evidence_withdraw(request: HttpRequest, pk: str) -> HttpResponse:
    item = access_evidence(request.user, pk)
    actor = actor_of(request.user)
    if actor is None or not actor.is_applicant:
        raise Http404
    try:
        services.withdraw_evidence(actor, item)
    except EvidenceError as error:
        messages.error(request, localized(error))
    return redirect(f"/applications/{item.application.public_id}/#evidence-{item.indicator}")


# --- the bureau's side -------------------------------------------------------------------------------


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    actor = _reviewer(request)
    waiting = review_queue(actor)
    today = timezone.localdate()
    return render(
        request,
        "applications/queue.html",
        {
            "applications": waiting,
            "today": today,
            "all": applications_visible_to(actor).order_by("-submitted_at")[:200],
            "states": WORKFLOW.states,
        },
    )
