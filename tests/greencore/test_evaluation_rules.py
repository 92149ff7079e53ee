"""Third-party evaluation rules: the yearly national quota and the per-indicator comparison."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greencore.evaluation_rules import (
    NATIONAL_PROJECTS_PER_YEAR,
    compare_results,
    quota_counts,
    quota_refusal,
)
from greencore.scoring import score
from greencore.standards.model import Mark, Scheme
from greencore.standards.registry import get_scheme

D = Decimal


def test_the_quota_is_the_verified_figure_of_13hao_article_20() -> None:
    quota = NATIONAL_PROJECTS_PER_YEAR
    assert (quota.limit, quota.level, quota.mark) == (15, "national", Mark.VERIFIED)
    assert quota.wording == "一个法人单位的第三方评价机构每年承担国家级绿色制造评价项目不超过15个"
    assert quota.source == "《绿色工厂梯度培育及管理暂行办法》（工信部节〔2024〕13号）第二十条"
    assert "P5" in quota.refs


def test_the_fifteenth_project_is_allowed_and_the_sixteenth_refused() -> None:
    assert quota_refusal("national", 14, 2026) is None
    refused = quota_refusal("national", 15, 2026)
    assert refused == (
        "该评价机构2026年已承担国家级绿色制造评价项目15个，已达上限"
        "（《绿色工厂梯度培育及管理暂行办法》（工信部节〔2024〕13号）第二十条："
        "一个法人单位的第三方评价机构每年承担国家级绿色制造评价项目不超过15个）。",
        "the evaluation body already holds 15 national-level projects in 2026; "
        "the limit is 15 a year (MIIT 2024 No. 13, Art. 20)",
    )


@given(level=st.sampled_from(["city", "province"]), taken=st.integers(0, 1000))
def test_provincial_and_city_projects_do_not_count(level: str, taken: int) -> None:
    assert not quota_counts(level)
    assert quota_refusal(level, taken, 2026) is None


def test_changed_judgement_is_flagged_beyond_the_margin_only(
    factory_2025: Scheme, example_2025: dict[str, Any]
) -> None:
    own = score(factory_2025, example_2025)
    third = score(factory_2025, {**example_2025, "green_design": 3, "materials_recycled": 1})
    assert (own.score, third.score) == (D("60.19"), D("56.07"))
    compared = {c.id: c for c in compare_results(own, third, D("2"))}
    assert len(compared) == 21  # every leaf of GB/T 36132-2025
    design = compared["green_design"]
    assert (design.self_points, design.evaluator_points, design.difference, design.flagged) == (
        D("6.00"),
        D("3.00"),
        D("-3.00"),
        True,
    )
    recycled = compared["materials_recycled"]
    assert (recycled.difference, recycled.flagged) == (D("-1.00"), False)
    assert [c.id for c in compared.values() if c.flagged] == ["green_design"]
    # a margin of exactly the difference does not flag: the rule is "more than"
    assert not {c.id: c for c in compare_results(own, third, D("3"))}["green_design"].flagged
    # not applicable on both sides: nothing to compare
    assert compared["energy_intensity_output"].difference is None


def test_unscored_against_scored_counts_as_zero(factory_2025: Scheme, example_2025: dict[str, Any]) -> None:
    own = score(factory_2025, {k: v for k, v in example_2025.items() if k != "green_design"})
    third = score(factory_2025, example_2025)
    design = {c.id: c for c in compare_results(own, third, D("2"))}["green_design"]
    assert (design.self_points, design.evaluator_points, design.difference, design.flagged) == (
        None,
        D("6.00"),
        D("6.00"),
        True,
    )


def test_results_of_different_schemes_are_not_compared(example_2025: dict[str, Any]) -> None:
    own = score(get_scheme("factory-gbt36132-2025"), example_2025)
    other = score(get_scheme("factory-gbt36132-2018"), {})
    with pytest.raises(ValueError, match="different schemes"):
        compare_results(own, other, D("2"))
