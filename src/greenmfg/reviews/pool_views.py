"""The expert pool's pages (issue 12): a bureau lists, adds and changes the experts employed in its
jurisdiction (recording a new employer when needed); an expert keeps their own declared relations current.
Every change is a service call; anyone else, and experts outside the bureau's jurisdiction, answer 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from greenmfg.core.i18n import localized
from greenmfg.orgs import services as orgs
from greenmfg.orgs.access import access_actor
from greenmfg.orgs.selectors import organisations_visible_to

from . import services
from .models import ExpertProfile
from .services import EXPERT_FIELDS, RELATION_KINDS, PoolError


class ExpertForm(forms.Form):
    employer = forms.TypedChoiceField(label=_("工作单位（本辖区内已登记的单位）"), coerce=int, required=False)
    employer_name = forms.CharField(label=_("或新登记工作单位：名称"), max_length=128, required=False)
    employer_region = forms.CharField(label=_("新工作单位所在行政区划代码"), max_length=6, required=False)
    employer_code = forms.CharField(
        label=_("新工作单位统一社会信用代码（可不填）"), max_length=24, required=False
    )
    display_name = forms.CharField(label=_("姓名"), max_length=64)
    title = forms.CharField(label=_("职称"), max_length=64, required=False)
    # the expert's fields of expertise, posted as "fields": Django's form metaclass moves a declared field
    # into base_fields, so self.fields stays the form's dict at run time; mypy sees only the class body
    fields = forms.MultipleChoiceField(  # type: ignore[assignment]
        label=_("专业领域"), choices=EXPERT_FIELDS, widget=forms.CheckboxSelectMultiple
    )
    username = forms.CharField(label=_("用户名"), max_length=40)
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args: Any, employers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self["employer"].field  # the instance's copy (self.fields is shadowed by the field "fields")
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("（新登记）")), *employers]


class ExpertChangeForm(forms.Form):
    title = forms.CharField(label=_("职称"), max_length=64, required=False)
    # the expert's fields of expertise, posted as "fields": Django's form metaclass moves a declared field
    # into base_fields, so self.fields stays the form's dict at run time; mypy sees only the class body
    fields = forms.MultipleChoiceField(  # type: ignore[assignment]
        label=_("专业领域"), choices=EXPERT_FIELDS, widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(label=_("在专家库中（可被抽取）"), required=False)


class RelationForm(forms.Form):
    credit_code = forms.CharField(label=_("相关单位统一社会信用代码"), max_length=24)
    kind = forms.ChoiceField(label=_("关系类型"), choices=RELATION_KINDS)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


def _refused(form: forms.Form, refused: PoolError | orgs.AdminRefused) -> None:
    """The refusal on the field it concerns, in the user's language."""
    form.add_error(refused.field if refused.field in form.fields else None, localized(refused))


@require_GET
def experts(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    return render(
        request,
        "pool/experts.html",
        {"experts": services.experts_of(actor), "bureau": actor.organisation, "labels": dict(EXPERT_FIELDS)},
    )


@require_http_methods(["GET", "POST"])
def expert_new(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    employers = [
        (o.pk, f"{o.name}（{o.region_id}）")
        for o in organisations_visible_to(actor).exclude(kind="authority").order_by("name")
    ]
    form = ExpertForm(request.POST if request.method == "POST" else None, employers=employers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            employer_id = data["employer"]
            if not employer_id:
                employer_id = orgs.open_institution(
                    actor,
                    name=data["employer_name"],
                    region_code=data["employer_region"],
                    credit_code=data["employer_code"],
                ).pk
            profile, password = services.add_expert(
                actor,
                employer_id=employer_id,
                username=data["username"],
                display_name=data["display_name"],
                email=data["email"],
                title=data["title"],
                fields=list(data["fields"]),
            )
        except (PoolError, orgs.AdminRefused) as refused:
            _refused(form, refused)
        except PermissionDenied:
            raise Http404 from None
        else:
            response = render(
                request,
                "pool/expert_created.html",
                {"profile": profile, "username": profile.user.username, "password": password},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "pool/expert_form.html", {"form": form, "profile": None})


@require_http_methods(["GET", "POST"])
def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    profile = next((p for p in services.experts_of(actor) if p.pk == pk), None)
    if profile is None:
        raise Http404
    initial = {"title": profile.title, "fields": profile.fields, "active": profile.active}
    form = ExpertChangeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_expert(
                actor,
                profile.pk,
                title=form.cleaned_data["title"],
                fields=list(form.cleaned_data["fields"]),
                active=form.cleaned_data["active"],
            )
        except PoolError as refused:
            _refused(form, refused)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, gettext("已保存专家“%(name)s”。") % {"name": profile.user})
            return redirect("reviews:experts")
    return render(request, "pool/expert_form.html", {"form": form, "profile": profile})


@require_http_methods(["GET", "POST"])
def my_relations(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user, "expert")
    profile = ExpertProfile.objects.filter(user=actor.user).first()
    if profile is None:
        raise Http404
    form = RelationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_relation(actor, **form.cleaned_data)
        except PoolError as refused:
            _refused(form, refused)
        else:
            messages.success(request, gettext("已声明。"))
            return redirect("reviews:my_relations")
    relations = profile.relations.select_related("organisation").order_by("-declared_at")
    return render(
        request,
        "pool/my_relations.html",
        {"form": form, "relations": relations, "kinds": dict(RELATION_KINDS), "profile": profile},
    )


@require_POST
def relation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access_actor(request.user, "expert")
    try:
        services.withdraw_relation(actor, pk)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, gettext("已撤回该声明。"))
    return redirect("reviews:my_relations")
