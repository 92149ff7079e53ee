"""Supervision's writes: draw a sample, record findings, conclude a check, open and close a rectification,
revoke a title. Each locks what it changes, checks the rule (greencore.supervision), writes an audit event,
in one transaction. The title itself is publication's: revoking calls `publication.services.revoke_title`,
which tells the register (it shows the title revoked, with the day and the reason)."""

from __future__ import annotations

import io
import secrets
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from greencore import (
    DRAW_ALGORITHM,
    draw_sample,
    may_apply_from,
    rectification_due,
    rectification_overdue,
)
from greenmfg.audit import services as audit
from greenmfg.core.errors import Refused
from greenmfg.evidence.validation import UploadRejected, inspect_upload
from greenmfg.orgs.selectors import Actor
from greenmfg.publication import services as publication
from greenmfg.publication.models import Title

from .models import (
    Check,
    Draw,
    EvidenceFile,
    Finding,
    Purpose,
    Rectification,
    Revocation,
    RevocationReason,
)
from .selectors import exemptions, is_owner_of, supervised_level, supervised_titles, supervises

MAX_FILES = 5
MAX_SAMPLE = 10_000


class SupervisionError(Refused):
    """A refused supervision action."""


def _audit(actor: Actor, action: str, obj: models.Model, object_id: str, **detail: Any) -> None:
    audit.record(
        f"supervision.{action}",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=obj,
        object_id=object_id,
        detail=detail,
    )


def _checked_files(files: Sequence[Any]) -> list[tuple[str, bytes, str]]:
    """Every upload through the platform's content checks, before anything is written."""
    if len(files) > MAX_FILES:
        raise SupervisionError(f"证明材料最多 {MAX_FILES} 个文件。", f"at most {MAX_FILES} files")
    checked = []
    for upload in files:
        content = upload.read()
        try:
            inspected = inspect_upload(io.BytesIO(content), upload.name)
        except UploadRejected as rejected:
            raise SupervisionError(f"{upload.name}：{rejected.zh}", rejected.en) from None
        checked.append((str(upload.name)[:200], content, inspected.sm3))
    return checked


def _store(actor: Actor, checked: list[tuple[str, bytes, str]], **owner: Any) -> list[str]:
    for name, content, digest in checked:
        stored = EvidenceFile(file_name=name, sm3=digest, size=len(content), uploaded_by=actor.user, **owner)
        stored.file.save(f"{digest[:16]}-{len(content)}", ContentFile(content), save=False)
        stored.save()
    return [digest for _, _, digest in checked]


# --- the draw ------------------------------------------------------------------------------------------


def draw(
    actor: Actor,
    *,
    purpose: str,
    title_kind: str,
    size: int,
    seed: str = "",
    weights: dict[str, int] | None = None,
    today: date | None = None,
) -> Draw:
    """Draw `size` titles of `title_kind` at the bureau's level in its jurisdiction, and open a check of
    each. The population is the active titles ordered by public id (text), so it is the same on every
    database; spot checks leave out the titles exempt after three clean spot checks. `seed` is the
    bureau's (e.g. drawn in public) or a random one; either way it is recorded with the population, the
    weights and the sample, so anyone can draw again (`selectors.redraw`)."""
    today = today or timezone.localdate()
    level = supervised_level(actor)
    if level is None:
        raise PermissionDenied
    if purpose not in Purpose.values:
        raise SupervisionError("请选择抽查或复核。", "purpose must be spot_check or re_check")
    if not 1 <= size <= MAX_SAMPLE:
        raise SupervisionError(f"抽取数量应在 1 至 {MAX_SAMPLE} 之间。", f"size must be 1..{MAX_SAMPLE}")
    seed = seed.strip() or secrets.token_hex(16)
    if len(seed) > 64:
        raise SupervisionError("随机种子最多 64 个字符。", "the seed is at most 64 characters")
    weights = weights or {}
    with transaction.atomic():
        titles = list(supervised_titles(actor).filter(kind=title_kind, status=Title.Status.ACTIVE))
        exempt: dict[int, date] = {}
        if purpose == Purpose.SPOT_CHECK:
            exempt = {pk: until for pk, until in exemptions(titles).items() if today < until}
        candidates = sorted((t for t in titles if t.pk not in exempt), key=lambda t: str(t.public_id))
        if not candidates:
            raise SupervisionError("没有可抽取的称号单位。", "no title to draw from")
        population = [[str(t.public_id), int(weights.get(str(t.public_id), 1))] for t in candidates]
        by_id = {str(t.public_id): t for t in candidates}
        try:
            sample = draw_sample(
                seed, [u for u, _ in population], size, {str(u): int(w) for u, w in population}
            )
        except ValueError as error:
            raise SupervisionError("风险权重应为不小于 1 的整数。", str(error)) from None
        record = Draw.objects.create(
            authority=actor.organisation,
            purpose=purpose,
            title_kind=title_kind,
            level=level,
            seed=seed,
            algorithm=DRAW_ALGORITHM,
            weighted=any(w != 1 for _, w in population),
            population=population,
            exempted=[[str(t.public_id), str(exempt[t.pk])] for t in titles if t.pk in exempt],
            size=size,
            sample=sample,
            drawn_on=today,
            drawn_by=actor.user,
        )
        for unit in sample:
            Check.objects.create(
                draw=record, title=by_id[unit], authority=actor.organisation, purpose=purpose
            )
        _audit(
            actor,
            "drawn",
            record,
            str(record.public_id),
            seed=seed,
            algorithm=DRAW_ALGORITHM,
            population=len(population),
            exempted=len(exempt),
            size=size,
            sample=sample,
        )
    return record


# --- checks and findings -------------------------------------------------------------------------------


def _lock_own_check(actor: Actor, check: Check) -> Check:
    locked = Check.objects.select_for_update().select_related("title__organisation").get(pk=check.pk)
    if locked.authority_id != actor.organisation.pk or not actor.is_reviewer:
        raise PermissionDenied
    return locked


def record_finding(
    actor: Actor, check: Check, *, conforms: bool, text: str, files: Sequence[Any] = ()
) -> Finding:
    text = text.strip()
    if len(text) < 4:
        raise SupervisionError(
            "请写明检查发现（至少 4 个字）。", "describe the finding (4 characters at least)"
        )
    checked = _checked_files(files)
    with transaction.atomic():
        locked = _lock_own_check(actor, check)
        if locked.status != Check.Status.OPEN:
            raise SupervisionError("该检查已办结，不能再记录发现。", "the check is concluded")
        finding = Finding.objects.create(
            check_of=locked, conforms=conforms, text=text, recorded_by=actor.user
        )
        digests = _store(actor, checked, finding=finding)
        _audit(
            actor,
            "finding_recorded",
            finding,
            str(locked.public_id),
            conforms=conforms,
            text=text,
            files=digests,
        )
    return finding


def conclude_check(actor: Actor, check: Check, *, today: date | None = None) -> Check:
    """Clean when every finding conforms; otherwise non-conforming, and a rectification opens, due three
    months later (greencore.rectification_due)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock_own_check(actor, check)
        if locked.status != Check.Status.OPEN:
            raise SupervisionError("该检查已办结。", "the check is concluded already")
        findings = list(locked.findings.all())
        if not findings:
            raise SupervisionError("请先记录检查发现。", "record the findings first")
        clean = all(f.conforms for f in findings)
        locked.status = Check.Status.CLEAN if clean else Check.Status.NONCONFORMING
        locked.concluded_on = today
        locked.concluded_by = actor.user
        locked.save(update_fields=["status", "concluded_on", "concluded_by"])
        detail: dict[str, Any] = {"status": locked.status}
        if not clean:
            rectification = Rectification.objects.create(
                check_of=locked, title=locked.title, opened_on=today, due_on=rectification_due(today)
            )
            detail["rectification_due"] = str(rectification.due_on)
        _audit(actor, "check_concluded", locked, str(locked.public_id), **detail)
    return locked


# --- rectification ---------------------------------------------------------------------------------------


def answer_rectification(
    actor: Actor,
    rectification: Rectification,
    *,
    text: str,
    files: Sequence[Any] = (),
    today: date | None = None,
) -> Rectification:
    """The unit reports what it fixed, with evidence, by the due day (the due day itself is in time)."""
    today = today or timezone.localdate()
    text = text.strip()
    if len(text) < 10:
        raise SupervisionError(
            "请写明整改情况（至少 10 个字）。", "describe the rectification (10 characters)"
        )
    checked = _checked_files(files)
    with transaction.atomic():
        locked = Rectification.objects.select_for_update().select_related("title").get(pk=rectification.pk)
        if not is_owner_of(actor, locked.title):
            raise PermissionDenied
        if locked.status not in (Rectification.Status.OPEN, Rectification.Status.ANSWERED):
            raise SupervisionError("该整改已办结。", "the rectification is closed")
        if rectification_overdue(locked.opened_on, today):
            raise SupervisionError(
                f"整改期限已于 {locked.due_on:%Y年%m月%d日} 届满，不能再提交整改报告。",
                f"the rectification was due on {locked.due_on}",
            )
        locked.status = Rectification.Status.ANSWERED
        locked.answer = text
        locked.answered_on = today
        locked.answered_by = actor.user
        locked.save(update_fields=["status", "answer", "answered_on", "answered_by"])
        digests = _store(actor, checked, rectification=locked)
        _audit(actor, "rectification_answered", locked, str(locked.public_id), files=digests)
    return locked


def _lock_own_rectification(actor: Actor, rectification: Rectification) -> Rectification:
    locked = (
        Rectification.objects.select_for_update()
        .select_related("check_of", "title__organisation")
        .get(pk=rectification.pk)
    )
    if not actor.is_reviewer or locked.check_of.authority_id != actor.organisation.pk:
        raise PermissionDenied
    return locked


def close_rectification(
    actor: Actor, rectification: Rectification, *, accepted: bool, reason: str, today: date | None = None
) -> Rectification:
    """The bureau accepts the unit's answer (closed) or sends it back (open again, still due on the same
    day)."""
    today = today or timezone.localdate()
    reason = reason.strip()
    if not reason:
        raise SupervisionError("请写明审核意见。", "a decision needs its reasons")
    with transaction.atomic():
        locked = _lock_own_rectification(actor, rectification)
        if locked.status != Rectification.Status.ANSWERED:
            raise SupervisionError("单位尚未提交整改报告，或整改已办结。", "nothing to decide")
        locked.decision = reason
        if accepted:
            locked.status, locked.closed_on, locked.closed_by = Rectification.Status.CLOSED, today, actor.user
        else:
            locked.status = Rectification.Status.OPEN
        locked.save(update_fields=["status", "decision", "closed_on", "closed_by"])
        _audit(
            actor, "rectification_decided", locked, str(locked.public_id), accepted=accepted, reason=reason
        )
    return locked


# --- revocation ------------------------------------------------------------------------------------------


def _revoke(
    actor: Actor,
    title: Title,
    *,
    reason: str,
    details: str,
    today: date,
    rectification: Rectification | None = None,
) -> Revocation:
    label = RevocationReason(reason).label
    shown = f"{label}：{details}" if details else str(label)
    revoked = publication.revoke_title(title, revoked_on=today, reason=shown, actor=actor)
    revocation = Revocation.objects.create(
        title=revoked,
        reason=reason,
        details=details,
        rectification=rectification,
        revoked_on=today,
        may_apply_from=may_apply_from(today),
        authority=actor.organisation,
        revoked_by=actor.user,
    )
    Check.objects.filter(title=revoked, status=Check.Status.OPEN).update(
        status=Check.Status.NONCONFORMING, concluded_on=today, concluded_by=actor.user
    )
    _audit(
        actor,
        "revoked",
        revocation,
        str(revocation.public_id),
        title=str(revoked.public_id),
        reason=reason,
        details=details,
        may_apply_from=str(revocation.may_apply_from),
    )
    return revocation


def revoke_after_rectification(
    actor: Actor, rectification: Rectification, *, today: date | None = None
) -> Revocation:
    """Past the due day, a rectification not closed costs the title (seeds/003)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock_own_rectification(actor, rectification)
        if locked.status in (Rectification.Status.CLOSED, Rectification.Status.REVOKED):
            raise SupervisionError("该整改已办结。", "the rectification is closed")
        if locked.status == Rectification.Status.ANSWERED:
            # answered in time: the bureau decides on the answer first (sent back after the due day, it
            # is open and overdue, and then the title goes)
            raise SupervisionError(
                "单位已按期提交整改报告，请先审核整改报告。",
                "the unit answered in time: decide on its answer",
            )
        if not rectification_overdue(locked.opened_on, today):
            raise SupervisionError(
                f"整改期限至 {locked.due_on:%Y年%m月%d日}，期满仍未完成整改方可撤销称号。",
                f"the rectification is due on {locked.due_on}: revoke only after it",
            )
        revocation = _revoke(
            actor,
            locked.title,
            reason=RevocationReason.FAILED_RECTIFICATION,
            details=f"整改期限 {locked.due_on:%Y年%m月%d日} 届满未完成整改",
            today=today,
            rectification=locked,
        )
        locked.status = Rectification.Status.REVOKED
        locked.closed_on, locked.closed_by = today, actor.user
        locked.save(update_fields=["status", "closed_on", "closed_by"])
    return revocation


# Reasons that remove a title at once, without a rectification (Heilongjiang 细则, 13号文 第十五条).
IMMEDIATE_REASONS = (
    RevocationReason.REFUSED_FILING,
    RevocationReason.FALSIFIED_DATA,
    RevocationReason.MAJOR_ACCIDENT,
    RevocationReason.NEGATIVE_LIST,
)


def revoke(actor: Actor, title: Title, *, reason: str, details: str, today: date | None = None) -> Revocation:
    """Remove a title at once for refusal to file, falsified data, a major accident or a negative-list
    event, with the facts. A failed rectification goes through `revoke_after_rectification`."""
    today = today or timezone.localdate()
    details = details.strip()
    if reason not in IMMEDIATE_REASONS:
        raise SupervisionError("请选择撤销理由。", "choose the reason for revocation")
    if len(details) < 4:
        raise SupervisionError("请写明撤销的事实依据。", "state the facts behind the revocation")
    with transaction.atomic():
        locked = Title.objects.select_for_update().select_related("organisation").get(pk=title.pk)
        if not supervises(actor, locked):
            raise PermissionDenied
        if locked.status != Title.Status.ACTIVE:
            raise SupervisionError("该称号已撤销。", "the title is revoked already")
        return _revoke(actor, locked, reason=reason, details=details, today=today)
