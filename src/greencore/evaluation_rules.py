"""Rules of third-party evaluation (第三方评价), with their sources.

- The yearly quota of national-level projects per evaluation body (one legal person), as data with its
  document, article, wording and verification mark (the tags of standards.md).
- The per-indicator comparison of a third-party result with the applicant's self-evaluation: a leaf whose
  points differ by more than the call's margin is flagged for reviewers.

Pure Python like the rest of greencore: the platform stores what these answer and never re-implements
them, and an evaluation body can run the same comparison on its laptop.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from greencore.scoring.result import Result
from greencore.standards.model import Mark


@dataclass(frozen=True)
class Quota:
    """At most `limit` projects of `level` per evaluation body (legal person) per calendar year."""

    limit: int
    level: str  # the call level the quota counts ("national")
    document: str
    article: str
    wording: str  # the rule as the document words it
    mark: Mark
    refs: tuple[str, ...]  # source ids of standards.md §10

    @property
    def source(self) -> str:
        return f"{self.document}{self.article}"


NATIONAL_PROJECTS_PER_YEAR = Quota(
    limit=15,
    level="national",
    document="《绿色工厂梯度培育及管理暂行办法》（工信部节〔2024〕13号）",
    article="第二十条",
    wording="一个法人单位的第三方评价机构每年承担国家级绿色制造评价项目不超过15个",
    mark=Mark.VERIFIED,
    # P5: 13号文 Art. 20; P12, P13: the same limit in 工信厅节函〔2017〕564号 and the 2023 notice
    refs=("P5", "P12", "P13"),
)


def quota_counts(level: str, quota: Quota = NATIONAL_PROJECTS_PER_YEAR) -> bool:
    """Whether a project of a call at `level` counts against the quota."""
    return level == quota.level


def quota_refusal(
    level: str, taken: int, year: int, quota: Quota = NATIONAL_PROJECTS_PER_YEAR
) -> tuple[str, str] | None:
    """None when a body already holding `taken` projects of `level` in `year` may take one more; else the
    reason in Chinese and English, citing the rule."""
    if not quota_counts(level, quota) or taken < quota.limit:
        return None
    return (
        f"该评价机构{year}年已承担国家级绿色制造评价项目{taken}个，已达上限"
        f"（{quota.source}：{quota.wording}）。",
        f"the evaluation body already holds {taken} national-level projects in {year}; "
        f"the limit is {quota.limit} a year (MIIT 2024 No. 13, Art. 20)",
    )


@dataclass(frozen=True)
class IndicatorComparison:
    """One leaf indicator, scored by the applicant and by the third party."""

    id: str
    label: str
    self_points: Decimal | None
    evaluator_points: Decimal | None
    max_points: Decimal
    difference: Decimal | None  # third party − self; an unscored side counts 0 against a scored one
    flagged: bool


def compare_results(self_result: Result, third_party: Result, margin: Decimal) -> list[IndicatorComparison]:
    """Every leaf of the scheme in order, with both sides' points; flagged where |difference| > margin.

    An indicator one side scored and the other left unscored (missing or not applicable) is compared
    against 0: such a disagreement is exactly what a reviewer needs to see.
    """
    if (self_result.scheme_id, self_result.scheme_version) != (
        third_party.scheme_id,
        third_party.scheme_version,
    ):
        raise ValueError(
            "results of different schemes: "
            f"{self_result.scheme_id}@{self_result.scheme_version} vs "
            f"{third_party.scheme_id}@{third_party.scheme_version}"
        )
    own = {i.id: i for i in self_result.indicators if i.is_leaf}
    out: list[IndicatorComparison] = []
    for leaf in third_party.indicators:
        if not leaf.is_leaf:
            continue
        mine = own.get(leaf.id)
        self_points = mine.points if mine is not None else None
        difference: Decimal | None = None
        if self_points is not None or leaf.points is not None:
            difference = (leaf.points or Decimal(0)) - (self_points or Decimal(0))
        out.append(
            IndicatorComparison(
                id=leaf.id,
                label=leaf.label,
                self_points=self_points,
                evaluator_points=leaf.points,
                max_points=leaf.max_points,
                difference=difference,
                flagged=difference is not None and abs(difference) > margin,
            )
        )
    return out
