"""Input shapes for the organisation pages (types and lengths only; every rule is in services.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from greenmfg.core.forms import LongSelect
from greenmfg.reference.models import Industry, Region

from .models import OrgKind


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("单位类型"), choices=[(OrgKind.ENTERPRISE, _("企业")), (OrgKind.PARK, _("园区"))]
    )
    name = forms.CharField(label=_("单位名称"), max_length=128)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=24)
    region = forms.ModelChoiceField(
        label=_("所在区县"),
        queryset=Region.objects.filter(level="county"),
        to_field_name="code",
        widget=LongSelect(),
    )
    industry = forms.ModelChoiceField(
        label=_("所属行业（大类）"), queryset=Industry.objects.filter(level="division"), required=False
    )
    display_name = forms.CharField(label=_("联系人姓名"), max_length=64)
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.-]{4,40}$",
        max_length=40,
        error_messages={"invalid": _("用户名为 4–40 位字母、数字或 _ . -")},
    )
    password = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class AccountForm(RegistrationForm):
    """The self-registration form without a password (the platform issues a one-time one), its region
    limited to the counties of the bureau's jurisdiction."""

    password = None  # type: ignore[assignment]

    def __init__(self, *args: Any, prefix_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Region.objects.filter(level="county", code__startswith=prefix_code)
        field.label = _("所在区县（本部门辖区内）")


class SiteForm(forms.Form):
    name = forms.CharField(label=_("厂区名称"), max_length=128)
    region = forms.CharField(label=_("所在区县"), max_length=6, widget=LongSelect())
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)

    def __init__(self, *args: Any, counties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = [("", _("请选择")), *counties]
        self.fields["region"].widget.attrs.pop("maxlength", None)  # a list, not a text box
