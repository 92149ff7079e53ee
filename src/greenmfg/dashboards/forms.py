from __future__ import annotations

from django import forms

from greenmfg.catalog.models import TitleKind, TitleLevel


class TargetForm(forms.Form):
    kind = forms.ChoiceField(label="称号类型", choices=TitleKind.choices)
    level = forms.ChoiceField(label="级别", choices=[("", "不限级别"), *TitleLevel.choices], required=False)
    count = forms.IntegerField(label="目标数量", min_value=1, max_value=1_000_000)
    deadline = forms.DateField(label="完成期限", widget=forms.DateInput(attrs={"type": "date"}))
    source_document = forms.CharField(label="出处（文件名称）", max_length=300)
    source_ref = forms.CharField(label="文号或网址", max_length=300, required=False)
