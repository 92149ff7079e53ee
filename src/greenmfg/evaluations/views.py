"""Third-party evaluation pages. Every object comes through an access gate (404 for missing and not
yours); every change is a service call; a refusal is shown with its reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from greencore import NATIONAL_PROJECTS_PER_YEAR
from greenmfg.applications.access import access_application
from greenmfg.applications.answers import Answers
from greenmfg.applications.dossier import Evaluation, blockers, build_form, evaluate, scheme_for
from greenmfg.applications.models import Application
from greenmfg.applications.selectors import changes_between, decided_inputs, item_labels, latest_frozen
from greenmfg.applications.states import NOT_EVALUABLE
from greenmfg.core.forms import posted_fields
from greenmfg.core.i18n import localized
from greenmfg.orgs.access import access_actor
from greenmfg.orgs.predicates import evaluator_for
from greenmfg.orgs.selectors import Actor

from . import services
from .access import access_engagement, access_finding
from .forms import ConcludeForm, ConflictForm, EngageForm, FindingForm, ReasonForm, ResubmissionForm
from .models import ConflictKind, Engagement, EngagementStatus, FindingKind
from .selectors import (
    applicant_by_credit_code,
    body_engagements,
    comparison,
    conflicts_of,
    evaluation_readable,
    grade_label,
    national_projects,
)
from .services import EvaluationError


def _actor(request: HttpRequest) -> Actor:
    return access_actor(request.user)


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(
                request, _("%(label)s：%(error)s") % {"label": label, "error": error} if label else str(error)
            )


def _refused(request: HttpRequest, error: EvaluationError) -> None:
    messages.error(request, localized(error))
    for detail in error.details[:30]:
        messages.warning(request, localized(detail))


def _to_engagement(engagement: Engagement) -> HttpResponse:
    return redirect("evaluations:detail", public_id=engagement.public_id)


def _to_dossier(application: Application) -> HttpResponse:
    return redirect(
        reverse("applications:dossier", kwargs={"public_id": application.public_id}) + "#evaluation"
    )


# --- the applicant ---------------------------------------------------------------------------------


@require_POST
def engage(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application(request.user, public_id)
    actor = _actor(request)
    if not actor.is_applicant:
        raise Http404
    form = EngageForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_dossier(application)
    try:
        engagement = services.engage(actor, application, form.cleaned_data["body"])
    except EvaluationError as error:
        _refused(request, error)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("已委托“%(body)s”进行第三方评价。") % {"body": engagement.body.name})
    return _to_dossier(application)


@require_POST
def end(request: HttpRequest, public_id: str) -> HttpResponse:
    engagement = access_engagement(request.user, public_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.end_engagement(_actor(request), engagement, reason)
    except EvaluationError as error:
        _refused(request, error)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("已终止该委托，可另行委托其他评价机构。"))
    return _to_dossier(engagement.application)


# --- the evaluation body ---------------------------------------------------------------------------


@require_GET
def engagements(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not actor.is_evaluator:
        raise Http404
    year = timezone.localdate().year
    return render(
        request,
        "evaluations/list.html",
        {
            "engagements": body_engagements(actor),
            "year": year,
            "national_taken": national_projects(actor.organisation, year),
            "quota": NATIONAL_PROJECTS_PER_YEAR,
            "conflicts": conflicts_of(actor),
            "conflict_kinds": ConflictKind.choices,
        },
    )


def _live_context(engagement: Engagement, evaluation: Evaluation | None, editable: bool) -> dict[str, Any]:
    compared = comparison(engagement)
    self_dossier = engagement.dossier or latest_frozen(engagement.application)
    margin = (
        engagement.score_margin
        if engagement.score_margin is not None
        else engagement.application.call.score_margin
    )
    difference = None
    if engagement.score is not None and self_dossier is not None and self_dossier.score is not None:
        difference = engagement.score - self_dossier.score
    pending: list[str] = []
    if editable and evaluation is not None:
        call = engagement.application.call
        pending = blockers(build_form(scheme_for(call.scheme_id, call.scheme_version)), evaluation)
    return {
        "engagement": engagement,
        "self_dossier": self_dossier,
        "comparison": compared,
        "flagged": [c for c in compared if c.flagged],
        "margin": margin,
        "difference": difference,
        "grade_label": grade_label(engagement),
        "pending": pending,
        "editable": editable,
        "evaluation": evaluation,
    }


@require_GET
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    engagement = access_engagement(request.user, public_id)
    actor = _actor(request)
    application = engagement.application
    call = application.call
    scheme = scheme_for(call.scheme_id, call.scheme_version)
    readable = evaluation_readable(actor, engagement)
    own_body = evaluator_for(actor, engagement.body_id)
    # a concluded evaluation stays beside the version it concluded on; one being (re)scored beside the latest
    pinned = engagement.dossier if engagement.status != EngagementStatus.ENGAGED else None
    self_dossier = pinned or latest_frozen(application)
    submitted = self_dossier is not None and application.state not in NOT_EVALUABLE
    editable = own_body and engagement.status == EngagementStatus.ENGAGED and submitted
    context: dict[str, Any] = {
        "engagement": engagement,
        "application": application,
        "scheme": scheme,
        "readable": readable,
        "own_body": own_body,
        "is_owner": actor.is_applicant,
        "submitted": submitted,
        "self_dossier": self_dossier,
        "finding_kinds": FindingKind.choices,
        "conflict_kinds": ConflictKind.choices,
    }
    latest = latest_frozen(application)
    if (
        own_body
        and engagement.status == EngagementStatus.CONCLUDED
        and engagement.dossier is not None
        and latest is not None
        and latest.number > engagement.dossier.number
        and application.state not in NOT_EVALUABLE
    ):
        # resubmitted after a return: the evaluator confirms its conclusion or scores again
        context["changes"] = changes_between(engagement.dossier, latest)
        context["labels"] = item_labels(application)
    evaluation = None
    if readable and self_dossier is not None:
        form = build_form(scheme)
        own = Answers.from_json(self_dossier.answers)
        answers = Answers.from_json(engagement.answers) if engagement.answers is not None else own
        evaluation = evaluate(scheme, answers, decided_inputs(application)) if editable else None
        context.update(
            form=form,
            self_values=own.values(),
            values=answers.values(),
            changed=answers.differing(own),
            started=engagement.answers is not None,
            findings=engagement.findings.all(),
            indicator_labels=dict(form.indicators),
        )
    context.update(_live_context(engagement, evaluation, editable))
    return render(request, "evaluations/detail.html", context)


@require_POST
def save(request: HttpRequest, public_id: str) -> HttpResponse:
    engagement = access_engagement(request.user, public_id)
    posted = posted_fields(request)
    try:
        outcome = services.save_values(_actor(request), engagement, posted)
    except EvaluationError as error:
        return render(request, "evaluations/_refused.html", {"error": error}, status=409)
    except PermissionDenied:
        raise Http404 from None
    saved = outcome.engagement
    frozen = saved.dossier or latest_frozen(saved.application)
    own = Answers.from_json(frozen.answers if frozen is not None else None)
    context = _live_context(saved, outcome.evaluation, True)
    # the saved fields' error and "changed" marks are swapped in out of band beside the live result
    context.update(saved_keys=list(posted), changed=Answers.from_json(saved.answers).differing(own, posted))
    return render(request, "evaluations/detail.html#live", context)


@require_POST
def add_finding(request: HttpRequest, public_id: str) -> HttpResponse:
    engagement = access_engagement(request.user, public_id)
    actor = _actor(request)
    form = FindingForm(request.POST, request.FILES)
    if not form.is_valid():
        if not evaluator_for(actor, engagement.body_id):
            raise Http404
        _form_errors(request, form)
        return _to_engagement(engagement)
    upload = form.cleaned_data["file"]
    try:
        services.add_finding(
            actor,
            engagement,
            kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"],
            indicator=form.cleaned_data["indicator"],
            stream=upload,
            filename=upload.name if upload is not None else "",
        )
    except EvaluationError as error:
        _refused(request, error)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("已记录核查发现。"))
    return _to_engagement(engagement)


@require_GET
def finding_file(request: HttpRequest, pk: str) -> HttpResponseBase:
    finding = access_finding(request.user, pk)
    if not finding.storage_name:
        raise Http404
    try:
        handle = services.open_finding_file(_actor(request), finding)
    except services.IntegrityFailure as failure:
        return HttpResponse(localized(failure), status=409, content_type="text/plain; charset=utf-8")
    response = FileResponse(
        handle, as_attachment=True, filename=finding.file_name, content_type=finding.file_mime
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_POST
def conclude(request: HttpRequest, public_id: str) -> HttpResponse:
    engagement = access_engagement(request.user, public_id)
    actor = _actor(request)
    if not evaluator_for(actor, engagement.body_id):
        raise Http404
    form = ConcludeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_engagement(engagement)
    try:
        services.conclude(actor, engagement, form.cleaned_data["conclusion"])
    except EvaluationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已出具第三方评价结论，评价数据已冻结。"))
    return _to_engagement(engagement)


@require_POST
def resubmission(request: HttpRequest, public_id: str) -> HttpResponse:
    engagement = access_engagement(request.user, public_id)
    actor = _actor(request)
    if not evaluator_for(actor, engagement.body_id):
        raise Http404
    form = ResubmissionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_engagement(engagement)
    try:
        services.review_resubmission(
            actor, engagement, form.cleaned_data["action"], form.cleaned_data["note"]
        )
    except EvaluationError as error:
        _refused(request, error)
    else:
        if form.cleaned_data["action"] == services.CONFIRM:
            messages.success(request, _("已确认原评价结论适用于修改后的申报。"))
        else:
            messages.success(request, _("评价已重新开放，请核实修改内容后重新出具结论。"))
    return _to_engagement(engagement)


@require_POST
def decline(request: HttpRequest, public_id: str) -> HttpResponse:
    engagement = access_engagement(request.user, public_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.decline(_actor(request), engagement, reason)
    except EvaluationError as error:
        _refused(request, error)
        return _to_engagement(engagement)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("已拒绝该委托。"))
    return redirect("evaluations:list")


# --- conflicts of interest (either side) -----------------------------------------------------------


@require_POST
def declare_conflict(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not (actor.is_evaluator or actor.is_applicant):
        raise Http404
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or reverse("evaluations:list" if actor.is_evaluator else "applications:mine")
    form = ConflictForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    data = form.cleaned_data
    other: Any = None
    if actor.is_applicant:
        other = data["body"]
    elif data["engagement"] is not None:
        other = access_engagement(request.user, data["engagement"]).application.applicant_id
    elif data["credit_code"]:
        found = applicant_by_credit_code(data["credit_code"])
        other = found.pk if found is not None else None
    if other is None:
        messages.error(
            request, _("请指明存在利益关系的单位。") if actor.is_applicant else _("未找到该申报单位。")
        )
        return redirect(back)
    try:
        services.declare_conflict(actor, other, data["kind"], data["note"])
    except EvaluationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已登记利益冲突声明；双方之间生效的委托已终止。"))
    return redirect(back)
