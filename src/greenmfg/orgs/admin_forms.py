"""Input shapes for a jurisdiction's administration pages (types and lengths only; every rule is in
services.py and greencore)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from greenmfg.core.forms import LongSelect
from greenmfg.core.i18n import translated_choices
from greenmfg.reference.models import Region

from .models import AuthorityLevel, Role

STAFF_ROLE_CHOICES = [
    (Role.REVIEWER, _("审核人员")),
    (Role.SIGNER, _("签发人员（审核并签发公示、公告和撤销决定）")),
    (Role.SYSADMIN, _("系统管理员")),
    (Role.SECADMIN, _("安全管理员")),
    (Role.AUDITADMIN, _("审计管理员")),
]


class BureauForm(forms.Form):
    name = forms.CharField(label=_("部门名称"), max_length=128)
    region = forms.CharField(label=_("所在行政区划代码（GB/T 2260）"), max_length=6, min_length=6)
    level = forms.ChoiceField(label=_("层级"), choices=translated_choices(AuthorityLevel.choices))

    def __init__(self, *args: Any, lower_levels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["level"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v, gettext(text)) for v, text in AuthorityLevel.choices if v in lower_levels]


class StaffForm(forms.Form):
    bureau = forms.TypedChoiceField(label=_("所属部门"), coerce=int)
    role = forms.ChoiceField(label=_("角色"), choices=STAFF_ROLE_CHOICES)
    display_name = forms.CharField(label=_("姓名"), max_length=64)
    username = forms.CharField(label=_("用户名"), max_length=40)
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args: Any, bureaus: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bureau"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = bureaus


class BodyApplicationForm(forms.Form):
    """An evaluation body applies to be listed (types and lengths; the rules are in services.apply_body)."""

    name = forms.CharField(label=_("机构名称"), max_length=128)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=24)
    legal_person = forms.CharField(label=_("法定代表人"), max_length=64)
    region = forms.ModelChoiceField(
        label=_("所在地（区县）"),
        queryset=Region.objects.filter(level="county"),
        to_field_name="code",
        widget=LongSelect(),
    )
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    qualifications = forms.CharField(
        label=_("评价资质"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    evaluators = forms.CharField(
        label=_("持证评价人员（每行一人：姓名, 证书名称, 证书编号）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
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


class SecurityPolicyForm(forms.Form):
    """The security policy's fields (greencore.POLICY_FIELDS: their bounds are checked there, by name)."""

    min_length = forms.IntegerField(label=_("密码最短长度"))
    lockout_threshold = forms.IntegerField(label=_("连续登录失败锁定次数"))
    lockout_window_minutes = forms.IntegerField(label=_("锁定时长（分钟）"))
    session_timeout_minutes = forms.IntegerField(label=_("会话空闲超时（分钟）"))
    password_max_age_days = forms.IntegerField(label=_("密码最长使用期（天）"))
    session_absolute_hours = forms.IntegerField(label=_("会话最长时长（小时）"))
    reason = forms.CharField(label=_("修改理由"), max_length=200, required=False)
