"""The raw-data layout is a data file, validated on load like a scheme: errors name the file and place."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from greencore.raw_layout import LAYOUTS_DIR, Kind, LayoutError, layout, layout_names, read_layout
from greencore.workbook_raw import LAYOUT, PARK_LAYOUT, raw_paths


def test_the_shipped_layouts_load() -> None:
    assert layout_names() == ("factory", "park")
    assert layout("factory") is LAYOUT and layout("park") is PARK_LAYOUT
    assert [s.name for s in LAYOUT][:3] == ["原始数据-基本", "原始数据-能源", "原始数据-外供能源"]
    carriers = LAYOUT[1].blocks[0]
    assert carriers.path == "energy.carriers" and carriers.rows == 20  # type: ignore[union-attr]
    unit = carriers.column("unit")  # type: ignore[union-attr]
    assert unit is not None and unit.kind is Kind.UNIT and "万kWh" in unit.offered()
    assert "energy.carriers[].quantity" in raw_paths()


def _broken(tmp_path: Path, change: str, value: object) -> Path:
    data = yaml.safe_load((LAYOUTS_DIR / "park.yaml").read_text(encoding="utf-8"))
    table = data["sheets"][0]["blocks"][1]
    if change == "kind":
        table["columns"][2]["kind"] = value
    elif change == "row_check":
        table["row_check"] = value
    elif change == "units":
        table["columns"][2]["units"] = value
    path = tmp_path / "park.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "value", "place", "reason"),
    [
        ("kind", "colour", "sheets[0].blocks[1].columns[2].kind", "Input should be"),
        (
            "row_check",
            "guess",
            "sheets[0].blocks[1]",
            "unknown row check 'guess' (known: carrier_unit, fuel_unit, year_given)",
        ),
        ("units", "furlongs", "", "column 'value_added_unit': unknown units 'furlongs'"),
    ],
)
def test_a_malformed_layout_names_the_file_and_the_place(
    tmp_path: Path, change: str, value: object, place: str, reason: str
) -> None:
    path = _broken(tmp_path, change, value)
    with pytest.raises(LayoutError) as caught:
        read_layout(path)
    assert caught.value.file == str(path)
    assert caught.value.place == place
    assert caught.value.reason.startswith(reason)
    assert str(caught.value).startswith(f"{path}: ")
