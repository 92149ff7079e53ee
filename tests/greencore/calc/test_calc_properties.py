"""Invariants, checked on generated inputs (hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from greencore.calc import (
    EnergyInput,
    GhgInput,
    WasteInput,
    WaterInput,
    comprehensive_energy,
    ghg_emissions,
    solid_waste_utilisation,
    water_indicators,
)
from greencore.calc.numbers import text

# carriers with a unit each accepts; the coefficients do not depend on the basis for these
CARRIERS = [
    ("原煤", "t"),
    ("洗精煤", "kg"),
    ("焦炭", "万t"),
    ("柴油", "t"),
    ("天然气", "万m³"),
    ("焦炉煤气", "m³"),
    ("电力", "kWh"),
    ("电力", "MWh"),
    ("热力", "GJ"),
    ("蒸汽", "t"),
    ("新水", "m³"),
    ("压缩空气", "m³"),
    ("氧气", "万m³"),
]

quantities = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False, allow_infinity=False)
lines = st.lists(
    st.tuples(st.sampled_from(CARRIERS), quantities).map(
        lambda item: {"carrier": item[0][0], "unit": item[0][1], "quantity": text(item[1])}
    ),
    min_size=1,
    max_size=8,
)


def total(carriers: list[dict[str, Any]]) -> Decimal:
    return comprehensive_energy(
        EnergyInput.from_dict({"basis": "calorific_value", "carriers": carriers})
    ).total.value


@given(lines)
@settings(max_examples=60, deadline=None)
def test_energy_total_is_additive_over_carriers(carriers: list[dict[str, Any]]) -> None:
    assert total(carriers) == sum((total([c]) for c in carriers), Decimal(0))


@given(lines, st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False))
@settings(max_examples=60, deadline=None)
def test_scaling_every_quantity_by_k_scales_the_total_by_k(
    carriers: list[dict[str, Any]], k: Decimal
) -> None:
    scaled = [{**c, "quantity": text(Decimal(c["quantity"]) * k)} for c in carriers]
    assert total(scaled) == total(carriers) * k


@given(lines)
@settings(max_examples=40, deadline=None)
def test_json_round_trip_keeps_the_input(carriers: list[dict[str, Any]]) -> None:
    inp = EnergyInput.from_dict({"basis": "primary_energy", "year": 2022, "carriers": carriers})
    assert EnergyInput.from_dict(inp.to_dict()) == inp


@given(st.lists(quantities, min_size=1, max_size=6), st.lists(quantities, max_size=6))
@settings(max_examples=80, deadline=None)
def test_reuse_rate_is_between_0_and_100(intake: list[Decimal], reused: list[Decimal]) -> None:
    if sum(intake) + sum(reused) == 0:
        return
    result = water_indicators(
        WaterInput.from_dict(
            {
                "intake": [
                    {"source": f"s{i}", "quantity": text(q), "unit": "m³"} for i, q in enumerate(intake)
                ],
                "reused": [
                    {"name": f"r{i}", "quantity": text(q), "unit": "m³"} for i, q in enumerate(reused)
                ],
            }
        )
    )
    assert 0 <= result.reuse_rate.value <= 100


@st.composite
def waste_streams(draw: st.DrawFn) -> dict[str, str]:
    generated = draw(quantities)
    from_storage = draw(quantities)
    utilised = draw(st.decimals(min_value=from_storage, max_value=generated + from_storage, places=3))
    return {
        "name": "x",
        "unit": "t",
        "generated": text(generated),
        "utilised": text(utilised),
        "utilised_from_storage": text(from_storage),
    }


@given(st.lists(waste_streams(), min_size=1, max_size=5))
@settings(max_examples=80, deadline=None)
def test_waste_utilisation_rate_is_between_0_and_100(streams: list[dict[str, str]]) -> None:
    if all(Decimal(s["generated"]) + Decimal(s["utilised_from_storage"]) == 0 for s in streams):
        return
    rate = solid_waste_utilisation(WasteInput.from_dict({"streams": streams})).utilisation_rate.value
    assert 0 <= rate <= 100


@given(st.lists(quantities, min_size=1, max_size=5), st.sampled_from(["national", "华东", "华北", "南方"]))
@settings(max_examples=40, deadline=None)
def test_ghg_electricity_is_additive_and_exports_cancel_purchases(mwh: list[Decimal], region: str) -> None:
    def emissions(purchased: list[Decimal], exported: list[Decimal]) -> Decimal:
        return ghg_emissions(
            GhgInput.from_dict(
                {
                    "year": 2023,
                    "grid_region": region,
                    "purchased_electricity": [{"quantity": text(q), "unit": "MWh"} for q in purchased],
                    "exported_electricity": [{"quantity": text(q), "unit": "MWh"} for q in exported],
                }
            )
        ).total.value

    assert emissions(mwh, []) == sum((emissions([q], []) for q in mwh), Decimal(0))
    assert emissions(mwh, mwh) == 0
