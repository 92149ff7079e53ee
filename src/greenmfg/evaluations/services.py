"""Every write of third-party evaluation: engaging a body, declining or ending, the evaluator's values,
findings, the conclusion, and conflict declarations. Each locks its rows, checks, and writes the change
with its audit event in one transaction.

Locks are taken in one order — application, then the body's Organisation row, then engagements — so
writers never wait on each other in a cycle. The body's row is the lock every quota and conflict decision
about that body takes: two engagements racing for its last national slot, or an engagement racing a
conflict declaration, queue there and the second sees what the first wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from greencore import compare_results, quota_counts, quota_refusal
from greenmfg.applications.answers import Answers, as_typed
from greenmfg.applications.dossier import (
    Evaluation,
    blocker_details,
    build_form,
    evaluate,
    scheme_for,
    store_result,
)
from greenmfg.applications.models import Application, Dossier
from greenmfg.applications.selectors import decided_inputs, latest_frozen
from greenmfg.applications.states import ENGAGEABLE, NOT_EVALUABLE
from greenmfg.audit import services as audit
from greenmfg.audit.services import canonical, sm3
from greenmfg.core.errors import Refused
from greenmfg.evidence import files
from greenmfg.notifications import services as notifications
from greenmfg.orgs.models import Organisation, OrgKind, OrgStatus
from greenmfg.orgs.predicates import applicant_for, evaluator_for
from greenmfg.orgs.selectors import Actor

from .models import (
    CURRENT,
    ConflictDeclaration,
    ConflictKind,
    Engagement,
    EngagementStatus,
    Finding,
    FindingKind,
)
from .selectors import conflicts_between, national_projects, stored_result

TEXT_LIMIT = 2000


class EvaluationError(Refused):
    """A refused action of third-party evaluation."""


class IntegrityFailure(EvaluationError):
    pass


def _event(actor: Actor, action: str, engagement: Engagement, before: str, **detail: Any) -> None:
    audit.record(
        f"evaluation.{action}",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=engagement,
        object_id=str(engagement.public_id),
        from_state=before,
        to_state=engagement.status,
        detail={"application": str(engagement.application.public_id), **detail},
    )


def _locked(engagement: Engagement) -> Engagement:
    return (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("application__call", "body")
        .get(pk=engagement.pk)
    )


def _require_evaluator(actor: Actor, engagement: Engagement) -> None:
    if not evaluator_for(actor, engagement.body_id):
        raise PermissionDenied


def _require_owner(actor: Actor, application: Application) -> None:
    if not applicant_for(actor, application.applicant_id):
        raise PermissionDenied


def _require_in_progress(engagement: Engagement) -> None:
    if engagement.status == EngagementStatus.CONCLUDED:
        raise EvaluationError(
            "评价结论已出具，不能再修改。", "the evaluation is concluded: it can no longer be changed"
        )
    if engagement.status != EngagementStatus.ENGAGED:
        raise EvaluationError(
            f"该委托{engagement.get_status_display()}，不能继续评价。",
            f"the engagement is {engagement.status}: the evaluation cannot go on",
        )


def _submitted_version(application: Application) -> Dossier:
    """The frozen self-evaluation the evaluator works beside; evaluators score only after submission."""
    frozen = latest_frozen(application)
    if frozen is None or application.state in NOT_EVALUABLE:
        raise EvaluationError(
            "申报单位尚未提交自评价（或已撤回），暂不能评价。",
            "the applicant has not submitted its self-evaluation (or has withdrawn it): "
            "it cannot be evaluated yet",
        )
    return frozen


def _conflict_reasons(declarations: list[ConflictDeclaration]) -> str:
    return "；".join(f"{d.get_kind_display()}：{d.note}" for d in declarations)


# --- engagement ------------------------------------------------------------------------------------


def engage(actor: Actor, application: Application, body_id: Any, *, today: date | None = None) -> Engagement:
    """The applicant engages an evaluation body for its application: the call must take third-party
    evaluation, one engagement in force per application, no declared conflict, and the body's yearly
    quota of national-level projects (13号文 Art. 20) not yet full."""
    _require_owner(actor, application)
    year = (today or timezone.localdate()).year
    try:
        with transaction.atomic():
            locked = (
                Application.objects.select_for_update(of=("self",))
                .select_related("call", "applicant")
                .get(pk=application.pk)
            )
            call = locked.call
            if not call.requires_third_party:
                raise EvaluationError(
                    "该批次仅接受企业自评价，不委托第三方评价机构。",
                    "this call takes the self-evaluation only: no third-party evaluation body is engaged",
                )
            if locked.state not in ENGAGEABLE:
                raise EvaluationError(
                    "当前申报状态不能委托第三方评价机构。",
                    "an evaluation body cannot be engaged in the application's present state",
                )
            current = Engagement.objects.filter(application=locked, status__in=CURRENT).first()
            if current is not None:
                raise EvaluationError(
                    f"本申报已委托“{current.body.name}”进行第三方评价；如需更换，请先终止该委托。",
                    "the application already has an engagement in force",
                )
            try:
                key = int(body_id)
            except (TypeError, ValueError):
                key = 0
            body = Organisation.objects.select_for_update().filter(pk=key).first()
            if body is None or body.kind != OrgKind.EVALUATION_BODY or body.status != OrgStatus.ACTIVE:
                raise EvaluationError(
                    "请选择已登记并经确认的第三方评价机构。",
                    "choose a registered and confirmed third-party evaluation body",
                )
            conflicts = list(conflicts_between(body, locked.applicant))
            if conflicts:
                raise EvaluationError(
                    f"该评价机构与本单位存在利益冲突（{_conflict_reasons(conflicts)}），不能委托。",
                    "the evaluation body has a declared conflict of interest with the applicant",
                )
            refusal = quota_refusal(call.level, national_projects(body, year), year)
            if refusal is not None:
                raise EvaluationError(*refusal)
            engagement = Engagement.objects.create(
                application=locked,
                body=body,
                year=year,
                engaged_by=actor.user,
                engaged_at=timezone.now(),
            )
            _event(
                actor,
                "engaged",
                engagement,
                "",
                body=body.name,
                body_code=body.credit_code or "",
                year=year,
                national=quota_counts(call.level),
            )
            notifications.notify_organisation(
                body.pk,
                "evaluation.engaged",
                f"新的第三方评价委托：{locked.applicant.name}",
                f"{call.name}。请核对有无利益冲突后开展评价，或说明理由予以拒绝。",
                reverse("evaluations:detail", kwargs={"public_id": engagement.public_id}),
                roles=["evaluator"],
            )
    except IntegrityError:  # the partial unique constraint, should a check above ever be bypassed
        raise EvaluationError(
            "本申报已有生效的第三方评价委托。", "the application already has an engagement in force"
        ) from None
    return engagement


def end_engagement(actor: Actor, engagement: Engagement, reason: str = "") -> Engagement:
    """The applicant ends an engagement before the body concludes (a concluded evaluation stays)."""
    _require_owner(actor, engagement.application)
    with transaction.atomic():
        locked = _locked(engagement)
        if locked.status == EngagementStatus.CONCLUDED:
            raise EvaluationError(
                "评价结论已出具，不能终止委托。",
                "the evaluation is concluded: the engagement can no longer be ended",
            )
        if locked.status != EngagementStatus.ENGAGED:
            raise EvaluationError(
                "该委托已不在履行中。", f"the engagement is {locked.status}: it is no longer in force"
            )
        _close(locked, actor, EngagementStatus.ENDED, reason.strip()[:TEXT_LIMIT] or "申报单位终止委托")
        _event(actor, "ended", locked, EngagementStatus.ENGAGED, reason=locked.end_reason)
    return locked


def decline(actor: Actor, engagement: Engagement, reason: str) -> Engagement:
    """The body declines an engagement it has not concluded; the applicant may then engage another."""
    _require_evaluator(actor, engagement)
    if not reason.strip():
        raise EvaluationError("请写明拒绝理由。", "give the reason for declining")
    with transaction.atomic():
        locked = _locked(engagement)
        _require_in_progress(locked)
        _close(locked, actor, EngagementStatus.DECLINED, reason.strip()[:TEXT_LIMIT])
        _event(actor, "declined", locked, EngagementStatus.ENGAGED, reason=locked.end_reason)
    return locked


def _close(engagement: Engagement, actor: Actor, status: str, reason: str) -> None:
    engagement.status = status
    engagement.ended_by = actor.user
    engagement.ended_at = timezone.now()
    engagement.end_reason = reason
    engagement.save(update_fields=["status", "ended_by", "ended_at", "end_reason"])


# --- the evaluator's values ------------------------------------------------------------------------


@dataclass
class SaveOutcome:
    engagement: Engagement
    evaluation: Evaluation


def save_values(actor: Actor, engagement: Engagement, values: dict[str, str]) -> SaveOutcome:
    """Merge the evaluator's values into its answers, as typed (the dossier's rules: fields not sent are
    kept, an empty value clears, unknown keys are refused). The first save starts from the applicant's
    submitted answers, so the evaluator changes what it found different and confirms the rest."""
    _require_evaluator(actor, engagement)
    with transaction.atomic():
        locked = _locked(engagement)
        _require_in_progress(locked)
        frozen = _submitted_version(locked.application)
        call = locked.application.call
        scheme = scheme_for(call.scheme_id, call.scheme_version)
        form = build_form(scheme)
        refused = [key for key in values if not form.accepts(key)]
        if refused:
            raise EvaluationError(
                f"未知字段：{'、'.join(refused[:5])}", f"unknown fields: {', '.join(refused[:5])}"
            )
        started = locked.answers if locked.answers is not None else frozen.answers
        answers = Answers.from_json(started).merge(values)
        locked.answers = answers.to_json()
        locked.revision += 1
        evaluation = evaluate(scheme, answers, decided_inputs(locked.application))
        store_result(locked, evaluation)
        locked.save(update_fields=["answers", "revision", "result", "score", "grade"])
        _event(
            actor,
            "scores_saved",
            locked,
            locked.status,
            values={key: as_typed(value) for key, value in values.items()},
            revision=locked.revision,
            score=str(locked.score) if locked.score is not None else None,
        )
    return SaveOutcome(locked, evaluation)


# --- findings --------------------------------------------------------------------------------------


def add_finding(
    actor: Actor,
    engagement: Engagement,
    *,
    kind: str,
    description: str,
    indicator: str = "",
    stream: BinaryIO | None = None,
    filename: str = "",
) -> Finding:
    """An on-site finding; its file, if any, is checked by content like evidence, stored under a
    server-made name and kept with its SM3 (what was checked is what was stored, or nothing is)."""
    _require_evaluator(actor, engagement)
    if kind not in FindingKind.values:
        raise EvaluationError(
            "请选择核查方式（文件核查、人员访谈或现场核查）。",
            "choose how the finding was checked (documents, interviews or on site)",
        )
    text = description.strip()
    if not text:
        raise EvaluationError("请填写核查发现。", "describe the finding")
    call = engagement.application.call
    form = build_form(scheme_for(call.scheme_id, call.scheme_version))
    if indicator and indicator not in dict(form.indicators):
        raise EvaluationError("未知指标。", "there is no such indicator")
    _require_in_progress(engagement)
    _submitted_version(engagement.application)
    stored: dict[str, Any] = {}
    if stream is not None:
        stored = _store_file(actor, engagement, stream, filename)
    try:
        with transaction.atomic():
            locked = _locked(engagement)
            _require_in_progress(locked)
            _submitted_version(locked.application)
            finding = Finding.objects.create(
                engagement=locked,
                kind=kind,
                indicator=indicator,
                description=text[:TEXT_LIMIT],
                recorded_by=actor.user,
                recorded_at=timezone.now(),
                **stored,
            )
            _event(
                actor,
                "finding_recorded",
                locked,
                locked.status,
                finding=str(finding.pk),
                kind=kind,
                indicator=indicator,
                file_sm3=finding.file_sm3,
            )
    except Exception:
        if stored:
            files.discard(stored["storage_name"])
        raise
    return finding


def _store_file(actor: Actor, engagement: Engagement, stream: BinaryIO, filename: str) -> dict[str, Any]:
    try:
        stored = files.receive(
            "finding",
            stream,
            filename,
            actor=actor,
            obj=engagement,
            object_id=str(engagement.public_id),
            under=str(engagement.public_id),
        )
    except files.FileRefused as refused:
        raise EvaluationError(refused.zh, refused.en) from None
    return {
        "file_name": stored.name,
        "file_kind": stored.kind,
        "file_mime": stored.mime,
        "file_size": stored.size,
        "file_sm3": stored.sm3,
        "storage_name": stored.storage_name,
    }


def open_finding_file(actor: Actor, finding: Finding) -> BinaryIO:
    """The finding's file after the checked-file service computed its SM3 again; a mismatch is refused
    and recorded."""
    if not finding.storage_name:
        raise EvaluationError("该核查记录没有附件。", "this finding has no attached file")
    try:
        return files.open_checked(
            finding.storage_name,
            finding.file_sm3,
            actor=actor,
            obj=finding,
            refused_action="evaluation.finding_integrity_failed",
            read_action="evaluation.finding_downloaded",
        )
    except files.FileTampered as tampered:
        raise IntegrityFailure(tampered.zh, tampered.en) from None


# --- conclusion ------------------------------------------------------------------------------------


def conclude(actor: Actor, engagement: Engagement, conclusion: str) -> Engagement:
    """Freeze the evaluation: the result greencore computes from the evaluator's values, the findings and
    the conclusion, under a manifest SM3 that also pins the self-evaluation version compared against."""
    _require_evaluator(actor, engagement)
    text = conclusion.strip()
    if not text:
        raise EvaluationError("请填写评价结论。", "write the evaluation's conclusion")
    with transaction.atomic():
        locked = _locked(engagement)
        _require_in_progress(locked)
        application = locked.application
        frozen = _submitted_version(application)
        if locked.answers is None:
            raise EvaluationError(
                "尚未录入评价值，请逐项核实后录入。",
                "no evaluation values are entered yet: check each item and enter them",
            )
        call = application.call
        scheme = scheme_for(call.scheme_id, call.scheme_version)
        evaluation = evaluate(scheme, locked.answers, decided_inputs(application))
        problems = blocker_details(build_form(scheme), evaluation)
        if problems or evaluation.result is None:
            raise EvaluationError(
                "评价数据尚不完整，不能出具结论。",
                "the evaluation data are incomplete: no conclusion can be given yet",
                details=problems,
            )
        store_result(locked, evaluation)
        now = timezone.now()
        flagged = [
            c.id
            for c in compare_results(stored_result(frozen.result), evaluation.result, call.score_margin)
            if c.flagged
        ]
        manifest = {
            "engagement": str(locked.public_id),
            "application": str(application.public_id),
            "body": locked.body.credit_code or locked.body.name,
            "self_evaluation": {"version": frozen.number, "manifest_sm3": frozen.manifest_sm3},
            "scheme": f"{call.scheme_id}@{call.scheme_version}",
            "answers": locked.answers,
            "score": str(locked.score),
            "grade": locked.grade,
            "score_margin": str(call.score_margin),
            "flagged": flagged,
            "findings": [
                {"id": str(f.pk), "kind": f.kind, "indicator": f.indicator, "sm3": f.file_sm3}
                for f in locked.findings.order_by("recorded_at")
            ],
            "conclusion": text,
            "concluded_at": now.isoformat(),
        }
        locked.conclusion = text[: TEXT_LIMIT * 5]
        locked.dossier = frozen
        locked.score_margin = call.score_margin
        locked.concluded_by = actor.user
        locked.concluded_at = now
        locked.manifest_sm3 = sm3(canonical(manifest))
        locked.status = EngagementStatus.CONCLUDED
        locked.save()
        _event(
            actor,
            "concluded",
            locked,
            EngagementStatus.ENGAGED,
            score=str(locked.score),
            self_version=frozen.number,
            flagged=flagged,
            manifest_sm3=locked.manifest_sm3,
        )
    return locked


# --- resubmission after a return -------------------------------------------------------------------

CONFIRM, RESCORE = "confirm", "rescore"


def review_resubmission(actor: Actor, engagement: Engagement, action: str, note: str = "") -> Engagement:
    """The applicant resubmitted after a return: the evaluator either confirms that its concluded values
    still hold for the new version (with a note; the evaluation now rests on that version), or reopens the
    evaluation to score again and conclude anew. Either way the review step stops waiting on it."""
    _require_evaluator(actor, engagement)
    if action not in (CONFIRM, RESCORE):
        raise EvaluationError(
            "请选择确认原评价或重新评价。", "choose to confirm the evaluation or to evaluate again"
        )
    text = note.strip()
    if action == CONFIRM and not text:
        raise EvaluationError("确认原评价须写明确认意见。", "a confirmation needs a note")
    with transaction.atomic():
        locked = _locked(engagement)
        if locked.status != EngagementStatus.CONCLUDED:
            raise EvaluationError(
                "只有已出具结论的评价才能确认或重新评价。",
                "only a concluded evaluation can be confirmed or evaluated again",
            )
        frozen = _submitted_version(locked.application)
        pinned = locked.dossier.number if locked.dossier is not None else 0
        if frozen.number <= pinned:
            raise EvaluationError(
                "申报单位没有提交新的版本，无须确认。",
                "the applicant has submitted no newer version: there is nothing to confirm",
            )
        if action == CONFIRM:
            locked.dossier = frozen
            locked.save(update_fields=["dossier"])
        else:
            locked.status = EngagementStatus.ENGAGED
            locked.save(update_fields=["status"])
        _event(
            actor,
            "resubmission_confirmed" if action == CONFIRM else "resubmission_rescore",
            locked,
            EngagementStatus.CONCLUDED,
            from_version=pinned,
            to_version=frozen.number,
            note=text[:TEXT_LIMIT],
        )
    return locked


# --- conflicts of interest -------------------------------------------------------------------------


def declare_conflict(actor: Actor, other_id: Any, kind: str, note: str) -> ConflictDeclaration:
    """Either side declares a conflict: the body names an applicant organisation, the applicant names a
    body. The declaration ends every engagement in force between them (a concluded evaluation too: it was
    made under a conflict), in the same transaction."""
    if actor.is_evaluator:
        side = "body"
    elif actor.is_applicant:
        side = "applicant"
    else:
        raise PermissionDenied
    if kind not in ConflictKind.values:
        raise EvaluationError("请选择利益关系的类型。", "choose the kind of the relation")
    text = note.strip()
    if not text:
        raise EvaluationError("请说明利益关系的具体情况。", "describe the relation")
    try:
        other = int(other_id)
    except (TypeError, ValueError):
        other = 0
    body_id, applicant_id = (
        (actor.organisation.pk, other) if side == "body" else (other, actor.organisation.pk)
    )
    with transaction.atomic():
        body = Organisation.objects.select_for_update().filter(pk=body_id).first()
        if body is None or body.kind != OrgKind.EVALUATION_BODY:
            raise EvaluationError("请选择第三方评价机构。", "choose a third-party evaluation body")
        applicant = Organisation.objects.filter(
            pk=applicant_id, kind__in=(OrgKind.ENTERPRISE, OrgKind.PARK)
        ).first()
        if applicant is None:
            raise EvaluationError(
                "未找到该申报单位（企业或园区）。",
                "no such applicant organisation (enterprise or park) was found",
            )
        declaration = ConflictDeclaration.objects.create(
            body=body,
            applicant=applicant,
            kind=kind,
            note=text[:TEXT_LIMIT],
            declared_by=actor.user,
            declared_by_organisation=actor.organisation,
            declared_at=timezone.now(),
        )
        audit.record(
            "evaluation.conflict_declared",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=declaration,
            detail={
                "body": body.pk,
                "applicant": applicant.pk,
                "kind": kind,
                "note": declaration.note,
                "declared_by": side,
            },
        )
        affected = (
            Engagement.objects.select_for_update(of=("self",))
            .select_related("application")
            .filter(body=body, application__applicant=applicant, status__in=CURRENT)
        )
        reason = f"利益冲突：{declaration.get_kind_display()}（{declaration.note}）"
        for engagement in affected:
            before = engagement.status
            _close(engagement, actor, EngagementStatus.ENDED, reason[:TEXT_LIMIT])
            _event(actor, "ended", engagement, before, reason=reason, conflict=declaration.pk)
    return declaration


# --- a body suspended or removed by its bureau (issue 12) -------------------------------------------


def flag_open_engagements(body: Organisation, before: str, actor: Actor) -> None:
    """Plugged into orgs.ports.body_listing_changed: when a bureau suspends or removes a body, each
    engagement it had in force is flagged — an audit event now, and the applicant's panel says so
    (selectors.unlisted_body) — so the applicant ends it and engages a listed body. Concluded evaluations
    stand."""
    if body.status not in (OrgStatus.SUSPENDED, OrgStatus.REMOVED):
        return
    for engagement in Engagement.objects.select_related("application").filter(
        body=body, status=EngagementStatus.ENGAGED
    ):
        _event(actor, "flagged", engagement, engagement.status, body_status=body.status)
