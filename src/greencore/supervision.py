"""After the title (动态管理): the rules of supervision, as pure functions of dates and figures.

Sources (../shared/reference/domain.md §5, standards.md §6):

- annual filing of the 动态管理表 by **15 April** (工信部节〔2024〕13号 第十六条); a province or city may
  set an earlier day (Heilongjiang: 30 March) but never a later one;
- **three clean spot checks in a row exempt a unit from spot checks for five years** (seeds/001);
- a non-conformity opens a rectification (整改) due **three months** later; not fixed in time, the title is
  revoked and the unit **may not apply again at that level for three years** (seeds/003; Shandong the same);
- 企业绿码 percentile grades A+/A/B = top 5 % / next 35 % / last 60 %, overall and within the industry, no
  grade for missing or abnormal data (standards.md §6.2) — greencore's `rank_population` with a scheme's
  `percentiles`;
- spot-check samples are random and reproducible from a recorded seed, optionally weighted by risk
  (`draw_sample` documents the algorithm so anyone can re-draw a sample by hand or in another language).

Day arithmetic: "three months after 30 November" is 28 (or 29) February — a date that does not exist in the
target month is clamped to its last day; "five years after 29 February" is 28 February.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml

from greencore.calc.errors import UnitError
from greencore.calc.units import rescale
from greencore.raw_form import raw_from_fields
from greencore.scoring.compiled import compiled
from greencore.scoring.inputs import InputError
from greencore.scoring.raw import raw_scoring
from greencore.standards.model import Scheme
from greencore.workbook_raw import fed_by_raw

# --- the numbers --------------------------------------------------------------------------------------

NATIONAL_FILING_DEADLINE = (4, 15)  # (month, day): 13号文 第十六条, 每年4月15日前
RECTIFICATION_MONTHS = 3  # seeds/003: 三个月内整改
BAN_YEARS = 3  # seeds/003, Shandong: 三年内不得再次申报
EXEMPTION_YEARS = 5  # seeds/001: 连续三次抽查合格，五年内免于抽查
CLEAN_CHECKS_FOR_EXEMPTION = 3
# Reminders before a filing deadline (days before). A platform choice, not a policy number: a month's
# notice, a week's, and the day before.
REMINDER_DAYS = (30, 7, 1)
# Data-quality thresholds (a platform choice, shown with every warning so the unit knows the bar):
# a change of more than half against last year, or a robust z-score (median/MAD) above 3.5 among at least
# five industry peers (Iglewicz & Hoaglin's modified z-score).
JUMP_RATIO = Decimal("0.5")
OUTLIER_Z = Decimal("3.5")
MIN_PEERS = 5


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months; a day past the end of the target month is its last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


# --- annual filing (动态管理表) ------------------------------------------------------------------------


def filing_deadline(year: int, set_by_level: tuple[int, int] | None = None) -> date:
    """The last day to file year `year`'s 动态管理表: 15 April, or the earlier (month, day) the title's level
    set. A later day set by a level does not move the national deadline."""
    national = date(year, *NATIONAL_FILING_DEADLINE)
    if set_by_level is None:
        return national
    return min(national, date(year, *set_by_level))


def reminder_days(deadline: date, before: Sequence[int] = REMINDER_DAYS) -> tuple[date, ...]:
    """The days reminders are due before `deadline`, earliest first."""
    return tuple(sorted(deadline - timedelta(days=n) for n in before))


class FilingState(StrEnum):
    OPEN = "open"  # not filed, deadline not passed
    FILED = "filed"  # filed on or before the deadline
    LATE = "late"  # filed after the deadline
    MISSING = "missing"  # not filed and the deadline has passed: flagged and escalated to the bureau


def filing_state(deadline: date, filed_on: date | None, today: date) -> FilingState:
    """A filing's state on `today`. The deadline day itself is in time."""
    if filed_on is not None:
        return FilingState.FILED if filed_on <= deadline else FilingState.LATE
    return FilingState.OPEN if today <= deadline else FilingState.MISSING


# --- spot checks: exemption, rectification, revocation ---------------------------------------------------


def exempt_until(spot_checks: Sequence[tuple[date, bool]]) -> date | None:
    """The first day a unit may again be drawn for a spot check, when its last three spot checks (by date)
    were clean: five years after the third. None when it is not exempt on that count."""
    ordered = sorted(spot_checks, key=lambda check: check[0])
    last = ordered[-CLEAN_CHECKS_FOR_EXEMPTION:]
    if len(last) < CLEAN_CHECKS_FOR_EXEMPTION or not all(clean for _, clean in last):
        return None
    return add_years(last[-1][0], EXEMPTION_YEARS)


def is_exempt(spot_checks: Sequence[tuple[date, bool]], today: date) -> bool:
    until = exempt_until(spot_checks)
    return until is not None and today < until


def rectification_due(opened_on: date) -> date:
    """The last day to answer a rectification opened on `opened_on`: three months later."""
    return add_months(opened_on, RECTIFICATION_MONTHS)


def rectification_overdue(opened_on: date, today: date) -> bool:
    """True from the day after the due day: only then may the bureau revoke for a failed rectification."""
    return today > rectification_due(opened_on)


@dataclass(frozen=True)
class UnfiledFiling:
    """A 动态管理表 of one of the applicant's titles not accepted yet: the title's kind and level, the year,
    its deadline, and whether the level that opened it bars applying to a higher tier while it is missing
    (Suzhou, seeds/003: no higher application without the year's table)."""

    kind: str
    level: str
    year: int
    deadline: date
    blocks_higher_tier: bool

    def missing_on(self, today: date) -> bool:
        """Missing from the day after its deadline (a filing on the deadline day is on time)."""
        return today > self.deadline


def may_apply_from(revoked_on: date) -> date:
    """The first day a unit whose title was revoked on `revoked_on` may apply again at that level."""
    return add_years(revoked_on, BAN_YEARS)


@dataclass(frozen=True)
class Revocation:
    """A title of the applicant's that was revoked: its kind and level, and the day (for the 3-year ban)."""

    kind: str
    level: str
    revoked_on: date

    @property
    def may_apply_from(self) -> date:
        return may_apply_from(self.revoked_on)


def ban_in_force(revocations: Sequence[Revocation], kind: str, level: str, today: date) -> Revocation | None:
    """The revocation (of `kind` at `level`) that still bars an application on `today`: the one ending
    last. None when no ban applies."""
    live = [r for r in revocations if r.kind == kind and r.level == level and today < r.may_apply_from]
    return max(live, key=lambda r: r.may_apply_from, default=None)


# --- reproducible sample draw --------------------------------------------------------------------------

DRAW_ALGORITHM = "sha256-min-ticket/1"


def ticket(seed: str, unit: str, index: int) -> int:
    """One ticket of `unit`: SHA-256 of the UTF-8 text ``{seed}\\n{unit}\\n{index}``, read as a big-endian
    256-bit integer."""
    return int.from_bytes(hashlib.sha256(f"{seed}\n{unit}\n{index}".encode()).digest(), "big")


def draw_key(seed: str, unit: str, weight: int) -> int:
    """A unit's key: the smallest of its `weight` tickets (index 0 … weight−1)."""
    return min(ticket(seed, unit, i) for i in range(weight))


def draw_sample(
    seed: str, population: Sequence[str], size: int, weights: Mapping[str, int] | None = None
) -> list[str]:
    """Draw `size` units of `population` (unit ids, in the recorded order) from `seed`.

    The algorithm (``sha256-min-ticket/1``), reproducible by hand or in any language:

    1. each unit holds ``w`` tickets, ``w`` its weight (a whole number ≥ 1; 1 when unweighted);
    2. ticket ``i`` of unit ``u`` is the number SHA-256(``seed + "\\n" + u + "\\n" + str(i)``), UTF-8,
       read as a big-endian integer;
    3. a unit's key is its smallest ticket; units are sorted by key, ascending (a tie — never seen with
       256-bit hashes — goes to the unit earlier in the population);
    4. the first `size` units are the sample, in that order.

    Unweighted, every subset of `size` units is equally likely. With weights this is sampling without
    replacement where a unit's chance to come first is proportional to its weight (the smallest of ``w``
    uniform tickets is distributed like Efraimidis–Spirakis' key), with integers only: no floating point,
    so every platform and database draws the same sample. Duplicate unit ids are refused."""
    if size < 0:
        raise ValueError("sample size must be ≥ 0")
    if len(set(population)) != len(population):
        raise ValueError("population has duplicate units")
    weights = weights or {}
    for unit, weight in weights.items():
        if not isinstance(weight, int) or weight < 1:
            raise ValueError(f"weight of {unit} must be a whole number ≥ 1")
    keyed = sorted(
        (
            (draw_key(seed, unit, weights.get(unit, 1)), position, unit)
            for position, unit in enumerate(population)
        )
    )
    return [unit for _, _, unit in keyed[:size]]


class RiskFactor(StrEnum):
    LATE_FILING = "late_filing"
    MISSING_FILING = "missing_filing"
    GRADE_DROP = "grade_drop"
    UPHELD_OBJECTION = "upheld_objection"
    COMPLAINT = "complaint"


# Extra tickets per risk factor (a platform choice the bureau sees on the draw page): a unit with no risk
# holds one ticket.
RISK_TICKETS: dict[RiskFactor, int] = {
    RiskFactor.LATE_FILING: 1,
    RiskFactor.MISSING_FILING: 2,
    RiskFactor.GRADE_DROP: 1,
    RiskFactor.UPHELD_OBJECTION: 2,
    RiskFactor.COMPLAINT: 2,
}


def risk_weight(factors: Sequence[RiskFactor]) -> int:
    """A unit's number of tickets: 1, plus the extra tickets of each distinct risk factor it shows."""
    return 1 + sum(RISK_TICKETS[f] for f in set(factors))


# --- data-quality checks of a filing --------------------------------------------------------------------


class Severity(StrEnum):
    ERROR = "error"  # the filing cannot be accepted until it is corrected
    WARNING = "warning"  # accepted once the unit corrects it or writes a justification


@dataclass(frozen=True)
class IndicatorSpec:
    id: str
    label: str  # Chinese name, shown in explanations
    unit: str  # the unit the filing stores
    required: bool = True
    minimum: Decimal | None = None
    label_en: str = ""  # English name, for English explanations

    @property
    def name_en(self) -> str:
        """The English name, or the id where the scheme gives none."""
        return self.label_en or self.id


@dataclass(frozen=True)
class Filed:
    value: Decimal | None
    unit: str


@dataclass(frozen=True)
class QualityProblem:
    """One finding of a filing's checks, read like a `GreencoreError`: where (`place`, the indicator or the
    raw-data field), and why in Chinese (`zh`) and English (`en`)."""

    indicator: str
    check: str  # completeness | unit | range | jump | outlier | evidence | raw
    severity: Severity
    zh: str
    en: str

    @property
    def place(self) -> str:
        return self.indicator


def filing_indicators(scheme: Scheme) -> tuple[IndicatorSpec, ...]:
    """The key indicators a 动态管理表 asks of a unit titled under `scheme`: the scheme's scalar inputs that
    its raw-data calculation computes (those with `derive`: output, energy, emissions, water, waste, land),
    in the scheme's order, each in the scheme's unit. A scheme without raw data asks nothing."""
    return tuple(
        IndicatorSpec(spec.id, spec.label.zh, spec.unit, minimum=spec.min, label_en=spec.label.en)
        for spec in compiled(scheme).inputs.values()
        if spec.derive is not None and spec.table is None
    )


def _median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def in_indicator_unit(spec: IndicatorSpec, filed: Filed) -> Decimal:
    """The filed value in the indicator's unit. Raises UnitError when the unit does not convert."""
    assert filed.value is not None
    return filed.value * rescale(filed.unit, spec.unit, spec.id)


def check_filing(
    specs: Sequence[IndicatorSpec],
    values: Mapping[str, Filed],
    last_year: Mapping[str, Decimal] | None = None,
    peers: Mapping[str, Sequence[Decimal]] | None = None,
) -> list[QualityProblem]:
    """Every data-quality problem of a filing, indicator by indicator in `specs` order: completeness and
    units (errors), then the jump against last year and the outlier against industry peers (warnings).
    `last_year` and `peers` are in each indicator's own unit."""
    last_year = last_year or {}
    peers = peers or {}
    problems: list[QualityProblem] = []
    for spec in specs:
        filed = values.get(spec.id)
        if filed is None or filed.value is None:
            if spec.required:
                problems.append(
                    QualityProblem(
                        spec.id,
                        "completeness",
                        Severity.ERROR,
                        f"“{spec.label}”未填写：动态管理表须填报此项。",
                        f"“{spec.name_en}” is missing: the annual filing requires it.",
                    )
                )
            continue
        try:
            value = in_indicator_unit(spec, filed)
        except UnitError:
            problems.append(
                QualityProblem(
                    spec.id,
                    "unit",
                    Severity.ERROR,
                    f"“{spec.label}”的单位 {filed.unit or '（无）'} 不能换算为 {spec.unit}，"
                    f"请按 {spec.unit} 填报。",
                    f"The unit {filed.unit or '(none)'} of “{spec.name_en}” does not convert to {spec.unit}: "
                    f"file it in {spec.unit}.",
                )
            )
            continue
        if spec.minimum is not None and value < spec.minimum:
            problems.append(
                QualityProblem(
                    spec.id,
                    "range",
                    Severity.ERROR,
                    f"“{spec.label}”为 {value} {spec.unit}，不应小于 {spec.minimum}。",
                    f"“{spec.name_en}” is {value} {spec.unit}, below the minimum {spec.minimum}.",
                )
            )
            continue
        before = last_year.get(spec.id)
        if before is not None and before != 0:
            change = (value - before) / abs(before)
            if abs(change) > JUMP_RATIO:
                percent = (change * 100).quantize(Decimal(1))
                problems.append(
                    QualityProblem(
                        spec.id,
                        "jump",
                        Severity.WARNING,
                        f"“{spec.label}”较上年 {before} {spec.unit} 变化 {percent:+}%"
                        f"（超过 ±{JUMP_RATIO * 100:.0f}%），"
                        "请核实数据或说明原因（如扩产、停产、统计口径变化）。",
                        f"“{spec.name_en}” changed {percent:+}% against last year's {before} {spec.unit} "
                        f"(more than ±{JUMP_RATIO * 100:.0f}%): check the figure or explain why (expansion, "
                        "a stoppage, a change in how it is counted).",
                    )
                )
        group = peers.get(spec.id, ())
        if len(group) >= MIN_PEERS:
            median = _median(group)
            mad = _median([abs(v - median) for v in group])
            if mad > 0:
                z = (value - median) * Decimal("0.6745") / mad
                if abs(z) > OUTLIER_Z:
                    problems.append(
                        QualityProblem(
                            spec.id,
                            "outlier",
                            Severity.WARNING,
                            f"“{spec.label}”为 {value} {spec.unit}，远离同行业 {len(group)} 家单位的中位数 "
                            f"{median} {spec.unit}"
                            f"（稳健 z 值 {z.quantize(Decimal('0.1'))}，阈值 {OUTLIER_Z}），"
                            "请核实或说明。",
                            f"“{spec.name_en}” is {value} {spec.unit}, far from the median {median} "
                            f"{spec.unit} of {len(group)} units of its industry (robust z "
                            f"{z.quantize(Decimal('0.1'))}, threshold {OUTLIER_Z}): check or explain.",
                        )
                    )
    return problems


def blocking(problems: Sequence[QualityProblem]) -> bool:
    return any(p.severity == Severity.ERROR for p in problems)


# --- the evidence a filing carries (workflow/filing.yaml) ---------------------------------------------------


@dataclass(frozen=True)
class EvidenceRule:
    """Which key indicators of a 动态管理表 must carry evidence for titles of one level, and the document
    that backs each indicator (zh, en). `source` and `verified` say where the requirement comes from."""

    level: str
    required: tuple[str, ...]
    documents: Mapping[str, tuple[str, str]]
    source: str
    verified: bool

    def needs(self, indicator: str) -> bool:
        return indicator in self.required

    def document(self, indicator: str) -> tuple[str, str] | None:
        return self.documents.get(indicator)


@cache
def filing_rules() -> Mapping[str, Any]:
    """The filing rules table (workflow/filing.yaml), read once."""
    text = (resources.files("greencore") / "workflow" / "filing.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


EVIDENCE_SET_BY_BUREAU = "set by the supervising bureau"


def evidence_rule(
    level: str, rules: Mapping[str, Any] | None = None, chosen: Sequence[str] | None = None
) -> EvidenceRule:
    """The evidence rule for titles of `level` (national, province, city, district): the indicators the
    supervising bureau `chosen` for its own filings where it chose (any with a document; none at all is a
    choice too), else the level's own entry in `rules` (the shipped filing.yaml by default), else its
    `default`. An indicator required without a document is refused (ValueError naming it): in the table
    it fails when loaded, in a bureau's choice when it is made."""
    rules = filing_rules() if rules is None else rules
    documents = {
        str(key): (str(doc["zh"]), str(doc.get("en", "") or doc["zh"]))
        for key, doc in (rules.get("documents") or {}).items()
    }
    if chosen is not None:
        entry: Mapping[str, Any] = {"indicators": list(chosen), "source": EVIDENCE_SET_BY_BUREAU}
    else:
        table = rules.get("required") or {}
        entry = table.get(level) or table.get("default") or {}
    required = tuple(dict.fromkeys(str(i) for i in entry.get("indicators") or ()))
    unknown = [i for i in required if i not in documents]
    if unknown:
        raise ValueError(f"filing rules: evidence required without a document for {', '.join(unknown)}")
    return EvidenceRule(
        level, required, documents, str(entry.get("source", "")), bool(entry.get("verified", False))
    )


def missing_evidence(
    specs: Sequence[IndicatorSpec], rule: EvidenceRule, provided: Collection[str]
) -> list[QualityProblem]:
    """An error for each key indicator of `specs` (in their order) the rule requires evidence for and
    that has none among `provided` (the indicator ids that carry at least one file), naming the indicator
    and the document expected. Indicators the rule names but the scheme does not ask for are not asked."""
    problems = []
    for spec in specs:
        if not rule.needs(spec.id) or spec.id in provided:
            continue
        zh, en = rule.document(spec.id) or ("证明材料", "evidence")
        problems.append(
            QualityProblem(
                spec.id,
                "evidence",
                Severity.ERROR,
                f"“{spec.label}”须附证明材料：{zh}。",
                f"{spec.name_en} needs evidence: {en}",
            )
        )
    return problems


# --- evaluation bodies' track record ----------------------------------------------------------------------

# A body's value within this share of the later check's value counts as confirmed (a platform choice shown
# on the body's page, like the data-quality thresholds above).
TRACK_TOLERANCE = Decimal("0.05")
_RATIO = Decimal("0.0001")


@dataclass(frozen=True)
class Discrepancy:
    """One indicator of one checked report: the body's third-party value against the value the later check
    measured, both in the indicator's unit. `relative` is |body − checked| / |checked| to 4 places (None
    when the check measured zero: then any difference is unbounded and counted beyond tolerance)."""

    indicator: str
    body_value: Decimal
    checked_value: Decimal

    @property
    def difference(self) -> Decimal:
        return self.body_value - self.checked_value

    @property
    def relative(self) -> Decimal | None:
        if self.checked_value == 0:
            return Decimal(0) if self.body_value == 0 else None
        return (abs(self.difference) / abs(self.checked_value)).quantize(_RATIO, rounding=ROUND_HALF_UP)

    @property
    def within_tolerance(self) -> bool:
        return self.relative is not None and self.relative <= TRACK_TOLERANCE


def discrepancies(body: Mapping[str, Decimal], checked: Mapping[str, Decimal]) -> list[Discrepancy]:
    """The indicators both the body's report and the check valued, in the check's order."""
    return [Discrepancy(key, body[key], value) for key, value in checked.items() if key in body]


@dataclass(frozen=True)
class TrackRecord:
    """A body's record over its checked reports: how many reports and indicators were compared, the mean
    and largest relative discrepancy (4 places), and how many indicators lay beyond TRACK_TOLERANCE."""

    reports: int
    compared: int
    mean_relative: Decimal | None
    max_relative: Decimal | None
    beyond_tolerance: int
    unbounded: int  # the check measured zero where the body reported something


def track_record(reports: Sequence[Sequence[Discrepancy]]) -> TrackRecord:
    """Summarise the discrepancies of each checked report (reports with nothing to compare are left out)."""
    compared = [d for report in reports for d in report]
    bounded = [r for r in (d.relative for d in compared) if r is not None]
    return TrackRecord(
        reports=sum(1 for report in reports if report),
        compared=len(compared),
        mean_relative=(sum(bounded, Decimal(0)) / len(bounded)).quantize(_RATIO, rounding=ROUND_HALF_UP)
        if bounded
        else None,
        max_relative=max(bounded, default=None),
        beyond_tolerance=sum(1 for d in compared if not d.within_tolerance),
        unbounded=len(compared) - len(bounded),
    )


# --- self-declaration (自我声明) calendar -------------------------------------------------------------------


class Cadence(StrEnum):
    YEARLY = "yearly"
    HALF_YEARLY = "half_yearly"


# When a period's declaration may be made, and the day it is published (a platform choice: a month to
# declare after a half-year ends, a quarter after a year ends — the annual 动态管理表 runs to 15 April —
# and publication the day after the window closes, so every unit of a period appears on the same day).
@dataclass(frozen=True)
class DeclarationPeriod:
    """A period a unit declares for: a year ("2026") or a half-year ("2026H1", "2026H2")."""

    cadence: Cadence
    year: int
    half: int = 0  # 1 or 2 for half-years

    @property
    def code(self) -> str:
        return f"{self.year}H{self.half}" if self.cadence == Cadence.HALF_YEARLY else str(self.year)

    @property
    def ends_on(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def opens_on(self) -> date:
        """The first day to declare: the day after the period ends."""
        return self.ends_on + timedelta(days=1)

    @property
    def due_on(self) -> date:
        """The last day to declare (in time): 31 July / 31 January for half-years, 31 March for a year."""
        if self.cadence == Cadence.HALF_YEARLY:
            return date(self.year, 7, 31) if self.half == 1 else date(self.year + 1, 1, 31)
        return date(self.year + 1, 3, 31)

    @property
    def published_on(self) -> date:
        """The day the period's declarations appear on the register: the day after the window closes."""
        return self.due_on + timedelta(days=1)


def parse_period(code: str) -> DeclarationPeriod:
    """ "2026" → the year 2026; "2026H1"/"2026H2" → a half-year. Raises ValueError for anything else."""
    text = code.strip().upper()
    if text.isdigit() and len(text) == 4:
        return DeclarationPeriod(Cadence.YEARLY, int(text))
    if len(text) == 6 and text[:4].isdigit() and text[4] == "H" and text[5] in "12":
        return DeclarationPeriod(Cadence.HALF_YEARLY, int(text[:4]), int(text[5]))
    raise ValueError(f"not a declaration period: {code!r}")


def declaration_window_open(period: DeclarationPeriod, today: date) -> bool:
    """Whether `today` lies in the period's window (its first and last day included)."""
    return period.opens_on <= today <= period.due_on


def open_periods(cadence: Cadence, today: date) -> tuple[DeclarationPeriod, ...]:
    """The periods of `cadence` a unit may declare for on `today` (none between windows)."""
    candidates = (
        [DeclarationPeriod(cadence, today.year - 1)]
        if cadence == Cadence.YEARLY
        else [
            DeclarationPeriod(cadence, today.year - 1, 2),
            DeclarationPeriod(cadence, today.year, 1),
        ]
    )
    return tuple(p for p in candidates if declaration_window_open(p, today))


# --- a filing from raw data ------------------------------------------------------------------------------


def filing_from_raw(
    scheme: Scheme, fields: Mapping[str, str]
) -> tuple[dict[str, Filed], list[QualityProblem]]:
    """The key indicators of a 动态管理表 computed from raw data, as the self-evaluation computes them: the
    raw-data form fields (the dossier's layout, `raw_from_fields`) run through the scheme's calculation
    (`raw_scoring`: the calc formulas and the scheme's derive formulas). Each indicator comes in its own
    unit, ready for `check_filing`. A field that does not read, or a calculation that fails, is an error
    naming the field; the values are then empty."""
    if not fed_by_raw(scheme):
        return {}, [
            QualityProblem(
                "raw",
                "raw",
                Severity.ERROR,
                "该评价标准不采用原始数据计算，请直接填报指标。",
                "This scheme does not compute from raw data: file the indicators directly.",
            )
        ]
    form = raw_from_fields(fields)
    problems = [QualityProblem(key, "raw", Severity.ERROR, zh, en) for key, (zh, en) in form.errors.items()]
    if not form.document and not problems:
        problems.append(
            QualityProblem(
                "raw", "completeness", Severity.ERROR, "原始数据未填写。", "No raw data was filled in."
            )
        )
    if problems:
        return {}, problems
    try:
        scoring = raw_scoring(scheme, form.document, {})
    except InputError as error:
        return {}, [QualityProblem(error.place, "raw", Severity.ERROR, error.zh, error.en)]
    values: dict[str, Filed] = {}
    for spec in filing_indicators(scheme):
        value = scoring.inputs.get(spec.id)
        if value is not None and not isinstance(value, list):
            values[spec.id] = Filed(Decimal(str(value)), spec.unit)
    return values, []
