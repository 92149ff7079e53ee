"""Input shapes for the organisation pages (types and lengths only; every rule is in services.py)."""

from __future__ import annotations

from typing import Any

from django import forms

from greenmfg.accounts.forms import RegistrationForm
from greenmfg.reference.models import Region


class AccountForm(RegistrationForm):
    """The self-registration form without a password (the platform issues a one-time one), its region
    limited to the counties of the bureau's jurisdiction."""

    password = None  # type: ignore[assignment]

    def __init__(self, *args: Any, prefix_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Region.objects.filter(level="county", code__startswith=prefix_code)
        field.label = "所在区县（本部门辖区内）"


class SiteForm(forms.Form):
    name = forms.CharField(label="厂区名称", max_length=128)
    region = forms.CharField(label="所在区县", max_length=6, widget=forms.Select())
    address = forms.CharField(label="详细地址", max_length=200, required=False)

    def __init__(self, *args: Any, counties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = [("", "请选择"), *counties]
        self.fields["region"].widget.attrs.pop("maxlength", None)  # a list, not a text box
