"""Input shapes for a jurisdiction's administration pages (types and lengths only; every rule is in
services.py and greencore)."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import AuthorityLevel, Role

STAFF_ROLE_CHOICES = [
    (Role.REVIEWER, "审核人员"),
    (Role.SYSADMIN, "系统管理员"),
    (Role.SECADMIN, "安全管理员"),
    (Role.AUDITADMIN, "审计管理员"),
]


class BureauForm(forms.Form):
    name = forms.CharField(label="部门名称", max_length=128)
    region = forms.CharField(label="所在行政区划代码（GB/T 2260）", max_length=6, min_length=6)
    level = forms.ChoiceField(label="层级", choices=AuthorityLevel.choices)

    def __init__(self, *args: Any, lower_levels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["level"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v, label) for v, label in AuthorityLevel.choices if v in lower_levels]


class StaffForm(forms.Form):
    bureau = forms.TypedChoiceField(label="所属部门", coerce=int)
    role = forms.ChoiceField(label="角色", choices=STAFF_ROLE_CHOICES)
    display_name = forms.CharField(label="姓名", max_length=64)
    username = forms.CharField(label="用户名", max_length=40)
    email = forms.EmailField(label="电子邮箱", required=False)

    def __init__(self, *args: Any, bureaus: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bureau"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = bureaus
