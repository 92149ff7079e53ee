from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from greenmfg.applications.access import access_application
from greenmfg.core.boundary import refuse
from greenmfg.orgs.selectors import actor_of

from . import services
from .access import access_evidence


@require_POST
def upload(request: HttpRequest, public_id: str) -> HttpResponse:
    application = access_application(request.user, public_id)
    actor = actor_of(request.user)
    if actor is None or not actor.is_applicant:
        raise Http404
    files = request.FILES.getlist("file")
    indicator = request.POST.get("indicator", "")
    replaces = None
    if request.POST.get("replaces"):
        replaces = access_evidence(request.user, request.POST["replaces"])
        if replaces.application_id != application.pk:
            return refuse(
                request,
                "replaces",
                ("只能替换本申报的佐证材料。", "a file can only replace evidence of the same application"),
            )
    if not files:
        messages.error(request, "请选择要上传的文件。")
    for item in files:
        try:
            services.upload(actor, application, indicator, item, item.name, replaces=replaces)
        except services.EvidenceError as error:
            messages.error(request, f"{item.name}：{error.zh}")
        else:
            messages.success(request, f"已上传：{item.name}")
    return redirect(f"/applications/{application.public_id}/#evidence-{indicator}")


@require_GET
def download(request: HttpRequest, pk: str) -> HttpResponse:
    item = access_evidence(request.user, pk)
    actor = actor_of(request.user)
    if actor is None:
        raise Http404
    try:
        handle = services.open_verified(actor, item)
    except services.IntegrityFailure as failure:
        return HttpResponse(failure.zh, status=409, content_type="text/plain; charset=utf-8")
    response = FileResponse(handle, as_attachment=True, filename=item.name, content_type=item.mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_POST
def withdraw(request: HttpRequest, pk: str) -> HttpResponse:
    item = access_evidence(request.user, pk)
    actor = actor_of(request.user)
    if actor is None or not actor.is_applicant:
        raise Http404
    try:
        services.withdraw_file(actor, item)
    except services.EvidenceError as error:
        messages.error(request, error.zh)
    return redirect(f"/applications/{item.application.public_id}/#evidence-{item.indicator}")
