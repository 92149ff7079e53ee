"""What a self-evaluation report (自评价报告) contains, built from the engine's result.

The report is data, not layout: the same `SelfEvaluationReport` feeds the PDF (HTML + CSS through
WeasyPrint) and the Word file (a docxtpl template), in the command line and in the platform, so the
figures printed are the engine's own Decimal strings in every format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from greencore.scoring.raw import working
from greencore.scoring.result import IndicatorTrail, Result
from greencore.standards.model import Scheme

NOT_GIVEN = "未填写"

# the applicant's profile, in the order and with the labels of the 自评表's 企业基本情况
PROFILE_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "单位名称"),
    ("credit_code", "统一社会信用代码"),
    ("address", "注册地址"),
    ("region", "所在地区"),
    ("industry", "所属行业"),
    ("legal_representative", "法定代表人"),
    ("founded", "成立时间"),
    ("employees", "从业人数"),
    ("contact", "联系人"),
    ("phone", "联系电话"),
    ("note", "备注"),
)
SCOPE_FIELDS: tuple[tuple[str, str], ...] = (
    ("scope", "评价范围"),
    ("boundary", "评价边界"),
    ("period", "评价周期（数据年度）"),
    ("products", "主要产品"),
)
GATE_STATUS = {"pass": "符合", "fail": "不符合", "missing": "未填写"}
INDICATOR_STATUS = {"missing": "缺项", "not_applicable": "不适用", "not_counted": "未计入"}


def number(value: Decimal | None) -> str:
    """A figure exactly as the engine holds it (no rounding, no exponent), or "—"."""
    if value is None:
        return "—"
    return format(value, "f")


@dataclass(frozen=True)
class Item:
    label: str
    value: str


@dataclass(frozen=True)
class GateLine:
    id: str
    label: str
    status: str  # pass | fail | missing
    verdict: str  # 符合 | 不符合 | 未填写
    source: str


@dataclass(frozen=True)
class IndicatorLine:
    id: str
    depth: int  # 1 for a category
    label: str
    is_leaf: bool
    value: str
    unit: str
    base: str
    lead: str
    rule: str
    working: str
    rows: tuple[str, ...]
    points: str
    max_points: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class CategoryLine:
    id: str
    label: str
    points: str
    max_points: str
    percent: str  # points / max as a percentage, one decimal (the chart's radius)
    ratio: float


@dataclass(frozen=True)
class WorkingLine:
    figure: str
    step: str
    reference: str


@dataclass(frozen=True)
class ImprovementLine:
    label: str
    action: str
    points_now: str
    points_target: str
    score_gain: str


@dataclass(frozen=True)
class GapSection:
    target: str
    threshold: str
    needed: str
    reachable: bool
    blockers: tuple[str, ...]
    improvements: tuple[ImprovementLine, ...]
    note: str


@dataclass(frozen=True)
class SelfEvaluationReport:
    document_name: str  # the running header of every page
    title: str
    layout: str  # the scheme's report_layout: which template files draw the report ("" = general)
    scheme_key: str
    scheme_title: str
    scheme_source: str  # the document the scheme transcribes (评价依据)
    issued_by: str
    grade_bands: tuple[Item, ...]  # each grade and what gives it, from the scheme's outcome
    selection_rule: str  # pass mark and ranking as the scheme states them, in words
    engine_version: str
    generated_on: str
    data_version: str
    applicant_name: str
    applicant: tuple[Item, ...]
    scope: tuple[Item, ...]
    eligibility: str
    gates: tuple[GateLine, ...]
    derived: tuple[Item, ...]
    working: tuple[WorkingLine, ...]
    indicators: tuple[IndicatorLine, ...]
    categories: tuple[CategoryLine, ...]
    score: str
    score_upper: str
    complete: bool
    max_score: str
    bonus: str
    passed: str
    grade: str
    highlights: tuple[str, ...]
    gap: GapSection | None
    gap_summary: str
    missing: tuple[str, ...]
    notes: tuple[str, ...]

    def context(self) -> dict[str, Any]:
        """Plain data for a template (lists and dicts only)."""
        return asdict(self)


def _text(value: Any) -> str:
    if value is None or value == "":
        return NOT_GIVEN
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or NOT_GIVEN
    return str(value)


def _items(data: Mapping[str, Any], fields: Sequence[tuple[str, str]]) -> tuple[Item, ...]:
    known = dict(fields)
    out = [Item(label, _text(data.get(key))) for key, label in fields if key != "note" or data.get(key)]
    # keys the layout does not know still appear, under their own name, so nothing typed is dropped
    out += [Item(str(k), _text(v)) for k, v in data.items() if k not in known and not isinstance(v, dict)]
    return tuple(out)


def _indicator(item: IndicatorTrail, evidence: Mapping[str, Sequence[str]]) -> IndicatorLine:
    status = INDICATOR_STATUS.get(item.status, "")
    points = number(item.points) if item.points is not None and item.status == "scored" else status
    if not item.is_leaf and item.points is not None:
        points = number(item.points)
    rows = tuple(
        f"{row.label}：{number(row.value)}"
        + (f"（基准值 {number(row.base)}，引领值 {number(row.lead)}）" if row.base is not None else "")
        + (f"，权重 {number(row.weight)}" if row.weight is not None else "")
        + (f"，得分率 {number(row.fraction)}" if row.fraction is not None else "")
        for row in item.rows
    )
    return IndicatorLine(
        id=item.id,
        depth=len(item.path),
        label=item.label,
        is_leaf=item.is_leaf,
        value="" if item.value is None else number(item.value),
        unit=item.unit,
        base="" if item.base is None else number(item.base),
        lead="" if item.lead is None else number(item.lead),
        rule=item.rule + (f"（{item.tier}）" if item.tier else ""),
        working=item.why,
        rows=rows,
        points=points,
        max_points=number(item.max_points),
        evidence=tuple(evidence.get(item.id, ())),
    )


def _category(item: IndicatorTrail) -> CategoryLine:
    ratio = float(item.points / item.max_points) if item.points is not None and item.max_points else 0.0
    return CategoryLine(
        id=item.id,
        label=item.label,
        points=number(item.points),
        max_points=number(item.max_points),
        percent=f"{ratio * 100:.1f}",
        ratio=ratio,
    )


def _highlights(result: Result) -> tuple[str, ...]:
    full = [
        f"{i.label}：得满分 {number(i.points)} 分"
        for i in result.indicators
        if i.is_leaf and i.status == "scored" and i.points is not None and i.points == i.max_points
        if i.max_points > 0
    ]
    strong = [
        f"{c.label}：得分率 {c.percent}%（{c.points} / {c.max_points} 分）"
        for c in map(_category, result.categories())
        if c.ratio >= 0.8
    ]
    return tuple(strong + full)


def _bound(value: Decimal) -> str:
    return number(value.normalize()) if value == value.to_integral_value() else number(value)


def _grade_bands(scheme: Scheme) -> tuple[Item, ...]:
    """Each grade with what gives it: a score band (its upper end is the next grade's lower end, as
    the schemes state them: "60 分（含）～70 分"), a title already held, and any prerequisite."""
    out: list[Item] = []
    upper: str = ""
    for band in scheme.outcome.grades:
        parts: list[str] = []
        if band.min is not None:
            low = f"{_bound(band.min.value)} 分（含）"
            parts.append(f"{low}～{upper}" if upper else f"{low}以上")
            upper = f"{_bound(band.min.value)} 分"
        elif band.above is not None:
            low = f"高于 {_bound(band.above.value)} 分"
            parts.append(f"{low}、{upper}以下" if upper else low)
            upper = f"{_bound(band.above.value)} 分（含）"
        elif band.when:
            # a grade by status names the input it reads when it is one ("已获评国家级绿色工厂")
            known = {i.id: i.label.zh for i in scheme.inputs}
            parts.append(known.get(band.when.strip(), "按已获称号认定"))
        if band.requires_label is not None:
            parts.append(band.requires_label.zh)
        out.append(Item(band.label.zh, "；".join(parts)))
    return tuple(out)


def _selection_rule(scheme: Scheme) -> str:
    outcome, parts = scheme.outcome, []
    if outcome.pass_mark is not None:
        word = "高于" if outcome.pass_above else "不低于"
        parts.append(f"得分{word} {_bound(outcome.pass_mark.value)} 分")
    if outcome.ranking is not None:
        ranking = outcome.ranking
        if ranking.above is not None:
            parts.append(f"得分高于 {_bound(ranking.above.value)} 分")
        elif ranking.min is not None:
            parts.append(f"得分不低于 {_bound(ranking.min.value)} 分")
        parts.append(f"位于本批次前 {ranking.top} 位")
    return "且".join(dict.fromkeys(parts))


def _gap(result: Result, scheme: Scheme) -> tuple[GapSection | None, str]:
    gap = result.gap
    if gap is None:
        if not scheme.outcome.grades and scheme.outcome.pass_mark is None:
            return None, "本评价方案不分等级，无“下一等级”；改进方向见各指标得分与计算过程。"
        if not scheme.outcome.grades and result.passed:
            # e.g. 'XX市': > 80 and among the top 30; whether it is listed depends on the whole call
            return None, (
                f"得分已达到本方案合格线；本方案不分等级，入选条件为“{_selection_rule(scheme)}”"
                "（排名由本批次全部申报单位的得分确定）。"
            )
        if result.grade and scheme.outcome.grades and result.grade == scheme.outcome.grades[0].id:
            return None, f"已达到本方案最高等级“{result.grade_label or result.grade}”。"
        return None, "暂无可计算的差距（资料不全或不具备资格时先补齐资料、消除否决项）。"
    section = GapSection(
        target=gap.target_label,
        threshold=number(gap.threshold),
        needed=number(gap.needed),
        reachable=gap.reachable,
        blockers=gap.blockers,
        improvements=tuple(
            ImprovementLine(
                label=step.label,
                action=step.action if step.label in step.action else f"{step.label}：{step.action}",
                points_now=number(step.points_now),
                points_target=number(step.points_target),
                score_gain=number(step.score_gain),
            )
            for step in gap.improvements
        ),
        note=gap.note,
    )
    summary = f"距“{gap.target_label}”（{section.threshold} 分）还差 {section.needed} 分。"
    return section, summary


def self_evaluation_report(
    scheme: Scheme,
    result: Result,
    applicant: Mapping[str, Any] | None = None,
    evidence: Mapping[str, Sequence[str]] | None = None,
    generated_on: str = "",
    data_version: str = "",
) -> SelfEvaluationReport:
    """The self-evaluation report of one scored application.

    `applicant` holds the profile and the scope (keys of PROFILE_FIELDS and SCOPE_FIELDS);
    `evidence` the evidence cited per indicator id (file names or titles); `data_version` names the
    data the report was made from (the platform's version number, or the input file's digest).
    """
    applicant = applicant or {}
    evidence = evidence or {}
    name = _text(applicant.get("name"))
    eligibility = {True: "具备资格", False: "不具备资格（一票否决）", None: "资格待定（基本要求未答全）"}[
        result.eligible
    ]
    gap, gap_summary = _gap(result, scheme)
    names = {i.id: i.label for i in result.indicators}
    return SelfEvaluationReport(
        document_name=f"{scheme.title.zh} 自评价报告 — {name}",
        title=f"{scheme.title.zh}\n自评价报告",
        layout=scheme.report_layout,
        scheme_key=scheme.key,
        scheme_title=scheme.title.zh,
        scheme_source=scheme.source.document,
        issued_by=scheme.source.issued_by,
        grade_bands=_grade_bands(scheme),
        selection_rule=_selection_rule(scheme),
        engine_version=result.engine_version,
        generated_on=generated_on,
        data_version=data_version or NOT_GIVEN,
        applicant_name=name,
        applicant=_items({k: v for k, v in applicant.items() if k not in dict(SCOPE_FIELDS)}, PROFILE_FIELDS),
        scope=_items({k: applicant.get(k) for k, _ in SCOPE_FIELDS}, SCOPE_FIELDS),
        eligibility=eligibility,
        gates=tuple(
            GateLine(g.id, g.label, g.status, GATE_STATUS.get(g.status, g.status), g.source)
            for g in result.gates
        ),
        derived=tuple(
            Item(
                f"{d.label}（{d.formula}）",
                (" · ".join(number(v) for v in d.rows) if d.rows else number(d.value))
                + (f" {d.unit}" if d.unit else ""),
            )
            for d in result.derived
        ),
        working=tuple(
            line
            for shown in working(result)
            for line in (
                WorkingLine(
                    shown.figure.label,
                    (
                        " · ".join(number(v) for v in shown.figure.rows)
                        if shown.figure.rows
                        else number(shown.figure.value)
                    )
                    + (f" {shown.figure.unit}" if shown.figure.unit else ""),
                    "",
                ),
                *(
                    WorkingLine(
                        str(step["label"]),
                        str(step["formula"]),
                        f"{step['table']} {step['row']}（{step['mark']}）" if step.get("table") else "",
                    )
                    for step in shown.steps
                ),
            )
        ),
        indicators=tuple(_indicator(i, evidence) for i in result.indicators),
        categories=tuple(_category(c) for c in result.categories()),
        score=number(result.score),
        score_upper=number(result.score_upper),
        complete=result.complete,
        max_score=number(result.max_score),
        bonus=number(result.bonus),
        passed={True: "合格", False: "不合格", None: "—"}[result.passed],
        grade=result.grade_label or result.grade or "—",
        highlights=_highlights(result),
        gap=gap,
        gap_summary=gap_summary,
        missing=tuple(
            f"{m.input} {m.label}（用于 {'、'.join(names.get(n, n) for n in m.needed_by)}）"
            for m in result.missing
        ),
        notes=result.notes,
    )
