"""Every decision of the review chain. Each one locks the application, checks that the actor is the bureau
of the current step and that the step's own conditions hold (third-party evaluation concluded, credit
check recorded, expert panel signed), moves the application through greencore's workflow table and writes
the decision with its event, in one transaction."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from greencore import (
    CaseFacts,
    ExpertFacts,
    ForwardingRule,
    PanelError,
    QuotaExceeded,
    Route,
    RuleError,
    StepSpec,
    Verdict,
    assign_panel,
    check_assignment,
    check_quota,
    negative_list,
    quota_applies,
)
from greenmfg.applications import services as applications
from greenmfg.applications.models import Application
from greenmfg.applications.states import LIVE, WORKFLOW
from greenmfg.audit import services as audit
from greenmfg.audit import signing
from greenmfg.catalog.models import Call
from greenmfg.catalog.selectors import calendar_of
from greenmfg.core.errors import Detail, Refused
from greenmfg.evaluations.selectors import engaged_body, evaluation_concluded
from greenmfg.evidence import files
from greenmfg.notifications import services as notifications
from greenmfg.orgs import services as orgs
from greenmfg.orgs.models import Organisation, OrgKind
from greenmfg.orgs.selectors import Actor, covers, organisations_visible_to

from .models import Assignment, CreditCheck, Decision, ExpertProfile, ExpertRelation, ExpertScore, Meeting
from .selectors import (
    awaiting_forwarding,
    chain_of,
    credit_check_of,
    current_step,
    decides_step,
    decisive_verdict,
    graded_at_step,
    meeting_of,
    panel_of,
    panel_result,
    rank_pool,
    recommended_count,
    scoring_sheet,
    selected_at_step,
    stale_results,
    step_route,
)


class ReviewError(Refused):
    """A refused decision of the review chain."""


class VerdictRefused(ReviewError):
    """The decisive result fails its scheme's outcome: the application can only be returned or rejected."""


def _verdict_details(found: Verdict) -> list[Detail]:
    """greencore's reasons (Chinese and English), each failed gate or required item at its id."""
    places = {(zh, en): key for key, zh, en in found.failed}
    return [Detail(zh, en, places.get((zh, en), "")) for zh, en in found.reasons]


def _allowed_verdict(locked: Application, step: StepSpec) -> Verdict:
    """The decisive result's verdict, refusing a pass (or a forwarding) that it does not allow, with the
    reasons in the user's words."""
    found = decisive_verdict(locked, step)
    if found is None:
        raise ReviewError("尚无据以决定的评价结果。", "there is no result to decide on")
    if not found.allowed:
        raise VerdictRefused(
            f"{found.basis.zh}结果不符合评价要求，只能退回修改或不予通过：{found.reasons_zh}",
            f"the {found.basis.en} fails the scheme; it can only be returned or rejected: {found.reasons_en}",
            details=_verdict_details(found),
        )
    return found


def _event(actor: Actor, action: str, application: Application, **detail: Any) -> None:
    audit.record(
        f"review.{action}",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=application,
        object_id=str(application.public_id),
        detail=detail,
    )


def _check_bureau(actor: Actor, application: Application) -> None:
    """Refuse a bureau that does not decide the current step before looking at what it sent (so a
    stranger learns nothing from validation messages); repeated under the lock."""
    application = Application.objects.select_related("call").get(
        pk=application.pk
    )  # the caller's may be stale
    step = current_step(application)
    if not decides_step(actor, application, step) and not any(
        decides_step(actor, application, s) for s in chain_of(application.call)[: step.index]
    ):
        raise PermissionDenied


def _locked_step(actor: Actor, application: Application) -> tuple[Application, StepSpec]:
    locked = applications.lock(application)
    step = current_step(locked)
    if not decides_step(actor, locked, step):
        if any(decides_step(actor, locked, s) for s in chain_of(locked.call)[: step.index]):
            # a racing colleague (or an earlier click) already moved it on: say so, it is not a breach
            raise ReviewError("该申报已离开本级审核环节。", "the application has left this step")
        raise PermissionDenied
    if locked.state not in LIVE:
        raise ReviewError(
            f"申报状态为「{WORKFLOW.states[locked.state].zh}」，本级不能再作决定。",
            f"the application is “{WORKFLOW.states[locked.state].en}”: this step can no longer decide on it",
        )
    return locked, step


def _reasons(text: str) -> str:
    if not text.strip():
        raise ReviewError("请写明理由。", "give the reasons for the decision")
    return text.strip()


def _decision(
    actor: Actor, locked: Application, step: StepSpec, outcome: str, reasons: str, **extra: Any
) -> Decision:
    if outcome != Decision.Outcome.RETURNED:  # a return is told by applications, with its deadline
        notifications.notify_organisation(
            locked.applicant_id,
            f"review.{outcome}",
            f"审核结果（{actor.organisation.name}）：{Decision.Outcome(outcome).label}",
            f"{locked.call.name}：{reasons}",
            reverse("applications:dossier", kwargs={"public_id": locked.public_id}),
        )
    return Decision.objects.create(
        application=locked,
        step=step.index,
        level=step.level,
        authority=actor.organisation,
        decided_by=actor.user,
        outcome=outcome,
        reasons=reasons,
        score=extra.pop("score", None),
        detail=extra,
    )


def _forward(actor: Actor, locked: Application, step: StepSpec, detail: dict[str, Any]) -> None:
    following = chain_of(locked.call)[step.index + 1]
    applications.move(
        actor,
        locked,
        "forward",
        detail={"step": step.index, "to_step": following.index, **detail},
        review_step=following.index,
        step_due_on=applications.step_due_on(locked.call, following.index),
    )


def _check_quota(actor: Actor, call: Call, step: StepSpec, asked: int) -> None:
    """The call calendar's quota of a province step (greencore.check_quota): refused before anything is
    written, so a refused batch changes nothing."""
    calendar = calendar_of(call)
    if calendar is None or calendar.quota is None or not quota_applies(step.level) or asked == 0:
        return
    try:
        check_quota(calendar.quota, recommended_count(call, step, actor.organisation.pk), asked)
    except QuotaExceeded as error:
        raise ReviewError(error.zh, error.en) from None


def _preconditions(locked: Application, step: StepSpec) -> list[Detail]:
    """What the step still waits for, each in Chinese and English, placed at the stage it concerns
    (evaluation, credit_check, meeting, panel; a stale result at the items it rests on)."""
    missing: list[Detail] = []
    if step.index == 0 and locked.call.requires_third_party and not evaluation_concluded(locked):
        missing.append(
            Detail(
                "本批次须经第三方评价，评价机构尚未出具评价结论",
                "this call requires a third-party evaluation, and the evaluator has not concluded it yet",
                "evaluation",
            )
        )
    if step.credit_check:
        check = credit_check_of(locked, step.index)
        if check is None:
            missing.append(
                Detail("尚未记录信用核查结果", "the credit check has not been recorded yet", "credit_check")
            )
    if step.meeting:
        meeting = meeting_of(locked, step.index)
        if meeting is None:
            missing.append(
                Detail(
                    "尚未记录会议讨论（日期、参会人员、决定和会议纪要）",
                    "the meeting has not been recorded yet (date, attendees, decision and minutes)",
                    "meeting",
                )
            )
        elif meeting.outcome != Meeting.Outcome.AGREED:
            missing.append(
                Detail(
                    f"会议讨论（{meeting.held_on:%Y年%m月%d日}）未同意：{meeting.decision}",
                    f"the meeting of {meeting.held_on:%Y-%m-%d} did not agree: {meeting.decision}",
                    "meeting",
                )
            )
    # a resubmission after a return: results resting on changed items wait for their authors
    missing.extend(
        Detail(stale.zh, stale.en, ", ".join(stale.items)) for stale in stale_results(locked, step)
    )
    if step.panel is not None:
        panel = panel_result(locked, step)
        if panel is None or panel.total is None:
            signed = panel.signed if panel else 0
            missing.append(
                Detail(
                    f"专家评审未完成（已签署 {signed}/{step.panel.size}）",
                    f"the expert review is not complete ({signed} of {step.panel.size} signed)",
                    "panel",
                )
            )
    return missing


def pass_step(actor: Actor, application: Application, reasons: str) -> Decision:
    """This bureau passes the application at its step. Where the step's own level grants the verdict's
    grade (greencore's grading ladder: Suzhou's districts grade 1A and 2A, seeds/003) it is graded here and
    waits for this bureau's publicity notice. Otherwise, without a forwarding rule it moves on at once;
    with one it waits for the bureau to run the forwarding over all passed applications; at the last step
    it waits for the publicity notice."""
    _check_bureau(actor, application)
    reasons = _reasons(reasons)
    with transaction.atomic():
        locked, step = _locked_step(actor, application)
        if awaiting_forwarding(locked):
            raise ReviewError(
                "本级已通过，等待转报。",
                "this step has already passed the application: it waits for the forwarding",
            )
        if selected_at_step(locked):
            raise ReviewError(
                "本级已入选，等待公示。",
                "this step has already selected the application: it waits for the publicity notice",
            )
        if graded_at_step(locked):
            raise ReviewError(
                "本级已评定等级，等待本级公示。",
                "this step has already graded the application: it waits for this level's publicity notice",
            )
        missing = _preconditions(locked, step)
        if missing:
            raise ReviewError(
                "本级尚不能通过：" + "；".join(missing),
                "this step cannot pass the application yet: " + "; ".join(d.en for d in missing),
                details=missing,
            )
        found = _allowed_verdict(locked, step)
        score, source, detail = found.score, found.basis.zh, found.to_detail()
        grade_here = not step.is_last and step_route(locked, step, found) is Route.GRADE_HERE
        if (
            step.forward is None and not grade_here
        ):  # passed upward at once (or onto the list at the last step)
            _check_quota(actor, locked.call, step, 1)
        if grade_here:
            decision = _decision(
                actor,
                locked,
                step,
                Decision.Outcome.GRADED,
                reasons,
                score=score,
                source=source,
                verdict=detail,
                graded=found.grade,
            )
            if locked.state == "submitted":
                applications.move(actor, locked, "accept", detail={"step": step.index})
            _event(
                actor, "graded", locked, step=step.index, reasons=reasons, score=str(score), grade=found.grade
            )
        elif step.forward is None and not step.is_last:
            decision = _decision(
                actor,
                locked,
                step,
                Decision.Outcome.FORWARDED,
                reasons,
                score=score,
                source=source,
                verdict=detail,
            )
            _forward(actor, locked, step, {"reasons": reasons, "score": str(score), "grade": found.grade})
        else:
            decision = _decision(
                actor,
                locked,
                step,
                Decision.Outcome.PASSED,
                reasons,
                score=score,
                source=source,
                verdict=detail,
            )
            if locked.state == "submitted":
                applications.move(actor, locked, "accept", detail={"step": step.index})
            _event(
                actor,
                "passed",
                locked,
                step=step.index,
                reasons=reasons,
                score=str(score),
                source=source,
                grade=found.grade,
            )
    return decision


def return_step(
    actor: Actor, application: Application, reasons: str, items: list[str], deadline: date | None
) -> Decision:
    """Back to the applicant: only the named items reopen, until the deadline."""
    _check_bureau(actor, application)
    reasons = _reasons(reasons)
    if deadline is None:
        raise ReviewError("退回修改须设定补正期限。", "set the revision deadline for the return")
    with transaction.atomic():
        locked, step = _locked_step(actor, application)
        applications.return_for_revision(actor, locked, reasons, deadline, items)
        return _decision(
            actor, locked, step, Decision.Outcome.RETURNED, reasons, items=items, deadline=str(deadline)
        )


def reject_step(actor: Actor, application: Application, reasons: str) -> Decision:
    _check_bureau(actor, application)
    reasons = _reasons(reasons)
    with transaction.atomic():
        locked, step = _locked_step(actor, application)
        applications.move(actor, locked, "reject", detail={"step": step.index, "reasons": reasons})
        return _decision(actor, locked, step, Decision.Outcome.REJECTED, reasons)


def run_forwarding(actor: Actor, call: Call, step_index: int) -> list[Decision]:
    """Apply the step's rule (greencore) to every application this bureau passed at the step, each on its
    decisive verdict, ranked across the call: those within the rule go up — or, at the last step, are
    selected for the publicity notice — the others leave with the rule's (or the verdict's) reason. Each
    decision is recorded."""
    chain = chain_of(call)
    if not 0 <= step_index < len(chain):
        raise ReviewError("没有这一审核环节。", "there is no such review step")
    step = chain[step_index]
    if step.forward is None:
        raise ReviewError("本步骤没有转报规则。", "this step has no forwarding rule")
    try:
        ForwardingRule.from_spec(step.forward)
    except RuleError as error:
        raise ReviewError(error.zh, error.en) from None
    with transaction.atomic():
        pool = list(
            Application.objects.select_for_update()
            .filter(call=call, review_step=step_index, state__in=LIVE)
            .order_by("pk")
        )
        pool = [a for a in pool if decides_step(actor, a, step) and awaiting_forwarding(a)]
        if not pool:
            raise ReviewError("没有等待转报的申报。", "no application is waiting for forwarding")
        ranked = rank_pool(pool, step)
        _check_quota(actor, call, step, sum(1 for row in ranked if row.decision.forwarded))
        made: list[Decision] = []
        for row in ranked:
            application, found, verdict = row.application, row.verdict, row.decision
            score = found.score if found is not None else None
            detail = {
                "rule": dict(step.forward),
                "rank": verdict.rank,
                "source": found.basis.zh if found is not None else "",
                "verdict": found.to_detail() if found is not None else None,
            }
            if verdict.forwarded and step.is_last:
                made.append(
                    _decision(
                        actor,
                        application,
                        step,
                        Decision.Outcome.PASSED,
                        verdict.reason_zh,
                        score=score,
                        selected=True,
                        **detail,
                    )
                )
                _event(
                    actor,
                    "selected",
                    application,
                    step=step.index,
                    reasons=verdict.reason_zh,
                    rank=verdict.rank,
                )
            elif verdict.forwarded:
                made.append(
                    _decision(
                        actor,
                        application,
                        step,
                        Decision.Outcome.FORWARDED,
                        verdict.reason_zh,
                        score=score,
                        **detail,
                    )
                )
                _forward(actor, application, step, {"reasons": verdict.reason_zh, **detail})
            else:
                made.append(
                    _decision(
                        actor,
                        application,
                        step,
                        Decision.Outcome.NOT_FORWARDED,
                        verdict.reason_zh,
                        score=score,
                        **detail,
                    )
                )
                applications.move(
                    actor, application, "not_forwarded", detail={"reasons": verdict.reason_zh, **detail}
                )
    return made


# --- credit check ----------------------------------------------------------------------------------

NEGATIVE_ITEMS = {item.id: item.zh for item in negative_list()}


def record_credit_check(
    actor: Actor,
    application: Application,
    *,
    source: str,
    outcome: str,
    checked_on: date,
    negative_item: str = "",
    note: str = "",
    upload: UploadedFile[Any] | None = None,
) -> CreditCheck:
    """The check against 信用中国 / 国家企业信用信息公示系统, with the file it produced. A hit on the
    negative list makes the application ineligible: it is rejected with the item as the reason."""
    _check_bureau(actor, application)
    if source not in CreditCheck.Source.values or outcome not in CreditCheck.Outcome.values:
        raise ReviewError("请选择核查来源和结果。", "choose the source and the outcome of the credit check")
    if outcome == CreditCheck.Outcome.HIT and negative_item not in NEGATIVE_ITEMS:
        raise ReviewError("命中负面清单时须指明哪一项。", "a hit on the negative list must name the item")
    if checked_on > timezone.localdate():
        raise ReviewError("核查日期不能晚于今天。", "the check date cannot be later than today")
    stored: files.StoredFile | None = None
    if upload is not None:
        try:
            stored = files.receive(
                "credit_check",
                upload,
                upload.name or "",
                actor=actor,
                obj=application,
                object_id=str(application.public_id),
            )
        except files.FileRefused as refused:
            raise ReviewError(refused.zh, refused.en) from None
    try:
        return _write_credit_check(
            actor, application, stored, source, outcome, checked_on, negative_item, note
        )
    except Exception:
        if stored is not None:
            files.discard(stored.storage_name)
        raise


def _write_credit_check(
    actor: Actor,
    application: Application,
    stored: files.StoredFile | None,
    source: str,
    outcome: str,
    checked_on: date,
    negative_item: str,
    note: str,
) -> CreditCheck:
    with transaction.atomic():
        locked, step = _locked_step(actor, application)
        if not step.credit_check:
            raise ReviewError("本步骤不做信用核查。", "this step has no credit check")
        check = CreditCheck(
            application=locked,
            step=step.index,
            checked_on=checked_on,
            source=source,
            outcome=outcome,
            negative_item=negative_item if outcome == CreditCheck.Outcome.HIT else "",
            note=note.strip(),
            recorded_by=actor.user,
        )
        if stored is not None:
            check.file.name = stored.storage_name
            check.file_name = stored.name
            check.file_sm3 = stored.sm3
        check.save()
        _event(
            actor,
            "credit_check",
            locked,
            step=step.index,
            source=source,
            outcome=outcome,
            negative_item=check.negative_item,
            file_sm3=check.file_sm3,
        )
        if outcome == CreditCheck.Outcome.HIT:
            item = NEGATIVE_ITEMS[negative_item]
            reasons = f"信用核查命中负面清单：{item}（{check.get_source_display()}，{checked_on}）"
            applications.move(actor, locked, "reject", detail={"step": step.index, "reasons": reasons})
            _decision(actor, locked, step, Decision.Outcome.REJECTED, reasons, credit_check=check.pk)
    return check


# --- the meeting (会议讨论) -------------------------------------------------------------------------


def record_meeting(
    actor: Actor,
    application: Application,
    *,
    held_on: date | None,
    attendees: str,
    outcome: str,
    decision: str,
    minutes: UploadedFile[Any] | None,
) -> Meeting:
    """The step's meeting: its date, attendees, decision and minutes file (checked as every upload is).
    The step passes only once a meeting agreed; a meeting that did not agree leaves return or reject."""
    _check_bureau(actor, application)
    if outcome not in Meeting.Outcome.values:
        raise ReviewError(
            "请选择会议决定（同意或不同意）。", "choose the meeting's decision (agreed or not agreed)"
        )
    if not attendees.strip():
        raise ReviewError("请填写参会人员。", "list the attendees")
    if not decision.strip():
        raise ReviewError("请填写会议决定的内容。", "write down what the meeting decided")
    if held_on is None:
        raise ReviewError("请填写会议日期。", "give the meeting's date")
    if held_on > timezone.localdate():
        raise ReviewError("会议日期不能晚于今天。", "the meeting date cannot be later than today")
    if minutes is None:
        raise ReviewError("请上传会议纪要。", "upload the minutes of the meeting")
    try:
        stored = files.receive(
            "minutes",
            minutes,
            minutes.name or "",
            actor=actor,
            obj=application,
            object_id=str(application.public_id),
        )
    except files.FileRefused as refused:
        raise ReviewError(refused.zh, refused.en) from None
    try:
        return _write_meeting(actor, application, stored, held_on, attendees, outcome, decision)
    except Exception:
        files.discard(stored.storage_name)
        raise


def _write_meeting(
    actor: Actor,
    application: Application,
    stored: files.StoredFile,
    held_on: date,
    attendees: str,
    outcome: str,
    decision: str,
) -> Meeting:
    with transaction.atomic():
        locked, step = _locked_step(actor, application)
        if not step.meeting:
            raise ReviewError("本步骤没有会议讨论。", "this step has no meeting")
        meeting = Meeting(
            application=locked,
            step=step.index,
            held_on=held_on,
            attendees=attendees.strip()[:2000],
            outcome=outcome,
            decision=decision.strip()[:2000],
            minutes_name=stored.name[:200],
            minutes_sm3=stored.sm3,
            recorded_by=actor.user,
        )
        meeting.minutes.name = stored.storage_name
        meeting.save()
        _event(
            actor,
            "meeting",
            locked,
            step=step.index,
            held_on=str(held_on),
            outcome=outcome,
            minutes_sm3=stored.sm3,
        )
    return meeting


# --- expert panels ---------------------------------------------------------------------------------


def _expert_facts(profile: ExpertProfile) -> ExpertFacts:
    employer = profile.user.membership.organisation
    return ExpertFacts(
        key=str(profile.pk),
        employer=str(employer.pk),
        park=str(employer.park_id) if employer.park_id else None,
        evaluation_body=str(employer.pk) if employer.kind == OrgKind.EVALUATION_BODY else None,
        related=frozenset(str(r.organisation_id) for r in profile.relations.all()),
        fields=frozenset(str(f) for f in profile.fields),
        load=profile.assignments.exclude(status=Assignment.Status.WITHDRAWN).count(),
    )


def _case_facts(application: Application) -> CaseFacts:
    body = engaged_body(application)
    applicant: Organisation = application.applicant
    return CaseFacts(
        key=str(application.pk),
        applicant=str(applicant.pk),
        park=str(applicant.park_id) if applicant.park_id else None,
        evaluation_body=str(body.pk) if body is not None else None,
        field=application.call.title_kind,
    )


def _pool() -> list[ExpertProfile]:
    return list(
        ExpertProfile.objects.filter(active=True, user__is_active=True)
        .select_related("user__membership__organisation")
        .prefetch_related("relations")
        .order_by("pk")
    )


def form_panel(actor: Actor, application: Application) -> list[Assignment]:
    """Assign the step's panel from the expert pool: never a conflicted expert (greencore's rules)."""
    with transaction.atomic():
        locked, step = _locked_step(actor, application)
        if step.panel is None:
            raise ReviewError("本步骤不组织专家评审。", "this step has no expert panel")
        existing = list(panel_of(locked, step.index))
        needed = step.panel.size - len(existing)
        if needed <= 0:
            raise ReviewError("专家组已满。", "the expert panel is already full")
        taken = {str(a.expert_id) for a in existing}
        pool = [p for p in _pool() if str(p.pk) not in taken]
        try:
            chosen = assign_panel(
                _case_facts(locked), [_expert_facts(p) for p in pool], needed, seed=str(locked.public_id)
            )
        except PanelError as error:
            raise ReviewError(error.zh, error.en) from None
        now = timezone.now()
        made = [
            Assignment.objects.create(
                application=locked,
                step=step.index,
                expert_id=int(key),
                assigned_by=actor.user,
                opens_at=now,
                closes_at=now + timedelta(days=step.panel.window_days),
            )
            for key in chosen
        ]
        if locked.state == "submitted":
            applications.move(actor, locked, "accept", detail={"step": step.index})
        _event(actor, "panel_formed", locked, step=step.index, experts=[int(k) for k in chosen])
    return made


def assign_expert(actor: Actor, application: Application, profile: ExpertProfile) -> Assignment:
    """A bureau adds one named expert; refused when greencore finds a conflict."""
    with transaction.atomic():
        locked, step = _locked_step(actor, application)
        if step.panel is None:
            raise ReviewError("本步骤不组织专家评审。", "this step has no expert panel")
        conflict = check_assignment(_case_facts(locked), _expert_facts(profile))
        if conflict is not None:
            raise ReviewError(
                f"该专家存在利益冲突：{conflict.zh}", f"the expert has a conflict of interest: {conflict.en}"
            )
        now = timezone.now()
        try:
            with transaction.atomic():
                made = Assignment.objects.create(
                    application=locked,
                    step=step.index,
                    expert=profile,
                    assigned_by=actor.user,
                    opens_at=now,
                    closes_at=now + timedelta(days=step.panel.window_days),
                )
        except IntegrityError:
            raise ReviewError("该专家已在专家组中。", "the expert is already on the panel") from None
        _event(actor, "expert_assigned", locked, step=step.index, expert=profile.pk)
    return made


def reopen_stale_scores(actor: Actor, application: Application) -> list[Assignment]:
    """After a resubmission, reopen the signed scores that rest on changed indicators: each expert gets a
    new window to confirm (sign again) or change them; the step waits until they have signed. The scores
    as first signed stay in the event."""
    with transaction.atomic():
        locked, step = _locked_step(actor, application)
        stale = [s.assignment for s in stale_results(locked, step) if s.assignment is not None]
        if not stale or step.panel is None:
            raise ReviewError("没有须专家重新确认的评分。", "no expert score needs to be confirmed again")
        now = timezone.now()
        reopened: list[Assignment] = []
        for assignment in stale:
            row = Assignment.objects.select_for_update().get(pk=assignment.pk)
            previous = row.manifest
            row.status = Assignment.Status.ACTIVE
            row.signed_at = None
            row.manifest = None
            row.signature = None
            row.closes_at = max(row.closes_at, now + timedelta(days=step.panel.window_days))
            row.save(update_fields=["status", "signed_at", "manifest", "signature", "closes_at"])
            _event(
                actor,
                "scores_reopened",
                locked,
                step=step.index,
                assignment=str(row.public_id),
                previous=previous,
            )
            reopened.append(row)
    return reopened


def _locked_assignment(actor: Actor, assignment: Assignment) -> Assignment:
    locked = Assignment.objects.select_for_update().select_related("expert__user").get(pk=assignment.pk)
    if locked.expert.user_id != actor.user.pk:
        raise PermissionDenied
    now = timezone.now()
    if locked.status != Assignment.Status.ACTIVE:
        raise ReviewError(
            "该评审任务已签署或已撤销。", "the review assignment is already signed or withdrawn"
        )
    if not locked.opens_at <= now <= locked.closes_at:
        raise ReviewError("不在评审期内。", "the review window is not open")
    return locked


def declare_conflict(actor: Actor, assignment: Assignment, kind: str, note: str) -> Assignment:
    """The expert declares a conflict: the relation is recorded and the assignment withdrawn at once."""
    if not note.strip():
        raise ReviewError("请说明利益关系。", "describe the relation")
    with transaction.atomic():
        locked = _locked_assignment(actor, assignment)
        application = locked.application
        ExpertRelation.objects.get_or_create(
            expert=locked.expert,
            organisation=application.applicant,
            kind=kind or "declared",
            defaults={"note": note.strip()[:200]},
        )
        locked.status = Assignment.Status.WITHDRAWN
        locked.withdrawn_reason = f"专家申报利益冲突：{note.strip()[:150]}"
        locked.save(update_fields=["status", "withdrawn_reason"])
        _event(actor, "conflict_declared", application, assignment=str(locked.public_id), kind=kind)
    return locked


def save_expert_scores(actor: Actor, assignment: Assignment, points: dict[str, str]) -> list[Detail]:
    """Store the expert's points per indicator; returns the errors (per indicator, in Chinese and English,
    placed at the indicator). Values outside 0..max are refused and nothing of that indicator is stored."""
    errors: list[Detail] = []
    with transaction.atomic():
        locked = _locked_assignment(actor, assignment)
        sheet = {row["id"]: row for row in scoring_sheet(locked.application)}
        for indicator, text in points.items():
            row = sheet.get(indicator)
            if row is None:
                errors.append(Detail(f"未知指标：{indicator}", f"unknown indicator: {indicator}", indicator))
                continue
            if not str(text).strip():
                ExpertScore.objects.filter(assignment=locked, indicator=indicator).delete()
                continue
            try:
                value = Decimal(str(text).strip())
            except ArithmeticError:
                errors.append(
                    Detail(
                        f"{row['label']}：「{text}」不是数字",
                        f"{row['label_en']}: “{text}” is not a number",
                        indicator,
                    )
                )
                continue
            if not value.is_finite() or value < 0 or value > row["max_points"]:
                errors.append(
                    Detail(
                        f"{row['label']}：得分须在 0 至 {row['max_points']} 之间",
                        f"{row['label_en']}: the points must lie between 0 and {row['max_points']}",
                        indicator,
                    )
                )
                continue
            ExpertScore.objects.update_or_create(
                assignment=locked, indicator=indicator, defaults={"points": value.quantize(Decimal("0.01"))}
            )
        _event(
            actor, "expert_scored", locked.application, assignment=str(locked.public_id), count=len(points)
        )
    return errors


def sign_off_manifest(assignment: Assignment) -> dict[str, Any]:
    """What an expert signs: who, which case and step, when, and every indicator's points."""
    return {
        "assignment": str(assignment.public_id),
        "application": str(assignment.application.public_id),
        "step": assignment.step,
        "expert": assignment.expert.user.username,
        "signed_at": assignment.signed_at.isoformat() if assignment.signed_at else "",
        "scores": {s.indicator: str(s.points) for s in assignment.scores.order_by("indicator")},
    }


def sign_scores(actor: Actor, assignment: Assignment) -> Assignment:
    """The expert signs off: every indicator must be scored; afterwards the scores are final."""
    with transaction.atomic():
        locked = _locked_assignment(actor, assignment)
        scored = set(locked.scores.values_list("indicator", flat=True))
        missing = [row for row in scoring_sheet(locked.application) if row["id"] not in scored]
        if missing:
            raise ReviewError(
                f"还有 {len(missing)} 项指标未评分：{'、'.join(row['label'] for row in missing[:5])}",
                f"{len(missing)} indicator(s) are not scored yet: "
                + "; ".join(row["label_en"] for row in missing[:5]),
                details=[Detail(row["label"], row["label_en"], row["id"]) for row in missing],
            )
        locked.status = Assignment.Status.SIGNED
        locked.signed_at = timezone.now()
        total = sum((s.points for s in locked.scores.all()), Decimal("0"))
        locked.manifest = sign_off_manifest(locked)
        locked.signature = signing.sign(locked.manifest)
        locked.save(update_fields=["status", "signed_at", "manifest", "signature"])
        _event(actor, "expert_signed", locked.application, assignment=str(locked.public_id), total=str(total))
    return locked


# --- the expert pool, kept by the bureaus (issue 12) -------------------------------------------------
# A bureau adds the experts employed in its jurisdiction, with their fields and titles, and may take one
# out of the pool; each expert keeps their own declared relations current (the panel rules read them).

EXPERT_FIELDS = [
    ("factory", gettext_lazy("绿色工厂")),
    ("park", gettext_lazy("绿色工业园区")),
    ("supply_chain", gettext_lazy("绿色供应链管理企业")),
    ("product", gettext_lazy("绿色设计产品")),
    ("energy", gettext_lazy("节能与能源管理")),
    ("water", gettext_lazy("节水与水资源")),
    ("carbon", gettext_lazy("碳排放核算")),
    ("materials", gettext_lazy("资源综合利用")),
    ("pollution", gettext_lazy("污染物治理")),
]
RELATION_KINDS = [
    ("consulted", gettext_lazy("为其提供过咨询服务")),
    ("employed", gettext_lazy("曾在该单位任职")),
    ("equity", gettext_lazy("持有股权或投资关联")),
    ("family", gettext_lazy("近亲属在该单位任职")),
    ("other", gettext_lazy("其他利害关系")),
]


class PoolError(Refused):
    """A refused change to the expert pool; `field` names the form field it is about."""

    def __init__(self, zh: str, en: str = "", *, field: str = "") -> None:
        super().__init__(zh, en)
        self.field = field


def _checked_fields(fields: list[str]) -> list[str]:
    known = [key for key, _ in EXPERT_FIELDS]
    unknown = [f for f in fields if f not in known]
    if unknown or not fields:
        raise PoolError(
            "请从列表中选择至少一个专业领域。",
            "choose at least one field of expertise from the list",
            field="fields",
        )
    return [f for f in known if f in fields]


def _pool_event(actor: Actor, action: str, obj: Any, detail: dict[str, Any]) -> None:
    audit.record(
        f"reviews.{action}",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=obj,
        detail=detail,
    )


def add_expert(
    actor: Actor,
    *,
    employer_id: int,
    username: str,
    display_name: str,
    email: str,
    title: str,
    fields: list[str],
) -> tuple[ExpertProfile, str]:
    """The bureau adds an expert employed in its jurisdiction: a personal account (one-time password,
    second factor at the first sign-in) and its pool profile."""
    if not actor.is_reviewer:
        raise PermissionDenied
    chosen = _checked_fields(fields)
    title = (title or "").strip()[:64]
    username = orgs.checked_username(username)
    email = orgs.checked_email(email)
    with transaction.atomic():
        employer = organisations_visible_to(actor).filter(pk=employer_id).first()
        if employer is None or not covers(actor.organisation, employer.region_id):
            raise PermissionDenied
        user, password = orgs.new_member_account(employer, "expert", username, display_name, email)
        profile = ExpertProfile.objects.create(user=user, fields=chosen, title=title)
        _pool_event(
            actor,
            "expert_added",
            profile,
            {"username": username, "employer": employer.pk, "fields": chosen, "title": title},
        )
    return profile, password


def experts_of(actor: Actor) -> list[ExpertProfile]:
    """The experts whose employer lies in the bureau's jurisdiction."""
    if not actor.is_reviewer:
        return []
    return list(
        ExpertProfile.objects.filter(user__membership__organisation__in=organisations_visible_to(actor))
        .select_related("user__membership__organisation")
        .prefetch_related("relations__organisation")
        .order_by("user__username")
    )


def change_expert(
    actor: Actor, profile_id: int, *, title: str, fields: list[str], active: bool
) -> ExpertProfile:
    """The bureau changes an expert's fields and title, or takes them out of the pool (never deleted:
    their panels and scores stay)."""
    if not actor.is_reviewer:
        raise PermissionDenied
    chosen = _checked_fields(fields)
    with transaction.atomic():
        profile = (
            ExpertProfile.objects.select_for_update(of=("self",))
            .select_related("user__membership__organisation")
            .filter(pk=profile_id)
            .first()
        )
        if profile is None or not covers(actor.organisation, profile.user.membership.organisation.region_id):
            raise PermissionDenied
        before = {"title": profile.title, "fields": profile.fields, "active": profile.active}
        profile.title, profile.fields, profile.active = (title or "").strip()[:64], chosen, active
        profile.save(update_fields=["title", "fields", "active"])
        after = {"title": profile.title, "fields": profile.fields, "active": profile.active}
        _pool_event(
            actor,
            "expert_changed",
            profile,
            {k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return profile


def declare_relation(actor: Actor, *, credit_code: str, kind: str, note: str) -> ExpertRelation:
    """An expert declares a relation with an organisation (found by its credit code): the panel rules never
    assign them to its applications."""
    if not actor.is_expert:
        raise PermissionDenied
    if kind not in dict(RELATION_KINDS):
        raise PoolError("请选择关系类型。", "choose the kind of relation", field="kind")
    code = (credit_code or "").strip().upper()
    organisation = Organisation.objects.filter(credit_code=code).first() if code else None
    if organisation is None:
        raise PoolError(
            f"平台上没有统一社会信用代码为 {code or '（空）'} 的单位。",
            f"no organisation on the platform has the unified social credit code {code or '(empty)'}",
            field="credit_code",
        )
    with transaction.atomic():
        profile = ExpertProfile.objects.select_for_update().get(user=actor.user)
        relation, created = ExpertRelation.objects.get_or_create(
            expert=profile,
            organisation=organisation,
            kind=kind,
            defaults={"note": (note or "").strip()[:200]},
        )
        if not created:
            raise PoolError("该关系已声明。", "this relation is already declared", field="kind")
        _pool_event(actor, "relation_declared", relation, {"organisation": organisation.pk, "kind": kind})
    return relation


def withdraw_relation(actor: Actor, relation_id: int) -> None:
    """An expert withdraws a relation that no longer holds (recorded in the audit log)."""
    if not actor.is_expert:
        raise PermissionDenied
    with transaction.atomic():
        relation = (
            ExpertRelation.objects.select_for_update().filter(pk=relation_id, expert__user=actor.user).first()
        )
        if relation is None:
            raise PermissionDenied
        _pool_event(
            actor,
            "relation_withdrawn",
            relation,
            {"organisation": relation.organisation_id, "kind": relation.kind},
        )
        relation.delete()
