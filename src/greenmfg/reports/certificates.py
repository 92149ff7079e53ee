"""Certificates of granted titles: issued once per title, on first request, with a verification code the
public verify page checks against the live title (a revoked title's certificate says so)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from greencore import CertificateData, certificate_pdf
from greenmfg.audit import services as audit
from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.evidence.validation import sm3_hex
from greenmfg.orgs.predicates import applicant_for, reviewer_for
from greenmfg.orgs.selectors import Actor
from greenmfg.publication.models import Title

from . import storage
from .models import Certificate
from .services import ReportError, templates

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
    """The title's certificate: the one issued before, or a new one (rendered, stored, digested)."""
    if not may_hold(actor, title):
        raise ReportError(
            "只有获得称号的单位和发布公告的主管部门可以下载证书。", "not the holder or the issuer"
        )
    if title.status != Title.Status.ACTIVE:
        raise ReportError("该称号已撤销，不再出具证书。", "the title was revoked")
    with transaction.atomic():
        locked = Title.objects.select_for_update().select_related("organisation", "announcement__authority")
        title = locked.get(pk=title.pk)
        existing = Certificate.objects.filter(title=title).first()
        if existing is not None:
            return existing
        code = new_code()
        while Certificate.objects.filter(code=code).exists():
            code = new_code()
        content = certificate_pdf(certificate_data(title, code, base_url), templates())
        name = storage.store(content, "pdf")
        with storage.open_stored(name) as stored:
            digest = sm3_hex(stored)
        certificate = Certificate.objects.create(
            title=title,
            code=code,
            storage_name=name,
            size=len(content),
            sm3=digest,
            issued_at=timezone.now(),
            issued_by=actor.user,
        )
        audit.record(
            "reports.certificate_issued",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=certificate,
            detail={"title": str(title.public_id), "code": code, "sm3": digest},
        )
    return certificate


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
