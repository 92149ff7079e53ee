from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator

from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.reference.national_lists import BATCHES


class SearchForm(forms.Form):
    """The register's filters, parsed from the query string (the list, its exports and the API share
    the same names: q, kind, level, province, region, industry, year, batch)."""

    q = forms.CharField(label="关键词", max_length=100, required=False)
    kind = forms.ChoiceField(label="称号类型", choices=[("", "全部"), *TitleKind.choices], required=False)
    level = forms.ChoiceField(label="级别", choices=[("", "全部"), *TitleLevel.choices], required=False)
    province = forms.CharField(
        label="省份", required=False, validators=[RegexValidator(r"^\d{2}0000$", "省份代码应为 6 位数字")]
    )
    region = forms.CharField(
        label="地区", required=False, validators=[RegexValidator(r"^\d{6}$", "地区代码应为 6 位数字")]
    )
    industry = forms.CharField(
        label="行业",
        required=False,
        validators=[RegexValidator(r"^([A-T]|\d{2,4})$", "行业代码应为门类字母或 2–4 位数字")],
    )
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    batch = forms.ChoiceField(
        label="批次", choices=[("", "全部"), *((b, b) for b in BATCHES)], required=False
    )

    def filters(self) -> dict[str, Any]:
        """The filters as keyword arguments of selectors.search_titles (call once is_valid() holds)."""
        data = self.cleaned_data
        return {name: data.get(name) or (None if name == "year" else "") for name in self.fields}
