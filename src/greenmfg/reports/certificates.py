"""Certificates of granted titles: issued once per title, on first request, with a verification code the
public verify page checks against the live title (a revoked title's certificate says so)."""

from __future__ import annotations

import logging
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from greencore import CertificateData, certificate_pdf
from greenmfg.audit import services as audit
from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.orgs.predicates import applicant_for, reviewer_for
from greenmfg.orgs.selectors import Actor
from greenmfg.publication.models import Title

from . import storage
from .models import Certificate
from .services import ReportError, templates

logger = logging.getLogger(__name__)
# 32 symbols without 0/O and 1/I (read aloud or typed from paper); 12 of them: 60 bits, not guessable
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def normalise_code(text: str) -> str:
    """A code as typed (lower case, spaces, no dashes) in its printed form; "" when it cannot be one."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(raw) != 12 or any(ch not in ALPHABET for ch in raw):
        return ""
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def may_hold(actor: Actor, title: Title) -> bool:
    """The titled organisation, and the bureau that announced the title."""
    return applicant_for(actor, title.organisation_id) or reviewer_for(actor, title.announcement.authority_id)


def certificate_data(title: Title, code: str, base_url: str) -> CertificateData:
    announcement = title.announcement
    return CertificateData(
        title=TitleKind(title.kind).label if title.kind in TitleKind.values else title.kind,
        level=TitleLevel(title.level).label if title.level in TitleLevel.values else title.level,
        grade=title.grade_label,
        unit_name=title.organisation.name,
        credit_code=title.organisation.credit_code or "",
        authority=announcement.authority.name,
        announcement_number=announcement.number,
        announcement_title=announcement.title,
        valid_from=title.valid_from.isoformat(),
        code=code,
        verify_url=f"{base_url.rstrip('/')}{reverse('reports:verify_certificate')}?code={code}",
    )


def issue(actor: Actor, title: Title, base_url: str) -> Certificate:
    """The title's certificate: the one issued before, or a new one whose code is fixed now and whose PDF
    the worker renders, stores and digests (`render_certificate`). One that failed is queued again under
    the same code."""
    if not may_hold(actor, title):
        raise ReportError(
            "只有获得称号的单位和发布公告的主管部门可以下载证书。", "not the holder or the issuer"
        )
    if title.status != Title.Status.ACTIVE:
        raise ReportError("该称号已撤销，不再出具证书。", "the title was revoked")
    with transaction.atomic():
        locked = Title.objects.select_for_update().select_related("organisation", "announcement__authority")
        title = locked.get(pk=title.pk)
        certificate = Certificate.objects.filter(title=title).first()
        if certificate is not None and certificate.status != Certificate.Status.FAILED:
            return certificate
        if certificate is None:
            code = new_code()
            while Certificate.objects.filter(code=code).exists():
                code = new_code()
            certificate = Certificate.objects.create(
                title=title,
                code=code,
                status=Certificate.Status.QUEUED,
                issued_at=timezone.now(),
                issued_by=actor.user,
            )
        else:
            certificate.status, certificate.message = Certificate.Status.QUEUED, ""
            certificate.save(update_fields=["status", "message"])
        audit.record(
            "reports.certificate_issued",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=certificate,
            detail={"title": str(title.public_id), "code": certificate.code},
        )
        pk = certificate.pk
        transaction.on_commit(lambda: _enqueue(pk, base_url))
    return certificate


def _enqueue(certificate_id: int, base_url: str) -> None:
    result = render_certificate.enqueue(certificate_id, base_url)
    Certificate.objects.filter(pk=certificate_id).update(task_id=str(result.id)[:64])


@task()
def render_certificate(certificate_id: int, base_url: str) -> str:
    """Render the certificate under its code, store it and keep its digest; a failure keeps the reason."""
    certificate = Certificate.objects.select_related(
        "title__organisation", "title__announcement__authority"
    ).get(pk=certificate_id)
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.RUNNING)
    try:
        data = certificate_data(certificate.title, certificate.code, base_url)
        content = certificate_pdf(data, templates())
        name, digest = storage.store_digested(content, "pdf")
    except Exception as error:  # a broken template or a missing font: the reason, never "running"
        logger.exception("certificate %s failed", certificate_id)
        Certificate.objects.filter(pk=certificate.pk).update(
            status=Certificate.Status.FAILED, message=f"生成失败（{type(error).__name__}）：{error}"[:500]
        )
        return Certificate.Status.FAILED
    Certificate.objects.filter(pk=certificate.pk).update(
        storage_name=name, size=len(content), sm3=digest, status=Certificate.Status.DONE, message=""
    )
    audit.record(
        "reports.certificate_rendered",
        obj=certificate,
        detail={"title": str(certificate.title.public_id), "code": certificate.code, "sm3": digest},
    )
    return Certificate.Status.DONE


def lookup(code: str) -> Certificate | None:
    """The certificate a code names, for the public verify page."""
    printed = normalise_code(code)
    if not printed:
        return None
    return (
        Certificate.objects.select_related("title__organisation", "title__announcement__authority")
        .filter(code=printed)
        .first()
    )
