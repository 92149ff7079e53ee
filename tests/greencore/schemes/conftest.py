"""Shared worked-example inputs for the scheme tests (hand-computed; see the comments)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

# -- GB/T 36132-2018 factory ------------------------------------------------------------------------
# 必选 items (41 points together): all at degree 1 in every example.
FACTORY2018_REQUIRED = {
    "building_basic": 1,  # 4
    "metering_basic": 1,  # 6
    "lighting_basic": 1,  # 3
    "qms_established": 1,  # 2
    "ohsms_established": 1,  # 2
    "ems_established": 1,  # 2
    "enms_established": 1,  # 2
    "energy_input_basic": 1,  # 3
    "resource_input_basic": 1,  # 3
    "procurement_basic": 1,  # 2
    "product_hazardous": 1,  # 3
    "emission_equipment": 1,  # 1
    "emission_air": 1,  # 2
    "emission_water": 1,  # 2
    "emission_solid": 1,  # 1.5
    "emission_noise": 1,  # 1.5
    "emission_ghg_accounting": 1,  # 1
}
# 可选 items (29 points together) of the base example: 15 points earned.
FACTORY2018_OPTIONAL = {
    "building_green": 0.5,  # 4 × 0.5 = 2
    "lighting_green": 1,  # 3
    "qms_certified": 1,  # 1.5
    "ohsms_certified": 1,  # 1.5
    "ems_certified": 1,  # 1.5
    "enms_certified": 0,  # 0 (of 1.5)
    "csr_report": 0,  # 0 (of 1)
    "energy_input_green": 0.5,  # 3 × 0.5 = 1.5
    "resource_input_green": 0,  # 0 (of 2)
    "procurement_green": 1,  # 2
    "product_ecodesign": 0,  # 0 (of 3)
    "product_energy": 0.5,  # 2 × 0.5 = 1
    "product_carbon_footprint": 0,  # 0 (of 2)
    "emission_ghg_disclosure": 1,  # 1
}
# 绩效 data of the base example: 26 of 30 points (each indicator 2.5 × its ratio).
FACTORY2018_DATA = {
    "gate_compliance": True,
    "gate_top_management": True,
    "gate_factory_management": True,
    "output_value": 8000,
    "qualified_output": 1000,
    "site_area_m2": 10000,
    "floor_area_m2": 12000,  # 容积率 1.2 ≥ 1.0 → 2.5 (gate holds)
    "plot_ratio_min": 1.0,
    "building_footprint_m2": 4500,  # 建筑密度 45 % ≥ 30 → 2.5
    "land_output_lead": 1.0,  # 8000/10000 = 0.8 万元/m² → 0.8 × 2.5 = 2.0
    "green_material_t": 30,
    "same_material_t": 100,
    "green_material_lead": 50,  # 30 % / 50 → 0.6 × 2.5 = 1.5
    "pollutant_generated_kg": 500,
    "pollutant_per_unit_lead": 0.4,  # 0.5 kg/unit, lower: 0.4/0.5 = 0.8 → 2.0
    "waste_gas_m3": 20000,
    "waste_gas_per_unit_lead": 25,  # 20 m³/unit, 25/20 capped at 1 → 2.5
    "wastewater_m3": 3000,
    "wastewater_per_unit_lead": 2.4,  # 3 m³/unit, 2.4/3 = 0.8 → 2.0
    "main_material_t": 1200,
    "material_per_unit_lead": 1.2,  # 1.2 t/unit, 1.2/1.2 = 1 → 2.5
    "solid_waste_utilised_t": 90,
    "solid_waste_generated_t": 95,
    "solid_waste_stored_utilised_t": 5,
    "solid_waste_rate_lead": 100,  # 90/(95+5) = 90 % → 0.9 → 2.25
    "treats_wastewater": True,
    "wastewater_treated_m3": 1000,
    "wastewater_reused_m3": 600,
    "wastewater_reuse_lead": 75,  # 60 % / 75 → 0.8 → 2.0
    "total_energy_tce": 400,
    "energy_per_unit_lead": 320,  # 400 kgce/unit, 320/400 = 0.8 → 2.0
    "ghg_emission_t": 1000,
    "carbon_per_unit_lead": 0.9,  # 1 t/unit, 0.9/1 = 0.9 → 2.25
}
# 7.0 (land) + 1.5 + 6.5 (clean) + 6.75 (waste) + 4.25 (carbon) = 26.0


def _factory2018(variant: str = "base") -> dict[str, Any]:
    """Worked examples of the 2018 model; the score each gives is in the comment."""
    inputs: dict[str, Any] = {**FACTORY2018_DATA, **FACTORY2018_REQUIRED, **FACTORY2018_OPTIONAL}
    if variant == "base":  # 41 + 15 + 26 = 82
        return inputs
    no_optional = dict.fromkeys(FACTORY2018_OPTIONAL, 0)
    all_optional = dict.fromkeys(FACTORY2018_OPTIONAL, 1)
    if variant == "score_80":  # 82 − procurement_green 2 = 80
        return {**inputs, "procurement_green": 0}
    if variant == "score_75":  # 82 − building_green 2 − lighting_green 3 − procurement_green 2 = 75
        return {**inputs, "building_green": 0, "lighting_green": 0, "procurement_green": 0}
    if variant == "score_70":  # 41 + lighting_green 3 + 26 = 70
        return {**inputs, **no_optional, "lighting_green": 1}
    if variant == "score_67":  # 41 + 0 + 26 = 67
        return {**inputs, **no_optional}
    if variant == "score_59":
        # 67 − 8: five 绩效 ratios drop to 0.2 (2.5 → 0.5 each):
        # green 10 %/50 (−1.0), pollutant 0.1/0.5 (−1.5), gas 4/20 (−2.0), water 0.6/3 (−1.5),
        # material 0.24/1.2 (−2.0) → 26 − 8 = 18; 41 + 0 + 18 = 59
        return {
            **inputs,
            **no_optional,
            "green_material_t": 10,
            "pollutant_per_unit_lead": 0.1,
            "waste_gas_per_unit_lead": 4,
            "wastewater_per_unit_lead": 0.6,
            "material_per_unit_lead": 0.24,
        }
    if variant == "score_96":  # 41 + 29 + 26 = 96
        return {**inputs, **all_optional}
    if variant == "score_90":  # 96 − ecodesign 3 − carbon footprint 2 − csr 1 = 90
        return {
            **inputs,
            **all_optional,
            "product_ecodesign": 0,
            "product_carbon_footprint": 0,
            "csr_report": 0,
        }
    raise ValueError(variant)


@pytest.fixture
def factory2018_inputs() -> Callable[[str], dict[str, Any]]:
    return _factory2018


# -- MIIT 2016 park -----------------------------------------------------------------------------------
def _park_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "value_added": 30000,
        "energy_tce": 10000,
        "renewable_share": 15,
        "clean_energy_share": 80,
        "fresh_water_m3": 200000,
        "industrial_land_km2": 0.2,
        "solid_waste_util_rate": 95,
        "water_reuse_rate": 92,
        "reclaimed_water_rate": 15,
        "waste_heat_rate": 60,
        "waste_gas_recovery_rate": 90,
        "recycled_resource_rate": 80,
        "green_industrial_building_share": 30,
        "green_public_building_share": 60,
        "bus_stop_coverage": 90,
        "green_bus_share": 30,
        "hightech_share": 35,
        "green_industry_share": 30,
        "employees": 2000,
        "modern_services_share": 30,
        "waste_disposal_rate": 100,
        "carbon_reduction_rate": 3,
        "wastewater_t": 150000,
        "pollutant_elasticity": 0.3,
        "air_quality_rate": 80,
        "green_coverage_rate": 30,
        "road_shade_rate": 80,
        "parking_shade_rate": 80,
    }
    row.update(changes)
    return row


def _park() -> dict[str, Any]:
    """The park worked example (GI 92.41, see test_scheme_park_miit_2016)."""
    return {
        "gate_policies": True,
        "gate_no_major_incident": True,
        "gate_environment_quality": True,
        "gate_no_obsolete": True,
        "cleaner_audit_share": 100,
        "green_staff": 3,
        "IG1": 1,
        "MG1": 1,
        "MG2": 1,
        "MG3": 0,
        "park_data": [
            _park_row(waste_gas_recovery_rate=45),
            _park_row(
                value_added=24000,
                carbon_reduction_rate=2.4,
                pollutant_elasticity=0.375,
            ),
            _park_row(
                value_added=18000,
                fresh_water_m3=120000,
                carbon_reduction_rate=-1,
                wastewater_t=72000,
                pollutant_elasticity=-0.2,
            ),
        ],
    }


@pytest.fixture
def park2016_inputs() -> dict[str, Any]:
    return _park()


# -- MIIT 2016 supply chain ---------------------------------------------------------------------------
@pytest.fixture
def supply_chain2016_inputs() -> dict[str, Any]:
    """GSCI 83.7: X1 18 + X2 16.2 + X3 18 + X4 15.5 + X5 7 + X6 9."""
    return {
        "X11": 8,
        "X12": 4,
        "X13": 6,  # X1 = 18
        "X21": 4,
        "X22": 3,
        "X23": 2,
        "X24": 3,
        "X25": 1,
        "low_risk_supplier_share": 72,
        "low_risk_supplier_target": 90,  # X26 = 4 × 72/90 = 3.2 → X2 = 16.2
        "X31": 10,
        "X32": 8,  # X3 = 18
        "product_recovery_rate": 30,
        "product_recovery_target": 60,  # X41 = 5 × 0.5 = 2.5
        "packaging_recovery_rate": 80,
        "packaging_recovery_target": 50,  # X42 = 5 × min(1.6, 1) = 5
        "X43": 5,
        "X44": 3,  # X4 = 2.5 + 5 + 5 + 3 = 15.5
        "X51": 7,  # X5 = 7
        "X61": 2.5,
        "X62": 2.5,
        "X63": 1.5,
        "X64": 2.5,  # X6 = 9
    }
