from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from greencore import ForwardingRule, Route, negative_list
from greenmfg.applications.access import access_application
from greenmfg.applications.dossier import build_form, scheme_for
from greenmfg.applications.selectors import item_labels, resubmission_changes
from greenmfg.applications.states import LIVE, WORKFLOW
from greenmfg.catalog.selectors import key_list_calls_for
from greenmfg.core.errors import Detail, Refused
from greenmfg.core.forms import form_refusal, only_missing, posted_fields
from greenmfg.core.i18n import localized
from greenmfg.core.idempotency import idempotent
from greenmfg.evaluations import selectors as evaluations
from greenmfg.orgs.access import access_actor
from greenmfg.orgs.selectors import Actor

from . import selectors, services
from .access import access_assignment
from .forms import ExpertConflictForm
from .models import CreditCheck, Decision


def _reviewer(request: HttpRequest) -> Actor:
    return access_actor(request.user, "reviewer")


def _expert(request: HttpRequest) -> Actor:
    return access_actor(request.user, "expert")


def _refused(request: HttpRequest, error: Refused) -> None:
    """The refusal in the user's language, followed by those of its detail lines it does not already
    name."""
    shown = localized(error)
    details = [text for d in error.details[:8] if (text := localized(d)) not in shown]
    messages.error(request, shown + (_("：") + _("；").join(details) if details else ""))


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    actor = _reviewer(request)
    today = timezone.localdate()
    rows = [
        {
            "application": a,
            "step": selectors.current_step(a),
            "overdue": selectors.is_overdue(a, today),
            "awaiting": selectors.awaiting_forwarding(a),
            "graded": selectors.graded_at_step(a),
        }
        for a in selectors.step_queue(actor)
    ]
    steps_with_rules = []
    for call in selectors.calls_for_bureau(actor):
        for step in selectors.chain_of(call):
            if step.forward is not None and selectors.decides_own_step(actor, step):
                steps_with_rules.append((call, step))
    publicity = [
        (call, len(candidates))
        for call in selectors.calls_for_bureau(actor)
        if (candidates := selectors.awaiting_publicity(actor, call))
    ]
    return render(
        request,
        "reviews/queue.html",
        {
            "rows": rows,
            "overdue": sum(1 for r in rows if r["overdue"]),
            "forwarding": steps_with_rules,
            "publicity": publicity,
            # the calls whose key-enterprise list (对标摸底名单) this bureau reports: the chain's first step
            "key_lists": list(key_list_calls_for(actor).order_by("calendar__key_list_due", "code")),
        },
    )


@require_GET
def case(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _reviewer(request)
    application = access_application(request.user, public_id)
    step = selectors.current_step(application)
    call = application.call
    form = build_form(scheme_for(call.scheme_id, call.scheme_version))
    stale = selectors.stale_results(application, step)
    found = selectors.decisive_verdict(application, step)
    return render(
        request,
        "reviews/case.html",
        {
            "stale": stale,
            "stale_scores": any(s.assignment is not None for s in stale),
            "changes": resubmission_changes(application),
            "labels": item_labels(application),
            "application": application,
            "state": WORKFLOW.states[application.state],
            "chain": selectors.chain_of(call),
            "ladder": selectors.ladder_grades(call),
            "step": step,
            "decides": selectors.decides_step(actor, application, step) and application.state in LIVE,
            "awaiting": selectors.awaiting_forwarding(application),
            "decisions": selectors.decisions_of(application),
            "panel": list(selectors.panel_of(application, step.index)),
            "panel_result": selectors.panel_result(application, step),
            "verdict": found,
            "grades_here": found is not None
            and not step.is_last
            and selectors.step_route(application, step, found) is Route.GRADE_HERE,
            "prerequisites": selectors.prerequisite_source(application),
            "graded": selectors.graded_at_step(application),
            "credit": selectors.credit_check_of(application, step.index),
            "meeting": selectors.meeting_of(application, step.index),
            "third_party_score": evaluations.third_party_score(application),
            "flags": evaluations.flagged_indicators(application),
            "sections": [s.title for s in form.sections],
            "negative_list": negative_list(),
            "sources": CreditCheck.Source.choices,
            "overdue": selectors.is_overdue(application),
            "level_names": {
                "district": _("区县"),
                "city": _("市级"),
                "province": _("省级"),
                "ministry": _("部级"),
            },
        },
    )


@require_POST
def reopen_scores(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _reviewer(request)
    application = access_application(request.user, public_id)
    try:
        reopened = services.reopen_stale_scores(actor, application)
        messages.success(request, _("已请 %(count)s 位专家确认或重新评分。") % {"count": len(reopened)})
    except Refused as error:
        _refused(request, error)
    return redirect("reviews:case", public_id=application.public_id)


def _decide(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    actor = _reviewer(request)
    application = access_application(request.user, public_id)
    reasons = request.POST.get("reasons", "")
    try:
        if action == "pass":
            services.pass_step(actor, application, reasons)
            messages.success(request, _("已通过本级审核。"))
        elif action == "return":
            services.return_step(
                actor,
                application,
                reasons,
                request.POST.getlist("items"),
                parse_date(request.POST.get("deadline", "") or ""),
            )
            messages.success(request, _("已退回修改。"))
        else:
            services.reject_step(actor, application, reasons)
            messages.success(request, _("已作出不予通过的决定。"))
    except Refused as error:
        _refused(request, error)
    except ValueError:
        messages.error(request, _("日期格式不正确。"))
    return redirect("reviews:case", public_id=application.public_id)


@require_POST
@idempotent
def decide_pass(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _decide(request, public_id, "pass")


@require_POST
@idempotent
def decide_return(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _decide(request, public_id, "return")


@require_POST
@idempotent
def decide_reject(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _decide(request, public_id, "reject")


@require_POST
def credit_check(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _reviewer(request)
    application = access_application(request.user, public_id)
    try:
        checked_on = parse_date(request.POST.get("checked_on", "") or "") or timezone.localdate()
        services.record_credit_check(
            actor,
            application,
            source=request.POST.get("source", ""),
            outcome=request.POST.get("outcome", ""),
            checked_on=checked_on,
            negative_item=request.POST.get("negative_item", ""),
            note=request.POST.get("note", ""),
            upload=request.FILES.get("file"),
        )
        messages.success(request, _("已记录信用核查结果。"))
    except Refused as error:
        _refused(request, error)
    except ValueError:
        messages.error(request, _("日期格式不正确。"))
    return redirect("reviews:case", public_id=application.public_id)


@require_POST
def meeting(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _reviewer(request)
    application = access_application(request.user, public_id)
    try:
        held_on = parse_date(request.POST.get("held_on", "") or "")
        services.record_meeting(
            actor,
            application,
            held_on=held_on,
            attendees=request.POST.get("attendees", ""),
            outcome=request.POST.get("outcome", ""),
            decision=request.POST.get("decision", ""),
            minutes=request.FILES.get("minutes"),
        )
        messages.success(request, _("已记录会议讨论。"))
    except Refused as error:
        _refused(request, error)
    except ValueError:
        messages.error(request, _("会议日期格式不正确。"))
    return redirect("reviews:case", public_id=application.public_id)


@require_POST
def form_panel(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _reviewer(request)
    application = access_application(request.user, public_id)
    try:
        made = services.form_panel(actor, application)
        messages.success(
            request,
            ngettext("已抽取 %(n)s 位无利益冲突的专家。", "已抽取 %(n)s 位无利益冲突的专家。", len(made))
            % {"n": len(made)},
        )
    except Refused as error:
        _refused(request, error)
    return redirect("reviews:case", public_id=application.public_id)


@require_http_methods(["GET", "POST"])
def forwarding(request: HttpRequest, code: str, step: int) -> HttpResponse:
    actor = _reviewer(request)
    call = next((c for c in selectors.calls_for_bureau(actor) if c.code == code), None)
    if call is None:
        raise Http404
    chain = selectors.chain_of(call)
    spec = chain[step] if step < len(chain) else None
    if spec is None or spec.forward is None:
        raise Http404
    forward = spec.forward
    if not selectors.decides_own_step(actor, spec):
        raise Http404
    if request.method == "POST":
        try:
            made = services.run_forwarding(actor, call, step)
            kept = sum(1 for d in made if d.outcome in (Decision.Outcome.FORWARDED, Decision.Outcome.PASSED))
            text = (
                _("已按遴选规则处理 %(total)s 件：入选 %(kept)s 件，未入选 %(rest)s 件。")
                if spec.is_last
                else _("已按转报规则处理 %(total)s 件：转报 %(kept)s 件，未获转报 %(rest)s 件。")
            )
            messages.success(request, text % {"total": len(made), "kept": kept, "rest": len(made) - kept})
        except Refused as error:
            _refused(request, error)
        return redirect("reviews:forwarding", code=code, step=step)
    decisions = (
        Decision.objects.filter(application__call=call, step=step, authority=actor.organisation)
        .filter(
            Q(outcome__in=(Decision.Outcome.FORWARDED, Decision.Outcome.NOT_FORWARDED))
            | Q(outcome=Decision.Outcome.PASSED, detail__selected=True)
        )
        .select_related("application__applicant")
        .order_by("-score", "pk")
    )
    preview, undecided = selectors.ranking_preview(actor, call, spec)
    return render(
        request,
        "reviews/forwarding.html",
        {
            "call": call,
            "step": spec,
            "rule": localized(ForwardingRule.from_spec(forward).describe()),
            "decisions": decisions,
            "waiting": [row.application for row in preview],
            "preview": preview,
            "undecided": undecided,
            "selecting": spec.is_last,
        },
    )


# --- experts ---------------------------------------------------------------------------------------


@require_GET
def expert_cases(request: HttpRequest) -> HttpResponse:
    actor = _expert(request)
    return render(request, "reviews/expert_cases.html", {"assignments": selectors.live_assignments(actor)})


@require_http_methods(["GET", "POST"])
def expert_score(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _expert(request)
    assignment = access_assignment(request.user, public_id)
    errors: list[Detail] = []
    if request.method == "POST":
        points = {key[3:]: value for key, value in posted_fields(request).items() if key.startswith("pt:")}
        try:
            errors = services.save_expert_scores(actor, assignment, points)
        except Refused as error:
            _refused(request, error)
            return redirect("reviews:expert_score", public_id=assignment.public_id)
        if not errors:
            messages.success(request, _("评分已保存。"))
            return redirect("reviews:expert_score", public_id=assignment.public_id)
    mine = {s.indicator: s.points for s in assignment.scores.all()}
    sheet = [{**row, "mine": mine.get(row["id"])} for row in selectors.scoring_sheet(assignment.application)]
    return render(
        request,
        "reviews/expert_score.html",
        {"assignment": assignment, "sheet": sheet, "errors": errors, "application": assignment.application},
    )


@require_POST
def expert_sign(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _expert(request)
    assignment = access_assignment(request.user, public_id)
    try:
        services.sign_scores(actor, assignment)
        messages.success(request, _("已签署评分，评分不可再修改。"))
    except Refused as error:
        _refused(request, error)
    return redirect("reviews:expert_score", public_id=assignment.public_id)


@require_POST
def expert_conflict(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _expert(request)
    assignment = access_assignment(request.user, public_id)
    form = ExpertConflictForm(request.POST)
    if not form.is_valid() and not only_missing(form):
        return form_refusal(request, form)
    data = form.cleaned_data
    try:
        services.declare_conflict(actor, assignment, data.get("kind") or "declared", data.get("note", ""))
        messages.success(request, _("已申报利益冲突并回避该项评审。"))
    except Refused as error:
        _refused(request, error)
        return redirect("reviews:expert_score", public_id=assignment.public_id)
    return redirect("reviews:expert_cases")
