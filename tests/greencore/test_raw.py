"""From raw plant data to the 2025 factory score (examples/factory-raw.json)."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction as F
from typing import Any

import pytest

from greencore.scoring import InputError, score
from greencore.scoring.raw import merge_inputs
from greencore.standards.model import Scheme
from greencore.standards.registry import get_scheme
from tests.conftest import EXAMPLES


def document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "factory-2025-raw.json").read_text(encoding="utf-8"))
    return data


def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "factory-raw.json").read_text(encoding="utf-8"))
    return data


def lin(points: int, x: F, base: F, lead: F) -> F:
    return points * min(max((x - base) / (lead - base), F(0)), F(1))


def test_raw_data_to_the_2025_score(factory_2025: Scheme) -> None:
    r = score(factory_2025, document()["inputs"], raw=raw())
    # the figures the calculations derive (checked by hand in tests/greencore/calc/test_calc_factory_example.py)
    computed = {c.id: c.value for c in r.computed}
    assert computed["energy_per_output"] == Decimal("58.498625")  # 2690.93675 tce × 1000 / 46000 万元
    assert computed["renewable_share"] == Decimal("2.055232")  # 55.305 / 2690.93675 × 100
    assert r.calculation is not None
    assert r.calculation["indicators"]["total_energy"]["value"] == "2690.93675"
    # scoring, with the derived values and the typed benchmarks:
    products = [  # (energy use tce, unit energy, grade 1, grade 2)
        (F("1668.380785"), F("320.8425"), F(300), F(380)),
        (F("753.46229"), F("41.859"), F(35), F(50)),
        (F("269.093675"), F("0.6727"), F("0.6"), F("0.9")),
    ]
    energy = sum(w * lin(1, x, g2, g1) for w, x, g1, g2 in products) / sum(w for w, *_ in products) * 8
    carbon = lin(8, F("8653.2169") * 1000 / 46000, F(400), F(200))  # 188.11 ≤ lead: 8
    renewable = lin(8, F("55.305") / F("2690.93675") * 100, F(0), F("4.31"))  # < 3000 tce tier
    platform = lin(6, F(6), F(0), F(8))
    water = lin(8, F(100400) / 46000, F(5), F(2))
    reuse = lin(8, F("92.7267"), F(80), F("92.22"))
    waste = lin(6, F("96.0938"), F(80), F(100))
    land = lin(4, F(46000) / 120000, F(1), F("1.2")) + lin(2, F("37.9167"), F(40), F(51))
    land += lin(2, F("0.6625"), F("0.5"), F("1.12"))
    cleaner = lin(6, F(4), F(3), F(5)) + lin(2, F("3.6"), F("3.6"), F("3.67"))
    cleaner += lin(2, F("0.55"), F("0.5"), F("0.57")) + lin(3, F(84), F(80), F("86.1"))
    product = 6 + lin(8, F(90), F(80), F(100))
    total = energy + carbon + renewable + platform + 5 + water + reuse + waste + cleaner + product + land
    expected = total * 100 / 97
    assert float(expected) == pytest.approx(66.04701, abs=1e-5)  # 64.0656 of 97 → × 100/97
    assert r.score == Decimal("66.05")
    assert r.indicator("energy_intensity_product").points == Decimal("5.49")  # 8 × 0.68614 = 5.489
    assert r.indicator("renewable").tier == "综合能耗 < 3000 tce"
    assert r.complete and r.eligible is True


def test_typed_figures_must_agree_with_raw_data(factory_2025: Scheme) -> None:
    inputs = {**document()["inputs"], "output_value": 50000}
    with pytest.raises(InputError) as caught:
        score(factory_2025, inputs, raw=raw())
    assert caught.value.place == "output_value"
    assert "与原始数据计算值 46000 不一致" in caught.value.zh


def test_raw_data_errors_name_the_raw_field(factory_2025: Scheme) -> None:
    broken = raw()
    broken["energy"]["carriers"][0]["quantity"] = "-5"
    with pytest.raises(InputError) as caught:
        score(factory_2025, document()["inputs"], raw=broken)
    assert (
        caught.value.place.startswith("raw.energy.carriers[1].quantity") or "quantity" in caught.value.place
    )


def test_table_rows_merge_cell_by_cell() -> None:
    merged = merge_inputs({"t": [{"a": 1}, {"a": 2}]}, {"t": [{"b": 3}, {"b": 4}]})
    assert merged == {"t": [{"a": 1, "b": 3}, {"a": 2, "b": 4}]}
    with pytest.raises(InputError, match="填写了 1 行"):
        merge_inputs({"t": [{"a": 1}]}, {"t": [{"b": 3}, {"b": 4}]})


def test_a_scheme_extending_the_2025_one_takes_raw_data_too() -> None:
    r = score(get_scheme("factory-jiangsu-2026"), {}, raw=raw())  # Jiangsu extends the 2025 通则
    assert {c.id: c.value for c in r.computed}["energy_per_output"] == Decimal("58.498625")
    assert not r.complete  # gates, judged items and benchmarks were not given
    assert "gate_legal_person" in r.missing_inputs


def test_a_scheme_the_calculation_does_not_feed_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        score(get_scheme("supply-chain-miit-2016"), {}, raw=raw())
    assert caught.value.place == "raw"
    assert "评价方案 supply-chain-miit-2016 不接受原始数据" in caught.value.zh


def test_a_factorys_raw_data_given_to_a_park_scheme_names_the_first_foreign_field() -> None:
    with pytest.raises(InputError) as caught:
        score(get_scheme("park-miit-2016"), {}, raw=raw())
    assert caught.value.place == "raw.enterprise"
    assert "未知字段" in caught.value.zh and "accepted: park, years" in caught.value.zh
