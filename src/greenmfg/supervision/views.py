"""Supervision's pages: the bureau's overview, draws, checks with findings, rectifications and revocation;
the unit's own checks and rectifications. Every object comes through a gate in `access.py`; every change is
a service call, whose refusal is shown as a message in the user's language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from greencore import filing_indicators, get_scheme
from greenmfg.catalog.models import TitleKind
from greenmfg.core.errors import Refused
from greenmfg.core.i18n import localized
from greenmfg.orgs.access import access_actor
from greenmfg.orgs.selectors import Actor
from greenmfg.publication.models import Title
from greenmfg.publication.services import masked_email

from . import services
from .access import (
    access_change,
    access_check,
    access_file,
    access_filing,
    access_own_draw,
    access_own_job,
    access_own_title,
    access_rectification,
    access_report,
    access_report_file,
    access_report_to_verify,
    access_reportable_title,
    access_supervised_title,
)
from .forms import (
    AnswerForm,
    ChangeDecisionForm,
    ChangeForm,
    DeadlineForm,
    DecideForm,
    DrawForm,
    FindingForm,
    ReportCodeForm,
    ReportDecisionForm,
    ReportForm,
    RevokeForm,
    YearForm,
)
from .models import ChangeEvent, Check, Filing, Rectification, Report
from .selectors import (
    changes_visible_to,
    checks_visible_to,
    draws_of,
    exemptions,
    filings_visible_to,
    jobs_of,
    own_titles,
    position_of,
    rectifications_visible_to,
    redraw,
    reports_visible_to,
    revocation_of,
    round_summary,
    supervised_level,
    supervised_titles,
)


def _bureau(request: HttpRequest) -> Actor:
    actor = access_actor(request.user, "reviewer")
    if supervised_level(actor) is None:
        raise Http404
    return actor


def _refused(request: HttpRequest, error: Refused) -> None:
    messages.error(request, localized(error))


def _form_refused(request: HttpRequest, form: Any) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(str(e) for e in errors)}" if label else errors[0])


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user)
    if not (actor.is_applicant or supervised_level(actor) is not None):
        raise Http404
    context: dict[str, Any] = {
        "checks": checks_visible_to(actor)[:200],
        "rectifications": rectifications_visible_to(actor)[:200],
        "today": timezone.localdate(),
    }
    if actor.is_reviewer:
        titles = list(supervised_titles(actor)[:500])
        context["titles"] = titles
        context["exempt"] = exemptions(titles)
        context["draws"] = draws_of(actor)[:50]
        context["kinds"] = dict(TitleKind.choices)
    return render(request, "supervision/home.html", context)


@require_http_methods(["GET", "POST"])
def draw_new(request: HttpRequest) -> HttpResponse:
    actor = _bureau(request)
    form = DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.draw(
                actor,
                purpose=form.cleaned_data["purpose"],
                title_kind=form.cleaned_data["title_kind"],
                size=form.cleaned_data["size"],
                seed=form.cleaned_data["seed"],
                risk_weighted=form.cleaned_data["risk_weighted"],
            )
        except Refused as error:
            form.add_error(None, localized(error))
        else:
            messages.success(request, _("已抽取 %(n)s 家单位。") % {"n": len(made.sample)})
            return redirect("supervision:draw", public_id=made.public_id)
    return render(request, "supervision/draw_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def draw(request: HttpRequest, public_id: Any) -> HttpResponse:
    _bureau(request)
    found = access_own_draw(request.user, public_id)
    return render(
        request,
        "supervision/draw.html",
        {
            "draw": found,
            "reproduced": redraw(found) == found.sample,
            "checks": found.checks.select_related("title__organisation"),
        },
    )


@require_GET
def check(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = access_check(request.user, public_id)
    actor = access_actor(request.user)
    return render(
        request,
        "supervision/check.html",
        {
            "check": found,
            "findings": found.findings.prefetch_related("files"),
            "mine": actor.is_reviewer and found.status == Check.Status.OPEN,
            "rectification": Rectification.objects.filter(check_of=found).first(),
            "form": FindingForm(),
        },
    )


@require_POST
def finding(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    found = access_check(request.user, public_id)
    form = FindingForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
    else:
        try:
            services.record_finding(
                actor,
                found,
                conforms=form.cleaned_data["conforms"],
                text=form.cleaned_data["text"],
                files=request.FILES.getlist("files"),
            )
        except Refused as error:
            _refused(request, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("检查发现已记录。"))
    return redirect("supervision:check", public_id=found.public_id)


@require_POST
def conclude(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    found = access_check(request.user, public_id)
    try:
        done = services.conclude_check(actor, found)
    except Refused as error:
        _refused(request, error)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("检查已办结：%(status)s。") % {"status": done.get_status_display()})
    return redirect("supervision:check", public_id=found.public_id)


@require_GET
def rectification(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = access_rectification(request.user, public_id)
    actor = access_actor(request.user)
    return render(
        request,
        "supervision/rectification.html",
        {
            "rectification": found,
            "findings": found.check_of.findings.all(),
            "files": found.files.all(),
            "unit": actor.is_applicant,
            "bureau": actor.is_reviewer,
            "answer_form": AnswerForm(),
            "decide_form": DecideForm(),
            "today": timezone.localdate(),
            "revocation": revocation_of(found.title)
            if found.status == Rectification.Status.REVOKED
            else None,
        },
    )


@require_POST
def answer(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = access_actor(request.user, "applicant")
    found = access_rectification(request.user, public_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
    else:
        try:
            services.answer_rectification(
                actor, found, text=form.cleaned_data["text"], files=request.FILES.getlist("files")
            )
        except Refused as error:
            _refused(request, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("整改报告已提交。"))
    return redirect("supervision:rectification", public_id=found.public_id)


@require_POST
def decide(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    found = access_rectification(request.user, public_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
    else:
        try:
            services.close_rectification(
                actor, found, accepted=form.cleaned_data["accepted"], reason=form.cleaned_data["reason"]
            )
        except Refused as error:
            _refused(request, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("审核意见已记录。"))
    return redirect("supervision:rectification", public_id=found.public_id)


@require_POST
def revoke_overdue(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    found = access_rectification(request.user, public_id)
    try:
        done = services.revoke_after_rectification(actor, found)
    except Refused as error:
        _refused(request, error)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            _("称号已撤销；该单位自 %(day)s 起方可再次申报同级称号。") % {"day": done.may_apply_from},
        )
    return redirect("supervision:rectification", public_id=found.public_id)


@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _bureau(request)
    title = access_supervised_title(request.user, public_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.revoke(
                actor, title, reason=form.cleaned_data["reason"], details=form.cleaned_data["details"]
            )
        except Refused as error:
            form.add_error(None, localized(error))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("称号已撤销；该单位自 %(day)s 起方可再次申报同级称号。") % {"day": done.may_apply_from},
            )
            return redirect("supervision:home")
    return render(
        request,
        "supervision/revoke_form.html",
        {"form": form, "title": title, "revoked": title.status == Title.Status.REVOKED},
        status=400 if form.errors else 200,
    )


@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = access_file(request.user, pk)
    response = FileResponse(found.file.open("rb"), as_attachment=True, filename=found.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- annual filing and re-grading --------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    form = YearForm(request.GET or {"year": timezone.localdate().year})
    return form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year


def _history_chart(filings: list[Filing]) -> list[dict[str, Any]]:
    """Bars of a unit's scores by year for the inline SVG (height out of 100 px); no bar without a score."""
    bars = []
    for index, f in enumerate(sorted(filings, key=lambda f: f.year)):
        height = int(f.score) if f.score is not None else 0
        bars.append({"x": 10 + index * 60, "y": 110 - height, "height": height, "filing": f})
    return bars


@require_GET
def filings(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user)
    if not (actor.is_applicant or supervised_level(actor) is not None):
        raise Http404
    today = timezone.localdate()
    if actor.is_applicant:
        mine = list(filings_visible_to(actor).order_by("title_id", "year"))
        by_title: dict[int, list[Filing]] = {}
        for f in mine:
            by_title.setdefault(f.title_id, []).append(f)
        return render(
            request,
            "supervision/filings_unit.html",
            {
                "histories": [(fs[0].title, fs, _history_chart(fs)) for fs in by_title.values()],
                "today": today,
            },
        )
    year = _year(request)
    return render(
        request,
        "supervision/filings_bureau.html",
        {
            "summary": round_summary(actor, year, today),
            "year": year,
            "jobs": jobs_of(actor)[:10],
            "deadline_form": DeadlineForm(),
        },
    )


@require_POST
def filings_open(request: HttpRequest) -> HttpResponse:
    actor = _bureau(request)
    form = YearForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return redirect("supervision:filings")
    opened = services.open_filings(actor, form.cleaned_data["year"])
    messages.success(request, _("已为 %(n)s 家单位开启年度动态管理表填报。") % {"n": opened})
    return redirect(f"{reverse('supervision:filings')}?year={form.cleaned_data['year']}")


@require_POST
def deadline(request: HttpRequest) -> HttpResponse:
    actor = _bureau(request)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
    else:
        try:
            services.set_filing_deadline(
                actor,
                month=form.cleaned_data["month"],
                day=form.cleaned_data["day"],
                blocks_higher_tier=form.cleaned_data["blocks_higher_tier"],
            )
        except Refused as error:
            _refused(request, error)
        else:
            messages.success(request, _("填报截止日期已设置，此后开启的年度填报适用。"))
    return redirect("supervision:filings")


@require_http_methods(["GET", "POST"])
def filing(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = access_filing(request.user, public_id)
    actor = access_actor(request.user)
    specs = filing_indicators(get_scheme(found.title.scheme))
    entered = {
        s.id: (request.POST.get(f"v:{s.id}", ""), request.POST.get(f"u:{s.id}", s.unit)) for s in specs
    }
    details: list[str] = []
    status = 200
    if request.method == "POST":
        if not actor.is_applicant:
            raise Http404
        try:
            services.submit_filing(
                actor, found, values=entered, justification=request.POST.get("justification", "")
            )
        except Refused as error:
            messages.error(request, localized(error))
            details, status = error.details, 400
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("动态管理表已受理。"))
            return redirect("supervision:filing", public_id=found.public_id)
    rows = [
        (s, entered[s.id][0] or found.values.get(s.id, {}).get("value", ""), entered[s.id][1]) for s in specs
    ]
    return render(
        request,
        "supervision/filing.html",
        {
            "filing": found,
            "rows": rows,
            "details": details,
            "can_file": actor.is_applicant and found.status == Filing.Status.OPEN,
            "justification": request.POST.get("justification", ""),
            "position": _position_text(found),
        },
        status=status,
    )


def _position_text(found: Filing) -> str:
    place = position_of(found)
    return f"{place[0]} / {place[1]}" if place else "—"


@require_POST
def regrade(request: HttpRequest) -> HttpResponse:
    actor = _bureau(request)
    form = YearForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return redirect("supervision:filings")
    job = services.start_regrade(actor, form.cleaned_data["year"])
    return redirect("supervision:regrade_status", pk=job.pk)


@require_GET
def regrade_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_own_job(request.user, pk)
    return render(request, "supervision/regrade_status.html", {"job": job})


# --- social supervision (社会监督) ------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Anyone reports an active title, under their real name, with evidence; then verifies the e-mail."""
    title = access_reportable_title(public_id)
    form = ReportForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if not form.is_valid():
            _form_refused(request, form)
            error = "form"
        else:
            data = form.cleaned_data
            try:
                filed = services.file_report(
                    title,
                    name=data["name"],
                    contact=data["contact"],
                    organisation=data["organisation"],
                    grounds=data["grounds"],
                    files=request.FILES.getlist("files"),
                )
            except Refused as refused:
                _refused(request, refused)
                error = "refused"
            else:
                return redirect("supervision:report_verify", public_id=filed.public_id)
    return render(
        request,
        "supervision/report_form.html",
        {"title": title, "form": form},
        status=400 if error else 200,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def report_verify(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The reporter enters the code e-mailed to them; only then does the report reach the bureau."""
    found = access_report_to_verify(public_id)
    form = ReportCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            _form_refused(request, form)
            status = 400
        else:
            try:
                services.verify_report(found, form.cleaned_data["code"])
            except Refused as refused:
                _refused(request, refused)
                status = 400
            else:
                messages.success(request, _("举报已受理，主管部门将调查核实并作出处理。"))
        found.refresh_from_db()
    return render(
        request,
        "supervision/report_verify.html",
        {
            "report": found,
            "email": masked_email(found.contact),
            "minutes": settings.OBJECTION_CODE_MINUTES,
            "pending": found.status == Report.Status.UNVERIFIED,
            "form": form,
        },
        status=status,
    )


@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    _bureau(request)
    return render(
        request, "supervision/reports.html", {"reports": reports_visible_to(access_actor(request.user))[:500]}
    )


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _bureau(request)
    found = access_report(request.user, public_id)
    form = ReportDecisionForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            _form_refused(request, form)
        else:
            try:
                services.decide_report(
                    actor,
                    found,
                    upheld=form.cleaned_data["upheld"],
                    reason=form.cleaned_data["reason"],
                    open_check=form.cleaned_data["open_check"],
                )
            except Refused as error:
                _refused(request, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("举报处理意见已记录。"))
        return redirect("supervision:report", public_id=found.public_id)
    return render(
        request,
        "supervision/report.html",
        {
            "report": found,
            "files": found.files.all(),
            "open": found.status == Report.Status.RECEIVED,
            "form": form,
        },
    )


@require_GET
def report_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = access_report_file(request.user, pk)
    response = FileResponse(found.file.open("rb"), as_attachment=True, filename=found.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- change events (变更) ----------------------------------------------------------------------------------


@require_GET
def changes(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user)
    if not (actor.is_applicant or supervised_level(actor) is not None):
        raise Http404
    return render(
        request,
        "supervision/changes.html",
        {"changes": changes_visible_to(actor)[:500], "titles": own_titles(actor)},
    )


@require_http_methods(["GET", "POST"])
def change_new(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = access_actor(request.user, "applicant")
    title = access_own_title(request.user, public_id)
    form = ChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.declare_change(
                actor,
                title,
                kind=form.cleaned_data["kind"],
                new_name=form.cleaned_data["new_name"],
                details=form.cleaned_data["details"],
            )
        except Refused as error:
            form.add_error(None, localized(error))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("变更已申报，待主管部门审核。"))
            return redirect("supervision:change", public_id=made.public_id)
    return render(
        request,
        "supervision/change_form.html",
        {"form": form, "title": title},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = access_change(request.user, public_id)
    actor = access_actor(request.user)
    bureau = actor.is_reviewer
    form = ChangeDecisionForm(request.POST or None)
    if request.method == "POST":
        if not bureau:
            raise Http404
        if not form.is_valid():
            _form_refused(request, form)
        else:
            try:
                services.decide_change(
                    actor, found, accept=form.cleaned_data["accept"], reason=form.cleaned_data["reason"]
                )
            except Refused as error:
                _refused(request, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("变更审核意见已记录。"))
        return redirect("supervision:change", public_id=found.public_id)
    return render(
        request,
        "supervision/change.html",
        {"change": found, "form": form, "open": bureau and found.status == ChangeEvent.Status.DECLARED},
    )
