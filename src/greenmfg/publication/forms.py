"""Input shapes of the publication views: types, choices and lengths only; every rule is in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from greenmfg.core.forms import LineField, TextAreaField

from .models import Objection, PublicityEntry

MAX_TEXT = 5000


class ObjectionForm(forms.Form):
    # not required here: an empty name or contact is refused by the service, which records the refusal
    entry = forms.ModelChoiceField(
        label=_("异议对象"), queryset=PublicityEntry.objects.none(), required=False
    )
    name = LineField(label=_("真实姓名"), model=Objection, column="name", required=False)
    contact = LineField(label=_("电子邮箱"), model=Objection, column="contact", required=False)
    organisation = LineField(label=_("工作单位"), model=Objection, column="organisation", required=False)
    grounds = TextAreaField(label=_("异议事实和理由"), max_length=MAX_TEXT, required=False)

    def __init__(self, entries: QuerySet[PublicityEntry], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entry = self.fields["entry"]
        assert isinstance(entry, forms.ModelChoiceField)
        entry.queryset = entries


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("验证码"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("请输入邮件中的 6 位数字验证码。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("upheld", _("异议成立")), ("dismissed", _("异议不成立")), ("set_aside", _("不予受理"))],
        required=False,
    )
    upheld = forms.ChoiceField(choices=[("yes", _("是")), ("no", _("否"))], required=False)
    reason = TextAreaField(label=_("处理意见"), max_length=MAX_TEXT, required=False)

    def chosen(self) -> str:
        """The outcome: the `outcome` field, or the older `upheld=yes|no` buttons."""
        outcome = self.cleaned_data.get("outcome") or ""
        if outcome:
            return str(outcome)
        return "upheld" if self.cleaned_data.get("upheld") == "yes" else "dismissed"
