"""Supervision's pages: the bureau's overview, draws, checks with findings, rectifications and revocation;
the unit's own checks and rectifications. Every object comes through a gate in `access.py`; every change is
a service call, whose refusal is shown as a message in the user's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote

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

from greencore import (
    TRACK_TOLERANCE,
    Cadence,
    evidence_rule,
    filing_indicators,
    get_scheme,
    open_periods,
    parse_period,
)
from greenmfg.applications.dossier import build_form
from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.core.errors import Detail, Refused
from greenmfg.core.i18n import label, localized
from greenmfg.orgs.access import access_actor, access_signed
from greenmfg.orgs.predicates import body_registrar_over
from greenmfg.orgs.selectors import Actor
from greenmfg.publication.models import Title
from greenmfg.publication.services import masked_email
from greenmfg.register.exports import write_xlsx

from . import services
from .access import (
    access_body,
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
    DeclarationSettingForm,
    DrawForm,
    EvidenceRuleForm,
    FindingForm,
    ReportCodeForm,
    ReportDecisionForm,
    ReportForm,
    RevokeForm,
    SampleForm,
    SuspendForm,
    YearForm,
)
from .models import ChangeEvent, Check, DeclarationSetting, Filing, Rectification, Report
from .selectors import (
    CheckedReport,
    body_track_record,
    changes_visible_to,
    checks_visible_to,
    declarations_visible_to,
    draws_of,
    evaluation_bodies_seen_by,
    evidence_rule_for,
    exemptions,
    filings_visible_to,
    is_district_bureau,
    jobs_of,
    level_evidence,
    own_titles,
    position_of,
    recheckable_titles,
    rectifications_visible_to,
    redraw,
    reports_visible_to,
    revocation_of,
    round_summary,
    supervised_level,
    titles_evaluated_by,
)


def _bureau(request: HttpRequest) -> Actor:
    actor = access_actor(request.user, "reviewer")
    if supervised_level(actor) is None:
        raise Http404
    return actor


def _checking_bureau(request: HttpRequest) -> Actor:
    """A bureau that supervises titles, or a district bureau (it re-checks the city's titles on site)."""
    actor = access_actor(request.user, "reviewer")
    if supervised_level(actor) is None and not is_district_bureau(actor):
        raise Http404
    return actor


def _refused(request: HttpRequest, error: Refused) -> None:
    """The refusal and each of its detail lines, in the user's language."""
    messages.error(request, localized(error))
    for detail in error.details[:30]:
        messages.warning(request, localized(detail))


def _form_refused(request: HttpRequest, form: Any) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(str(e) for e in errors)}" if label else errors[0])


R = TypeVar("R")


def _decided(
    request: HttpRequest,
    form: Any,
    act: Callable[[dict[str, Any]], R],
    success: str | Callable[[R], str],
) -> R | None:
    """The one shape of every posted decision on a page: the form checked (its errors shown by field), then
    the service called with its cleaned data; a refusal is shown in the user's language, someone else's
    object answers 404, and success is a message (text, or made from what the service returned)."""
    if form is not None and not form.is_valid():
        _form_refused(request, form)
        return None
    try:
        done = act(form.cleaned_data if form is not None else {})
    except Refused as error:
        _refused(request, error)
        return None
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, success(done) if callable(success) else success)
    return done


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user)
    if not (actor.is_applicant or supervised_level(actor) is not None or is_district_bureau(actor)):
        raise Http404
    context: dict[str, Any] = {
        "checks": checks_visible_to(actor)[:200],
        "rectifications": rectifications_visible_to(actor)[:200],
        "today": timezone.localdate(),
        "city": supervised_level(actor) == TitleLevel.CITY,
        "supervising": supervised_level(actor) is not None,
        "sample_form": SampleForm(),
    }
    if actor.is_reviewer:
        titles = list(recheckable_titles(actor)[:500])
        context["titles"] = titles
        context["exempt"] = exemptions(titles)
        context["draws"] = draws_of(actor)[:50]
        context["kinds"] = dict(TitleKind.choices)
    return render(request, "supervision/home.html", context)


@require_http_methods(["GET", "POST"])
def draw_new(request: HttpRequest) -> HttpResponse:
    actor = _checking_bureau(request)
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
        except PermissionDenied:  # a district asking for a spot check: the title's level spot-checks
            form.add_error(None, _("区县主管部门只能抽取复核。"))
        else:
            messages.success(request, _("已抽取 %(n)s 家单位。") % {"n": len(made.sample)})
            return redirect("supervision:draw", public_id=made.public_id)
    return render(request, "supervision/draw_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def draw(request: HttpRequest, public_id: Any) -> HttpResponse:
    _checking_bureau(request)
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
            "specs": filing_indicators(get_scheme(found.title.scheme)),
            # a city's check of a district's re-check names it; the district's check lists the city's
            "reviewed": found.reviewed if found.reviewed_id and actor.is_reviewer else None,
            "reviews": found.reviews.select_related("authority") if actor.is_reviewer else (),
        },
    )


def _measured(request: HttpRequest, found: Check) -> dict[str, str]:
    """The values measured on site, typed beside a finding (m:<indicator id>)."""
    return {
        spec.id: request.POST.get(f"m:{spec.id}", "")
        for spec in filing_indicators(get_scheme(found.title.scheme))
    }


@require_POST
def finding(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    found = access_check(request.user, public_id)
    _decided(
        request,
        FindingForm(request.POST),
        lambda data: services.record_finding(
            actor,
            found,
            conforms=data["conforms"],
            text=data["text"],
            files=request.FILES.getlist("files"),
            measured=_measured(request, found),
        ),
        _("检查发现已记录。"),
    )
    return redirect("supervision:check", public_id=found.public_id)


@require_POST
def conclude(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    found = access_check(request.user, public_id)
    _decided(
        request,
        None,
        lambda _data: services.conclude_check(actor, found),
        lambda done: _("检查已办结：%(status)s。") % {"status": done.get_status_display()},
    )
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
    _decided(
        request,
        AnswerForm(request.POST),
        lambda data: services.answer_rectification(
            actor, found, text=data["text"], files=request.FILES.getlist("files")
        ),
        _("整改报告已提交。"),
    )
    return redirect("supervision:rectification", public_id=found.public_id)


@require_POST
def decide(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    found = access_rectification(request.user, public_id)
    _decided(
        request,
        DecideForm(request.POST),
        lambda data: services.close_rectification(
            actor, found, accepted=data["accepted"], reason=data["reason"]
        ),
        _("审核意见已记录。"),
    )
    return redirect("supervision:rectification", public_id=found.public_id)


@require_POST
def revoke_overdue(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    found = access_rectification(request.user, public_id)
    access_signed(actor, "revoke_title")
    _decided(
        request,
        None,
        lambda _data: services.revoke_after_rectification(actor, found),
        lambda done: (
            _("称号已撤销；该单位自 %(day)s 起方可再次申报同级称号。") % {"day": done.may_apply_from}
        ),
    )
    return redirect("supervision:rectification", public_id=found.public_id)


@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = _bureau(request)
    title = access_supervised_title(request.user, public_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST":
        access_signed(actor, "revoke_title")
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


def _history_chart(filings: list[Filing], today: date) -> dict[str, Any]:
    """A title's history of filings, scores and green codes as an inline SVG bar chart (drawn on the server,
    so it shows without script; the table beside it is the accessible alternative). One slot per year,
    oldest first: the score's bar on a 0–100 scale (up to the highest score where one exceeds 100), the
    score and the green code above it; a year without a score draws no bar but says why — no grade that
    year (accepted, abnormal or missing data: never drawn as a zero), not filed and overdue, or still open."""
    ordered = sorted(filings, key=lambda f: f.year)
    top = max([Decimal(100), *(f.score for f in ordered if f.score is not None)])
    slots = []
    for index, f in enumerate(ordered):
        x = 40 + index * 70
        if f.score is not None:
            height = int((f.score * 100 / top).to_integral_value())
            slots.append({"x": x, "y": 130 - height, "height": height, "filing": f, "note": ""})
            continue
        if f.status == Filing.Status.ACCEPTED:
            note = _("不评定")
        elif today > f.deadline:
            note = _("逾期未填报")
        else:
            note = _("待填报")
        slots.append({"x": x, "y": 130, "height": 0, "filing": f, "note": note})
    return {"slots": slots, "width": 50 + 70 * len(ordered), "top": top}


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
                "histories": [(fs[0].title, fs, _history_chart(fs, today)) for fs in by_title.values()],
                "today": today,
            },
        )
    year = _year(request)
    chosen = level_evidence(actor.organisation.pk)
    return render(
        request,
        "supervision/filings_bureau.html",
        {
            "summary": round_summary(actor, year, today),
            "year": year,
            "jobs": jobs_of(actor)[:10],
            "deadline_form": DeadlineForm(),
            "evidence_rule": evidence_rule(supervised_level(actor) or "", chosen=chosen),
            "evidence_own": chosen is not None,
            "evidence_form": EvidenceRuleForm(
                initial={"mode": "default" if chosen is None else "own", "indicators": chosen or []}
            ),
        },
    )


@require_POST
def filing_evidence(request: HttpRequest) -> HttpResponse:
    actor = _bureau(request)
    form = EvidenceRuleForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return redirect("supervision:filings")
    own = form.cleaned_data["mode"] == "own"
    try:
        services.set_filing_evidence(actor, indicators=form.cleaned_data["indicators"] if own else None)
    except Refused as error:
        _refused(request, error)
    else:
        messages.success(request, _("本级证明材料要求已设置，此后提交的动态管理表适用。"))
    return redirect("supervision:filings")


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
    # the self-evaluation's raw-data layout (applications.dossier), where the scheme computes from raw data
    raw_sections = [s for s in build_form(found.title.scheme).sections if s.raw]
    raw_entered = {
        key.removeprefix("r:"): str(value) for key, value in request.POST.items() if key.startswith("r:")
    }
    details: list[Detail] = []
    status = 200
    if request.method == "POST":
        if not actor.is_applicant:
            raise Http404
        try:
            services.submit_filing(
                actor,
                found,
                values=entered,
                raw=raw_entered if request.POST.get("mode") == "raw" else None,
                justification=request.POST.get("justification", ""),
                files=request.FILES.getlist("files"),
                evidence={s.id: request.FILES.getlist(f"e:{s.id}") for s in specs},
                drop=[int(pk) for pk in request.POST.getlist("drop") if pk.isdigit()],
            )
        except Refused as error:
            messages.error(request, localized(error))
            details, status = error.details, 400
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("动态管理表已受理。"))
            return redirect("supervision:filing", public_id=found.public_id)
    # the level's evidence rule (greencore, workflow/filing.yaml): per indicator, whether it must carry
    # evidence, the document expected, and the files it carries once accepted
    rule = evidence_rule_for(found)
    # an open filing's files are the unit's draft (kept from a refused submission): its own until accepted
    stored = list(found.files.all()) if actor.is_applicant or found.status == Filing.Status.ACCEPTED else []
    # the title's history of filings, as far as the viewer sees them (a unit its own, a bureau its rounds)
    history = list(filings_visible_to(actor).filter(title_id=found.title_id).order_by("year"))
    # a refused submission's typed values, shown to the unit again until it files (never to the bureau)
    draft = found.draft if actor.is_applicant and found.status == Filing.Status.OPEN else {}
    if request.method == "GET" and draft:
        for key, (value, unit) in (draft.get("values") or {}).items():
            if key in entered:
                entered[key] = (value, unit)
        raw_entered = dict(draft.get("raw") or {})
    rows = [
        {
            "spec": s,
            "value": entered[s.id][0] or found.values.get(s.id, {}).get("value", ""),
            "unit": entered[s.id][1],
            "needs_evidence": rule.needs(s.id),
            "document": rule.document(s.id),
            "files": [f for f in stored if f.indicator == s.id],
        }
        for s in specs
    ]
    return render(
        request,
        "supervision/filing.html",
        {
            "filing": found,
            "rows": rows,
            "details": details,
            "can_file": actor.is_applicant and found.status == Filing.Status.OPEN,
            "justification": request.POST.get("justification", draft.get("justification", "")),
            "position": _position_text(found),
            "raw_sections": raw_sections,
            "raw": raw_entered or found.raw,
            "raw_mode": request.POST.get("mode") == "raw"
            if request.method == "POST"
            else bool(draft.get("raw") or found.raw),
            "files": [f for f in stored if not f.indicator],
            "kept": len(stored) if found.status == Filing.Status.OPEN else 0,
            "history": history,
            "chart": _history_chart(history, timezone.localdate()),
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
        _decided(
            request,
            form,
            lambda data: services.decide_report(
                actor, found, upheld=data["upheld"], reason=data["reason"], open_check=data["open_check"]
            ),
            _("举报处理意见已记录。"),
        )
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
        _decided(
            request,
            form,
            lambda data: services.decide_change(actor, found, accept=data["accept"], reason=data["reason"]),
            _("变更审核意见已记录。"),
        )
        return redirect("supervision:change", public_id=found.public_id)
    return render(
        request,
        "supervision/change.html",
        {"change": found, "form": form, "open": bureau and found.status == ChangeEvent.Status.DECLARED},
    )


# --- evaluation bodies supervised ---------------------------------------------------------------------------


@require_GET
def bodies(request: HttpRequest) -> HttpResponse:
    actor = _bureau(request)
    return render(request, "supervision/bodies.html", {"bodies": evaluation_bodies_seen_by(actor)[:500]})


def _track_rows(reports: list[CheckedReport]) -> list[dict[str, Any]]:
    """Each compared indicator of each checked report, with the indicator's name and unit in the title's
    scheme: the rows of the track-record table, its chart and its Excel download."""
    rows = []
    for report in reports:
        specs = {s.id: s for s in filing_indicators(get_scheme(report.title.scheme))}
        for d in report.discrepancies:
            spec = specs.get(d.indicator)
            rows.append(
                {
                    "report": report,
                    "d": d,
                    "label": (spec.label, spec.label_en or spec.label)
                    if spec
                    else (d.indicator, d.indicator),
                    "unit": spec.unit if spec else "",
                }
            )
    return rows


def _track_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The chart's data (dashboards.js): each bounded relative discrepancy in percent, flagged beyond the
    tolerance, with the tolerance as a line. An indicator measured as zero has no bounded ratio: it stays
    in the table only."""
    bars = [
        {
            "label": f"{r['report'].title.organisation.name} · {localized(r['label'])}",
            "value": float(r["d"].relative * 100),
            "flag": not r["d"].within_tolerance,
        }
        for r in rows
        if r["d"].relative is not None
    ]
    return {"bars": {"track": bars}, "lines": {"track": float(TRACK_TOLERANCE * 100)}}


@require_GET
def body(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _bureau(request)
    found = access_body(request.user, pk)
    record, reports = body_track_record(found)
    rows = _track_rows(reports)
    return render(
        request,
        "supervision/body.html",
        {
            "body": found,
            "record": record,
            "rows": rows,
            "chart_data": _track_chart(rows),
            "tolerance": TRACK_TOLERANCE,
            "evaluated": titles_evaluated_by(actor, found).filter(status=Title.Status.ACTIVE).count(),
            "draws": draws_of(actor).filter(body=found)[:50],
            "may_suspend": body_registrar_over(actor, found.region_id) and found.status == "active",
            "sample_form": SampleForm(),
            "suspend_form": SuspendForm(),
        },
    )


@require_GET
def body_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The track-record table as an Excel workbook: one row per compared indicator, as on the page."""
    _bureau(request)
    found = access_body(request.user, pk)
    reports = body_track_record(found)[1]
    rows: list[list[Any]] = [
        [
            _("单位名称"),
            _("检查机关"),
            _("检查类型"),
            _("办结日期"),
            _("指标"),
            _("计量单位"),
            _("机构报告值"),
            _("检查实测值"),
            _("相对偏差"),
            _("超出容差"),
        ]
    ]
    for r in _track_rows(reports):
        d, check = r["d"], r["report"].check
        rows.append(
            [
                r["report"].title.organisation.name,
                check.authority.name,
                label(check.get_purpose_display()),
                check.concluded_on,
                localized(r["label"]),
                r["unit"],
                d.body_value,
                d.checked_value,
                f"{(d.relative * 100).normalize():f}%" if d.relative is not None else _("实测为零"),
                _("是") if not d.within_tolerance else _("否"),
            ]
        )
    heading = _("执业记录")
    response = HttpResponse(
        write_xlsx(rows, heading[:31]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{found.name}-{heading}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"track-record-{found.pk}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response


@require_POST
def body_draw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _bureau(request)
    found = access_body(request.user, pk)
    made = _decided(
        request,
        SampleForm(request.POST),
        lambda data: services.draw_body_reports(actor, found, size=data["size"], seed=data["seed"]),
        lambda done: _("已抽取 %(n)s 家单位。") % {"n": len(done.sample)},
    )
    if made is not None:
        return redirect("supervision:draw", public_id=made.public_id)
    return redirect("supervision:body", pk=found.pk)


@require_POST
def body_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _bureau(request)
    found = access_body(request.user, pk)
    _decided(
        request,
        SuspendForm(request.POST),
        lambda data: services.suspend_body(actor, found, reason=data["reason"]),
        _("评价机构已暂停，暂停期间不能被委托。"),
    )
    return redirect("supervision:body", pk=found.pk)


# --- a city spot-checks its districts' re-checks ----------------------------------------------------------


@require_POST
def district_draw(request: HttpRequest) -> HttpResponse:
    actor = _bureau(request)
    if supervised_level(actor) != TitleLevel.CITY:
        raise Http404
    made = _decided(
        request,
        SampleForm(request.POST),
        lambda data: services.draw_district_checks(actor, size=data["size"], seed=data["seed"]),
        lambda done: _("已抽取 %(n)s 项区县复核。") % {"n": len(done.sample)},
    )
    if made is not None:
        return redirect("supervision:draw", public_id=made.public_id)
    return redirect("supervision:home")


# --- self-declaration (自我声明) ------------------------------------------------------------------------


@require_GET
def declarations(request: HttpRequest) -> HttpResponse:
    """The unit: its titles, the periods open today on its bureau's calendar, its declarations. The bureau:
    its calendar and what the register shows."""
    actor = access_actor(request.user)
    today = timezone.localdate()
    if actor.is_applicant:
        rows = []
        for title in own_titles(actor).select_related("announcement"):
            setting = services.declaration_setting_for(title)
            cadence = Cadence(setting.cadence) if setting is not None else Cadence.YEARLY
            rows.append(
                {
                    "title": title,
                    "periods": open_periods(cadence, today),
                    "specs": filing_indicators(get_scheme(title.scheme)),
                    "cadence": cadence,
                }
            )
        return render(
            request,
            "supervision/declarations_unit.html",
            {"rows": rows, "declared": declarations_visible_to(actor)[:200], "today": today},
        )
    actor = _bureau(request)
    setting = DeclarationSetting.objects.filter(authority=actor.organisation).first()
    form = DeclarationSettingForm(
        initial={"cadence": setting.cadence, "shown": ", ".join(setting.shown)} if setting else None
    )
    return render(
        request,
        "supervision/declarations_bureau.html",
        {"form": form, "setting": setting, "declared": declarations_visible_to(actor)[:500]},
    )


@require_POST
def declaration_setting(request: HttpRequest) -> HttpResponse:
    actor = _bureau(request)
    _decided(
        request,
        DeclarationSettingForm(request.POST),
        lambda data: services.set_declaration_setting(
            actor, cadence=data["cadence"], shown=data["shown"].replace("，", ",").split(",")
        ),
        _("自我声明设置已保存。"),
    )
    return redirect("supervision:declarations")


@require_POST
def declare(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = access_actor(request.user, "applicant")
    title = access_own_title(request.user, public_id)
    values = {
        spec.id: request.POST.get(f"d:{spec.id}", "") for spec in filing_indicators(get_scheme(title.scheme))
    }
    _decided(
        request,
        None,
        lambda _data: services.declare(actor, title, period=request.POST.get("period", ""), values=values),
        lambda done: (
            _("自我声明已提交，将于 %(day)s 在名单中公开。") % {"day": parse_period(done.period).published_on}
        ),
    )
    return redirect("supervision:declarations")
