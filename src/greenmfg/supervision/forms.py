from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from greencore import evidence_rule
from greenmfg.catalog.models import TitleKind
from greenmfg.core.forms import LineField, TextAreaField
from greenmfg.core.i18n import both_lazy, translated_choices

from .models import ChangeEvent, Purpose, Report, RevocationReason
from .services import IMMEDIATE_REASONS, MAX_SAMPLE


class DrawForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("类型"),
        choices=translated_choices((p.value, p.label) for p in (Purpose.SPOT_CHECK, Purpose.RE_CHECK)),
    )
    title_kind = forms.ChoiceField(label=_("称号类型"), choices=translated_choices(TitleKind.choices))
    size = forms.IntegerField(label=_("抽取数量"), min_value=1, max_value=MAX_SAMPLE)
    risk_weighted = forms.BooleanField(
        label=_("按风险加权"),
        required=False,
        help_text=_("逾期或未填报、绿码等级下降、异议成立或举报属实的单位持有更多抽签号，更可能被抽中。"),
    )
    seed = forms.CharField(
        label=_("随机种子"),
        required=False,
        max_length=64,
        help_text=_("留空则由平台随机生成；种子、名单和结果一并记录，任何人可据此复现抽取结果。"),
    )


class FindingForm(forms.Form):
    conforms = forms.TypedChoiceField(
        label=_("结论"),
        choices=[("yes", _("符合")), ("no", _("不符合"))],
        coerce=lambda value: value == "yes",
    )
    text = forms.CharField(label=_("检查发现"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)


class DecideForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("审核结论"),
        choices=[("yes", _("整改完成")), ("no", _("退回，继续整改"))],
        coerce=lambda value: value == "yes",
    )
    reason = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("撤销理由"),
        choices=translated_choices((r.value, r.label) for r in RevocationReason if r in IMMEDIATE_REASONS),
    )
    details = forms.CharField(label=_("事实依据"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2016, max_value=2100)


class DeadlineForm(forms.Form):
    month = forms.IntegerField(label=_("月"), min_value=1, max_value=12)
    day = forms.IntegerField(label=_("日"), min_value=1, max_value=31)
    blocks_higher_tier = forms.BooleanField(label=_("逾期未填报的单位不得申报更高级别称号"), required=False)


class EvidenceRuleForm(forms.Form):
    """Which key indicators the level's filings must carry evidence for: the shipped rule, or the
    bureau's own choice among the indicators with a document (greencore's filing rules)."""

    mode = forms.ChoiceField(
        label=_("证明材料要求"),
        choices=[("default", _("采用平台默认要求")), ("own", _("本级自定（勾选须附证明材料的指标）"))],
        widget=forms.RadioSelect,
        initial="default",
    )
    indicators = forms.MultipleChoiceField(
        label=_("须附证明材料的指标"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (key, both_lazy(zh, en, key)) for key, (zh, en) in evidence_rule("default").documents.items()
        ],
    )


class ReportForm(forms.Form):
    # not required here: an empty name or contact is refused by the service, which records the refusal
    name = LineField(label=_("真实姓名"), model=Report, column="name", required=False)
    contact = LineField(label=_("电子邮箱"), model=Report, column="contact", required=False)
    organisation = LineField(label=_("工作单位"), model=Report, column="organisation", required=False)
    grounds = TextAreaField(label=_("举报事实和理由"), max_length=5000, required=False)


class ReportCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("验证码"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("请输入邮件中的 6 位数字验证码。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ReportDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("处理结论"),
        choices=[("yes", _("举报属实")), ("no", _("举报不属实"))],
        coerce=lambda value: value == "yes",
    )
    reason = TextAreaField(label=_("处理意见和理由"), max_length=5000)
    open_check = forms.BooleanField(label=_("据此开展举报核查"), required=False)


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("变更类型"), choices=translated_choices(ChangeEvent.Kind.choices))
    new_name = LineField(label=_("变更后的单位名称"), model=ChangeEvent, column="new_name", required=False)
    details = TextAreaField(label=_("变更情况"), max_length=5000)


class ChangeDecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("审核结论"),
        choices=[("yes", _("确认变更")), ("no", _("须复核"))],
        coerce=lambda value: value == "yes",
    )
    reason = TextAreaField(label=_("审核意见"), max_length=5000)


class SampleForm(forms.Form):
    """A draw of a body's reports, or of the districts' re-checks: how many, and the seed."""

    size = forms.IntegerField(label=_("抽取数量"), min_value=1, max_value=MAX_SAMPLE)
    seed = forms.CharField(
        label=_("随机种子"),
        required=False,
        max_length=64,
        help_text=_("留空则由平台随机生成；种子、名单和结果一并记录，任何人可据此复现抽取结果。"),
    )


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("暂停理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500)


class DeclarationSettingForm(forms.Form):
    cadence = forms.ChoiceField(
        label=_("声明周期"), choices=[("yearly", _("年度")), ("half_yearly", _("半年度"))]
    )
    shown = forms.CharField(
        label=_("公开指标"),
        required=False,
        max_length=2000,
        help_text=_("指标编号，以逗号分隔；单位声明的其他指标不在名单中公开。"),
    )
