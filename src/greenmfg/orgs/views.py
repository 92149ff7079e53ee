"""Pages of the organisations context: a bureau opens an enterprise or park account (its one-time password
is shown once), and an enterprise keeps its production sites. Every change is a service call; a refused
field is shown with its reason next to it; objects of others answer 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from greencore import province_of, region_prefix
from greenmfg.reference.models import Region

from . import services
from .access import access_actor, access_own_site
from .forms import AccountForm, RegistrationForm, SiteForm
from .models import Organisation, OrgKind, Site
from .selectors import Actor, jurisdiction_of
from .services import RegistrationError, SiteError

# --- helpers -----------------------------------------------------------------------------------------


def _reviewer(request: HttpRequest) -> Actor:
    return access_actor(request.user, "reviewer")


def _enterprise(request: HttpRequest) -> Actor:
    actor = access_actor(request.user, "applicant")
    if actor.organisation.kind != OrgKind.ENTERPRISE:
        raise Http404
    return actor


def _counties(organisation: Organisation) -> list[tuple[str, str]]:
    """The county-level divisions of the enterprise's province (GB/T 2260)."""
    province = region_prefix(province_of(organisation.region_id))
    inside = Region.objects.filter(level="county", code__startswith=province)
    return [(r.code, f"{r.code} {r.full_name()}") for r in inside.select_related("parent__parent")]


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


# --- an enterprise or park registers itself ----------------------------------------------------------


@login_not_required
def register(request: HttpRequest) -> HttpResponse:
    """Self-registration (served under /accounts/register/, see greenmfg.urls): the organisation waits for
    its district bureau's confirmation."""
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.register_applicant(
                kind=data["kind"],
                name=data["name"],
                credit_code=data["credit_code"],
                region=data["region"],
                industry=data["industry"],
                username=data["username"],
                password=data["password"],
                display_name=data["display_name"],
            )
        except RegistrationError as error:
            _add_errors(form, error)
        except ValidationError as error:
            form.add_error("password", error)
        else:
            return render(request, "accounts/registered.html", {"name": data["name"]})
    return render(request, "accounts/register.html", {"form": form})


# --- a bureau opens an account -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def account_new(request: HttpRequest) -> HttpResponse:
    actor = _reviewer(request)
    form = AccountForm(
        request.POST if request.method == "POST" else None,
        prefix_code=jurisdiction_of(actor.organisation) or "",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation, password = services.open_applicant_account(
                actor,
                kind=data["kind"],
                name=data["name"],
                credit_code=data["credit_code"],
                region=data["region"],
                industry=data["industry"],
                username=data["username"],
                display_name=data["display_name"],
            )
        except RegistrationError as error:
            _add_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            # shown once: rendered into this response only, never stored in clear nor cached
            response = render(
                request,
                "orgs/account_created.html",
                {"organisation": organisation, "username": data["username"], "password": password},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "orgs/account_new.html", {"form": form})


# --- an enterprise's sites ---------------------------------------------------------------------------


@require_GET
def sites(request: HttpRequest) -> HttpResponse:
    actor = _enterprise(request)
    own = Site.objects.filter(organisation=actor.organisation).select_related("region").order_by("name")
    return render(request, "orgs/sites.html", {"sites": own, "organisation": actor.organisation})


@require_http_methods(["GET", "POST"])
def site_new(request: HttpRequest) -> HttpResponse:
    actor = _enterprise(request)
    form = SiteForm(
        request.POST if request.method == "POST" else None, counties=_counties(actor.organisation)
    )
    if request.method == "POST" and form.is_valid():
        try:
            site = services.add_site(
                actor,
                name=form.cleaned_data["name"],
                region_code=form.cleaned_data["region"],
                address=form.cleaned_data["address"],
            )
        except SiteError as error:
            _add_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, gettext("已添加厂区“%(name)s”。") % {"name": site.name})
            return redirect("orgs:sites")
    return render(request, "orgs/site_form.html", {"form": form, "site": None})


@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _enterprise(request)
    site = access_own_site(request.user, pk)
    initial = {"name": site.name, "region": site.region_id, "address": site.address}
    form = SiteForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        counties=_counties(actor.organisation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.change_site(
                actor,
                site.pk,
                name=form.cleaned_data["name"],
                region_code=form.cleaned_data["region"],
                address=form.cleaned_data["address"],
            )
        except SiteError as error:
            _add_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, gettext("已保存厂区“%(name)s”。") % {"name": saved.name})
            return redirect("orgs:sites")
    return render(request, "orgs/site_form.html", {"form": form, "site": site})
