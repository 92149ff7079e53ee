from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.core.i18n import translated_choices
from greenmfg.reference.national_lists import BATCHES


class SearchForm(forms.Form):
    """The register's filters, parsed from the query string (the list, its exports and the API share
    the same names: q, kind, level, province, region, industry, year, batch)."""

    q = forms.CharField(label=_("关键词"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("称号类型"), choices=[("", _("全部")), *translated_choices(TitleKind.choices)], required=False
    )
    level = forms.ChoiceField(
        label=_("级别"), choices=[("", _("全部")), *translated_choices(TitleLevel.choices)], required=False
    )
    province = forms.CharField(
        label=_("省份"),
        required=False,
        validators=[RegexValidator(r"^\d{2}0000$", _("省份代码应为 6 位数字"))],
    )
    region = forms.CharField(
        label=_("地区"), required=False, validators=[RegexValidator(r"^\d{6}$", _("地区代码应为 6 位数字"))]
    )
    industry = forms.CharField(
        label=_("行业"),
        required=False,
        validators=[RegexValidator(r"^([A-T]|\d{2,4})$", _("行业代码应为门类字母或 2–4 位数字"))],
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    batch = forms.ChoiceField(
        label=_("批次"), choices=[("", _("全部")), *((b, b) for b in BATCHES)], required=False
    )

    def filters(self) -> dict[str, Any]:
        """The filters as keyword arguments of selectors.search_titles (call once is_valid() holds)."""
        data = self.cleaned_data
        return {name: data.get(name) or (None if name == "year" else "") for name in self.fields}
