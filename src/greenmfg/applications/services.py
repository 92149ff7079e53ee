"""Every write to an application: lock the row, check the transition in greencore's workflow table,
write the change and its event in one transaction, act on commit."""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from greencore import (
    EligibilityError,
    InputError,
    Transition,
    TransitionRefused,
    check_transition,
    limit_table_products,
    steps,
)
from greencore import step_due as core_step_due
from greenmfg.audit import services as audit
from greenmfg.audit import signing
from greenmfg.audit.services import canonical, sm3
from greenmfg.catalog.models import Call
from greenmfg.catalog.selectors import call_open_to, eligibility_of, step_date
from greenmfg.core import jobs
from greenmfg.core.errors import Detail, Refused
from greenmfg.evidence import files
from greenmfg.evidence import selectors as evidence_selectors
from greenmfg.evidence import services as evidence
from greenmfg.evidence.models import EvidenceFile
from greenmfg.notifications import services as notifications
from greenmfg.orgs.predicates import applicant_for, bureau_over
from greenmfg.orgs.selectors import Actor, actor_of

from .answers import Answers
from .dossier import (
    Evaluation,
    Form,
    blocker_details,
    build_form,
    evaluate,
    remember,
    scheme_for,
    store_result,
)
from .models import Application, Dossier, ImportJob
from .selectors import benchmark_fields, decided_inputs, limit_cells, limit_fields
from .states import EDITABLE, LIVE, WORKFLOW
from .workbook import InvalidCells, answers_from_workbook

logger = logging.getLogger(__name__)


class ApplicationError(Refused):
    """A refused action on an application or its dossier."""


def _role_in_workflow(actor: Actor, application: Application) -> str:
    if applicant_for(actor, application.applicant_id):
        return "applicant"
    if bureau_over(actor, application.region_id):
        return "signer" if actor is not None and actor.is_signer else "reviewer"
    raise PermissionDenied


def _transition(actor: Actor, application: Application, action: str) -> Transition:
    try:
        return check_transition(WORKFLOW, application.state, action, _role_in_workflow(actor, application))
    except TransitionRefused as refused:
        raise ApplicationError(refused.zh, refused.en) from None


def _event(actor: Actor, action: str, application: Application, before: str, **detail: Any) -> None:
    audit.record(
        f"application.{action}",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=application,
        object_id=str(application.public_id),
        from_state=before,
        to_state=application.state,
        detail=detail,
    )


def _locked(application_id: int) -> Application:
    return Application.objects.select_for_update().select_related("call").get(pk=application_id)


def start_application(actor: Actor, call: Call, *, today: date | None = None) -> Application:
    """A new draft for an open call in the applicant's region (one per organisation and call)."""
    if not actor.is_applicant:
        raise PermissionDenied
    refusal = call_open_to(call, actor.organisation, today or timezone.localdate())
    if refusal is not None:
        raise ApplicationError(*refusal)
    try:
        with transaction.atomic():
            # the call's row, locked: an edit of its scheme (catalog.update_call) cannot slip in between
            call = Call.objects.select_for_update().get(pk=call.pk)
            application = Application.objects.create(
                call=call,
                applicant=actor.organisation,
                region=actor.organisation.region,
                state="draft",
                state_changed_at=timezone.now(),
            )
            scheme = scheme_for(call.scheme_id, call.scheme_version)
            filled = benchmark_fields(call, actor.organisation, build_form(scheme))
            answers = Answers().merge(filled)
            dossier = Dossier(application=application, number=1, answers=answers.to_json())
            store_result(dossier, evaluate(scheme, answers, decided_inputs(application)))
            dossier.save()
            _event(actor, "started", application, "", call=call.code, benchmarks=filled)
    except IntegrityError:
        raise ApplicationError(
            "本单位已在该批次申报，请在“我的申报”中继续填写。",
            "the organisation has already applied to this call: continue under “My applications”",
        ) from None
    return application


@dataclass
class SaveOutcome:
    dossier: Dossier
    evaluation: Evaluation


def save_answers(actor: Actor, application: Application, values: dict[str, str]) -> SaveOutcome:
    """Merge the given fields into the draft, under a row lock: fields not sent are kept, so two tabs that
    edit different fields both keep their work. Unknown keys are refused; values are stored as typed."""
    if _role_in_workflow(actor, application) != "applicant":
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked(application.pk)
        if locked.state not in EDITABLE:
            raise ApplicationError(
                f"申报状态为「{WORKFLOW.states[locked.state].zh}」，不能修改。",
                f"the application is “{WORKFLOW.states[locked.state].en}”: it cannot be changed",
            )
        call = locked.call
        scheme = scheme_for(call.scheme_id, call.scheme_version)
        form = build_form(scheme)
        refused = [key for key in values if not form.accepts(key)]
        if refused:
            raise ApplicationError(
                f"未知字段：{'、'.join(refused[:5])}", f"unknown fields: {', '.join(refused[:5])}"
            )
        fixed = benchmark_fields(call, locked.applicant, form)
        typed = sorted(key for key in values if key in fixed)
        if typed:
            raise ApplicationError(
                f"基准值由主管部门按行业统一设定，不能修改：{'、'.join(typed[:5])}",
                f"benchmark values are fixed by the bureau for the industry: {', '.join(typed[:5])}",
            )
        dossier = Dossier.objects.select_for_update().get(application=locked, frozen_at__isnull=True)
        before = Answers.from_json(dossier.answers)
        after = before.merge(values)
        # the limit cells of each product row, by the product named after this save (a renamed product
        # takes its own reference values)
        cells = limit_cells(call, locked.applicant, form, after.raw)
        overtyped = [cells[key].label for key in sorted(values) if key in cells and cells[key].value]
        if overtyped:
            raise ApplicationError(
                f"能耗限额等级和取水定额由主管部门按产品统一设定，不能修改：{'、'.join(overtyped[:5])}",
                "energy-limit grades and water quotas are fixed by the bureau for the product: "
                + ", ".join(overtyped[:5]),
            )
        if locked.reopened_items:
            closed = [key for key in values if form.section_of(key) not in locked.reopened_items]
            if closed:
                raise ApplicationError(
                    f"退回时只开放了「{'、'.join(locked.reopened_items)}」，其他内容不能修改。",
                    f"the return reopened only {', '.join(locked.reopened_items)}: "
                    "nothing else can be changed",
                )
        limits = limit_fields(cells)
        # a value filled for a product no longer on that row (renamed or removed) is not the enterprise's
        stale: dict[str, str] = {}
        if limit_table_products(before.raw) != limit_table_products(after.raw):
            filled_before = limit_fields(limit_cells(call, locked.applicant, form, before.raw))
            stale = {key: "" for key in filled_before if key not in limits and key not in values}
        # the bureau's current values, also those it imported after the draft was started
        answers = after.merge(stale).merge(fixed).merge(limits)
        dossier.answers = answers.to_json()
        dossier.revision += 1
        decided = decided_inputs(locked)
        evaluation = evaluate(scheme, answers, decided)
        store_result(dossier, evaluation)
        dossier.save()
    remember(scheme, answers, evaluation, decided)  # the pages that read these answers next reuse it
    return SaveOutcome(dossier, evaluation)


def import_answers(actor: Actor, application: Application, answers: Answers, source: str) -> Dossier:
    """Merge an imported workbook's answers into the draft: its filled cells are saved over the draft, a
    field it leaves empty keeps what was typed on the web. During a partial return, a workbook that would
    change an item not reopened is refused whole (naming those items): nothing is stored. The previous
    answers stay in the event."""
    if _role_in_workflow(actor, application) != "applicant":
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked(application.pk)
        if locked.state not in EDITABLE:
            raise ApplicationError(
                "当前状态不能导入。", "a workbook cannot be imported in the application's present state"
            )
        scheme = scheme_for(locked.call.scheme_id, locked.call.scheme_version)
        # a workbook never overrides the benchmark values the bureau fixes
        answers = answers.merge(benchmark_fields(locked.call, locked.applicant, build_form(scheme)))
        dossier = Dossier.objects.select_for_update().get(application=locked, frozen_at__isnull=True)
        before = Answers.from_json(dossier.answers)
        merged = before.merge(answers.values())
        # nor the energy-limit grades and water quotas the bureau fixes for the products it names
        form = build_form(scheme)
        merged = merged.merge(limit_fields(limit_cells(locked.call, locked.applicant, form, merged.raw)))
        if locked.reopened_items:
            closed = sorted(
                {
                    form.section_of(key) or key
                    for key in before.differing(merged)
                    if form.section_of(key) not in locked.reopened_items
                }
            )
            if closed:
                raise ApplicationError(
                    f"退回时只开放了「{'、'.join(locked.reopened_items)}」，工作簿修改了未开放的"
                    f"「{'、'.join(closed)}」，未导入任何数据。",
                    f"only {', '.join(locked.reopened_items)} were reopened; the workbook changes "
                    f"{', '.join(closed)}: nothing was imported",
                )
        dossier.answers = merged.to_json()
        dossier.revision += 1
        decided = decided_inputs(locked)
        evaluation = evaluate(scheme, merged, decided)
        store_result(dossier, evaluation)
        dossier.save()
        _event(
            actor,
            "imported",
            locked,
            locked.state,
            source=source,
            changed=sorted(before.differing(merged)),
            previous_answers=before.to_json(),
        )
    remember(scheme, merged, evaluation, decided)
    return dossier


def missing_evidence(application: Application, form: Form) -> list[Detail]:
    """The indicators the call requires evidence for (its eligibility's evidence_required) that have none:
    each its label in Chinese and English, placed at the indicator."""
    try:
        required = eligibility_of(application.call).evidence_required
    except EligibilityError as error:  # a call stored around the checks of catalog.services
        return [
            Detail(f"（该批次的申报条件有误：{error.zh}）", f"(the call's conditions are wrong: {error.en})")
        ]
    have = evidence_selectors.indicators_with_evidence(application.pk)
    rows = form.indicator_by_id
    return [
        Detail(row.label, row.label_en or row.label, i) if (row := rows.get(i)) else Detail(i, i, i)
        for i in required
        if i not in have
    ]


def submission_blockers(application: Application) -> list[Detail]:
    """What stops the submission, each in Chinese and English, placed at the form field or indicator."""
    dossier = application.versions.get(frozen_at__isnull=True)
    scheme = scheme_for(application.call.scheme_id, application.call.scheme_version)
    form = build_form(scheme)
    found = blocker_details(form, evaluate(scheme, dossier.answers, decided_inputs(application)))
    found += [
        Detail(f"缺少佐证材料：{label}", f"Evidence missing: {label.en}", label.place)
        for label in missing_evidence(application, form)
    ]
    return found


def submit(actor: Actor, application: Application) -> Application:
    """Freeze the draft and its evidence, and move the application to 已提交. Exactly once: a second
    submit waits for the lock, then finds the state changed and is refused."""
    with transaction.atomic():
        locked = _locked(application.pk)
        transition = _transition(actor, locked, "submit")
        if (
            locked.state == "returned"
            and locked.return_deadline
            and locked.return_deadline < timezone.localdate()
        ):
            raise ApplicationError(
                f"补正期限（{locked.return_deadline:%Y年%m月%d日}）已过，不能再提交。",
                f"the revision deadline ({locked.return_deadline}) has passed: it can no longer be submitted",
            )
        problems = submission_blockers(locked)
        if problems:
            raise ApplicationError(
                "尚不能提交，请先补全以下内容。",
                "the application cannot be submitted yet: complete the following first",
                details=problems,
            )
        before = locked.state
        now = timezone.now()
        dossier = Dossier.objects.select_for_update().get(application=locked, frozen_at__isnull=True)
        digests = evidence.freeze_evidence(locked.pk, now)
        manifest = {
            "application": str(locked.public_id),
            "version": dossier.number,
            "scheme": f"{locked.call.scheme_id}@{locked.call.scheme_version}",
            "answers": dossier.answers,
            "score": str(dossier.score),
            "evidence": digests,
        }
        dossier.manifest_sm3 = sm3(canonical(manifest))
        dossier.manifest = manifest
        dossier.signature = signing.sign(manifest)
        dossier.frozen_at = now
        dossier.frozen_by = actor.user
        dossier.save()
        locked.state = transition.target
        locked.submitted_at = now
        locked.state_changed_at = now
        # the step that returned it (or the first) gets its full time again
        chain = steps(locked.call.review_chain)
        locked.step_due_on = step_due_on(locked.call, min(locked.review_step, len(chain) - 1))
        locked.reopened_items = []
        locked.save(
            update_fields=["state", "submitted_at", "state_changed_at", "step_due_on", "reopened_items"]
        )
        _event(actor, "submit", locked, before, version=dossier.number, manifest_sm3=dossier.manifest_sm3)
        notifications.cancel_deadline(return_key(locked))  # a resubmission meets the return's deadline
    return locked


def _new_draft_from(application: Application, frozen: Dossier | None) -> None:
    if application.versions.filter(frozen_at__isnull=True).exists():
        return
    answers = Answers.from_json(frozen.answers) if frozen else Answers()
    number = (frozen.number if frozen else 0) + 1
    dossier = Dossier(application=application, number=number, answers=answers.to_json())
    call = application.call
    scheme = scheme_for(call.scheme_id, call.scheme_version)
    store_result(dossier, evaluate(scheme, answers, decided_inputs(application)))
    dossier.save()


def withdraw(actor: Actor, application: Application, reason: str = "") -> Application:
    with transaction.atomic():
        locked = _locked(application.pk)
        transition = _transition(actor, locked, "withdraw")
        before = locked.state
        locked.state = transition.target
        locked.state_changed_at = timezone.now()
        locked.save(update_fields=["state", "state_changed_at"])
        _event(actor, "withdraw", locked, before, reason=reason)
    return locked


def reopen(actor: Actor, application: Application) -> Application:
    """A withdrawn application becomes a draft again, continuing from its last answers."""
    with transaction.atomic():
        locked = _locked(application.pk)
        refusal = call_open_to(locked.call, locked.applicant, timezone.localdate())
        if refusal is not None:
            raise ApplicationError(*refusal)
        transition = _transition(actor, locked, "reopen")
        before = locked.state
        _new_draft_from(locked, locked.versions.filter(frozen_at__isnull=False).order_by("-number").first())
        locked.state = transition.target
        locked.state_changed_at = timezone.now()
        locked.save(update_fields=["state", "state_changed_at"])
        _event(actor, "reopen", locked, before)
    return locked


def return_for_revision(
    actor: Actor,
    application: Application,
    reason: str,
    deadline: date | None,
    items: list[str] | None = None,
) -> Application:
    """The bureau sends the application back, reopening the named sections only (all when none are
    named) until the deadline; the applicant edits a new version (the submitted one stays)."""
    if not reason.strip():
        raise ApplicationError("退回须写明理由。", "a return needs a reason")
    if deadline is not None and deadline < timezone.localdate():
        raise ApplicationError("补正期限不能早于今天。", "the revision deadline cannot be earlier than today")
    with transaction.atomic():
        locked = _locked(application.pk)
        transition = _transition(actor, locked, "return_for_revision")
        call = locked.call
        titles = {s.title for s in build_form(scheme_for(call.scheme_id, call.scheme_version)).sections}
        unknown = [item for item in items or [] if item not in titles]
        if unknown:
            raise ApplicationError(
                f"没有这些填报项：{'、'.join(unknown)}", f"there are no such items: {', '.join(unknown)}"
            )
        before = locked.state
        _new_draft_from(locked, locked.versions.filter(frozen_at__isnull=False).order_by("-number").first())
        locked.state = transition.target
        locked.return_reason = reason.strip()
        locked.return_deadline = deadline
        locked.reopened_items = list(items or [])
        locked.state_changed_at = timezone.now()
        locked.save(
            update_fields=["state", "return_reason", "return_deadline", "reopened_items", "state_changed_at"]
        )
        _event(
            actor,
            "return_for_revision",
            locked,
            before,
            reason=reason.strip(),
            deadline=str(deadline or ""),
            items=list(items or []),
        )
        _tell_returned(locked, reason.strip(), deadline)
    return locked


def move_return_deadline(actor: Actor, application: Application, deadline: date) -> Application:
    """The bureau over the application's region moves the deadline of a return (e.g. extends it on
    request); the applicant is told and the reminders move with it."""
    if deadline < timezone.localdate():
        raise ApplicationError("补正期限不能早于今天。", "the revision deadline cannot be earlier than today")
    with transaction.atomic():
        locked = _locked(application.pk)
        if not bureau_over(actor, locked.region_id):
            raise PermissionDenied
        if locked.state != "returned":
            raise ApplicationError(
                "只有退回修改中的申报才有补正期限。",
                "only an application returned for revision has a revision deadline",
            )
        before = locked.return_deadline
        locked.return_deadline = deadline
        locked.save(update_fields=["return_deadline"])
        _event(
            actor,
            "return_deadline_moved",
            locked,
            locked.state,
            deadline_before=str(before or ""),
            deadline_after=str(deadline),
        )
        link = reverse("applications:dossier", kwargs={"public_id": locked.public_id})
        notifications.notify_organisation(
            locked.applicant_id,
            "application.deadline_moved",
            f"补正期限已调整：{locked.call.name}",
            f"新的期限：{notifications.zh_date(deadline)}。",
            link,
        )
        notifications.schedule_deadline(
            return_key(locked),
            notifications.members(locked.applicant_id),
            deadline,
            f"退回补正期限：{locked.call.name}",
            link,
        )
    return locked


def step_due_on(call: Call, index: int, arrived_on: date | None = None) -> date:
    """The due date of step `index` for an application reaching it on `arrived_on` (today): the call
    calendar's date for the step, else the step's review days later (greencore.step_due)."""
    spec = steps(call.review_chain)[index]
    return core_step_due(step_date(call, index), arrived_on or timezone.localdate(), spec.days)


def move_step_due(call: Call, index: int, day: date | None) -> int:
    """The calendar moved step `index`'s date (port catalog.step_date_moved): each application waiting at
    that step takes the new due date — or, when the date was cleared, its review days from the day it
    arrived. Returns how many changed."""
    spec = steps(call.review_chain)[index]
    moved = 0
    waiting = Application.objects.select_for_update().filter(call=call, review_step=index, state__in=LIVE)
    for application in waiting:
        changed = application.state_changed_at
        arrived = timezone.localdate(changed) if changed else timezone.localdate()
        due = core_step_due(day, arrived, spec.days)
        if application.step_due_on != due:
            application.step_due_on = due
            application.save(update_fields=["step_due_on"])
            moved += 1
    return moved


def return_key(application: Application) -> str:
    """The name of an application's return deadline among the notification reminders."""
    return f"return:{application.public_id}"


def _tell_returned(application: Application, reason: str, deadline: date | None) -> None:
    """The applicant hears of the return now, and is reminded before its deadline (notifications)."""
    link = reverse("applications:dossier", kwargs={"public_id": application.public_id})
    call = application.call.name
    until = f"，请于 {notifications.zh_date(deadline)} 前修改后重新提交" if deadline else "，请修改后重新提交"
    notifications.notify_organisation(
        application.applicant_id, "application.returned", f"申报被退回：{call}", f"{reason}{until}。", link
    )
    notifications.schedule_deadline(
        return_key(application),
        notifications.members(application.applicant_id),
        deadline,
        f"退回补正期限：{call}",
        link,
    )


def lock(application: Application) -> Application:
    """The application row, locked for the rest of the transaction (for the review and publication
    contexts, which check their own rules before moving it)."""
    return _locked(application.pk)


def move(
    actor: Actor, locked: Application, action: str, *, detail: dict[str, Any], **fields: Any
) -> Application:
    """Apply `action` of the workflow table to a locked application, set `fields`, and record the event.
    The caller has already checked its own rules (which step, which bureau)."""
    transition = _transition(actor, locked, action)
    before = locked.state
    locked.state = transition.target
    locked.state_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["state", "state_changed_at", *fields])
    _event(actor, action, locked, before, **detail)
    return locked


# --- evidence ---------------------------------------------------------------------------------------


def upload_evidence(
    actor: Actor,
    application: Application,
    indicator: str,
    stream: BinaryIO | IO[bytes],
    filename: str,
    replaces: EvidenceFile | None = None,
) -> EvidenceFile:
    """A file for one indicator of the applicant's own draft: checked by content (a refusal is recorded),
    stored under a server-made name, then written under the application's lock while it is editable."""
    if _role_in_workflow(actor, application) != "applicant":
        raise PermissionDenied
    form = build_form(scheme_for(application.call.scheme_id, application.call.scheme_version))
    if indicator not in dict(form.indicators):
        raise evidence.EvidenceError("未知指标。", "there is no such indicator", "unknown_indicator")
    try:
        stored = files.receive(
            "evidence",
            stream,
            filename,
            actor=actor,
            obj=application,
            object_id=str(application.public_id),
            under=str(application.public_id),
        )
    except files.FileRefused as refused:
        raise evidence.EvidenceError(refused.zh, refused.en, refused.code) from None
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if locked.state not in EDITABLE:
                raise evidence.EvidenceError(
                    "申报已提交，佐证材料不能再修改。",
                    "the application is submitted: its evidence can no longer be changed",
                    "frozen",
                )
            return evidence.add_file(
                actor,
                application_id=locked.pk,
                application_ref=str(locked.public_id),
                indicator=indicator,
                stored=stored,
                replaces=replaces,
            )
    except Exception:
        files.discard(stored.storage_name)
        raise


def withdraw_evidence(actor: Actor, item: EvidenceFile) -> None:
    """The applicant withdraws a file of its draft that was never frozen."""
    application = item.application
    if _role_in_workflow(actor, application) != "applicant":
        raise PermissionDenied
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        evidence.withdraw(actor, item, editable=locked.state in EDITABLE)


def start_import(actor: Actor, application: Application, upload: UploadedFile[Any] | None) -> ImportJob:
    """Queue a workbook import for the draft; the background task `import_workbook` reads it."""
    if _role_in_workflow(actor, application) != "applicant":
        raise PermissionDenied
    if upload is None:
        raise ApplicationError(
            "请选择不超过 20 MB 的 .xlsx 自评价表（由本平台“下载自评价表”生成）。",
            "choose the self-evaluation workbook (.xlsx, at most 20 MB) downloaded from this platform",
        )
    if application.state not in EDITABLE:
        raise ApplicationError(
            "当前状态不能导入。", "a workbook cannot be imported in the application's present state"
        )
    # the checked-file service: an .xlsx by content, with zip-bomb and entity-expansion limits, before
    # the worker's parsers ever see it
    try:
        stored = files.receive(
            "workbook",
            upload,
            upload.name or "",
            actor=actor,
            obj=application,
            object_id=str(application.public_id),
        )
    except files.FileRefused as refused:
        raise ApplicationError(refused.zh, refused.en) from None
    try:
        job = ImportJob.objects.create(
            application=application,
            created_by=actor.user,
            file=stored.storage_name,
            file_name=stored.name,
            file_sm3=stored.sm3,
        )
    except Exception:
        files.discard(stored.storage_name)
        raise
    # queued after the job row is committed (autocommit), so the worker always finds it
    result = import_workbook.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    return job


def _failed(job: ImportJob, zh: str, en: str, place: str = "") -> None:
    if place:
        zh, en = f"{place}：{zh}", f"{place}: {en}"
    job.status, job.message = ImportJob.Status.FAILED, zh
    job.errors = [{"place": place, "zh": zh, "en": en}]


def _invalid(job: ImportJob, invalid: InvalidCells) -> None:
    """Every invalid cell on the job, by sheet, row, column and reason: nothing was stored."""
    count = len(invalid.problems)
    job.status = ImportJob.Status.FAILED
    job.message = f"工作簿有 {count} 个单元格填写有误，未导入任何数据，请逐项修改后重新导入。"
    job.errors = [
        {
            "place": problem.place,
            "sheet": problem.sheet,
            "row": problem.row,
            "column": problem.column,
            "zh": problem.zh,
            "en": problem.en,
        }
        for problem in invalid.problems
    ]


@task()
def import_workbook(job_id: int) -> str:
    """Read the workbook into the draft. Whatever goes wrong, the job ends failed with the reason in
    Chinese and English, and the uploaded file is deleted (it is not kept: PI-03). A worker that dies
    mid-job leaves it running; `fail_stale_imports` ends it when the worker restarts."""
    job = ImportJob.objects.select_related("application__call", "created_by").get(pk=job_id)
    job.status, job.progress = ImportJob.Status.RUNNING, 10
    job.save(update_fields=["status", "progress"])
    path: Path | None = None
    try:
        call = job.application.call
        scheme = scheme_for(call.scheme_id, call.scheme_version)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "import.xlsx"
            source = files.open_checked(
                job.file.name or "",
                job.file_sm3,
                actor=actor_of(job.created_by),
                obj=job,
                refused_action="application.import_integrity_failed",
            )
            with source, path.open("wb") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
            answers = Answers.from_json(answers_from_workbook(scheme, path))
        job.progress = 60
        job.save(update_fields=["progress"])
        actor = actor_of(job.created_by)
        if actor is None:
            raise ApplicationError("导入人已无权限。", "the user who started the import no longer has access")
        import_answers(actor, job.application, answers, source=f"workbook:{job.file_name}")
    except InvalidCells as invalid:
        _invalid(job, invalid)
    except InputError as error:
        # the place names the user's file, never the worker's temporary copy
        place = error.place.replace(str(path), job.file_name) if path is not None else error.place
        _failed(job, error.zh, error.en, place)
    except (ApplicationError, files.FileTampered) as error:
        _failed(job, error.zh, error.en)
    except Exception as error:  # a malformed or hostile file: the reason, never a job left running
        logger.exception("workbook import %s failed", job_id)
        _failed(
            job,
            f"无法读取该工作簿（{type(error).__name__}），请使用本平台下载的自评价表重新填写后导入。",
            f"the workbook cannot be read ({type(error).__name__}); fill in the platform's template again",
        )
    else:
        job.status = ImportJob.Status.DONE
        job.message = f"已导入 {len(answers)} 项数据（空白单元格未改动已填写的内容）。"
    finally:
        if job.file.name:
            default_storage.delete(job.file.name)  # residual information: the upload is not kept (PI-03)
    job.progress = 100
    job.save(update_fields=["status", "message", "errors", "progress"])
    return job.status


IMPORT_JOB_TIMEOUT = timedelta(minutes=15)
_STALE = (
    "导入进程意外终止（可能是文件过大或格式异常），请检查后重新导入。",
    "the import stopped unexpectedly (the file may be too large or malformed); check it and import again",
)


def fail_stale_imports(*, dead_worker: str = "", now: datetime | None = None) -> int:
    """End the imports no worker will finish: those a dead worker had claimed (`dead_worker`, its
    --worker-id, given by `serve` when it restarts the worker), and any running past IMPORT_JOB_TIMEOUT.
    Each is marked failed with the reason in Chinese and English, and its upload deleted. Returns how
    many. A job never stays "running" for ever."""
    now = now or timezone.now()
    open_jobs = list(ImportJob.objects.filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]))
    results = jobs.task_results(job.task_id for job in open_jobs)
    ended = 0
    for job in open_jobs:
        result = results.get(job.task_id)
        why = jobs.stale(
            running=job.status == ImportJob.Status.RUNNING,
            created_at=job.created_at,
            result=result,
            dead_worker=dead_worker,
            now=now,
            timeout=IMPORT_JOB_TIMEOUT,
        )
        if not why:
            continue
        with transaction.atomic():
            updated = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
                status=ImportJob.Status.FAILED,
                progress=100,
                message=_STALE[0],
                errors=[{"place": "", "zh": _STALE[0], "en": _STALE[1]}],
            )
            if not updated:
                continue
            jobs.end_task(result, now)
            audit.record(
                "application.import_failed",
                actor=None,
                obj=job.application,
                object_id=str(job.application.public_id),
                success=False,
                detail={"job": job.pk, "reason": "worker died" if why == "worker died" else "stale"},
            )
        if job.file.name:
            default_storage.delete(job.file.name)
        ended += 1
    return ended
