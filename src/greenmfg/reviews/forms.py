"""Input shapes of the review views: types, choices and lengths only; every rule is in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from greenmfg.core.forms import LineField

from .models import ExpertRelation

# the relations an expert may declare on the scoring page (reviews/expert_score.html)
EXPERT_RELATION_KINDS = [
    ("consulted", _("曾为该单位提供咨询")),
    ("evaluated", _("曾参与该单位评价")),
    ("family", _("近亲属任职")),
    ("declared", _("其他利害关系")),
]


class ExpertConflictForm(forms.Form):
    kind = forms.ChoiceField(label=_("利益关系类型"), choices=EXPERT_RELATION_KINDS)
    note = LineField(label=_("说明"), model=ExpertRelation, column="note")
