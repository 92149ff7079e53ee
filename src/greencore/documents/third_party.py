"""What a third-party evaluation report (第三方评价报告) contains (seeds/001): the evaluation body, team,
dates and method; indicator by indicator, the applicant's and the evaluator's values side by side with the
conformity verdict; the main practices and highlights; recommendations; the conclusion.

The comparison is greencore's (`compare_results`, the margin the review chain flags at); the verdicts
and recommendations follow from it and from the engine's gap, so the report says what the data says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from greencore.documents.model import (
    GATE_STATUS,
    PROFILE_FIELDS,
    CategoryLine,
    Item,
    _category,
    _gap,
    _highlights,
    _items,
    _text,
    number,
)
from greencore.evaluation_rules import compare_results
from greencore.scoring.result import Result
from greencore.standards.model import Scheme

METHODS = {
    "document_check": "文件核查（查看报告文件、统计报表、原始记录）",
    "interview": "人员访谈（座谈）",
    "field_check": "现场核查（实地调查、抽样调查）",
}


@dataclass(frozen=True)
class Finding:
    kind: str  # document_check | interview | field_check
    method: str  # the kind in words
    indicator: str  # the indicator's label, or ""
    description: str
    date: str
    file_name: str = ""


@dataclass(frozen=True)
class ComparedIndicator:
    id: str
    depth: int
    label: str
    unit: str
    applicant_value: str
    evaluator_value: str
    applicant_points: str
    evaluator_points: str
    max_points: str
    difference: str
    verdict: str  # 符合 | 基本符合 | 不符合 | ""（a category）
    is_leaf: bool


@dataclass(frozen=True)
class ComparedGate:
    label: str
    applicant: str
    evaluator: str
    verdict: str


@dataclass(frozen=True)
class ThirdPartyReport:
    document_name: str
    title: str
    scheme_key: str
    scheme_title: str
    engine_version: str
    generated_on: str
    data_version: str
    applicant_name: str
    applicant: tuple[Item, ...]
    body: str
    team: tuple[str, ...]
    dates: tuple[Item, ...]
    methods: tuple[str, ...]
    findings: tuple[Finding, ...]
    gates: tuple[ComparedGate, ...]
    indicators: tuple[ComparedIndicator, ...]
    categories: tuple[CategoryLine, ...]
    applicant_score: str
    evaluator_score: str
    max_score: str
    grade: str
    margin: str
    flagged: int
    practices: tuple[str, ...]
    recommendations: tuple[str, ...]
    conclusion: str

    def context(self) -> dict[str, Any]:
        return asdict(self)


def _value(value: Decimal | None) -> str:
    return "" if value is None else number(value)


def _verdict(difference: Decimal | None, flagged: bool, same_value: bool) -> str:
    if flagged:
        return "不符合"
    if (difference is None or difference == 0) and same_value:
        return "符合"
    return "基本符合"


def third_party_report(
    scheme: Scheme,
    applicant_result: Result,
    evaluator_result: Result,
    *,
    margin: Decimal,
    body: str,
    team: Sequence[str] = (),
    dates: Mapping[str, str] | None = None,
    findings: Sequence[Finding] = (),
    conclusion: str = "",
    applicant: Mapping[str, Any] | None = None,
    generated_on: str = "",
    data_version: str = "",
) -> ThirdPartyReport:
    """The report of one concluded third-party evaluation: `applicant_result` is the self-evaluation
    compared against, `evaluator_result` the body's own scoring, `margin` the points beyond which a
    difference is flagged (the call's, as frozen at conclusion)."""
    applicant = applicant or {}
    compared = {c.id: c for c in compare_results(applicant_result, evaluator_result, margin)}
    own = {i.id: i for i in applicant_result.indicators}
    rows = []
    for item in evaluator_result.indicators:
        mine = own.get(item.id)
        comparison = compared.get(item.id)
        applicant_points = _value(mine.points if mine else None)
        evaluator_points = _value(item.points)
        same_value = mine is not None and mine.value == item.value
        rows.append(
            ComparedIndicator(
                id=item.id,
                depth=len(item.path),
                label=item.label,
                unit=item.unit,
                applicant_value=_value(mine.value if mine else None),
                evaluator_value=_value(item.value),
                applicant_points=applicant_points,
                evaluator_points=evaluator_points,
                max_points=number(item.max_points),
                difference=_value(comparison.difference) if comparison else "",
                verdict=_verdict(comparison.difference, comparison.flagged, same_value) if comparison else "",
                is_leaf=item.is_leaf,
            )
        )
    own_gates = {g.id: g for g in applicant_result.gates}
    gates = tuple(
        ComparedGate(
            label=g.label,
            applicant=GATE_STATUS.get(own_gates[g.id].status, "") if g.id in own_gates else "—",
            evaluator=GATE_STATUS.get(g.status, g.status),
            verdict="符合" if g.status == "pass" else "不符合",
        )
        for g in evaluator_result.gates
    )
    flagged = [c for c in compared.values() if c.flagged]
    gap, gap_summary = _gap(evaluator_result, scheme)
    recommendations = [
        f"{c.label}：自评 {_value(c.self_points)} 分，核定 {_value(c.evaluator_points)} 分，"
        "差异超出允许范围，请核实数据来源并补充佐证材料。"
        for c in flagged
    ]
    if gap is not None:
        recommendations += [f"{s.action}（预计 +{s.score_gain} 分）" for s in gap.improvements]
    recommendations.append(gap_summary)
    methods = tuple(dict.fromkeys(METHODS.get(f.kind, f.kind) for f in findings)) or (
        "文件核查（查看报告文件、统计报表、原始记录）",
    )
    name = _text(applicant.get("name"))
    return ThirdPartyReport(
        document_name=f"{scheme.title.zh} 第三方评价报告 — {name}",
        title=f"{scheme.title.zh}\n第三方评价报告",
        scheme_key=scheme.key,
        scheme_title=scheme.title.zh,
        engine_version=evaluator_result.engine_version,
        generated_on=generated_on,
        data_version=data_version or "未填写",
        applicant_name=name,
        applicant=_items(applicant, PROFILE_FIELDS),
        body=body,
        team=tuple(team),
        dates=tuple(Item(k, v) for k, v in (dates or {}).items()),
        methods=methods,
        findings=tuple(findings),
        gates=gates,
        indicators=tuple(rows),
        categories=tuple(_category(c) for c in evaluator_result.categories()),
        applicant_score=_value(applicant_result.score),
        evaluator_score=_value(evaluator_result.score),
        max_score=number(evaluator_result.max_score),
        grade=evaluator_result.grade_label or evaluator_result.grade or "—",
        margin=number(margin),
        flagged=len(flagged),
        practices=_highlights(evaluator_result),
        recommendations=tuple(recommendations),
        conclusion=conclusion or "未填写",
    )
