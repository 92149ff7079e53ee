"""Input shapes of the call pages: types and lengths only, and the conversion between the form's rows and
the stored JSON (review chain, eligibility). Every rule is in services.py and greencore."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from greencore import ChainError, steps
from greenmfg.core.forms import LongSelect
from greenmfg.core.i18n import localized, translated_choices

from .models import Call, TitleKind

STEP_ROWS = 4  # district, city, province, ministry: a chain rises, so it has at most four steps
LEVEL_CHOICES = [
    ("", _("（不设）")),
    ("district", _("区县初审")),
    ("city", _("市级审核")),
    ("province", _("省级审核")),
    ("ministry", _("部级审核")),
]
AGGREGATION_CHOICES = [("", "—"), ("trimmed_mean", _("去掉最高最低分后平均")), ("mean", _("平均"))]
REQUIRED_LEVEL_CHOICES = [("", _("不要求")), ("city", _("市级")), ("province", _("省级"))]
SEPARATORS = re.compile(r"[\s,，、;；]+")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CallForm(forms.Form):
    code = forms.CharField(
        label=_("批次代码"),
        max_length=64,
        help_text=_("用于网址，小写字母、数字或 -，创建后不能修改，如 suzhou-2027-factory"),
    )
    name = forms.CharField(label=_("批次名称"), max_length=128)
    title_kind = forms.ChoiceField(label=_("称号类型"), choices=translated_choices(TitleKind.choices))
    region = forms.CharField(label=_("申报地区"), max_length=6, widget=LongSelect())
    scheme = forms.ChoiceField(label=_("评价方案（固定版本）"), help_text=_("须与称号类型相符"))
    opens_on = forms.DateField(label=_("开始申报日期"), widget=DATE)
    closes_on = forms.DateField(label=_("截止日期"), widget=DATE)
    requires_third_party = forms.BooleanField(
        label=_("须经第三方评价"), required=False, help_text=_("不勾选：仅接受自评价（如2025年国家级批次）")
    )
    score_margin = forms.DecimalField(
        label=_("分差提示阈值（分）"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal("2"),
        help_text=_("同一指标第三方评分与自评分之差超过该分值时，标记给审核人员"),
    )
    requires_title_level = forms.ChoiceField(
        label=_("须已取得的称号层级"), choices=REQUIRED_LEVEL_CHOICES, required=False
    )
    requires_title_grade = forms.CharField(
        label=_("须已取得的最低等级"),
        max_length=16,
        required=False,
        help_text=_("按评价方案的等级，如 2A（苏州：申报3A须已获得2A）；不分等级的可不填"),
    )
    requires_title_scheme = forms.ChoiceField(
        label=_("等级所属的评价方案"),
        required=False,
        help_text=_("不选：按本批次的评价方案；如本批次方案不分等级而要求苏州市的3A，选苏州市绿色工厂评价"),
    )
    negative_list = forms.BooleanField(label=_("核查负面清单（近三年有命中记录的不能申报）"), required=False)
    evidence_required = forms.CharField(
        label=_("须上传佐证材料的指标编号"),
        max_length=2000,
        required=False,
        help_text=_("多个编号用逗号或空格分隔"),
    )
    notice = forms.CharField(label=_("申报通知"), max_length=10000, required=False, widget=forms.Textarea)

    def __init__(
        self,
        *args: Any,
        regions: list[tuple[str, str]],
        schemes: list[tuple[str, list[tuple[str, str]]]],
        graded: list[tuple[str, str]] | None = None,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        ladder = self.fields["requires_title_scheme"]
        assert isinstance(ladder, forms.ChoiceField)
        ladder.choices = [("", _("本批次的评价方案")), *(graded or [])]
        self.fields["region"].widget.choices = regions
        self.fields["region"].widget.attrs.pop("maxlength", None)  # a list, not a text box
        scheme = self.fields["scheme"]
        assert isinstance(scheme, forms.ChoiceField)
        # the groups are the title kinds (model choice labels, in the catalogue); the schemes' titles are data
        scheme.choices = [("", _("请选择")), *((_(kind), items) for kind, items in schemes)]
        if editing:  # the code names the call in every link; it stays
            self.fields["code"].disabled = True
            self.fields["code"].required = False

    def eligibility(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {}
        level = data.get("requires_title_level") or ""
        grade = (data.get("requires_title_grade") or "").strip()
        ladder = data.get("requires_title_scheme") or ""
        if level or grade or ladder:
            out["requires_title"] = {
                "level": level,
                **({"grade_at_least": grade} if grade else {}),
                **({"scheme": ladder} if ladder else {}),
            }
        if data.get("negative_list"):
            out["negative_list"] = True
        evidence = [i for i in SEPARATORS.split(data.get("evidence_required") or "") if i]
        if evidence:
            out["evidence_required"] = evidence
        return out

    def call_fields(self) -> dict[str, Any]:
        """The keyword arguments of services.create_call / update_call (without the chain)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "title_kind": data["title_kind"],
            "region_code": data["region"],
            "scheme": data["scheme"],
            "opens_on": data["opens_on"],
            "closes_on": data["closes_on"],
            "requires_third_party": data["requires_third_party"],
            "score_margin": data["score_margin"],
            "eligibility": self.eligibility(),
            "notice": data["notice"],
        }

    @staticmethod
    def initial_from(call: Call) -> dict[str, Any]:
        rules = call.eligibility or {}
        required = rules.get("requires_title") or {}
        return {
            "code": call.code,
            "name": call.name,
            "title_kind": call.title_kind,
            "region": call.region_id,
            "scheme": f"{call.scheme_id}@{call.scheme_version}",
            "opens_on": call.opens_on,
            "closes_on": call.closes_on,
            "requires_third_party": call.requires_third_party,
            "score_margin": call.score_margin,
            "requires_title_level": required.get("level", ""),
            "requires_title_grade": required.get("grade_at_least", ""),
            "requires_title_scheme": required.get("scheme", ""),
            "negative_list": bool(rules.get("negative_list")),
            "evidence_required": " ".join(rules.get("evidence_required", [])),
            "notice": call.notice,
        }


class StepForm(forms.Form):
    """One step of the review chain. Numbers are only typed here: greencore says what is wrong with them."""

    level = forms.ChoiceField(label=_("层级"), choices=LEVEL_CHOICES, required=False)
    name = forms.CharField(label=_("名称"), max_length=64, required=False)
    days = forms.IntegerField(label=_("办理期限（天）"), required=False)
    forward_min = forms.DecimalField(
        label=_("转报：得分不低于"), required=False, max_digits=7, decimal_places=2
    )
    forward_above = forms.DecimalField(
        label=_("转报：得分高于"), required=False, max_digits=7, decimal_places=2
    )
    forward_top = forms.IntegerField(label=_("转报：前 N 名"), required=False)
    panel_size = forms.IntegerField(label=_("专家人数"), required=False)
    panel_aggregation = forms.ChoiceField(label=_("汇总方式"), choices=AGGREGATION_CHOICES, required=False)
    panel_window_days = forms.IntegerField(label=_("评审期限（天）"), required=False)
    credit_check = forms.BooleanField(label=_("信用核查"), required=False)
    publicity_days = forms.IntegerField(label=_("公示天数（最后一步）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the rows are a table: each input names its column
            field.widget.attrs["aria-label"] = str(field.label)

    def step(self) -> dict[str, Any] | None:
        """The step as the chain stores it, or None for an unused row."""
        data = self.cleaned_data
        if not data.get("level"):
            return None
        out: dict[str, Any] = {"level": data["level"]}
        if data.get("name"):
            out["name"] = data["name"]
        if data.get("days") is not None:
            out["days"] = data["days"]
        forward = {
            key: _number(data[f"forward_{key}"])
            for key in ("min", "above", "top")
            if data.get(f"forward_{key}") is not None
        }
        if forward:
            out["forward"] = forward
        panel_set = any(
            data.get(k) not in (None, "") for k in ("panel_size", "panel_aggregation", "panel_window_days")
        )
        if panel_set:
            panel: dict[str, Any] = {}
            if data.get("panel_size") is not None:
                panel["size"] = data["panel_size"]
            if data.get("panel_aggregation"):
                panel["aggregation"] = data["panel_aggregation"]
            if data.get("panel_window_days") is not None:
                panel["window_days"] = data["panel_window_days"]
            out["panel"] = panel
        if data.get("credit_check"):
            out["credit_check"] = True
        if data.get("publicity_days") is not None:
            out["publicity_days"] = data["publicity_days"]
        return out


def _number(value: Any) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return int(value)


StepFormSet = forms.formset_factory(
    StepForm, extra=0, min_num=0, max_num=STEP_ROWS, absolute_max=STEP_ROWS, validate_max=True
)


def chain_from(formset: Any) -> list[dict[str, Any]]:
    return [step for step in (form.step() for form in formset.forms) if step is not None]


def rows_from(chain: Any) -> list[dict[str, Any]]:
    """The formset's initial rows for a stored chain (level names or step objects), padded to four."""
    chain = chain if isinstance(chain, list) else []
    try:
        resolved = steps(chain)
    except ChainError:
        resolved = []
    rows: list[dict[str, Any]] = []
    for index, raw in enumerate(chain):
        spec = {"level": raw} if isinstance(raw, str) else raw if isinstance(raw, dict) else {}
        raw_forward = spec.get("forward")
        forward = raw_forward if isinstance(raw_forward, dict) else {}
        panel = spec.get("panel")
        if panel is True:  # greencore's default panel: keep it a panel when the row is saved again
            default = resolved[index].panel if index < len(resolved) else None
            panel = {"size": default.size if default else 3}
        panel = panel if isinstance(panel, dict) else {}
        rows.append(
            {
                "level": spec.get("level", ""),
                "name": spec.get("name", ""),
                "days": spec.get("days"),
                "forward_min": forward.get("min"),
                "forward_above": forward.get("above"),
                "forward_top": forward.get("top"),
                "panel_size": panel.get("size"),
                "panel_aggregation": panel.get("aggregation", ""),
                "panel_window_days": panel.get("window_days"),
                "credit_check": bool(spec.get("credit_check")),
                "publicity_days": spec.get("publicity_days"),
            }
        )
    return (rows + [{} for _ in range(STEP_ROWS)])[:STEP_ROWS]


class CalendarForm(forms.Form):
    """A call's calendar: one date per step of its chain (fields ``step_<index>``), the key-enterprise
    list's date and the province's quota. Every rule (which dates, their order) is greencore's."""

    key_list_due = forms.DateField(
        label=_("对标摸底名单报送日期"),
        required=False,
        widget=DATE,
        help_text=_("各地报送重点企业、园区名单的截止日期（广东：3月底前）；不收集可留空"),
    )
    quota = forms.IntegerField(
        label=_("省级推荐名额"),
        required=False,
        min_value=1,
        help_text=_("每个省级主管部门在省级审核环节最多向上推荐（或入选）的数量；不限可留空"),
    )

    def __init__(self, *args: Any, chain: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step_names: list[str] = []
        for spec in chain:
            name = f"step_{spec.index}"
            self.fields[name] = forms.DateField(
                label=_("%(step)s完成日期") % {"step": localized(spec)},
                required=False,
                widget=DATE,
                help_text=_("留空：按办理期限 %(days)s 天计") % {"days": spec.days},
            )
            self.step_names.append(name)
        self.order_fields([*self.step_names, "key_list_due", "quota"])

    def step_dates(self) -> list[Any]:
        return [self.cleaned_data.get(name) for name in self.step_names]


class KeyListForm(forms.Form):
    units = forms.CharField(
        label=_("统一社会信用代码"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        help_text=_("每行一个，或以逗号、空格分隔"),
    )

    def codes(self) -> list[str]:
        return [code for code in SEPARATORS.split(self.cleaned_data["units"]) if code]
