from __future__ import annotations

from django import forms

from greenmfg.orgs.models import OrgKind
from greenmfg.reference.models import Industry, Region


class TokenForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\d{6}$",
        label="动态口令",
        max_length=6,
        error_messages={"invalid": "请输入 6 位数字动态口令。"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label="确认新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("原密码不正确。")
        return value

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(label="单位类型", choices=[(OrgKind.ENTERPRISE, "企业"), (OrgKind.PARK, "园区")])
    name = forms.CharField(label="单位名称", max_length=128)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=24)
    region = forms.ModelChoiceField(
        label="所在区县", queryset=Region.objects.filter(level="county"), to_field_name="code"
    )
    industry = forms.ModelChoiceField(
        label="所属行业（大类）", queryset=Industry.objects.filter(level="division"), required=False
    )
    display_name = forms.CharField(label="联系人姓名", max_length=64)
    username = forms.RegexField(
        label="用户名",
        regex=r"^[A-Za-z0-9_.-]{4,40}$",
        max_length=40,
        error_messages={"invalid": "用户名为 4–40 位字母、数字或 _ . -"},
    )
    password = forms.CharField(
        label="密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
