"""Pages of the reports context: an application's documents, their progress, download and verify a copy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from greencore import write_table_xlsx
from greenmfg.applications.access import access_application
from greenmfg.catalog.models import Call
from greenmfg.core.http import HtmxHttpRequest
from greenmfg.core.i18n import localized
from greenmfg.core.idempotency import idempotent
from greenmfg.orgs.access import access_actor
from greenmfg.orgs.selectors import Actor, actor_of
from greenmfg.publication.access import access_announcement, access_public_notice
from greenmfg.publication.models import PublicityNotice, Title
from greenmfg.reviews import selectors as reviews
from greenmfg.supervision.access import access_filing

from . import certificates, notices, services, storage
from . import issued as issued_documents
from .access import access_document, access_issued, access_own_public_document
from .models import Certificate, Document, IssuedDocument
from .selectors import documents_for
from .services import ReportError
from .tables import call_summary, panel_score_sheet, published_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def application_documents(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application(request.user, public_id)
    actor = access_actor(request.user)
    return render(
        request,
        "reports/application.html",
        {
            "application": application,
            "documents": documents_for(actor, application),
            "kinds": Document.Kind.choices,
            "formats": Document.Format.choices,
        },
    )


@require_POST
def generate(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application(request.user, public_id)
    actor = access_actor(request.user)
    try:
        document = services.request_document(
            actor,
            application,
            request.POST.get("kind", Document.Kind.SELF_EVALUATION),
            request.POST.get("format", ""),
        )
    except ReportError as error:
        messages.error(request, localized(error))
        return redirect("reports:application", public_id=application.public_id)
    return redirect("reports:status", pk=document.pk)


@require_GET
def status(request: HtmxHttpRequest, pk: str) -> HttpResponse:
    document = access_document(request.user, pk)
    template = "reports/status.html#progress" if request.htmx else "reports/status.html"
    return render(request, template, {"document": document, "application": document.application})


@require_GET
def download(request: HttpRequest, pk: str) -> HttpResponseBase:
    document = access_document(request.user, pk)
    actor = access_actor(request.user)
    try:
        handle = services.open_verified(actor, document)
    except services.IntegrityFailure as failure:
        return HttpResponse(localized(failure), status=409, content_type="text/plain; charset=utf-8")
    except ReportError as error:
        raise Http404(localized(error)) from None
    content_type = (
        "application/pdf"
        if document.format == Document.Format.PDF
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response = FileResponse(
        handle, as_attachment=True, filename=document.file_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def verify(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application(request.user, public_id)
    actor = access_actor(request.user)
    upload = request.FILES.get("copy")
    try:
        found = services.verify_copy(actor, application, upload, (upload.size or 0) if upload else 0)
    except ReportError as error:
        messages.error(request, localized(error))
        return redirect("reports:application", public_id=application.public_id)
    return render(
        request,
        "reports/verified.html",
        {"application": application, "found": found, "name": upload.name if upload else ""},
    )


@require_GET
def call_summary_table(request: HttpRequest, code: str) -> HttpResponse:
    """The call's recommendation summary table (推荐汇总表) of the applications this bureau may see."""
    actor = access_actor(request.user, "reviewer")
    call = get_object_or_404(Call, code=code)
    table = call_summary(actor, call)
    response = HttpResponse(write_table_xlsx(table), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{table.title}.xlsx")
    return response


@require_GET
def certificate(request: HtmxHttpRequest, title_id: str) -> HttpResponseBase:
    """The certificate of a title, for its holder and its issuer: the PDF once the worker has made it,
    else its progress (or the button that asks for it)."""
    actor = access_actor(request.user)
    title = _certified_title(actor, title_id)
    issued = getattr(title, "certificate", None)
    if issued is None or issued.status != Certificate.Status.DONE:
        template = (
            "reports/certificate_status.html#progress" if request.htmx else "reports/certificate_status.html"
        )
        return render(request, template, {"title": title, "certificate": issued})
    handle, _ = storage.open_if_intact(issued.storage_name, issued.sm3)
    if handle is None:
        error = services.IntegrityFailure("文件校验失败（SM3 摘要不符），已记录。", "integrity check failed")
        return HttpResponse(localized(error), status=409, content_type="text/plain; charset=utf-8")
    response = FileResponse(
        handle, as_attachment=True, filename=f"证书-{issued.code}.pdf", content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _certified_title(actor: Actor, title_id: str) -> Title:
    title = get_object_or_404(
        Title.objects.select_related("organisation", "announcement__authority"), public_id=title_id
    )
    if not certificates.may_hold(actor, title):
        raise Http404
    return title


@require_POST
def certificate_issue(request: HttpRequest, title_id: str) -> HttpResponse:
    """Ask for the title's certificate: the code is fixed now, the worker renders the PDF."""
    actor = access_actor(request.user)
    title = _certified_title(actor, title_id)
    try:
        certificates.issue(actor, title, request.build_absolute_uri("/"))
    except ReportError as error:
        messages.error(request, localized(error))
    return redirect("reports:certificate", title_id=title.public_id)


@login_not_required
@require_GET
def verify_certificate(request: HttpRequest) -> HttpResponse:
    """Anyone checks a certificate's code: the live title behind it (valid or revoked), or no such code."""
    code = request.GET.get("code", "")
    found = certificates.lookup(code) if code else None
    return render(
        request,
        "reports/certificate_verify.html",
        {
            "code": code,
            "found": found,
            "title": found.title if found else None,
            # the labels as the certificate prints them
            "shown": certificates.certificate_data(found.title, found.code, "") if found else None,
        },
    )


@login_not_required
@require_GET
def published_list_table(request: HttpRequest, public_id: str) -> HttpResponse:
    """The published list of an announcement (public, as the announcement is), with its number."""
    table = published_list(access_announcement(public_id))
    response = HttpResponse(write_table_xlsx(table), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{table.title}.xlsx")
    return response


def _stored(actor: Actor | None, issued: IssuedDocument) -> HttpResponseBase:
    """An issued document's stored file, checked against its SM3 first (409 when it no longer matches)."""
    try:
        handle = issued_documents.open_issued(actor, issued)
    except services.IntegrityFailure as failure:
        return HttpResponse(localized(failure), status=409, content_type="text/plain; charset=utf-8")
    except ReportError as error:
        raise Http404(localized(error)) from None
    content_type = XLSX if issued.format == IssuedDocument.Format.XLSX else "application/pdf"
    response = FileResponse(handle, as_attachment=True, filename=issued.file_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Content-SM3"] = issued.sm3
    return response


def _public(request: HttpRequest, stored: IssuedDocument | None, label: str) -> HttpResponseBase:
    """A public document's stored PDF; until the worker has made it (it is queued when its data changes,
    never by a request), a page that says it is being prepared."""
    if stored is not None:
        return _stored(None, stored)
    response = render(request, "reports/public_preparing.html", {"label": label})
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@require_GET
def publicity_notice_pdf(request: HttpRequest, public_id: str) -> HttpResponseBase:
    """The publicity notice (公示) as PDF: public once its window has opened, as the notice page is; the
    stored copy of the notice in its present state."""
    notice = access_public_notice(public_id)
    return _public(request, notices.stored_notice(notice), notice.title)


@login_not_required
@require_GET
def announcement_pdf(request: HttpRequest, public_id: str) -> HttpResponseBase:
    """The announcement (公告) with its published list, under its number (public, as the announcement is)."""
    announcement = access_announcement(public_id)
    label = f"{announcement.title}（{announcement.number}）"
    return _public(request, notices.stored_announcement(announcement), label)


@require_POST
@idempotent
def public_retry(request: HttpRequest, kind: str, public_id: str) -> HttpResponse:
    """The issuing bureau asks for its notice's or announcement's PDF, whose making failed, to be made again
    now; back to its publication page either way."""
    subject = access_own_public_document(request.user, kind, public_id)
    actor = access_actor(request.user, "reviewer")
    notice = subject if isinstance(subject, PublicityNotice) else subject.notice
    try:
        notices.retry_public(actor, subject)
    except ReportError as error:
        messages.error(request, localized(error))
    else:
        messages.success(request, _("已重新排队生成 PDF 文件，生成后公开页面即可下载。"))
    return redirect("publication:manage", public_id=notice.public_id)


@require_POST
def filing_confirmation(request: HttpRequest, public_id: str) -> HttpResponse:
    """Ask for the confirmation of an accepted 动态管理表 (the unit, or the bureau of the round)."""
    filing = access_filing(request.user, public_id)
    actor = access_actor(request.user)
    try:
        issued = issued_documents.request_filing_confirmation(actor, filing)
    except ReportError as error:
        messages.error(request, localized(error))
        return redirect("supervision:filing", public_id=filing.public_id)
    return redirect("reports:issued", pk=issued.pk)


@require_POST
def round_summary(request: HttpRequest) -> HttpResponse:
    """A supervising bureau asks for its yearly summary of a filing round, as PDF or Excel."""
    actor = access_actor(request.user, "reviewer")
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = 0
    try:
        issued = issued_documents.request_round_summary(actor, year, request.POST.get("format", ""))
    except ReportError as error:
        messages.error(request, localized(error))
        return redirect("supervision:filings")
    return redirect("reports:issued", pk=issued.pk)


def _private_needs_login(request: HttpRequest, pk: str) -> HttpResponse | None:
    """Public notices are for anyone; any other issued document asks an anonymous visitor to sign in
    first, as every private page does (and says nothing of whether it exists)."""
    if request.user.is_authenticated:
        return None
    public = IssuedDocument.objects.filter(
        pk__in=[pk], kind__in=[IssuedDocument.Kind.PUBLICITY_NOTICE, IssuedDocument.Kind.ANNOUNCEMENT]
    ).exists()
    return None if public else redirect_to_login(request.get_full_path())


@login_not_required
@require_GET
def issued(request: HtmxHttpRequest, pk: str) -> HttpResponse:
    if (login := _private_needs_login(request, pk)) is not None:
        return login
    found = access_issued(request.user, pk)
    template = "reports/issued_status.html#progress" if request.htmx else "reports/issued_status.html"
    return render(request, template, {"issued": found})


@login_not_required
@require_GET
def issued_download(request: HttpRequest, pk: str) -> HttpResponseBase:
    if (login := _private_needs_login(request, pk)) is not None:
        return login
    found = access_issued(request.user, pk)
    return _stored(actor_of(request.user), found)


@login_not_required
@require_http_methods(["GET", "POST"])
def verify_issued(request: HttpRequest) -> HttpResponse:
    """Anyone checks a copy of a confirmation, a round summary, a notice or an announcement."""
    if request.method == "GET":
        return render(request, "reports/issued_verify.html", {"checked": False})
    upload = request.FILES.get("copy")
    try:
        found = issued_documents.verify_issued_copy(upload, (upload.size or 0) if upload else 0)
    except ReportError as error:
        messages.error(request, localized(error))
        return redirect("reports:verify_issued")
    return render(
        request,
        "reports/issued_verify.html",
        {"checked": True, "found": found, "name": upload.name if upload else ""},
    )


@require_GET
def panel_scores_table(request: HttpRequest, public_id: str, step: int) -> HttpResponse:
    """The expert panel's score sheet (专家评分表) of a step, for the bureau that decides the step; only
    once every member has signed (no partial figures, as on the case page)."""
    application = access_application(request.user, public_id)
    actor = access_actor(request.user, "reviewer")
    chain = reviews.chain_of(application.call)
    if (
        step >= len(chain)
        or chain[step].panel is None
        or not reviews.decides_step(actor, application, chain[step])
    ):
        raise Http404
    result = reviews.panel_result(application, chain[step])
    if result is None or result.total is None:
        error = ReportError(
            "专家组尚未全部签署评分，评分表暂不能导出。", "the panel has not all signed its scores yet"
        )
        return HttpResponse(localized(error), status=409, content_type="text/plain; charset=utf-8")
    table = panel_score_sheet(application, chain[step], result)
    response = HttpResponse(write_table_xlsx(table), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{table.title}.xlsx")
    return response
