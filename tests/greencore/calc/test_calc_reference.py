"""Reference tables: the shipped data, its marks, and the loader's refusals."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml

from greencore.calc import CALCULATIONS, GhgInput, MissingReferenceError, ghg_emissions
from greencore.reference import (
    Mark,
    ReferenceSet,
    ReferenceTableError,
    load_table,
    load_table_file,
    parse_table,
    shipped_tables,
)


def test_every_shipped_table_has_id_version_title_source_year_and_marked_rows() -> None:
    ids = {t.id for t in shipped_tables()}
    assert ids == {
        "gbt2589-2020-standard-coal",
        "gbt2589-2020-energy-media",
        "electricity-primary-energy",
        "fuel-co2-defaults",
        "grid-co2-mee-nbs",
        "grid-co2-carbon-market",
        "heat-co2-default",
    }
    for table in shipped_tables():
        assert table.version and table.title and table.source_document and table.year
        assert all(row.mark in Mark and row.source for row in table.rows)


@pytest.mark.parametrize(
    ("table_id", "row_id", "value", "mark"),
    [
        ("gbt2589-2020-standard-coal", "raw_coal", "0.7143", Mark.VERIFIED),
        ("gbt2589-2020-standard-coal", "electricity", "0.1229", Mark.VERIFIED),
        ("gbt2589-2020-standard-coal", "heat", "0.03412", Mark.VERIFIED),
        ("gbt2589-2020-standard-coal", "natural_gas", "1.2143", Mark.VERIFIED),
        ("gbt2589-2020-standard-coal", "oilfield_gas", "1.3300", Mark.RECALLED),
        ("gbt2589-2020-standard-coal", "steam", "0.1286", Mark.SECONDARY),
        ("gbt2589-2020-energy-media", "fresh_water", "0.2571", Mark.VERIFIED),
        ("gbt2589-2020-energy-media", "softened_water", "0.4857", Mark.RECALLED),
        ("grid-co2-carbon-market", "carbon_market-2022-national", "0.5703", Mark.VERIFIED),
        ("grid-co2-carbon-market", "carbon_market-2021-national", "0.5810", Mark.SECONDARY),
        ("grid-co2-mee-nbs", "average-2022-national", "0.5366", Mark.VERIFIED),
        ("heat-co2-default", "heat", "0.11", Mark.SECONDARY),
    ],
)
def test_published_figures(table_id: str, row_id: str, value: str, mark: Mark) -> None:
    row = load_table(table_id).row(row_id)
    assert row.number("value") == D(value)
    assert row.mark is mark


def test_the_carbon_market_series_is_not_in_the_national_average_table() -> None:
    values = {row.number("value") for row in load_table("grid-co2-mee-nbs").rows}
    assert D("0.5703") not in values and D("0.5810") not in values


def test_no_electricity_primary_energy_row_claims_to_be_verified() -> None:
    # the yearly coal figures are sourced, their use as GB/T 2589's 等价值 is not checked
    rows = load_table("electricity-primary-energy").rows
    assert {row.id: (row.number("value"), row.mark) for row in rows} == {
        "electricity-2020": (D("0.3055"), Mark.SECONDARY),
        "electricity-2021": (D("0.3017"), Mark.SECONDARY),
        "electricity-2022": (D("0.3007"), Mark.SECONDARY),
        "electricity-2023": (D("0.3019"), Mark.SECONDARY),
    }


def test_provincial_factors_beyond_standards_md_are_marked_secondary() -> None:
    rows = [r for r in load_table("grid-co2-mee-nbs").rows if r.text("level") == "provincial"]
    verified = {(r.year, r.text("region_zh")) for r in rows if r.mark is Mark.VERIFIED}
    # the ten 2022 provinces standards.md quotes from the notice (five highest, five lowest)
    assert verified == {
        (2022, p) for p in ("河北", "山西", "天津", "内蒙古", "安徽", "福建", "广西", "青海", "四川", "云南")
    }
    assert all(r.mark is Mark.SECONDARY for r in rows if (r.year, r.text("region_zh")) not in verified)
    by_year: dict[int | None, set[str]] = {}
    for r in rows:
        by_year.setdefault(r.year, set()).add(r.text("region_zh"))
    assert len(by_year[2023]) == 30 and "西藏" not in by_year[2023]  # no 2023 row for Tibet: absent
    assert {"江苏", "浙江", "上海", "广东", "山东"} <= by_year[2021] & by_year[2022] & by_year[2023]


def table_text(value: str = '"0.7143"') -> str:
    return f"""
id: test-table
version: "1"
title: t
kind: coefficients
year: 2020
source: {{document: d, refs: [P40]}}
rows:
  - {{id: raw_coal, name_zh: 原煤, category: fuel, dimension: mass, value: {value}, unit: kgce/kg, mark: V, source: P40}}
"""


def test_a_bare_yaml_float_is_refused() -> None:
    with pytest.raises(ReferenceTableError, match="quoted string"):
        parse_table(yaml.safe_load(table_text("0.7143")), "t.yaml")
    assert parse_table(yaml.safe_load(table_text()), "t.yaml").rows[0].number("value") == D("0.7143")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.replace("mark: V", "mark: X"), "mark must be V, S or R"),
        (lambda s: s.replace("source: P40}", "source: P40, colour: red}"), "unknown field"),
        (lambda s: s.replace(", unit: kgce/kg", ""), "missing field"),
        (lambda s: s.replace("kind: coefficients", "kind: other"), "unknown kind"),
    ],
)
def test_malformed_tables_are_refused(change: object, message: str) -> None:
    assert callable(change)
    with pytest.raises(ReferenceTableError, match=message):
        parse_table(yaml.safe_load(change(table_text())), "t.yaml")


def test_a_new_years_factor_is_a_data_change(tmp_path: Path) -> None:
    # The shipped table has no 2023 figure for Tibet: absent.
    data = {
        "year": 2023,
        "grid_region": "西藏",
        "purchased_electricity": [{"quantity": "100", "unit": "MWh"}],
    }
    with pytest.raises(MissingReferenceError):
        CALCULATIONS["ghg"](data)
    # A newer edition of the table (here a made-up figure in a test file) adds the row; nothing else changes.
    shipped = Path(__file__).parents[3] / "src/greencore/reference/grid-co2-mee-nbs.yaml"
    text = shipped.read_text(encoding="utf-8").replace('version: "2026.2"', 'version: "2099.1"')
    text += (
        "  - {id: average-2023-xizang, series: average, year: 2023, level: provincial, region: xizang,"
        ' region_zh: 西藏, name_zh: "西藏（测试）", value: "0.5000", unit: kgCO2/kWh, mark: R, source: test}\n'
    )
    newer = tmp_path / "grid.yaml"
    newer.write_text(text, encoding="utf-8")
    tables = ReferenceSet.default().replace(load_table_file(newer))

    result = ghg_emissions(GhgInput.from_dict(data), tables)
    assert result.total.value == D("50")  # 100 MWh × 0.5
    assert result.grid_factor is not None
    assert result.grid_factor.table == "grid-co2-mee-nbs@2099.1"


def test_tables_are_package_data_read_without_the_source_tree() -> None:
    # importlib.resources: the loader never builds paths from __file__
    source = (Path(__file__).parents[3] / "src/greencore/reference/loader.py").read_text(encoding="utf-8")
    assert "resources.files" in source and "__file__" not in source


def test_greencore_calc_never_imports_django() -> None:
    code = (
        "import sys, greencore.calc, greencore.calc.cli, greencore.reference; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
