"""Pages of the reports context: an application's documents, their progress, download and verify a copy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from greencore import write_table_xlsx
from greenmfg.applications.access import access_application
from greenmfg.catalog.models import Call
from greenmfg.core.http import HtmxHttpRequest
from greenmfg.core.i18n import localized
from greenmfg.orgs.access import access_actor
from greenmfg.publication.access import access_announcement, access_public_notice
from greenmfg.publication.models import Title
from greenmfg.reviews import selectors as reviews

from . import certificates, notices, services, storage
from .access import access_document
from .models import Document
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
def certificate(request: HttpRequest, title_id: str) -> HttpResponseBase:
    """The certificate of a title, for its holder and its issuer (issued on the first request)."""
    actor = access_actor(request.user)
    title = get_object_or_404(
        Title.objects.select_related("organisation", "announcement__authority"), public_id=title_id
    )
    if not certificates.may_hold(actor, title):
        raise Http404
    try:
        issued = certificates.issue(actor, title, request.build_absolute_uri("/"))
    except ReportError as error:
        return HttpResponse(localized(error), status=409, content_type="text/plain; charset=utf-8")
    response = FileResponse(
        storage.open_stored(issued.storage_name),
        as_attachment=True,
        filename=f"证书-{issued.code}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


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


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_not_required
@require_GET
def publicity_notice_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    """The publicity notice (公示) as PDF: public once its window has opened, as the notice page is."""
    notice = access_public_notice(public_id)
    return _pdf(notices.notice_pdf(notice, request.build_absolute_uri("/")), f"{notice.title}.pdf")


@login_not_required
@require_GET
def announcement_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    """The announcement (公告) with its published list, under its number (public, as the announcement is)."""
    announcement = access_announcement(public_id)
    content = notices.announced_pdf(announcement, request.build_absolute_uri("/"))
    return _pdf(content, f"{announcement.title}（{announcement.number}）.pdf")


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
