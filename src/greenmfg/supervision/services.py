"""Supervision's writes: draw a sample, record findings, conclude a check, open and close a rectification,
revoke a title. Each locks what it changes, checks the rule (greencore.supervision), writes an audit event,
in one transaction. The title itself is publication's: revoking calls `publication.services.revoke_title`,
which tells the register (it shows the title revoked, with the day and the reason)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django_tasks import task

from greencore import (
    DRAW_ALGORITHM,
    NATIONAL_FILING_DEADLINE,
    Cadence,
    Filed,
    FilingState,
    GreencoreError,
    IndicatorSpec,
    QualityProblem,
    Result,
    Severity,
    check_filing,
    declaration_window_open,
    draw_sample,
    evidence_rule,
    filing_deadline,
    filing_from_raw,
    filing_indicators,
    filing_state,
    get_scheme,
    in_indicator_unit,
    is_raw_key,
    may_apply_from,
    missing_evidence,
    parse_period,
    rank_population,
    rectification_due,
    rectification_overdue,
    reminder_days,
    score,
)
from greenmfg.applications.selectors import latest_frozen
from greenmfg.audit import services as audit
from greenmfg.catalog.models import TitleLevel
from greenmfg.core import email_codes
from greenmfg.core.errors import Refused
from greenmfg.evidence import files as files_service
from greenmfg.orgs import services as orgs
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.predicates import decides_for
from greenmfg.orgs.selectors import Actor
from greenmfg.publication import services as publication
from greenmfg.publication.models import Title
from greenmfg.publication.ports import title_changed
from greenmfg.register import services as register

from .models import (
    ChangeEvent,
    Check,
    DeclarationSetting,
    Draw,
    EvidenceFile,
    Filing,
    FilingDeadline,
    Finding,
    Purpose,
    Rectification,
    RegradeJob,
    Reminder,
    Report,
    ReportFile,
    Revocation,
    RevocationReason,
    SelfDeclaration,
)
from .selectors import (
    body_track_record,
    district_rechecks,
    evidence_rule_for,
    exemptions,
    is_district_bureau,
    is_owner_of,
    recheckable_titles,
    risk_weights,
    supervised_level,
    supervised_titles,
    supervises,
    titles_evaluated_by,
)

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


def _checked_files(actor: Actor | None, files: Sequence[Any]) -> list[files_service.StoredFile]:
    """Every upload through the checked-file service (streamed, checked, stored under a server-made name),
    before anything is written; `_discarded_on_failure` removes them if the caller's transaction fails."""
    if len(files) > MAX_FILES:
        raise SupervisionError(f"证明材料最多 {MAX_FILES} 个文件。", f"at most {MAX_FILES} files")
    stored: list[files_service.StoredFile] = []
    for upload in files:
        try:
            stored.append(files_service.receive("supervision", upload, str(upload.name or ""), actor=actor))
        except files_service.FileRefused as refused:
            for kept in stored:
                files_service.discard(kept.storage_name)
            raise SupervisionError(f"{upload.name}：{refused.zh}", f"{upload.name}: {refused.en}") from None
    return stored


@contextmanager
def _discarded_on_failure(stored: list[files_service.StoredFile]) -> Iterator[None]:
    try:
        yield
    except BaseException:
        for kept in stored:
            files_service.discard(kept.storage_name)
        raise


def _store(
    actor: Actor, stored: list[files_service.StoredFile], indicator: str = "", **owner: Any
) -> list[str]:
    for kept in stored:
        row = EvidenceFile(
            file_name=kept.name[:200],
            sm3=kept.sm3,
            size=kept.size,
            uploaded_by=actor.user,
            indicator=indicator,
            **owner,
        )
        row.file.name = kept.storage_name
        row.save()
    return [kept.sm3 for kept in stored]


# --- the draw ------------------------------------------------------------------------------------------


def _record_draw(
    actor: Actor,
    *,
    purpose: str,
    title_kind: str,
    level: str,
    seed: str,
    population: list[list[Any]],
    size: int,
    today: date,
    open_check: Any,
    exempted: list[list[str]] | None = None,
    body: Any = None,
) -> Draw:
    """Draw `size` of `population` ([[unit id, weight], …] in the recorded order) from `seed`, record the
    draw (seed, algorithm, population, sample) with an audit event, and open a check of each unit drawn
    (`open_check(draw, unit id)`). Every draw — of titles, of a body's reports, of districts' checks —
    goes through here, so every one can be re-drawn the same way (`selectors.redraw`)."""
    if not population:
        raise SupervisionError("没有可抽取的对象。", "nothing to draw from")
    try:
        sample = draw_sample(seed, [u for u, _ in population], size, {str(u): int(w) for u, w in population})
    except ValueError:
        raise SupervisionError(
            "风险权重应为不小于 1 的整数。", "risk weights must be whole numbers of at least 1"
        ) from None
    record = Draw.objects.create(
        authority=actor.organisation,
        purpose=purpose,
        title_kind=title_kind,
        level=level,
        seed=seed,
        algorithm=DRAW_ALGORITHM,
        weighted=any(w != 1 for _, w in population),
        population=population,
        exempted=exempted or [],
        size=size,
        sample=sample,
        drawn_on=today,
        drawn_by=actor.user,
        body=body,
    )
    for unit in sample:
        open_check(record, unit)
    _audit(
        actor,
        "drawn",
        record,
        str(record.public_id),
        purpose=purpose,
        seed=seed,
        algorithm=DRAW_ALGORITHM,
        population=len(population),
        exempted=len(exempted or []),
        size=size,
        sample=sample,
        body=body.pk if body is not None else None,
    )
    return record


def _checked_draw_input(size: int, seed: str) -> str:
    if not 1 <= size <= MAX_SAMPLE:
        raise SupervisionError(f"抽取数量应在 1 至 {MAX_SAMPLE} 之间。", f"size must be 1..{MAX_SAMPLE}")
    seed = seed.strip() or secrets.token_hex(16)
    if len(seed) > 64:
        raise SupervisionError("随机种子最多 64 个字符。", "the seed is at most 64 characters")
    return seed


def draw(
    actor: Actor,
    *,
    purpose: str,
    title_kind: str,
    size: int,
    seed: str = "",
    weights: dict[str, int] | None = None,
    risk_weighted: bool = False,
    today: date | None = None,
) -> Draw:
    """Draw `size` titles of `title_kind` at the bureau's level in its jurisdiction, and open a check of
    each. The population is the active titles ordered by public id (text), so it is the same on every
    database; spot checks leave out the titles exempt after three clean spot checks. `seed` is the
    bureau's (e.g. drawn in public) or a random one; either way it is recorded with the population, the
    weights and the sample, so anyone can draw again (`selectors.redraw`)."""
    today = today or timezone.localdate()
    level = supervised_level(actor)
    if level is None and is_district_bureau(actor):
        # a district re-checks the city's titles in its district on site (Suzhou, seeds/003); the city
        # spot-checks those re-checks (`draw_district_checks`)
        if purpose != Purpose.RE_CHECK:
            raise PermissionDenied  # spot checks are the title's level's own
        level = str(TitleLevel.CITY)
    if level is None:
        raise PermissionDenied
    if purpose not in (Purpose.SPOT_CHECK, Purpose.RE_CHECK):
        raise SupervisionError("请选择抽查或复核。", "choose a spot check or a re-check")
    seed = _checked_draw_input(size, seed)
    weights = weights or {}
    with transaction.atomic():
        titles = list(recheckable_titles(actor).filter(kind=title_kind, status=Title.Status.ACTIVE))
        exempt: dict[int, date] = {}
        if purpose == Purpose.SPOT_CHECK:
            exempt = {pk: until for pk, until in exemptions(titles).items() if today < until}
        candidates = sorted((t for t in titles if t.pk not in exempt), key=lambda t: str(t.public_id))
        if risk_weighted:
            weights = risk_weights(candidates, today)
        if not candidates:
            raise SupervisionError("没有可抽取的称号单位。", "no title to draw from")
        by_id = {str(t.public_id): t for t in candidates}
        return _record_draw(
            actor,
            purpose=purpose,
            title_kind=title_kind,
            level=level,
            seed=seed,
            population=[[str(t.public_id), int(weights.get(str(t.public_id), 1))] for t in candidates],
            size=size,
            today=today,
            exempted=[[str(t.public_id), str(exempt[t.pk])] for t in titles if t.pk in exempt],
            open_check=lambda record, unit: Check.objects.create(
                draw=record, title=by_id[unit], authority=actor.organisation, purpose=purpose
            ),
        )


def draw_body_reports(
    actor: Actor, body: Organisation, *, size: int, seed: str = "", today: date | None = None
) -> Draw:
    """Spot-check an evaluation body's reports: draw among the active titles the bureau supervises whose
    application the body evaluated (a concluded engagement), and open a check of each unit drawn
    (评价报告抽查). The values measured there are compared with the body's for its track record."""
    today = today or timezone.localdate()
    level = supervised_level(actor)
    if level is None:
        raise PermissionDenied
    seed = _checked_draw_input(size, seed)
    with transaction.atomic():
        titles = sorted(
            titles_evaluated_by(actor, body).filter(status=Title.Status.ACTIVE),
            key=lambda t: str(t.public_id),
        )
        if not titles:
            raise SupervisionError(
                "本辖区内没有该机构出具评价报告的有效称号单位。", "the body evaluated no active title here"
            )
        by_id = {str(t.public_id): t for t in titles}
        return _record_draw(
            actor,
            purpose=Purpose.BODY_REPORT,
            title_kind="",
            level=level,
            seed=seed,
            population=[[unit, 1] for unit in by_id],
            size=size,
            today=today,
            body=body,
            open_check=lambda record, unit: Check.objects.create(
                draw=record,
                title=by_id[unit],
                authority=actor.organisation,
                purpose=Purpose.BODY_REPORT,
            ),
        )


def draw_district_checks(actor: Actor, *, size: int, seed: str = "", today: date | None = None) -> Draw:
    """A city spot-checks the re-checks its districts did: draw among the districts' concluded re-checks
    (not reviewed yet) and open a check of each (区县复核抽查), whose findings are recorded against the
    district's check."""
    today = today or timezone.localdate()
    if supervised_level(actor) != TitleLevel.CITY:
        raise PermissionDenied
    seed = _checked_draw_input(size, seed)
    with transaction.atomic():
        checks = sorted(district_rechecks(actor), key=lambda c: str(c.public_id))
        if not checks:
            raise SupervisionError(
                "辖区内区县尚无已办结的复核。", "no concluded district re-check to draw from"
            )
        by_id = {str(c.public_id): c for c in checks}
        return _record_draw(
            actor,
            purpose=Purpose.CHECK_REVIEW,
            title_kind="",
            level=str(TitleLevel.CITY),
            seed=seed,
            population=[[unit, 1] for unit in by_id],
            size=size,
            today=today,
            open_check=lambda record, unit: Check.objects.create(
                draw=record,
                title=by_id[unit].title,
                authority=actor.organisation,
                purpose=Purpose.CHECK_REVIEW,
                reviewed=by_id[unit],
            ),
        )


# --- checks and findings -------------------------------------------------------------------------------


def _lock_own_check(actor: Actor, check: Check) -> Check:
    locked = Check.objects.select_for_update().select_related("title__organisation").get(pk=check.pk)
    if locked.authority_id != actor.organisation.pk or not actor.is_reviewer:
        raise PermissionDenied
    return locked


def key_indicator_values(
    scheme_id: str, entered: dict[str, str], noun: tuple[str, str] = ("数值", "value")
) -> dict[str, str]:
    """Values typed for the key indicators of a scheme ({indicator id: text}), as measured on site or
    declared: each must be a number (commas allowed) not below the indicator's minimum; empty ones are
    left out. Returned as canonical decimal text in the indicator's unit. `noun` names the value in the
    refusal, in Chinese and English (e.g. 实测值, measured value)."""
    specs = {s.id: s for s in filing_indicators(get_scheme(scheme_id))}
    out: dict[str, str] = {}
    for key, text in entered.items():
        text = (text or "").strip().replace(",", "")
        if not text:
            continue
        spec = specs.get(key)
        if spec is None:
            raise SupervisionError(f"未知指标：{key}", f"unknown indicator: {key}")
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise SupervisionError(
                f"“{spec.label}”的{noun[0]}应为数字：{text}",
                f"the {noun[1]} of “{spec.name_en}” must be a number: {text}",
            ) from None
        if spec.minimum is not None and number < spec.minimum:
            raise SupervisionError(
                f"“{spec.label}”的{noun[0]}不应小于 {spec.minimum}。",
                f"the {noun[1]} of “{spec.name_en}” may not be below {spec.minimum}",
            )
        out[key] = str(number)
    return out


def record_finding(
    actor: Actor,
    check: Check,
    *,
    conforms: bool,
    text: str,
    files: Sequence[Any] = (),
    measured: dict[str, str] | None = None,
) -> Finding:
    """A finding of the check, with evidence and, optionally, the values measured on site (in each key
    indicator's unit) that the body's track record compares with its report."""
    text = text.strip()
    if len(text) < 4:
        raise SupervisionError(
            "请写明检查发现（至少 4 个字）。", "describe the finding (4 characters at least)"
        )
    values = key_indicator_values(check.title.scheme, measured or {}, ("实测值", "measured value"))
    checked = _checked_files(actor, files)
    with _discarded_on_failure(checked), transaction.atomic():
        locked = _lock_own_check(actor, check)
        if locked.status != Check.Status.OPEN:
            raise SupervisionError("该检查已办结，不能再记录发现。", "the check is concluded")
        finding = Finding.objects.create(
            check_of=locked, conforms=conforms, text=text, measured=values, recorded_by=actor.user
        )
        digests = _store(actor, checked, finding=finding)
        _audit(
            actor,
            "finding_recorded",
            finding,
            str(locked.public_id),
            conforms=conforms,
            text=text,
            measured=values,
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
    checked = _checked_files(actor, files)
    with _discarded_on_failure(checked), transaction.atomic():
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
    if not actor.is_reviewer or not (
        locked.check_of.authority_id == actor.organisation.pk or supervises(actor, locked.title)
    ):
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
        if not decides_for(actor, "revoke_title", actor.organisation.pk):
            raise PermissionDenied  # the bureau's signer revokes (ADR 0011)
        if not supervises(actor, locked.title):
            # a district that re-checked the unit follows up its rectification; the title is the city's
            raise SupervisionError(
                "撤销称号须由称号所属层级的主管部门作出。", "only the bureau of the title's level revokes it"
            )
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
        if not supervises(actor, locked) or not decides_for(actor, "revoke_title", actor.organisation.pk):
            raise PermissionDenied  # the supervising bureau's signer revokes (ADR 0011)
        if locked.status != Title.Status.ACTIVE:
            raise SupervisionError("该称号已撤销。", "the title is revoked already")
        return _revoke(actor, locked, reason=reason, details=details, today=today)


# --- annual filing (动态管理表) -----------------------------------------------------------------------------


def set_filing_deadline(
    actor: Actor, *, month: int, day: int, blocks_higher_tier: bool = False
) -> FilingDeadline:
    """The bureau's own filing day for the titles it supervises (Heilongjiang: 30 March). A day after the
    national 15 April is refused: a level may only bring the deadline forward. `blocks_higher_tier`: a
    filing missing past its deadline bars the unit from a higher tier (Suzhou), via catalog eligibility."""
    if supervised_level(actor) is None:
        raise PermissionDenied
    try:
        chosen = date(2001, month, day)  # a year without 29 February: that day cannot be every year's
    except ValueError:
        raise SupervisionError("日期无效。", "not a valid day") from None
    if filing_deadline(2001, (month, day)) != chosen:
        raise SupervisionError(
            "填报截止日期不得晚于全国的 4 月 15 日。", "the deadline cannot be after 15 April"
        )
    with transaction.atomic():
        found, _ = FilingDeadline.objects.update_or_create(
            authority=actor.organisation,
            defaults={
                "month": month,
                "day": day,
                "blocks_higher_tier": blocks_higher_tier,
                "set_by": actor.user,
            },
        )
        _audit(
            actor,
            "filing_deadline_set",
            found,
            str(found.pk),
            month=month,
            day=day,
            blocks_higher_tier=blocks_higher_tier,
        )
    return found


def set_filing_evidence(actor: Actor, *, indicators: Sequence[str] | None) -> FilingDeadline:
    """The bureau's own rule for the filings it opens: which key indicators must carry evidence (any
    indicator with a document in greencore's filing rules; an empty list requires none). None returns to
    the shipped rule for the title's level. A bureau that set no deadline keeps the national one."""
    level = supervised_level(actor)
    if level is None:
        raise PermissionDenied
    chosen = None if indicators is None else list(dict.fromkeys(i.strip() for i in indicators if i.strip()))
    if chosen is not None:
        unknown = [i for i in chosen if evidence_rule(level).document(i) is None]
        if unknown:
            raise SupervisionError(
                f"以下指标没有规定的证明材料，不能要求：{'、'.join(unknown)}",
                f"no evidence document is defined for: {', '.join(unknown)}",
            )
    with transaction.atomic():
        found = FilingDeadline.objects.select_for_update().filter(authority=actor.organisation).first()
        if found is None:
            month, day = NATIONAL_FILING_DEADLINE
            found = FilingDeadline(authority=actor.organisation, month=month, day=day)
        found.evidence_required = chosen
        found.set_by = actor.user
        found.save()
        _audit(actor, "filing_evidence_set", found, str(found.pk), indicators=chosen)
    return found


def _level_deadline(authority_id: int) -> tuple[int, int] | None:
    found = FilingDeadline.objects.filter(authority_id=authority_id).first()
    return (found.month, found.day) if found else None


def open_filings(actor: Actor, year: int) -> int:
    """Open year `year`'s 动态管理表 for every active title the bureau supervises (none twice), with the
    deadline its level sets, and schedule the reminders before it and the escalation the day after."""
    if supervised_level(actor) is None:
        raise PermissionDenied
    deadline = filing_deadline(year, _level_deadline(actor.organisation.pk))
    with transaction.atomic():
        titles = supervised_titles(actor).filter(status=Title.Status.ACTIVE)
        have = set(Filing.objects.filter(year=year, title__in=titles).values_list("title_id", flat=True))
        created = Filing.objects.bulk_create(
            [
                Filing(title=t, authority=actor.organisation, year=year, deadline=deadline)
                for t in titles
                if t.pk not in have
            ],
            batch_size=1000,
        )
        created = list(
            Filing.objects.filter(year=year, authority=actor.organisation).exclude(title_id__in=have)
        )
        reminders = [
            Reminder(filing=f, kind=Reminder.Kind.REMINDER, due_on=day)
            for f in created
            for day in reminder_days(deadline)
        ] + [
            Reminder(filing=f, kind=Reminder.Kind.ESCALATION, due_on=deadline + timedelta(days=1))
            for f in created
        ]
        Reminder.objects.bulk_create(reminders, batch_size=2000)
        _audit(
            actor,
            "filings_opened",
            actor.organisation,
            str(year),
            year=year,
            deadline=str(deadline),
            opened=len(created),
        )
    return len(created)


def _specs(filing: Filing) -> tuple[IndicatorSpec, ...]:
    return filing_indicators(get_scheme(filing.title.scheme))


def _normalised(filing: Filing) -> dict[str, Decimal]:
    """An accepted filing's values in each indicator's own unit (for next year's jump check and peers)."""
    out = {}
    for spec in _specs(filing):
        item = filing.values.get(spec.id)
        if not item or not str(item.get("value", "")).strip():
            continue
        try:
            out[spec.id] = in_indicator_unit(
                spec, Filed(Decimal(str(item["value"])), str(item.get("unit", "")))
            )
        except (InvalidOperation, GreencoreError):
            continue
    return out


def quality_problems(filing: Filing, values: dict[str, tuple[str, str]]) -> list[QualityProblem]:
    """The data-quality problems of `values` (text as typed, unit) for this filing: a value that is no
    number is refused by name; then greencore's checks against last year's accepted filing and the
    accepted filings of the same year, scheme and industry."""
    specs = _specs(filing)
    labels = {s.id: s.label for s in specs}
    problems: list[QualityProblem] = []
    filed: dict[str, Filed] = {}
    for key, (text, unit) in values.items():
        if key not in labels:
            continue
        text = text.strip().replace(",", "")
        if not text:
            continue
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                QualityProblem(
                    key, "number", Severity.ERROR, f"“{labels[key]}”应为数字：{text}", f"{key}: not a number"
                )
            )
            continue
        filed[key] = Filed(number, unit.strip())
    before = Filing.objects.filter(
        title=filing.title, year=filing.year - 1, status=Filing.Status.ACCEPTED
    ).first()
    last_year = _normalised(before) if before else {}
    peers: dict[str, list[Decimal]] = {}
    same = (
        Filing.objects.filter(
            year=filing.year,
            status=Filing.Status.ACCEPTED,
            title__scheme=filing.title.scheme,
            title__organisation__industry_id=filing.title.organisation.industry_id,
        )
        .exclude(pk=filing.pk)
        .select_related("title")
    )
    if filing.title.organisation.industry_id:
        for other in same[:2000]:
            for key, value in _normalised(other).items():
                peers.setdefault(key, []).append(value)
    numbered = {p.indicator for p in problems}
    checked = check_filing(
        [s for s in specs if s.id not in numbered], filed, last_year=last_year, peers=peers
    )
    return problems + checked


def _rescore(filing: Filing) -> tuple[Decimal | None, str]:
    """The unit re-scored under its title's scheme: the inputs of its last submitted self-evaluation (as
    greencore read them, raw-data figures included) with the filed key indicators over them. No grade —
    never a zero — without a submitted self-evaluation, or when the scheme cannot give a complete score."""
    title = filing.title
    frozen = latest_frozen(title.application) if title.application is not None else None
    if frozen is None or not frozen.result:
        return None, "无本平台提交的自评价数据，本年度不评定等级"
    stored = frozen.result
    baseline = Result.from_json(stored if isinstance(stored, str) else json.dumps(stored))
    inputs = dict(baseline.inputs)
    inputs.update(_normalised(filing))
    try:
        result = score(get_scheme(title.scheme), inputs)
    except GreencoreError:
        return None, "数据缺失或异常，本年度不评定等级"
    if result.score is None or not result.complete or result.eligible is False:
        return None, "数据缺失或异常，本年度不评定等级"
    return result.score, ""


def _filing_refusal(
    filing: Filing,
    specs: Sequence[IndicatorSpec],
    values: dict[str, tuple[str, str]],
    justification: str,
    proven: set[str],
) -> tuple[SupervisionError | None, list[QualityProblem]]:
    """Why the filing's data cannot be accepted yet (each detail line in Chinese and English, with the
    indicator it concerns), or None; and the data-quality problems found (warnings kept with it)."""
    problems = quality_problems(filing, values)
    errors = [p for p in problems if p.severity == Severity.ERROR]
    if errors:
        return SupervisionError(
            "数据有误，请更正后再提交。", "correct the data first", details=errors
        ), problems
    if problems and len(justification.strip()) < 10:
        return (
            SupervisionError(
                "数据质量核查提示以下问题：请核实更正，或写明理由（至少 10 个字）后提交。",
                "the data-quality checks flag these values: correct them, or explain (10 characters at "
                "least) and submit",
                details=problems,
            ),
            problems,
        )
    unproven = missing_evidence(specs, evidence_rule_for(filing), proven)
    if unproven:
        named = [s for s in specs if s.id in {p.indicator for p in unproven}]
        return (
            SupervisionError(
                "以下指标须附证明材料后方可提交：" + "、".join(f"“{s.label}”" for s in named) + "。",
                "evidence is required for: " + ", ".join(s.name_en for s in named),
                details=unproven,
            ),
            problems,
        )
    return None, problems


def _drop_kept(filing: Filing, drop: Collection[int]) -> list[str]:
    """Remove the draft's kept attachments the unit unticked (ids of this open filing's files only; the
    stored files go once the transaction commits). Returns their digests."""
    gone = list(filing.files.filter(pk__in=[int(pk) for pk in drop]))
    for row in gone:
        name = str(row.file.name)
        transaction.on_commit(partial(files_service.discard, name))
        row.delete()
    return [row.sm3 for row in gone]


def submit_filing(
    actor: Actor,
    filing: Filing,
    *,
    values: dict[str, tuple[str, str]] | None = None,
    raw: dict[str, str] | None = None,
    justification: str = "",
    files: Sequence[Any] = (),
    evidence: Mapping[str, Sequence[Any]] | None = None,
    drop: Collection[int] = (),
    today: date | None = None,
) -> Filing:
    """The unit files its key indicators, typed with their units, or as raw data (the self-evaluation's
    raw-data layout) from which greencore's calculation computes them (`filing_from_raw`), with evidence:
    `evidence` holds each key indicator's files ({indicator id: files}), `files` any others; all go through
    the checked-file service. Errors (raw data that does not compute, missing, not a number, a unit that
    does not convert, below the minimum) refuse it, naming each; warnings (a jump against last year, an
    outlier among peers — on the computed values too) need the unit's justification; then an indicator
    the title's level requires evidence for (greencore `evidence_rule`, workflow/filing.yaml) and that has
    none — among the files sent now and those kept from before — refuses it, naming the indicator and the
    document expected. Accepted, the filing re-scores the unit; after the deadline it is accepted and
    flagged late.

    A refusal of the data keeps what the unit sent: the files uploaded with it stay attached to the open
    (draft) filing, so a corrected resubmission needs no upload again (the form lists them; `drop` names
    kept files, by id, to remove), and what it typed is kept as the filing's draft, shown on its form
    again. Nothing is recorded as filed: the filing stays open, with one event
    naming the files kept. Any other refusal (not the unit's filing, accepted already, a file the checks
    refuse) stores nothing."""
    today = today or timezone.localdate()
    raw = {k: v for k, v in (raw or {}).items() if is_raw_key(k) and str(v).strip()}
    typed = {
        "values": {k: [v, u] for k, (v, u) in (values or {}).items() if str(v).strip()},
        "raw": raw,
        "justification": justification.strip(),
    }
    refusal: SupervisionError | None = None
    if raw:
        # computed, then checked exactly as typed values are
        computed, raw_errors = filing_from_raw(get_scheme(filing.title.scheme), raw)
        if raw_errors:
            refusal = SupervisionError(
                "原始数据有误，请更正后再提交。", "correct the raw data first", details=raw_errors
            )
        values = {k: (str(f.value), f.unit) for k, f in computed.items()}
    values = values or {}
    specs = filing_indicators(get_scheme(filing.title.scheme))
    by_indicator = {
        spec.id: list((evidence or {}).get(spec.id, ())) for spec in specs if (evidence or {}).get(spec.id)
    }
    every_file: list[files_service.StoredFile] = []  # each file stored now, removed again if anything fails
    checked_evidence: dict[str, list[files_service.StoredFile]] = {}
    with _discarded_on_failure(every_file):
        checked = _checked_files(actor, files)
        every_file.extend(checked)
        for key, uploads in by_indicator.items():
            checked_evidence[key] = _checked_files(actor, uploads)
            every_file.extend(checked_evidence[key])
    problems: list[QualityProblem] = []
    with _discarded_on_failure(every_file), transaction.atomic():
        locked = Filing.objects.select_for_update().select_related("title__organisation").get(pk=filing.pk)
        if not is_owner_of(actor, locked.title):
            raise PermissionDenied
        if locked.status != Filing.Status.OPEN:
            raise SupervisionError("该年度动态管理表已受理。", "the filing is accepted already")
        dropped = _drop_kept(locked, drop)
        sent = _store(actor, checked, filing=locked)
        sent_evidence = {
            key: _store(actor, group, key, filing=locked) for key, group in checked_evidence.items()
        }
        attached = list(locked.files.all())  # kept from a refused submission, and sent now
        if refusal is None:
            refusal, problems = _filing_refusal(
                locked, specs, values, justification, {f.indicator for f in attached if f.indicator}
            )
        if refusal is not None:
            # what was typed stays with the draft too: nothing the unit entered is lost with the refusal
            locked.draft = typed
            locked.save(update_fields=["draft"])
            if sent or sent_evidence or dropped:
                _audit(
                    actor,
                    "filing_files_kept",
                    locked,
                    str(locked.public_id),
                    year=locked.year,
                    refused=refusal.en,
                    files=sent,
                    evidence=sent_evidence,
                    dropped=dropped,
                )
        else:
            locked.values = {
                k: {"value": v.strip(), "unit": u.strip()} for k, (v, u) in values.items() if v.strip()
            }
            locked.problems = [
                {
                    "indicator": p.indicator,
                    "check": p.check,
                    "severity": str(p.severity),
                    "zh": p.zh,
                    "en": p.en,
                }
                for p in problems
            ]
            locked.raw = raw
            locked.justification = justification.strip()
            locked.draft = {}
            locked.status = Filing.Status.ACCEPTED
            locked.submitted_on = today
            locked.submitted_by = actor.user
            locked.late = filing_state(locked.deadline, today, today) == FilingState.LATE
            locked.score, locked.no_grade_reason = _rescore(locked)
            locked.save()
            proven: dict[str, list[str]] = {}
            for row in attached:
                if row.indicator:
                    proven.setdefault(row.indicator, []).append(row.sm3)
            _audit(
                actor,
                "filing_accepted",
                locked,
                str(locked.public_id),
                year=locked.year,
                late=locked.late,
                from_raw=bool(raw),
                files=[row.sm3 for row in attached if not row.indicator],
                evidence=proven,
                dropped=dropped,
                warnings=len(problems),
                score=None if locked.score is None else str(locked.score),
            )
    if refusal is not None:
        raise refusal  # after the commit: the files the unit sent stay with its draft
    return locked


def _unit_emails(filing: Filing) -> list[str]:
    return [
        e
        for e in filing.title.organisation.members.filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        if e
    ]


def process_due_reminders(today: date | None = None) -> dict[str, int]:
    """Send the reminders due by `today` to the units that have not filed, and escalate to the bureau the
    filings still missing the day after their deadline (flagged, with an audit event the bureau sees).
    Each reminder is processed once; one already filed is closed as not needed."""
    today = today or timezone.localdate()
    counts = {"sent": 0, "no_contact": 0, "escalated": 0, "not_needed": 0}
    due = Reminder.objects.filter(processed_at__isnull=True, due_on__lte=today).select_related(
        "filing__title__organisation", "filing__authority"
    )
    for reminder in due.order_by("due_on", "pk")[:5000]:
        with transaction.atomic():
            locked = Reminder.objects.select_for_update().select_related("filing").get(pk=reminder.pk)
            if locked.processed_at is not None:
                continue
            filing = (
                Filing.objects.select_for_update()
                .select_related("title__organisation")
                .get(pk=locked.filing_id)
            )
            if filing.status != Filing.Status.OPEN:
                outcome = "not_needed"
            elif locked.kind == Reminder.Kind.ESCALATION:
                filing.escalated_on = today
                filing.save(update_fields=["escalated_on"])
                audit.record(
                    "supervision.filing_escalated",
                    organisation_id=filing.authority_id,
                    obj=filing,
                    object_id=str(filing.public_id),
                    detail={
                        "unit": filing.title.organisation.name,
                        "year": filing.year,
                        "deadline": str(filing.deadline),
                    },
                )
                outcome = "escalated"
            else:
                recipients = _unit_emails(filing)
                if recipients:
                    transaction.on_commit(
                        partial(
                            send_mail,
                            f"动态管理表填报提醒 / Annual filing reminder: {filing.year}",
                            f"{filing.title.organisation.name}：{filing.year} 年度绿色制造动态管理表请于 "
                            f"{filing.deadline:%Y年%m月%d日} 前在平台填报。\n"
                            f"Please file the {filing.year} dynamic-management form by {filing.deadline}.",
                            None,
                            recipients,
                            fail_silently=True,
                        )
                    )
                outcome = "sent" if recipients else "no_contact"
            locked.processed_at = timezone.now()
            locked.outcome = outcome
            locked.save(update_fields=["processed_at", "outcome"])
            counts[outcome] += 1
    return counts


@task()
def send_due_reminders() -> str:
    """The background task (manage.py db_worker) that processes the reminders due today."""
    counts = process_due_reminders()
    return ", ".join(f"{k} {v}" for k, v in counts.items())


# --- re-grading after a filing round ---------------------------------------------------------------------


def start_regrade(actor: Actor, year: int) -> RegradeJob:
    """Queue the re-grading of the bureau's filing round of `year` (percentile grades overall and within
    industry), run in the background with its progress on the job."""
    if supervised_level(actor) is None:
        raise PermissionDenied
    with transaction.atomic():
        job = RegradeJob.objects.create(authority=actor.organisation, year=year, created_by=actor.user)
        _audit(actor, "regrade_queued", job, str(job.pk), year=year)
        transaction.on_commit(lambda: regrade.enqueue(job.pk))
    return job


def regrade_round(job: RegradeJob, chunk: int = 900) -> RegradeJob:
    """Grade every accepted filing of the round: units with a score are ranked by greencore's
    `rank_population` within their scheme (overall and within their industry); the others get no grade."""
    RegradeJob.objects.filter(pk=job.pk).update(status=RegradeJob.Status.RUNNING, progress=1)
    rows = list(
        Filing.objects.filter(authority_id=job.authority_id, year=job.year, status=Filing.Status.ACCEPTED)
        .order_by("pk")
        .values_list("pk", "score", "title__scheme", "title__organisation__industry_id")
    )
    by_scheme: dict[str, list[tuple[int, Decimal | None, str]]] = {}
    for pk, score_, scheme, industry in rows:
        by_scheme.setdefault(scheme, []).append((pk, score_, (industry or "")[:2]))
    graded: dict[tuple[str, str], list[int]] = {}
    unbanded = 0
    for scheme_id, members in by_scheme.items():
        # each unit is graded by the percentile bands of its own title's scheme (the 2025 national
        # scheme's are 企业绿码 A+/A/B); a scheme that declares no bands grades nobody — no code, never
        # another scheme's
        bands = get_scheme(scheme_id)
        if bands.outcome.percentiles is None:
            graded.setdefault(("", ""), []).extend(pk for pk, _, _ in members)
            unbanded += len(members)
            continue
        ranking = rank_population(bands, [s for _, s, _ in members], groups=[g or "-" for _, _, g in members])
        for (pk, _, _), overall, within in zip(
            members, ranking.percentile_grade, ranking.group_percentile_grade, strict=True
        ):
            graded.setdefault((overall or "", within or ""), []).append(pk)
    RegradeJob.objects.filter(pk=job.pk).update(total=len(rows), progress=20)
    # one UPDATE per (grade, grade within industry) and chunk of ids: a handful of statements for the
    # whole round, where a row-by-row bulk_update (CASE … WHEN per row) takes minutes at 20,000 units
    now = timezone.now()
    done = 0
    for (overall, within), pks in graded.items():
        for start in range(0, len(pks), chunk):
            part = pks[start : start + chunk]
            with transaction.atomic():
                Filing.objects.filter(pk__in=part).update(
                    green_code=overall, green_code_in_industry=within, graded_at=now
                )
            done += len(part)
            RegradeJob.objects.filter(pk=job.pk).update(
                graded=done, progress=20 + 79 * done // max(len(rows), 1)
            )
    with_code = sum(len(pks) for (overall, _), pks in graded.items() if overall)
    RegradeJob.objects.filter(pk=job.pk).update(
        status=RegradeJob.Status.DONE,
        progress=100,
        graded=done,
        message=f"{with_code} 家评定绿码等级，{len(rows) - with_code} 家不评定"
        + (f"（其中 {unbanded} 家所依评价标准未设百分位等级）" if unbanded else ""),
        message_en=f"{with_code} graded, {len(rows) - with_code} without a grade"
        + (f" ({unbanded} under a scheme without percentile bands)" if unbanded else ""),
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


@task()
def regrade(job_id: int) -> str:
    job = RegradeJob.objects.get(pk=job_id)
    try:
        return regrade_round(job).message_en
    except Exception as failure:  # recorded on the job for the bureau; the worker logs the trace
        RegradeJob.objects.filter(pk=job_id).update(
            status=RegradeJob.Status.FAILED,
            message=f"重新评定失败（{type(failure).__name__}），请重试或联系系统管理员。",
            message_en=f"re-grading failed ({type(failure).__name__}); try again or ask the administrator",
            finished_at=timezone.now(),
        )
        raise


# --- social supervision (社会监督) ------------------------------------------------------------------------


REPORT = email_codes.Noun("举报", "report")


def _public_audit(action: str, obj: models.Model, object_id: str, **detail: Any) -> None:
    audit.record(f"supervision.{action}", obj=obj, object_id=object_id, detail=detail)


def file_report(
    title: Title,
    *,
    name: str,
    contact: str,
    grounds: str,
    organisation: str = "",
    files: Sequence[Any] = (),
) -> Report:
    """Anyone may report an active title under their real name with an e-mail address, grounds and
    evidence. As with objections (publication.services.file_objection) the report is stored unverified and
    a one-time code goes to the address: it reaches the bureau only once the code comes back through
    `verify_report`, within OBJECTION_CODE_MINUTES. Anonymous reports are refused (and the refusal
    recorded, without the reporter's data)."""
    title = Title.objects.select_related("organisation").get(pk=title.pk)  # its status now, not as passed
    refusal: tuple[str, str] | None = None
    if not name.strip() or not contact.strip():
        refusal = (
            "匿名举报不予受理：请填写真实姓名和电子邮箱。",
            "anonymous reports are not accepted: give your real name and e-mail address",
        )
    elif title.status != Title.Status.ACTIVE:
        refusal = ("该称号已撤销，不再受理举报。", "the title is revoked")
    elif len(grounds.strip()) < 10:
        refusal = ("请写明举报的事实和理由（至少 10 个字）。", "state the grounds (at least 10 characters)")
    else:
        try:
            validate_email(contact.strip())
        except ValidationError:
            refusal = (
                "请填写电子邮箱：验证码将发送至该邮箱，验证后举报方予受理。",
                "give an e-mail address: the report counts once the code sent to it is entered",
            )
    if refusal is not None:
        _public_audit("report_refused", title, str(title.public_id), reason=refusal[1])
        raise SupervisionError(*refusal)
    checked = _checked_files(None, files)
    code = email_codes.new_code()
    with _discarded_on_failure(checked), transaction.atomic():
        # a revocation committed since the read above wins
        if Title.objects.select_for_update().get(pk=title.pk).status != Title.Status.ACTIVE:
            raise SupervisionError("该称号已撤销，不再受理举报。", "the title is revoked")
        report = Report.objects.create(
            title=title,
            name=name.strip(),
            contact=contact.strip(),
            organisation=organisation.strip(),
            grounds=grounds.strip(),
            code_expires_at=email_codes.expiry(),
        )
        report.code_digest = email_codes.digest("report", report, code)
        report.save(update_fields=["code_digest"])
        for kept in checked:
            row = ReportFile(report=report, file_name=kept.name[:200], sm3=kept.sm3, size=kept.size)
            row.file.name = kept.storage_name
            row.save()
        _public_audit(
            "report_filed",
            report,
            str(report.public_id),
            title=str(title.public_id),
            files=[kept.sm3 for kept in checked],
        )
    try:
        email_codes.send_code(
            report.contact,
            code,
            REPORT,
            received_zh=f"您对“{title.organisation.name}”的举报已收到。",
            received_en=f"Your report on “{title.organisation.name}” was received.",
        )
    except Exception as failure:  # the mail server's own error is for the log, not the reporter
        Report.objects.filter(pk=report.pk).update(status=Report.Status.EXPIRED, code_digest="")
        _public_audit("report_code_not_sent", report, str(report.public_id), error=type(failure).__name__)
        raise SupervisionError(
            "验证码邮件发送失败，请稍后重新提交。",
            "the verification e-mail could not be sent; try again later",
        ) from None
    return report


def verify_report(report: Report, code: str) -> Report:
    """The reporter types back the e-mailed code: the report now reaches the bureau. Wrong codes are
    counted; after OBJECTION_CODE_ATTEMPTS of them, or once the code lapses, the report lapses."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("title").get(pk=report.pk)
        if locked.status == Report.Status.EXPIRED:
            raise SupervisionError(
                "该举报未在时限内验证，已失效；如仍需举报，请重新提交。",
                "the report was not verified in time and has lapsed",
            )
        if locked.status != Report.Status.UNVERIFIED:
            return locked  # verified already: the same code again changes nothing
        verdict = email_codes.check_code("report", locked, code, REPORT, again_zh="如仍需举报，请重新提交")
        if verdict.lapsed:
            assert verdict.message is not None
            locked.status = Report.Status.EXPIRED
            _public_audit("report_lapsed", locked, str(locked.public_id), reason=verdict.message[1])
        elif verdict.verified:
            locked.status = Report.Status.RECEIVED
            _public_audit("report_received", locked, str(locked.public_id), title=str(locked.title.public_id))
        locked.save(update_fields=["status", "verified_at", "code_digest", "code_attempts"])
    if verdict.message is not None:
        raise SupervisionError(*verdict.message)
    return locked


def decide_report(
    actor: Actor, report: Report, *, upheld: bool, reason: str, open_check: bool = False
) -> Report:
    """The supervising bureau upholds or dismisses a received report, with its reasons, and may open a
    check (举报核查) of the title from it: the check then runs like any other (findings, rectification,
    revocation)."""
    if not reason.strip():
        raise SupervisionError("请写明处理意见和理由。", "a decision needs its reasons")
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("title__organisation").get(pk=report.pk)
        if not supervises(actor, locked.title):
            raise PermissionDenied
        if locked.status == Report.Status.UNVERIFIED:
            raise SupervisionError("该举报尚未验证联系方式，不予处理。", "the report is not verified")
        if locked.status != Report.Status.RECEIVED:
            raise SupervisionError("该举报已处理。", "the report is decided already")
        if open_check and locked.title.status != Title.Status.ACTIVE:
            raise SupervisionError("该称号已撤销，无需再检查。", "the title is revoked: no check to open")
        locked.status = Report.Status.UPHELD if upheld else Report.Status.DISMISSED
        locked.decision_reason = reason.strip()
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        fields = ["status", "decision_reason", "decided_by", "decided_at"]
        if open_check:
            locked.check_opened = Check.objects.create(
                title=locked.title, authority=actor.organisation, purpose=Purpose.REPORT
            )
            fields.append("check_opened")
        locked.save(update_fields=fields)
        _audit(
            actor,
            "report_decided",
            locked,
            str(locked.public_id),
            upheld=upheld,
            reason=locked.decision_reason,
            check=str(locked.check_opened.public_id) if locked.check_opened else None,
        )
    return locked


# --- change events (变更) ----------------------------------------------------------------------------------


def declare_change(
    actor: Actor, title: Title, *, kind: str, new_name: str = "", details: str, today: date | None = None
) -> ChangeEvent:
    """The titled unit declares a change of name, a merger, or of its site boundary, with what changed.
    A name change and a merger give the name after it; one change of a title awaits the bureau at a time."""
    today = today or timezone.localdate()
    if not is_owner_of(actor, title):
        raise PermissionDenied
    if kind not in ChangeEvent.Kind.values:
        raise SupervisionError("请选择变更类型。", "choose the kind of change")
    new_name = new_name.strip()
    if kind in (ChangeEvent.Kind.NAME, ChangeEvent.Kind.MERGER) and not new_name:
        raise SupervisionError("请填写变更后的单位名称。", "give the unit's name after the change")
    if len(new_name) > 128:
        raise SupervisionError("单位名称最多 128 个字。", "the name is at most 128 characters")
    if new_name and new_name == title.organisation.name:
        raise SupervisionError("变更后的名称与现名称相同。", "the new name is the current name")
    if len(details.strip()) < 10:
        raise SupervisionError(
            "请写明变更情况（至少 10 个字）。", "describe the change (at least 10 characters)"
        )
    with transaction.atomic():
        locked = Title.objects.select_for_update().select_related("organisation").get(pk=title.pk)
        if locked.status != Title.Status.ACTIVE:
            raise SupervisionError("该称号已撤销。", "the title is revoked")
        if ChangeEvent.objects.filter(title=locked, status=ChangeEvent.Status.DECLARED).exists():
            raise SupervisionError("该称号已有待审核的变更。", "a change of this title awaits the bureau")
        change = ChangeEvent.objects.create(
            title=locked,
            kind=kind,
            old_name=locked.organisation.name,
            new_name=new_name if kind != ChangeEvent.Kind.SITE else "",
            details=details.strip(),
            declared_on=today,
            declared_by=actor.user,
        )
        _audit(actor, "change_declared", change, str(change.public_id), kind=kind, new_name=change.new_name)
    return change


def decide_change(
    actor: Actor, change: ChangeEvent, *, accept: bool, reason: str, today: date | None = None
) -> ChangeEvent:
    """Accepted: a new name reaches the organisation and, through publication's port, every one of its
    platform titles on the public register (the old name stays in this record). Re-check required: a
    re-check (复核) of the title opens, run like any other check."""
    today = today or timezone.localdate()
    if not reason.strip():
        raise SupervisionError("请写明审核意见。", "a decision needs its reasons")
    with transaction.atomic():
        locked = (
            ChangeEvent.objects.select_for_update().select_related("title__organisation").get(pk=change.pk)
        )
        if not supervises(actor, locked.title):
            raise PermissionDenied
        if locked.status != ChangeEvent.Status.DECLARED:
            raise SupervisionError("该变更已审核。", "the change is decided already")
        locked.decision_reason, locked.decided_on, locked.decided_by = reason.strip(), today, actor.user
        if accept:
            locked.status = ChangeEvent.Status.ACCEPTED
            if locked.new_name:
                organisation = locked.title.organisation
                orgs.rename_after_accepted_change(
                    actor, organisation, locked.new_name, change=str(locked.public_id)
                )
                for title in Title.objects.filter(organisation=organisation).select_related(
                    "organisation", "announcement__authority"
                ):
                    for listener in title_changed:
                        listener(title)
        else:
            locked.status = ChangeEvent.Status.RECHECK
            locked.check_opened = Check.objects.create(
                title=locked.title, authority=actor.organisation, purpose=Purpose.RE_CHECK
            )
        locked.save()
        _audit(
            actor,
            "change_decided",
            locked,
            str(locked.public_id),
            accepted=accept,
            reason=locked.decision_reason,
            check=str(locked.check_opened.public_id) if locked.check_opened else None,
        )
    return locked


# --- evaluation bodies supervised ---------------------------------------------------------------------------


def suspend_body(actor: Actor, body: Organisation, *, reason: str) -> Organisation:
    """Suspend an evaluation body from supervision, through orgs' listing service (the bureau over the
    body's region, a reason required): a suspended body cannot be engaged, and the engagements it has in
    force are flagged (orgs.ports.body_listing_changed). The body's track record at that moment goes into
    supervision's audit event beside orgs' own."""
    record, _ = body_track_record(body)
    with transaction.atomic():
        suspended = orgs.decide_body(actor, body.pk, "suspend", reason)
        _audit(
            actor,
            "body_suspended",
            suspended,
            str(suspended.pk),
            reason=reason.strip(),
            reports_checked=record.reports,
            compared=record.compared,
            mean_relative=None if record.mean_relative is None else str(record.mean_relative),
            beyond_tolerance=record.beyond_tolerance,
        )
    return suspended


# --- self-declaration (自我声明) ------------------------------------------------------------------------


def set_declaration_setting(actor: Actor, *, cadence: str, shown: Sequence[str]) -> DeclarationSetting:
    """The bureau's calendar for its units' self-declarations (yearly or half-yearly) and the indicators
    the register shows. Declarations already recorded are published again with the new selection."""
    if supervised_level(actor) is None:
        raise PermissionDenied
    if cadence not in Cadence.__members__.values():
        raise SupervisionError("请选择年度或半年度声明。", "choose yearly or half-yearly")
    chosen = list(dict.fromkeys(s.strip() for s in shown if s.strip()))
    if len(chosen) > 50 or not all(s.replace("_", "").isalnum() and s.isascii() for s in chosen):
        raise SupervisionError("公开指标无效。", "not a list of indicator ids")
    with transaction.atomic():
        setting, _ = DeclarationSetting.objects.update_or_create(
            authority=actor.organisation, defaults={"cadence": cadence, "shown": chosen, "set_by": actor.user}
        )
        declarations = SelfDeclaration.objects.filter(
            title__announcement__authority=actor.organisation
        ).select_related("title")
        for declaration in declarations:
            _publish_declaration(declaration, setting)
        _audit(actor, "declaration_setting", setting, str(setting.pk), cadence=cadence, shown=chosen)
    return setting


def declaration_setting_for(title: Title) -> DeclarationSetting | None:
    """The setting of the bureau that granted the title (it supervises it)."""
    return DeclarationSetting.objects.filter(authority_id=title.announcement.authority_id).first()


def _publish_declaration(declaration: SelfDeclaration, setting: DeclarationSetting | None) -> None:
    """Tell the register what of the declaration it shows, from the period's publication day. Without a
    bureau setting every declared indicator is shown."""
    specs = {s.id: s for s in filing_indicators(get_scheme(declaration.title.scheme))}
    shown = setting.shown if setting is not None else list(specs)
    # in the scheme's order (a JSON column keeps no key order on PostgreSQL)
    indicators = [
        {"label": spec.label, "value": declaration.values[key], "unit": spec.unit}
        for key, spec in specs.items()
        if key in declaration.values and key in shown
    ]
    register.record_declaration(
        declaration.title, declaration.period, parse_period(declaration.period).published_on, indicators
    )


def declare(
    actor: Actor, title: Title, *, period: str, values: dict[str, str], today: date | None = None
) -> SelfDeclaration:
    """自我声明: the titled unit declares its key indicators' levels for a period of its bureau's calendar
    (yearly by default, or half-yearly), within the period's window (greencore.DeclarationPeriod: from the
    day after the period ends to its due day, both included). Once per period; published on the register
    from the period's publication day, as far as the bureau chose to show."""
    today = today or timezone.localdate()
    if not is_owner_of(actor, title):
        raise PermissionDenied
    try:
        chosen = parse_period(period)
    except ValueError:
        raise SupervisionError("声明期无效。", "not a declaration period") from None
    setting = declaration_setting_for(title)
    cadence = setting.cadence if setting is not None else Cadence.YEARLY
    if chosen.cadence != cadence:
        raise SupervisionError(
            "主管部门规定的声明周期为" + ("半年度。" if cadence == Cadence.HALF_YEARLY else "年度。"),
            f"the bureau's calendar is {cadence}",
        )
    if not declaration_window_open(chosen, today):
        raise SupervisionError(
            f"{chosen.code} 的声明期为 {chosen.opens_on:%Y年%m月%d日} 至 {chosen.due_on:%Y年%m月%d日}。",
            f"{chosen.code} is declared from {chosen.opens_on} to {chosen.due_on}",
        )
    declared = key_indicator_values(title.scheme, values, ("声明值", "declared value"))
    if not declared:
        raise SupervisionError("请至少声明一项指标。", "declare at least one indicator")
    with transaction.atomic():
        locked = Title.objects.select_for_update().select_related("announcement").get(pk=title.pk)
        if locked.status != Title.Status.ACTIVE:
            raise SupervisionError("该称号已撤销。", "the title is revoked")
        if SelfDeclaration.objects.filter(title=locked, period=chosen.code).exists():
            raise SupervisionError(f"{chosen.code} 已声明。", f"{chosen.code} is declared already")
        declaration = SelfDeclaration.objects.create(
            title=locked, period=chosen.code, values=declared, declared_on=today, declared_by=actor.user
        )
        _publish_declaration(declaration, setting)
        _audit(
            actor,
            "declared",
            declaration,
            str(declaration.public_id),
            period=chosen.code,
            values=declared,
            published_on=str(chosen.published_on),
        )
    return declaration
