"""Input shapes of the evaluation views: types and lengths only; every rule is in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from greenmfg.core.i18n import translated_choices

from .models import ConflictKind, FindingKind


class EngageForm(forms.Form):
    body = forms.IntegerField(label=_("第三方评价机构"), min_value=1)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, required=False)


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("核查方式"), choices=translated_choices(FindingKind.choices))
    indicator = forms.CharField(label=_("相关指标"), max_length=64, required=False)
    description = forms.CharField(label=_("核查发现"), max_length=2000)
    file = forms.FileField(label=_("佐证文件"), required=False)


class ConcludeForm(forms.Form):
    conclusion = forms.CharField(label=_("评价结论"), max_length=10000)


class ConflictForm(forms.Form):
    kind = forms.ChoiceField(label=_("利益关系类型"), choices=translated_choices(ConflictKind.choices))
    note = forms.CharField(label=_("具体情况"), max_length=2000)
    # the applicant names a body; the body names an applicant by credit code or through an engagement
    body = forms.IntegerField(required=False, min_value=1)
    credit_code = forms.CharField(required=False, max_length=18)
    engagement = forms.UUIDField(required=False)


class ResubmissionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("处理方式"), choices=[("confirm", _("确认原评价")), ("rescore", _("重新评价"))]
    )
    note = forms.CharField(label=_("确认意见"), max_length=2000, required=False)
