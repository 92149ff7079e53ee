"""The `calc` command: JSON in, JSON out, one clear error line and exit code 2."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from greencore.calc.cli import main, register

EXAMPLE = Path(__file__).parents[3] / "examples/factory-raw.json"


def write(tmp_path: Path, data: object, name: str = "in.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_energy_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(
        tmp_path,
        {"basis": "calorific_value", "carriers": [{"carrier": "原煤", "quantity": 1.5, "unit": "t"}]},
    )
    assert main(["energy", source]) == 0
    out = json.loads(capsys.readouterr().out)
    # 1.5 t = 1500 kg × 0.7143 = 1071.45 kgce = 1.07145 tce (1.5 read as Decimal, not float)
    assert (out["result"], out["unit"]) == ("1.07145", "tce")


def test_output_keeps_chinese_readable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(
        tmp_path,
        {"basis": "calorific_value", "carriers": [{"carrier": "原煤", "quantity": "1", "unit": "t"}]},
    )
    main(["energy", source])
    assert "原煤" in capsys.readouterr().out


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = {"streams": [{"name": "炉渣", "generated": "4", "utilised": "3", "unit": "t"}]}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(data)))
    assert main(["waste", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["result"] == "75"


def test_error_is_one_line_on_stderr_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    carriers = [{"carrier": "原煤", "quantity": "1", "unit": "t"}] * 2 + [
        {"carrier": "原煤", "quantity": "-5", "unit": "t"}
    ]
    source = write(tmp_path, {"basis": "calorific_value", "carriers": carriers})
    assert main(["energy", source]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err == "错误 / error: carriers[2].quantity: 数量不能为负（-5 t）/ negative quantity -5 t\n"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "不是有效的 JSON / invalid JSON"),
        ("[1, 2]", "顶层应为 JSON 对象"),
    ],
)
def test_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    assert main(["energy", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误 / error: ") and expected in err and err.count("\n") == 1


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ghg", str(tmp_path / "nope.json")]) == 2
    assert "无法读取文件 / cannot read the file" in capsys.readouterr().err


def test_tables_lists_versions_and_marks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tables", "--rows"]) == 0
    tables = {t["id"]: t for t in json.loads(capsys.readouterr().out)}
    assert tables["grid-co2-carbon-market"]["version"] == "2026.2"
    assert tables["grid-co2-carbon-market"]["marks"] == {"V": 1, "S": 1, "R": 0}
    assert tables["gbt2589-2020-standard-coal"]["row_marks"]["raw_coal"] == "V"


def test_register_hooks_into_a_parent_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="greenmfg")
    register(parser.add_subparsers(dest="command"))
    source = write(
        tmp_path,
        {
            "total_energy": "10",
            "total_energy_unit": "tce",
            "renewable_energy": "1",
            "renewable_energy_unit": "tce",
        },
    )
    args = parser.parse_args(["calc", "renewable", source])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["result"] == "10"


def test_module_entry_point_runs_the_worked_example() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "greencore.calc.cli", "factory", str(EXAMPLE)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["indicators"]["total_energy"]["value"] == "2690.93675"


def test_module_entry_point_reports_errors() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "greencore.calc.cli", "ghg", "-"],
        input=json.dumps(
            {"year": 2023, "grid_region": "西藏", "purchased_electricity": [{"quantity": "1", "unit": "MWh"}]}
        ),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(
        "错误 / error: grid_region: 表 grid-co2-mee-nbs@2026.2 无 2023 年 西藏 的电网排放因子"
    )
    assert "no factor for 2023 / 西藏 in table grid-co2-mee-nbs@2026.2" in done.stderr


def test_figures_lists_what_scheme_formulas_can_read(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["figures"]) == 0
    out = json.loads(capsys.readouterr().out)
    factory = {f["path"]: f for f in out["factory"]}
    assert factory["energy.total"] == {"path": "energy.total", "unit": "tce", "label": "综合能耗",
                                       "label_en": "Comprehensive energy consumption"}  # fmt: skip
    assert factory["energy.per_product.intensity"]["unit"] == "kgce/产品单位"
    assert factory["energy.per_product.intensity"]["per_row"] == "per_product"
    assert factory["elasticity.elasticity"]["optional"] is True
    park = {f["path"]: f["unit"] for f in out["park"]}
    assert park["years.water_productivity"] == "元/m³"


def test_park_years_prints_each_years_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["park-years", str(EXAMPLE.parent / "park-raw.json")]) == 0
    years = json.loads(capsys.readouterr().out)["calculations"]["years"]
    assert [y["energy_productivity"]["value"] for y in years] == ["3", "2.4", "1.8"]
