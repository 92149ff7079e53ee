"""Generating documents in the background, and checking a copy against what was generated.

A request locks the application's row, numbers the new document (version n of its kind), records the
event and queues the work once the transaction commits. The task builds the document's data with
greencore (the same builder as the command line), renders it from the template files, stores it and keeps
its SM3 digest; progress is on the row for the page to poll.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, BinaryIO

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from greencore import (
    EvidenceItem,
    Finding,
    PackageSection,
    Result,
    SelfEvaluationReport,
    SubmissionPackage,
    Templates,
    ThirdPartyReport,
    self_evaluation_docx,
    self_evaluation_pdf,
    self_evaluation_report,
    submission_package_pdf,
    third_party_docx,
    third_party_pdf,
    third_party_report,
)
from greenmfg.applications.dossier import scheme_for
from greenmfg.applications.models import Application, Dossier
from greenmfg.applications.selectors import dossier_for, latest_frozen
from greenmfg.audit import services as audit
from greenmfg.core.errors import Refused
from greenmfg.evaluations.models import Engagement, EngagementStatus
from greenmfg.evaluations.selectors import engagements_visible_to
from greenmfg.evidence.selectors import evidence_by_indicator
from greenmfg.evidence.validation import sm3_hex
from greenmfg.orgs.selectors import Actor

from . import storage
from .models import Document
from .selectors import matching_copy

logger = logging.getLogger(__name__)
COPY_MAX_BYTES = 100 * 1024 * 1024


class ReportError(Refused):
    """A refused request for a document, or a refused copy to verify."""


class IntegrityFailure(ReportError):
    pass


def request_document(actor: Actor, application: Application, kind: str, fmt: str) -> Document:
    """Queue a document of the version of the application the actor may see (the applicant's draft, or
    the submitted version for everyone else)."""
    if kind not in Document.Kind.values:
        raise ReportError(f"未知的文件类型：{kind}", f"unknown document kind: {kind}")
    if fmt not in Document.Format.values:
        raise ReportError("格式只能是 PDF 或 Word（docx）。", "the format must be pdf or docx")
    engagement: Engagement | None = None
    dossier: Dossier | None
    if kind == Document.Kind.PACKAGE:
        # the package is what goes to the ministry: the submitted version only, as one PDF, with the
        # concluded third-party evaluation when there is one (its readers are then the package's)
        if fmt != Document.Format.PDF:
            raise ReportError("申报材料汇编只生成 PDF 文件。", "the submission package is a PDF only")
        dossier = latest_frozen(application)
        if dossier is None:
            raise ReportError("申报书提交后才能汇编申报材料。", "the application has not been submitted")
        engagement = (
            engagements_visible_to(actor)
            .filter(application=application, status=EngagementStatus.CONCLUDED)
            .order_by("-concluded_at")
            .first()
        )
    elif kind == Document.Kind.THIRD_PARTY:
        # the concluded evaluation the actor may read; its dossier is the version it compared against
        engagement = (
            engagements_visible_to(actor)
            .filter(application=application, status=EngagementStatus.CONCLUDED)
            .order_by("-concluded_at")
            .first()
        )
        if engagement is None or engagement.dossier is None or engagement.result is None:
            raise ReportError("尚无已出具结论的第三方评价。", "no concluded third-party evaluation")
        dossier = engagement.dossier
    else:
        dossier = dossier_for(actor, application)
    if dossier is None:
        raise ReportError(
            "尚无可生成报告的申报书版本（申报书提交后可见）。", "no version of the dossier to report on"
        )
    if dossier.result is None:
        raise ReportError("申报书尚未评分：请先填写并保存自评数据。", "the dossier has not been scored yet")
    with transaction.atomic():
        Application.objects.select_for_update().get(pk=application.pk)  # one number per request
        last = Document.objects.filter(application=application, kind=kind).aggregate(n=Max("number"))["n"]
        document = Document.objects.create(
            application=application,
            dossier=dossier,
            dossier_number=dossier.number,
            dossier_revision=dossier.revision,
            engagement=engagement,
            kind=kind,
            format=fmt,
            number=(last or 0) + 1,
            created_by=actor.user,
        )
        audit.record(
            "reports.requested",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=document,
            detail={"kind": kind, "format": fmt, "number": document.number, "dossier": dossier.number},
        )
        transaction.on_commit(lambda: _enqueue(document.pk))
    return document


def _enqueue(document_id: uuid.UUID) -> None:
    result = generate_document.enqueue(str(document_id))
    Document.objects.filter(pk=document_id).update(task_id=str(result.id)[:64])


def templates() -> Templates:
    """The bureau's template directory (DOCUMENT_TEMPLATES_DIR), over the shipped templates."""
    directory = getattr(settings, "DOCUMENT_TEMPLATES_DIR", None)
    return Templates(Path(directory) if directory else None)


def self_evaluation_data(application: Application, dossier: Dossier) -> SelfEvaluationReport:
    """The report's content: the result stored with that version, the applicant's profile, and the evidence
    cited (the submitted files for a submitted version)."""
    call = application.call
    scheme = scheme_for(call.scheme_id, call.scheme_version)
    result = _result(dossier.result)
    organisation = application.applicant
    sites = [f"{s.name}（{s.address}）" if s.address else s.name for s in organisation.sites.all()]
    files = evidence_by_indicator(application.pk, submitted_only=dossier.frozen_at is not None)
    return self_evaluation_report(
        scheme,
        result,
        applicant={
            "name": organisation.name,
            "credit_code": organisation.credit_code or "",
            "address": organisation.address,
            "region": application.region.full_name(),
            "industry": str(organisation.industry) if organisation.industry else "",
            "scope": "；".join(sites),
            "boundary": "",
            "period": call.name,
        },
        evidence={indicator: [f.name for f in items] for indicator, items in files.items()},
        generated_on=timezone.localdate().isoformat(),
        data_version=f"申报书第 {dossier.number} 版（修订 {dossier.revision}）",
    )


def _result(stored: object) -> Result:
    # store_result keeps the result as its JSON text (older rows may hold the decoded object)
    return Result.from_json(stored if isinstance(stored, str) else json.dumps(stored))


def _name(user: object) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return str(full or getattr(user, "username", ""))


def third_party_data(engagement: Engagement) -> ThirdPartyReport:
    """The report of a concluded evaluation: the compared self-evaluation, the body's own scoring and
    findings, the margin frozen at conclusion, the conclusion."""
    application = engagement.application
    call = application.call
    scheme = scheme_for(call.scheme_id, call.scheme_version)
    assert engagement.dossier is not None  # checked when the document was requested
    labels = {node.id: node.label.zh for node in scheme.iter_nodes()}
    findings = list(engagement.findings.select_related("recorded_by"))
    team = list(
        dict.fromkeys(_name(u) for u in [*(f.recorded_by for f in findings), engagement.concluded_by] if u)
    )
    visit = sorted(timezone.localtime(f.recorded_at).date().isoformat() for f in findings)
    dates = {"受托日期": timezone.localtime(engagement.engaged_at).date().isoformat()}
    if visit:
        dates["评价实施"] = visit[0] if visit[0] == visit[-1] else f"{visit[0]} 至 {visit[-1]}"
    if engagement.concluded_at:
        dates["出具结论"] = timezone.localtime(engagement.concluded_at).date().isoformat()
    organisation = application.applicant
    return third_party_report(
        scheme,
        _result(engagement.dossier.result),
        _result(engagement.result),
        margin=engagement.score_margin if engagement.score_margin is not None else call.score_margin,
        body=engagement.body.name,
        team=team,
        dates=dates,
        findings=[
            Finding(
                kind=f.kind,
                method=f.get_kind_display(),
                indicator=labels.get(f.indicator, f.indicator),
                description=f.description,
                date=timezone.localtime(f.recorded_at).date().isoformat(),
                file_name=f.file_name,
            )
            for f in findings
        ],
        conclusion=engagement.conclusion,
        applicant={
            "name": organisation.name,
            "credit_code": organisation.credit_code or "",
            "address": organisation.address,
            "region": application.region.full_name(),
            "industry": str(organisation.industry) if organisation.industry else "",
        },
        generated_on=timezone.localdate().isoformat(),
        data_version=(
            f"申报书第 {engagement.dossier.number} 版；第三方评价修订 {engagement.revision}"
            f"（结论摘要 SM3 {engagement.manifest_sm3[:16]}）"
        ),
    )


def _progress(document: Document, progress: int, status: str = Document.Status.RUNNING) -> None:
    document.status, document.progress = status, progress
    document.save(update_fields=["status", "progress"])


def render(document: Document) -> bytes:
    pdf = document.format == Document.Format.PDF
    if document.kind == Document.Kind.PACKAGE:
        return package_pdf(document, lambda progress: _progress(document, progress))
    if document.kind == Document.Kind.THIRD_PARTY and document.engagement is not None:
        third = third_party_data(document.engagement)
        _progress(document, 40)
        return third_party_pdf(third, templates()) if pdf else third_party_docx(third, templates())
    report = self_evaluation_data(document.application, document.dossier)
    _progress(document, 40)
    return self_evaluation_pdf(report, templates()) if pdf else self_evaluation_docx(report, templates())


def finish(document: Document, content: bytes) -> None:
    """Store the bytes, keep their digest, mark the document done and record it."""
    name, digest = storage.store_digested(content, document.format)
    Document.objects.filter(pk=document.pk).update(
        storage_name=name,
        size=len(content),
        sm3=digest,
        status=Document.Status.DONE,
        progress=100,
        message="",
        finished_at=timezone.now(),
    )
    audit.record(
        "reports.generated",
        obj=document,
        detail={"number": document.number, "format": document.format, "sm3": digest, "size": len(content)},
    )


def package_pdf(document: Document, progress: Callable[[int], None]) -> bytes:
    """The submission package: the self-evaluation report of the submitted version, the third-party
    report when the package names a concluded evaluation, and the submitted evidence (each file checked
    against its SM3 digest first: a file that no longer matches fails the package, with its name)."""
    application = document.application
    sections = [
        PackageSection(
            "自评价报告",
            self_evaluation_pdf(self_evaluation_data(application, document.dossier), templates()),
        )
    ]
    progress(30)
    if document.engagement is not None:
        third = third_party_pdf(third_party_data(document.engagement), templates())
        sections.append(PackageSection("第三方评价报告", third))
    progress(50)
    call = application.call
    labels = {node.id: node.label.zh for node in scheme_for(call.scheme_id, call.scheme_version).iter_nodes()}
    evidence = []
    for indicator, items in evidence_by_indicator(application.pk, submitted_only=True).items():
        for item in items:
            with default_storage.open(item.storage_name, "rb") as handle:
                content = handle.read()
            if sm3_hex(io.BytesIO(content)) != item.sm3:
                raise ReportError(
                    f"证明材料“{item.name}”校验失败（SM3 摘要不符），未汇编。",
                    f"evidence file {item.name!r} failed its integrity check",
                )
            evidence.append(
                EvidenceItem(
                    indicator=labels.get(indicator, indicator),
                    name=item.name,
                    content=content,
                    is_pdf=item.mime == "application/pdf",
                    sm3=item.sm3,
                )
            )
    progress(60)
    return submission_package_pdf(
        SubmissionPackage(
            title=f"{application.applicant.name}\n{call.name}申报材料",
            applicant=application.applicant.name,
            call_name=call.name,
            data_version=f"申报书第 {document.dossier.number} 版（提交版）",
            generated_on=timezone.localdate().isoformat(),
            sections=tuple(sections),
            evidence=tuple(evidence),
        ),
        templates(),
    )


@task()
def generate_document(document_id: str) -> str:
    """Build, render and store one document. Whatever goes wrong, it ends failed with the reason. A worker
    that dies mid-way leaves it running; the user requests it again (a new version), nothing is lost."""
    document = Document.objects.select_related(
        "application__call", "application__applicant", "dossier", "engagement__body", "engagement__dossier"
    ).get(pk=document_id)
    _progress(document, 10)
    try:
        content = render(document)
        _progress(document, 80)
        finish(document, content)
    except Exception as error:  # a template a bureau broke, a font missing: the reason, never "running"
        logger.exception("document %s failed", document_id)
        # a refusal (an evidence file that fails its check) is told as is, in Chinese; anything else with
        # the error's type and text
        why = f"：{error.zh}" if isinstance(error, ReportError) else f"（{type(error).__name__}）：{error}"
        Document.objects.filter(pk=document.pk).update(
            status=Document.Status.FAILED,
            progress=100,
            message=f"生成失败{why}"[:500],
            finished_at=timezone.now(),
        )
        return Document.Status.FAILED
    return Document.Status.DONE


def open_verified(actor: Actor, document: Document) -> BinaryIO:
    """The stored file, after checking its SM3 digest again; a mismatch is refused and recorded."""
    if document.status != Document.Status.DONE:
        raise ReportError("文件尚未生成完成。", "the document is not ready")
    handle, digest = storage.open_if_intact(document.storage_name, document.sm3)
    if handle is None:
        audit.record(
            "reports.integrity_failed",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=document,
            success=False,
            detail={"expected": document.sm3, "found": digest},
        )
        raise IntegrityFailure("文件校验失败（SM3 摘要不符），已记录。", "integrity check failed")
    audit.record(
        "reports.downloaded",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=document,
    )
    return handle


def verify_copy(
    actor: Actor, application: Application, upload: BinaryIO | IO[bytes] | None, size: int
) -> Document | None:
    """The generated document a copy is byte for byte (by SM3), or None: "does not match"."""
    if upload is None or size == 0:
        raise ReportError("请选择要核验的文件。", "choose the file to verify")
    if size > COPY_MAX_BYTES:
        raise ReportError(
            "文件超过 100 MB，不是本平台生成的报告。", "larger than 100 MB: not a generated report"
        )
    digest = sm3_hex(upload)
    found = matching_copy(actor, application, digest)
    audit.record(
        "reports.copy_verified",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=application,
        object_id=str(application.public_id),
        success=found is not None,
        detail={"sm3": digest, "document": str(found.pk) if found else ""},
    )
    return found
