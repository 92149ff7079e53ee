from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.core.i18n import translated_choices


class TargetForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("称号类型"), choices=translated_choices(TitleKind.choices))
    level = forms.ChoiceField(
        label=gettext_lazy("级别"),
        choices=[("", gettext_lazy("不限级别")), *translated_choices(TitleLevel.choices)],
        required=False,
    )
    count = forms.IntegerField(
        label=gettext_lazy("目标数量"), min_value=1, max_value=1_000_000, required=False
    )
    share = forms.DecimalField(
        label=gettext_lazy("或：占比目标（%）"),
        min_value=Decimal("0.01"),
        max_value=100,
        decimal_places=2,
        required=False,
    )
    base_count = forms.IntegerField(
        label=gettext_lazy("占比的基数"), min_value=1, max_value=10_000_000, required=False
    )
    base_label = forms.CharField(
        label=gettext_lazy("基数是什么（如 规上工业企业数）"), max_length=100, required=False
    )
    deadline = forms.DateField(label=gettext_lazy("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))
    source_document = forms.CharField(label=gettext_lazy("出处（文件名称）"), max_length=300)
    source_ref = forms.CharField(label=gettext_lazy("文号或网址"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        """A count, or a share with its base: one of the two, each whole (the form says which field is
        missing; the service computes the count a share means)."""
        data = super().clean() or {}
        count, share, base = data.get("count"), data.get("share"), data.get("base_count")
        if count is None and share is None:
            self.add_error("count", _("请填写目标数量，或填写占比目标及其基数。"))
        elif count is not None and share is not None:
            self.add_error("share", _("目标数量和占比目标只填一项。"))
        elif share is not None and base is None:
            self.add_error("base_count", _("占比目标须填写基数。"))
        elif share is not None and not (data.get("base_label") or "").strip():
            self.add_error("base_label", _("请说明基数是什么。"))
        return data
