from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from greencore import may_decide
from greenmfg.catalog.models import TitleLevel
from greenmfg.core.forms import form_refusal
from greenmfg.core.i18n import localized
from greenmfg.core.idempotency import idempotent
from greenmfg.orgs.access import access_actor, access_signed
from greenmfg.orgs.selectors import Actor
from greenmfg.reviews.selectors import calls_for_bureau

from . import integrity, selectors, services
from .access import (
    access_announcement,
    access_objection_to_verify,
    access_own_notice,
    access_own_objection,
    access_public_notice,
)
from .forms import CodeForm, DecisionForm, ObjectionForm
from .models import Announcement, Objection, PublicityEntry, PublicityNotice
from .ports import document_states
from .services import PublicationError


def _reviewer(request: HttpRequest) -> Actor:
    return access_actor(request.user, "reviewer")


def _refused(request: HttpRequest, error: PublicationError) -> None:
    """The refusal and each of its detail lines (the units that hold it up), in the user's language."""
    messages.error(request, localized(error))
    for detail in error.details[:30]:
        messages.warning(request, localized(detail))


@require_POST
def open_notice(request: HttpRequest, code: str) -> HttpResponse:
    actor = _reviewer(request)
    call = next((c for c in calls_for_bureau(actor) if c.code == code), None)
    if call is None:
        raise Http404
    access_signed(actor, "open_publicity")
    try:
        notice = services.open_publicity(actor, call)
    except PublicationError as error:
        _refused(request, error)
        return redirect("reviews:queue")
    messages.success(
        request,
        _("公示已发布，公示期至 %(date)s。") % {"date": date_format(notice.closes_on, _("Y年m月d日"))},
    )
    return redirect("publication:manage", public_id=notice.public_id)


@require_GET
def manage(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _reviewer(request)
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
            "may_publish": may_decide(actor.role, "publish"),
            # the 公示 and 公告 PDFs the worker makes: a failure is shown here, with "retry now"
            "documents": [state for states in document_states for state in states(notice)],
        },
    )


@require_POST
@idempotent
def decide(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _reviewer(request)
    objection = access_own_objection(request.user, public_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return form_refusal(request, form)
    reason = form.cleaned_data["reason"]
    try:
        if form.chosen() == "set_aside":
            services.set_aside_objection(actor, objection, reason=reason)
            messages.success(request, _("已决定对该异议不予受理。"))
        else:
            services.decide_objection(actor, objection, upheld=form.chosen() == "upheld", reason=reason)
            messages.success(request, _("已作出异议处理决定。"))
    except PublicationError as error:
        _refused(request, error)
    return redirect("publication:manage", public_id=objection.notice.public_id)


@require_POST
@idempotent
def publish(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _reviewer(request)
    notice = access_own_notice(request.user, public_id)
    access_signed(actor, "publish")
    try:
        announcement = services.publish(actor, notice, indicators=request.POST.getlist("indicators"))
    except PublicationError as error:
        _refused(request, error)
        return redirect("publication:manage", public_id=notice.public_id)
    messages.success(request, _("已公布：%(number)s") % {"number": announcement.number})
    return redirect("publication:announcement", public_id=announcement.public_id)


@require_GET
def filings(request: HttpRequest) -> HttpResponse:
    """备案: the district grading announcements filed with this bureau (the city), or filed by it (the
    district), with every title they granted."""
    actor = _reviewer(request)
    found = selectors.filings_for(actor)
    titles = list(selectors.filed_titles(found))
    by_announcement: dict[int, list[Any]] = {}
    for title in titles:
        by_announcement.setdefault(title.announcement_id, []).append(title)
    return render(
        request,
        "publication/filings.html",
        {
            "rows": [(f, by_announcement.get(f.announcement_id, [])) for f in found],
            "levels": dict(TitleLevel.choices),
        },
    )


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


def _first_error(form: Any) -> tuple[str, str]:
    name, errors = next(iter(form.errors.items()))
    label = form.fields[name].label if name in form.fields else ""
    return name, f"{_(label) if label else name}：{'；'.join(str(e) for e in errors)}"


@login_not_required
@require_http_methods(["GET", "POST"])
@idempotent
def notice(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = access_public_notice(public_id)
    entries = found.entries.exclude(status=PublicityEntry.Status.REMOVED)
    today = timezone.localdate()
    error = error_field = ""
    if request.method == "POST":
        form = ObjectionForm(entries, request.POST)
        if not form.is_valid():
            error_field, error = _first_error(form)
        else:
            data = form.cleaned_data
            try:
                if data["entry"] is None:
                    raise PublicationError("请选择异议对象。", "choose the unit objected to")
                objection = services.file_objection(
                    found,
                    data["entry"],
                    name=data["name"],
                    contact=data["contact"],
                    organisation=data["organisation"],
                    grounds=data["grounds"],
                    files=request.FILES.getlist("files"),
                )
            except PublicationError as refused:
                error = localized(refused)
            else:
                return redirect("publication:verify", public_id=objection.public_id)
    return render(
        request,
        "publication/notice.html",
        {
            "notice": found,
            "entries": entries,
            "is_open": found.opens_on <= today <= found.closes_on,
            "error": error,
            "error_field": error_field,
            "form": request.POST if error else {},
        },
        status=400 if error else 200,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The objector enters the code e-mailed to them; only then does the objection count."""
    objection = access_objection_to_verify(public_id)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if not form.is_valid():
            error = _first_error(form)[1]
        else:
            try:
                services.verify_objection(objection, form.cleaned_data["code"])
            except PublicationError as refused:
                error = localized(refused)
            else:
                messages.success(request, _("异议已受理，主管部门将调查核实并作出处理。"))
                return redirect("publication:notice", public_id=objection.notice.public_id)
        objection.refresh_from_db()
    return render(
        request,
        "publication/verify.html",
        {
            "objection": objection,
            "email": services.masked_email(objection.contact),
            "minutes": settings.OBJECTION_CODE_MINUTES,
            "pending": objection.status == Objection.Status.UNVERIFIED,
            "form": form,
            "error": error,
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
            "levels": dict(TitleLevel.choices),
        },
    )
