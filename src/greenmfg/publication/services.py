"""Publicity (公示), objections, numbered announcements and the titles they grant; and importing the real
national lists (batches 1–6) as historical titles, with a data-quality report.

Each write locks what it changes, checks the rule (window, state, which bureau), moves the application
through greencore's workflow table and records an event, in one transaction."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from greencore import (
    StepSpec,
    Verdict,
    compiled,
    grade_from_status,
    publicity_days_for,
    title_level,
    title_status_input,
)
from greenmfg.applications import services as applications
from greenmfg.applications.dossier import scheme_for
from greenmfg.applications.models import Application
from greenmfg.applications.selectors import latest_frozen
from greenmfg.applications.states import LIVE
from greenmfg.audit import services as audit
from greenmfg.audit import signing
from greenmfg.catalog.models import Call
from greenmfg.core import email_codes
from greenmfg.core.errors import Detail, Refused
from greenmfg.evaluations.selectors import engagement_for
from greenmfg.evidence import files as checked_files
from greenmfg.notifications import services as notifications
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.predicates import decides_for, reviewer_for
from greenmfg.orgs.selectors import Actor
from greenmfg.reference.national_lists import load_regions, read_national_lists
from greenmfg.reference.services import DATA_DIR
from greenmfg.reviews.selectors import (
    awaiting_publicity,
    call_ladder,
    chain_of,
    decisive_verdict,
    granting_step,
)
from greenmfg.schemes.selectors import get_scheme

from .models import (
    Announcement,
    Filing,
    GradeChange,
    HistoricalTitle,
    ImportIssue,
    Objection,
    ObjectionFile,
    PublicityEntry,
    PublicityNotice,
    Title,
)
from .ports import announcement_changed, notice_changed, title_changed


def import_national_lists() -> str:
    """Idempotent: a second run finds every source row already taken and adds nothing."""
    if HistoricalTitle.objects.exists():
        return f"already imported ({HistoricalTitle.objects.count()} titles)"
    regions = load_regions(DATA_DIR / "regions.csv")
    result = read_national_lists(DATA_DIR / "national-lists", regions)
    with transaction.atomic():
        HistoricalTitle.objects.bulk_create(
            [
                HistoricalTitle(
                    kind=t.kind,
                    batch=t.batch,
                    announced=t.announced,
                    listed_region=t.listed_region,
                    province_id=t.province_code,
                    unit_name=t.unit_name,
                    industry=t.industry,
                    evaluation_body=t.evaluation_body,
                    product_name=t.product_name,
                    product_model=t.product_model,
                    recommending_unit=t.recommending_unit,
                    product_category=t.product_category,
                    highlights=t.highlights,
                    standard=t.standard,
                    source_file=t.source_file,
                    source_row=t.source_row,
                )
                for t in result.titles
            ],
            batch_size=1000,
        )
        ImportIssue.objects.bulk_create(
            [
                ImportIssue(
                    source_file=i.source_file,
                    source_row=i.source_row,
                    severity=i.severity,
                    field=i.field,
                    reason_zh=i.reason_zh[:300],
                    reason_en=i.reason_en[:300],
                    original=i.original or "",
                    corrected=i.corrected or "",
                )
                for i in result.issues
            ],
            batch_size=1000,
        )
    return f"{len(result.titles)} titles, {len(result.issues)} issues"


# --- publicity, objections, publication ------------------------------------------------------------


class PublicationError(Refused):
    """A refused action of publicity, objections or publication."""


MAX_OBJECTION_FILES = 5


def _audit(actor: Actor | None, action: str, obj: models.Model, object_id: str, **detail: Any) -> None:
    audit.record(
        f"publication.{action}",
        actor=getattr(actor, "user", None),
        role=getattr(actor, "role", ""),
        organisation_id=actor.organisation.pk if actor is not None else None,
        obj=obj,
        object_id=object_id,
        detail=detail,
    )


def _granting_bureau(actor: Actor, call: Call) -> StepSpec:
    """The step at which this bureau grants the call's titles: the last step, or its own grading step
    (Suzhou's districts: 1A and 2A, seeds/003)."""
    step = granting_step(actor, call)
    if step is None:
        raise PermissionDenied
    return step


def publicity_candidates(actor: Actor, call: Call) -> list[Application]:
    """Applications of the call this bureau passed at the last step (or graded at its grading step), not
    yet in a publicity notice."""
    return awaiting_publicity(actor, call)


def _failing(application: Application, found: Verdict | None, step: StepSpec) -> tuple[str, str]:
    """Why `application` may not be listed or granted at `step`, in Chinese and English (greencore's
    reasons where the verdict fails); ("", "") when it may."""
    if found is None:
        return "尚无据以决定的评价结果", "there is no result to decide on"
    if not found.allowed:
        return found.reasons_zh, found.reasons_en
    ladder = call_ladder(application.call)
    if not step.is_last and (ladder is None or not ladder.grants(step.level, found.grade)):
        return (
            f"{found.grade_label or '该结果'}不由本级评定，须转报上一级",
            f"{found.grade_label_en or 'this result'} is not graded at this level: "
            "forward it to the level above",
        )
    return "", ""


def _verdicts(applications_: list[Application], step: StepSpec) -> dict[int, Verdict]:
    """The decisive verdict of each application at the granting step; refuses the whole step, naming
    every unit (a detail placed at its application), when any of them fails its scheme (it can only be
    returned or rejected at the review step) or, at a grading step, when its grade is not one this level
    grants."""
    found = {a.pk: decisive_verdict(a, step) for a in applications_}
    failing = [
        Detail(f"{a.applicant.name}：{zh}", f"{a.applicant.name}: {en}", str(a.public_id))
        for a in applications_
        for zh, en in [_failing(a, found[a.pk], step)]
        if zh
    ]
    if failing:
        raise PublicationError(
            "以下单位据以决定的评价结果不符合评价要求，不能公示或公布，须先退回修改或不予通过",
            "some units fail their scheme and cannot be listed or published; return or reject them first",
            details=failing,
        )
    return {pk: v for pk, v in found.items() if v is not None}


def open_publicity(
    actor: Actor, call: Call, *, title: str = "", body: str = "", days: int | None = None
) -> PublicityNotice:
    """Put every application passed at the last step (or graded at the bureau's own grading step) into one
    notice, open from today for the step's window (7 days for cities, 15 for the ministry unless the call
    says otherwise; a grading step: its level's default in review.yaml)."""
    step = _granting_bureau(actor, call)
    if not decides_for(actor, "open_publicity", actor.organisation.pk):
        raise PermissionDenied  # the bureau's signer opens the notice (ADR 0011)
    window = days or step.publicity_days or publicity_days_for(step.level)
    if window < 1:
        raise PublicationError("公示期至少 1 天。", "the publicity window is at least one day")
    today = timezone.localdate()
    with transaction.atomic():
        candidates = [applications.lock(a) for a in publicity_candidates(actor, call)]
        candidates = [a for a in candidates if a.state in LIVE]
        if not candidates:
            raise PublicationError(
                "没有可公示的申报（须先在本级审核通过）。",
                "no application to publicise (pass it at this step first)",
            )
        verdicts = _verdicts(candidates, step)
        notice = PublicityNotice.objects.create(
            call=call,
            authority=actor.organisation,
            step=step.index,
            title=title.strip() or _notice_title(call, step),
            body=body.strip(),
            opens_on=today,
            closes_on=today + timedelta(days=window - 1),
            created_by=actor.user,
        )
        for application in candidates:
            found = verdicts[application.pk]
            PublicityEntry.objects.create(
                notice=notice,
                application=application,
                unit_name=application.applicant.name,
                region_name=application.region.name,
                score=found.score,
                grade=found.grade_label,
            )
            applications.move(
                actor,
                application,
                "open_publicity",
                detail={"notice": str(notice.public_id), "grade": found.grade, "verdict": found.to_detail()},
            )
            notifications.notify_organisation(
                application.applicant_id,
                "publicity.opened",
                f"进入公示：{notice.title}",
                f"公示期 {notifications.zh_date(notice.opens_on)} 至 "
                f"{notifications.zh_date(notice.closes_on)}。",
                reverse("register:notices"),
            )
        _audit(
            actor,
            "publicity_opened",
            notice,
            str(notice.public_id),
            call=call.code,
            entries=len(candidates),
            opens_on=str(notice.opens_on),
            closes_on=str(notice.closes_on),
        )
        _notice_changed(notice)
    return notice


OBJECTION = email_codes.Noun("异议", "objection")


def masked_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def file_objection(
    notice: PublicityNotice,
    entry: PublicityEntry,
    *,
    name: str,
    contact: str,
    grounds: str,
    organisation: str = "",
    files: list[Any] | None = None,
    today: date | None = None,
) -> Objection:
    """Anyone may object during the window, under their real name with an e-mail address, with grounds.
    Anonymous and late objections are refused with the reason (and the refusal is recorded, without PI).

    The objection is stored unverified and a one-time code is sent to the address: it counts (and holds
    the publication) only once the code comes back through `verify_objection`, within
    OBJECTION_CODE_MINUTES. Phones cannot be verified here (no SMS gateway), so the contact is an e-mail."""
    today = today or timezone.localdate()
    files = files or []
    refusal: tuple[str, str] | None = None
    if not name.strip() or not contact.strip():
        refusal = (
            "匿名异议不予受理：请填写真实姓名和联系方式。",
            "anonymous objections are not accepted: give your real name and contact",
        )
    elif today > notice.closes_on:
        refusal = (
            f"公示期已于 {notice.closes_on:%Y年%m月%d日} 结束，逾期异议不予受理。",
            f"the publicity window closed on {notice.closes_on}",
        )
    elif today < notice.opens_on:
        refusal = ("公示尚未开始。", "the publicity window has not opened")
    elif len(grounds.strip()) < 10:
        refusal = ("请写明异议的事实和理由（至少 10 个字）。", "state the grounds (at least 10 characters)")
    elif len(files) > MAX_OBJECTION_FILES:
        refusal = (f"证明材料最多 {MAX_OBJECTION_FILES} 个文件。", "too many files")
    else:
        try:
            validate_email(contact.strip())
        except ValidationError:
            refusal = (
                "请填写电子邮箱：验证码将发送至该邮箱，验证后异议方予受理（暂不支持短信验证）。",
                "give an e-mail address: the objection counts once the code sent to it is entered "
                "(phones cannot be verified here)",
            )
    if refusal is not None:
        _audit(None, "objection_refused", notice, str(notice.public_id), reason=refusal[1])
        raise PublicationError(*refusal)
    # every proof file through the checked-file service before anything is written; one refused file
    # refuses the objection and removes those already stored
    checked: list[checked_files.StoredFile] = []
    for upload in files:
        try:
            checked.append(
                checked_files.receive(
                    "objection",
                    upload,
                    upload.name or "",
                    actor=None,
                    obj=notice,
                    object_id=str(notice.public_id),
                )
            )
        except checked_files.FileRefused as refused:
            for stored in checked:
                checked_files.discard(stored.storage_name)
            raise PublicationError(f"{upload.name}：{refused.zh}", refused.en) from None
    code = email_codes.new_code()
    try:
        locked, objection = _write_objection(
            notice, entry, name, contact, organisation, grounds, checked, code
        )
    except Exception:
        for stored in checked:
            checked_files.discard(stored.storage_name)
        raise
    # after the commit: the code is only sent for an objection that exists
    try:
        email_codes.send_code(
            objection.contact,
            code,
            OBJECTION,
            received_zh=f"您对“{notice.title}”中“{locked.unit_name}”提出的异议已收到。",
            received_en=f"Your objection to “{locked.unit_name}” was received.",
        )
    except Exception as failure:  # the mail server's own error is for the log, not the objector
        Objection.objects.filter(pk=objection.pk).update(status=Objection.Status.EXPIRED, code_digest="")
        _audit(
            None, "objection_code_not_sent", objection, str(objection.public_id), error=type(failure).__name__
        )
        raise PublicationError(
            "验证码邮件发送失败，请稍后重新提交。",
            "the verification e-mail could not be sent; try again later",
        ) from None
    return objection


def _write_objection(
    notice: PublicityNotice,
    entry: PublicityEntry,
    name: str,
    contact: str,
    organisation: str,
    grounds: str,
    checked: list[checked_files.StoredFile],
    code: str,
) -> tuple[PublicityEntry, Objection]:
    """The objection's row and its files' rows (the files are stored already), in one transaction."""
    with transaction.atomic():
        locked = PublicityEntry.objects.select_for_update().get(pk=entry.pk, notice=notice)
        if locked.status != PublicityEntry.Status.LISTED:
            raise PublicationError("该单位已不在公示名单中。", "the unit is no longer on the publicity list")
        objection = Objection.objects.create(
            notice=notice,
            entry=locked,
            name=name.strip(),
            contact=contact.strip(),
            organisation=organisation.strip(),
            grounds=grounds.strip(),
            status=Objection.Status.UNVERIFIED,
            code_expires_at=email_codes.expiry(),
        )
        objection.code_digest = email_codes.digest("objection", objection, code)
        objection.save(update_fields=["code_digest"])
        for stored in checked:
            row = ObjectionFile(objection=objection, file_name=stored.name, sm3=stored.sm3, size=stored.size)
            row.file.name = stored.storage_name
            row.save()
        _audit(
            None,
            "objection_filed",
            objection,
            str(objection.public_id),
            notice=str(notice.public_id),
            entry=locked.pk,
            files=[stored.sm3 for stored in checked],
        )
    return locked, objection


def verify_objection(objection: Objection, code: str) -> Objection:
    """The objector types back the code sent to their e-mail: the objection now counts. A wrong code is
    counted; after OBJECTION_CODE_ATTEMPTS wrong codes, or once the code lapses, the objection lapses."""
    with transaction.atomic():
        locked = Objection.objects.select_for_update().select_related("notice").get(pk=objection.pk)
        if locked.status == Objection.Status.EXPIRED:
            raise PublicationError(
                "该异议未在时限内验证，已失效；如仍有异议，请在公示期内重新提交。",
                "the objection was not verified in time and has lapsed",
            )
        if locked.status != Objection.Status.UNVERIFIED:
            return locked  # verified already: the same code again changes nothing
        if locked.notice.closed_at is not None:
            locked.code_digest = ""
            verdict = email_codes.Verdict(
                lapsed=True, message=("名单已公布，不再受理异议。", "the list has been published")
            )
        else:
            verdict = email_codes.check_code(
                "objection", locked, code, OBJECTION, again_zh="如仍有异议，请在公示期内重新提交"
            )
        if verdict.lapsed:
            assert verdict.message is not None
            locked.status = Objection.Status.EXPIRED
            _audit(None, "objection_lapsed", locked, str(locked.public_id), reason=verdict.message[1])
        elif verdict.verified:
            locked.status = Objection.Status.RECEIVED
            _audit(
                None,
                "objection_received",
                locked,
                str(locked.public_id),
                notice=str(locked.notice.public_id),
                entry=locked.entry_id,
            )
            # the bureau decides it; the unit it concerns hears of it (not who objected)
            notifications.notify_organisation(
                locked.notice.authority_id,
                "objection.received",
                f"收到异议：{locked.notice.title}",
                "请在公示期结束前核实并作出处理。",
                roles=["reviewer"],
            )
            notifications.notify_organisation(
                locked.entry.application.applicant_id,
                "objection.received",
                f"公示期间收到针对本单位的异议：{locked.notice.title}",
                "主管部门将核实处理，必要时会联系本单位说明情况。",
            )
        locked.save(update_fields=["status", "verified_at", "code_digest", "code_attempts"])
    if verdict.message is not None:
        raise PublicationError(*verdict.message)
    return locked


def decide_objection(actor: Actor, objection: Objection, *, upheld: bool, reason: str) -> Objection:
    """Upheld: the application leaves the list (rejected, with the reason). Dismissed: recorded."""
    if not reason.strip():
        raise PublicationError("请写明处理意见和理由。", "give the decision on the objection and its reasons")
    with transaction.atomic():
        locked = (
            Objection.objects.select_for_update().select_related("notice__call", "entry").get(pk=objection.pk)
        )
        _granting_bureau(actor, locked.notice.call)
        if not reviewer_for(actor, locked.notice.authority_id):
            raise PermissionDenied
        if locked.status == Objection.Status.UNVERIFIED:
            raise PublicationError(
                "该异议尚未验证联系方式，不予处理。",
                "the objector's contact is not verified: the objection is not handled",
            )
        if locked.status != Objection.Status.RECEIVED:
            raise PublicationError("该异议已处理。", "the objection has already been decided")
        locked.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
        locked.decision_reason = reason.strip()
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        if upheld:
            entry = PublicityEntry.objects.select_for_update().get(pk=locked.entry_id)
            if entry.status == PublicityEntry.Status.LISTED:
                entry.status = PublicityEntry.Status.REMOVED
                entry.save(update_fields=["status"])
                application = applications.lock(entry.application)
                applications.move(
                    actor,
                    application,
                    "remove_after_objection",
                    detail={"objection": str(locked.public_id), "reasons": reason.strip()},
                )
                _notice_changed(locked.notice)
        _audit(
            actor, "objection_decided", locked, str(locked.public_id), upheld=upheld, reason=reason.strip()
        )
    return locked


def set_aside_objection(actor: Actor, objection: Objection, *, reason: str) -> Objection:
    """The bureau finds an objection abusive (a flood, no real grounds, a false identity) and sets it
    aside, with its reasons: it no longer holds the publication, and the unit stays on the list."""
    if not reason.strip():
        raise PublicationError("请写明不予受理的理由。", "setting an objection aside needs its reasons")
    with transaction.atomic():
        locked = Objection.objects.select_for_update().select_related("notice__call").get(pk=objection.pk)
        _granting_bureau(actor, locked.notice.call)
        if locked.notice.authority_id != actor.organisation.pk:
            raise PermissionDenied
        if locked.status not in (Objection.Status.RECEIVED, Objection.Status.UNVERIFIED):
            raise PublicationError("该异议已处理。", "the objection has already been decided")
        before = locked.status
        locked.status = Objection.Status.SET_ASIDE
        locked.decision_reason = reason.strip()
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        locked.code_digest = ""
        locked.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "code_digest"])
        _audit(
            actor,
            "objection_set_aside",
            locked,
            str(locked.public_id),
            before=before,
            reason=reason.strip(),
        )
    return locked


def _grading_words(call: Call, step: StepSpec) -> str:
    """ "（区县级评定：1A、2A级）" for a grading step's notice and announcement; "" at the last step."""
    if step.is_last:
        return ""
    ladder = call_ladder(call)
    grades = "、".join(ladder.grades.get(step.level, ())) if ladder is not None else ""
    return f"（区县级评定：{grades}级）" if step.level == "district" else f"（{step.name}评定：{grades}级）"


def _notice_title(call: Call, step: StepSpec) -> str:
    return f"{call.name}{_grading_words(call, step)}拟入选名单公示"


def _announcement_number(authority: Organisation, year: int, sequence: int) -> str:
    return f"{authority.name.removesuffix('（演示）')}公告〔{year}〕{sequence}号"


def publishable_indicators(call: Call) -> list[tuple[str, str]]:
    """The leaf indicators of the call's scheme a bureau may choose to publish: (id, label)."""
    scheme = scheme_for(call.scheme_id, call.scheme_version)
    return [(leaf.node.id, leaf.node.label.zh) for leaf in compiled(scheme).leaves]


def _published_indicators(application: Application, chosen: list[str]) -> list[dict[str, str]]:
    """The chosen indicators' levels for the public register, from the verified figures: the third
    party's result when there is one, else the submitted self-evaluation."""
    if not chosen:
        return []
    engagement = engagement_for(application)
    stored = engagement.result if engagement is not None and engagement.status == "concluded" else None
    if stored is None:
        frozen = latest_frozen(application)
        stored = frozen.result if frozen else None
    result = json.loads(stored) if isinstance(stored, str) else (stored or {})
    by_id = {node["id"]: node for node in result.get("indicators", [])}
    published = []
    for key in chosen:
        node = by_id.get(key)
        if node is None or node.get("status") != "scored":
            continue
        level = node.get("tier") or (
            f"得分 {node['points']} / {node['max_points']}" if node.get("points") is not None else ""
        )
        published.append(
            {
                "label": str(node["label"]),
                "level": str(level),
                "value": "" if node.get("value") is None else str(node["value"]),
                "unit": str(node.get("unit") or ""),
            }
        )
    return published


def publish(
    actor: Actor, notice: PublicityNotice, *, indicators: list[str] | None = None, today: date | None = None
) -> Announcement:
    """After the window, with every objection decided: a numbered announcement granting the titles, with
    the levels of the indicators the bureau chose to publish. Higher titles raise the holder's lower-tier
    grades where the scheme says so."""
    today = today or timezone.localdate()
    chosen = list(dict.fromkeys(indicators or []))
    with transaction.atomic():
        locked = PublicityNotice.objects.select_for_update().select_related("call").get(pk=notice.pk)
        call = locked.call
        step = _granting_bureau(actor, call)
        chain = chain_of(call)
        if (locked.step if locked.step is not None else len(chain) - 1) != step.index:
            raise PermissionDenied
        if not decides_for(actor, "publish", locked.authority_id):
            raise PermissionDenied  # the bureau's signer publishes (ADR 0011)
        if locked.closed_at is not None:
            raise PublicationError("该名单已公布。", "the list has already been published")
        if today <= locked.closes_on:
            raise PublicationError(
                f"公示期至 {locked.closes_on:%Y年%m月%d日}，期满后方可公布。",
                f"the publicity window runs until {locked.closes_on}: publish after it",
            )
        # only verified objections count: unverified ones lapse here and never hold the list
        pending = locked.objections.filter(status=Objection.Status.RECEIVED).count()
        if pending:
            raise PublicationError(
                f"还有 {pending} 件异议未处理。", f"{pending} objection(s) are still undecided"
            )
        lapsed = locked.objections.filter(status=Objection.Status.UNVERIFIED).update(
            status=Objection.Status.EXPIRED, code_digest=""
        )
        entries = list(locked.entries.select_related("application__applicant").filter(status="listed"))
        if not entries:
            raise PublicationError("公示名单中已没有单位。", "no unit is left on the publicity list")
        known = {key for key, _ in publishable_indicators(call)}
        unknown = [key for key in chosen if key not in known]
        if unknown:
            raise PublicationError(
                f"评价方案中没有这些指标：{'、'.join(unknown)}",
                f"the scheme has no such indicators: {', '.join(unknown)}",
            )
        # the scheme's verdict is read again under the locks: nothing failing is ever granted
        locked_applications = [applications.lock(entry.application) for entry in entries]
        verdicts = _verdicts(locked_applications, step)
        # the authority row serialises numbering: two announcements never take the same sequence
        Organisation.objects.select_for_update().get(pk=actor.organisation.pk)
        sequence = (
            Announcement.objects.filter(authority=actor.organisation, year=today.year).aggregate(
                top=models.Max("sequence")
            )["top"]
            or 0
        ) + 1
        announcement = Announcement.objects.create(
            authority=actor.organisation,
            call=call,
            notice=locked,
            year=today.year,
            sequence=sequence,
            number=_announcement_number(actor.organisation, today.year, sequence),
            title=f"关于公布{call.name.removesuffix('（演示）')}{_grading_words(call, step)}名单的通知",
            published_on=today,
            published_by=actor.user,
        )
        for entry, application in zip(entries, locked_applications, strict=True):
            found = verdicts[application.pk]
            grade, grade_label = found.grade, found.grade_label
            title = Title.objects.create(
                organisation=application.applicant,
                application=application,
                announcement=announcement,
                kind=call.title_kind,
                # a grading step grants titles of its own level (Suzhou's districts: 区县级 1A, 2A)
                level=call.level if step.is_last else title_level(step.level),
                grade=grade,
                grade_label=grade_label,
                score=found.score,
                scheme=f"{call.scheme_id}@{call.scheme_version}",
                valid_from=today,
                published_indicators=_published_indicators(application, chosen),
            )
            entry.status = PublicityEntry.Status.PUBLISHED
            entry.save(update_fields=["status"])
            applications.move(
                actor, application, "publish", detail={"announcement": announcement.number, "grade": grade}
            )
            _announce(title)
            _raise_lower_grades(actor, title)
        announcement.manifest = announcement_manifest(announcement)
        announcement.signature = signing.sign(announcement.manifest)
        announcement.save(update_fields=["manifest", "signature"])
        locked.closed_at = timezone.now()
        locked.save(update_fields=["closed_at"])
        _announcement_changed(announcement)
        if not step.is_last:
            _file_with_city(actor, announcement)
        _audit(
            actor,
            "published",
            announcement,
            str(announcement.public_id),
            number=announcement.number,
            titles=len(entries),
            unverified_objections_lapsed=lapsed,
        )
    return announcement


def _file_with_city(actor: Actor, announcement: Announcement) -> Filing:
    """备案 (seeds/003: "将评价结果报市工业和信息化局备案"): the grading announcement is filed with the
    bureau that runs the call, which sees it among its filed district titles and is told of it."""
    call = announcement.call
    filing = Filing.objects.create(
        announcement=announcement,
        filed_by_authority=actor.organisation,
        filed_with=call.authority,
        filed_by=actor.user,
    )
    notifications.notify_organisation(
        call.authority_id,
        "publication.filed",
        f"区县评定结果备案：{actor.organisation.name} {announcement.number}",
        f"{call.name}：{announcement.titles.count()} 个称号。",
        reverse("publication:filings"),
        roles=("reviewer",),
    )
    _audit(
        actor,
        "filed",
        filing,
        str(filing.public_id),
        announcement=announcement.number,
        filed_with=call.authority.name,
    )
    return filing


def announcement_manifest(announcement: Announcement) -> dict[str, Any]:
    """What a bureau signs when it publishes: the number, the call, the date and the list as granted."""
    return {
        "number": announcement.number,
        "authority": announcement.authority.name,
        "call": announcement.call.code,
        "published_on": str(announcement.published_on),
        "titles": [
            {
                "unit": t.organisation.name,
                "credit_code": t.organisation.credit_code or "",
                "kind": t.kind,
                "level": t.level,
                "grade": t.grade,
                "valid_from": str(t.valid_from),
            }
            for t in announcement.titles.select_related("organisation").order_by("pk")
        ],
    }


def _raise_lower_grades(actor: Actor, granted: Title) -> None:
    """Suzhou: a provincial title makes the holder's city grade 4A, a national one 5A (the scheme's
    status grades). Every active lower-level title of the same kind whose scheme has such a grade moves."""
    status = title_status_input(granted.level)
    if status is None:
        return
    lower = Title.objects.select_for_update().filter(
        organisation=granted.organisation, kind=granted.kind, status=Title.Status.ACTIVE
    )
    for held in lower.exclude(pk=granted.pk).exclude(level=granted.level):
        band = grade_from_status(get_scheme(held.scheme), {status: True}, held.grade)
        if band is None:
            continue
        GradeChange.objects.create(
            title=held, from_grade=held.grade, to_grade=band.id, to_label=band.label.zh, because_of=granted
        )
        before = held.grade
        held.grade, held.grade_label = band.id, band.label.zh
        held.save(update_fields=["grade", "grade_label"])
        _announce(held)
        _announcement_changed(held.announcement)
        _audit(
            actor,
            "grade_raised",
            held,
            str(held.public_id),
            from_grade=before,
            to_grade=band.id,
            because_of=str(granted.public_id),
        )


def revoke_title(title: Title, *, revoked_on: date, reason: str, actor: Actor | None = None) -> Title:
    """Withdraw a title (撤销): its own status changes, with the day and the reason shown publicly, and the
    contexts above hear of it in this transaction (the register marks its entry revoked). The decision and
    its grounds are supervision's (`greenmfg.supervision.services`); publication owns the title itself.
    Refused when the title is already revoked."""
    reason = reason.strip()
    if not reason:
        raise PublicationError("撤销称号须说明理由。", "a revocation needs its reason")
    with transaction.atomic():
        locked = Title.objects.select_for_update().get(pk=title.pk)
        if locked.status == Title.Status.REVOKED:
            raise PublicationError(
                f"该称号已于 {locked.revoked_on:%Y年%m月%d日} 撤销。",
                f"the title was already revoked on {locked.revoked_on}",
            )
        locked.status = Title.Status.REVOKED
        locked.revoked_on = revoked_on
        locked.revoked_reason = reason[:300]
        locked.save(update_fields=["status", "revoked_on", "revoked_reason"])
        _audit(
            actor, "title_revoked", locked, str(locked.public_id), revoked_on=str(revoked_on), reason=reason
        )
        _announce(locked)
    return locked


def _announce(title: Title) -> None:
    """Tell the contexts above of a title granted or changed, inside this transaction (the public
    register keeps its read model of titles this way: see `ports.title_changed`)."""
    for listener in title_changed:
        listener(title)


def _notice_changed(notice: PublicityNotice) -> None:
    """Tell the contexts above that a notice opened or its list changed, inside this transaction (the
    reports context has its PDF made again by the worker: see `ports.notice_changed`)."""
    for listener in notice_changed:
        listener(notice)


def _announcement_changed(announcement: Announcement) -> None:
    """Tell the contexts above that an announcement was published or a title on its list changed."""
    for listener in announcement_changed:
        listener(announcement)
