from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from greenmfg.core.i18n import localized
from greenmfg.orgs.access import access_actor
from greenmfg.orgs.selectors import Actor
from greenmfg.reviews.selectors import calls_for_bureau

from . import integrity, services
from .access import access_announcement, access_own_notice, access_own_objection, access_public_notice
from .models import Announcement, PublicityEntry, PublicityNotice
from .services import PublicationError


def _reviewer(request: HttpRequest) -> Actor:
    return access_actor(request.user, "reviewer")


@require_POST
def open_notice(request: HttpRequest, code: str) -> HttpResponse:
    actor = _reviewer(request)
    call = next((c for c in calls_for_bureau(actor) if c.code == code), None)
    if call is None:
        raise Http404
    try:
        notice = services.open_publicity(actor, call)
    except PublicationError as error:
        messages.error(request, localized(error))
        return redirect("reviews:queue")
    messages.success(
        request,
        _("公示已发布，公示期至 %(date)s。") % {"date": date_format(notice.closes_on, _("Y年m月d日"))},
    )
    return redirect("publication:manage", public_id=notice.public_id)


@require_GET
def manage(request: HttpRequest, public_id: Any) -> HttpResponse:
    _reviewer(request)
    notice = access_own_notice(request.user, public_id)
    return render(
        request,
        "publication/manage.html",
        {
            "notice": notice,
            "entries": notice.entries.all(),
            "objections": notice.objections.select_related("entry").prefetch_related("files"),
            "window_over": timezone.localdate() > notice.closes_on,
            "indicators": services.publishable_indicators(notice.call),
        },
    )


@require_POST
def decide(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _reviewer(request)
    objection = access_own_objection(request.user, public_id)
    try:
        services.decide_objection(
            actor,
            objection,
            upheld=request.POST.get("upheld") == "yes",
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("已作出异议处理决定。"))
    except PublicationError as error:
        messages.error(request, localized(error))
    return redirect("publication:manage", public_id=objection.notice.public_id)


@require_POST
def publish(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _reviewer(request)
    notice = access_own_notice(request.user, public_id)
    try:
        announcement = services.publish(actor, notice, indicators=request.POST.getlist("indicators"))
    except PublicationError as error:
        messages.error(request, localized(error))
        return redirect("publication:manage", public_id=notice.public_id)
    messages.success(request, _("已公布：%(number)s") % {"number": announcement.number})
    return redirect("publication:announcement", public_id=announcement.public_id)


# --- public pages (no login) ------------------------------------------------------------------------


@login_not_required
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "publication/notices.html",
        {
            "open": PublicityNotice.objects.filter(opens_on__lte=today, closes_on__gte=today).select_related(
                "authority"
            ),
            "announcements": Announcement.objects.select_related("authority")[:50],
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def notice(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = access_public_notice(public_id)
    entries = found.entries.exclude(status=PublicityEntry.Status.REMOVED)
    today = timezone.localdate()
    error = ""
    if request.method == "POST":
        entry = entries.filter(pk=request.POST.get("entry") or 0).first()
        try:
            if entry is None:
                raise PublicationError("请选择异议对象。", "choose the unit objected to")
            services.file_objection(
                found,
                entry,
                name=request.POST.get("name", ""),
                contact=request.POST.get("contact", ""),
                organisation=request.POST.get("organisation", ""),
                grounds=request.POST.get("grounds", ""),
                files=request.FILES.getlist("files"),
            )
        except PublicationError as refused:
            error = localized(refused)
        else:
            messages.success(request, _("异议已受理，主管部门将调查核实并作出处理。"))
            return redirect("publication:notice", public_id=found.public_id)
    return render(
        request,
        "publication/notice.html",
        {
            "notice": found,
            "entries": entries,
            "is_open": found.opens_on <= today <= found.closes_on,
            "error": error,
            "form": request.POST if error else {},
        },
        status=400 if error else 200,
    )


@login_not_required
@require_GET
def announcement(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = access_announcement(public_id)
    titles = list(found.titles.select_related("organisation__region", "announcement__call"))
    verdicts = integrity.title_verdicts(titles)
    return render(
        request,
        "publication/announcement.html",
        {
            "announcement": found,
            "verdict": integrity.announcement_verdict(found),
            "rows": [(t, verdicts[t.pk]) for t in titles],
        },
    )
