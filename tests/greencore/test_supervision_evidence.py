"""The evidence a 动态管理表 carries (greencore.supervision, workflow/filing.yaml): per title level, which key
indicators must carry evidence and the document that backs each; a missing one is an error naming the
indicator and the document, in Chinese and English."""

from __future__ import annotations

import pytest

from greencore import (
    EVIDENCE_SET_BY_BUREAU,
    Severity,
    evidence_rule,
    filing_indicators,
    get_scheme,
    missing_evidence,
)

SPECS = filing_indicators(get_scheme("factory-gbt36132-2025"))


def test_the_shipped_rule_asks_evidence_of_the_four_statistical_figures_at_every_level() -> None:
    for level in ("national", "province", "city", "district"):
        rule = evidence_rule(level)
        assert rule.required == ("output_value", "total_energy_tce", "carbon_emission_t", "water_intake_m3")
        assert rule.verified is False and rule.source.startswith("platform default")
    rule = evidence_rule("city")
    assert rule.document("total_energy_tce") == (
        "能源购进、消费与库存表（205-1）",
        "statistical form 205-1 (energy purchase, consumption and stock)",
    )
    # renewable energy has a document but is not required; the plot ratio has neither
    assert not rule.needs("renewable_energy_tce") and rule.document("renewable_energy_tce") is not None
    assert not rule.needs("plot_ratio") and rule.document("plot_ratio") is None


def test_a_missing_file_is_an_error_naming_the_indicator_and_the_document() -> None:
    problems = missing_evidence(SPECS, evidence_rule("city"), {"output_value", "carbon_emission_t"})
    assert [(p.indicator, p.check, p.severity) for p in problems] == [
        ("total_energy_tce", "evidence", Severity.ERROR),
        ("water_intake_m3", "evidence", Severity.ERROR),
    ]
    assert [p.zh for p in problems] == [
        "“综合能源消费量”须附证明材料：能源购进、消费与库存表（205-1）。",
        "“取水量”须附证明材料：用水情况表（205-4）。",
    ]
    assert [p.en for p in problems] == [
        "Comprehensive energy consumption needs evidence: statistical form 205-1 "
        "(energy purchase, consumption and stock)",
        "Water intake needs evidence: statistical form 205-4 (water use)",
    ]
    everything = {"output_value", "total_energy_tce", "carbon_emission_t", "water_intake_m3"}
    assert missing_evidence(SPECS, evidence_rule("city"), everything) == []


RULES = {
    "documents": {
        "total_energy_tce": {"zh": "能源利用状况报告", "en": "energy use report"},
        "site_area_m2": {"zh": "不动产权证书", "en": "real-estate certificate"},
        "biomass_t": {"zh": "生物质台账", "en": "biomass ledger"},
    },
    "required": {
        "default": {"indicators": ["total_energy_tce"]},
        "province": {"indicators": ["total_energy_tce", "site_area_m2", "biomass_t"], "source": "某省细则"},
    },
}


def test_a_level_may_set_its_own_rule_and_the_others_follow_the_default() -> None:
    province = evidence_rule("province", RULES)
    city = evidence_rule("city", RULES)
    assert (province.required, province.source) == (
        ("total_energy_tce", "site_area_m2", "biomass_t"),
        "某省细则",
    )
    assert city.required == ("total_energy_tce",)
    # an indicator the scheme does not ask for (biomass_t) is not asked
    assert [p.indicator for p in missing_evidence(SPECS, province, set())] == [
        "total_energy_tce",
        "site_area_m2",
    ]
    assert [p.indicator for p in missing_evidence(SPECS, city, set())] == ["total_energy_tce"]


def test_a_rule_requiring_evidence_without_a_document_is_refused_when_read() -> None:
    broken = {"documents": {}, "required": {"default": {"indicators": ["output_value"]}}}
    with pytest.raises(ValueError, match="without a document for output_value"):
        evidence_rule("city", broken)


def test_a_bureaus_own_choice_replaces_the_levels_rule_and_may_require_nothing() -> None:
    own = evidence_rule("city", chosen=["renewable_energy_tce", "renewable_energy_tce"])
    assert (own.required, own.source) == (("renewable_energy_tce",), EVIDENCE_SET_BY_BUREAU)
    assert missing_evidence(SPECS, evidence_rule("city", chosen=[]), set()) == []
    with pytest.raises(ValueError, match="without a document for plot_ratio"):
        evidence_rule("city", chosen=["plot_ratio"])
