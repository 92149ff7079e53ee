"""The greenmfg command, through its entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console

from greencore.cli import main, print_result
from greencore.scoring import score
from tests.conftest import EXAMPLES, make_scheme


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_schemes_lists_the_shipped_schemes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schemes", "--format", "json")
    assert code == 0
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["factory-gbt36132-2025"]["version"] == "2025.1"
    assert rows["factory-gbt36132-2025"]["subject"] == "factory"


def test_scheme_show_lists_unverified_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scheme", "show", "factory-gbt36132-2025", "--unverified")
    assert code == 0
    assert "能源低碳化" in out and "neg_dishonest" in out
    assert "未核实数值" in out and "materials_reduction" in out


def test_score_json_is_the_documented_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", str(EXAMPLES / "factory-2025.json"), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "greenmfg.result/1"
    assert (data["scheme_id"], data["score"], data["eligible"]) == ("factory-gbt36132-2025", "60.19", True)


def test_score_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", str(EXAMPLES / "factory-2025.json"))
    assert code == 0
    assert "总分 score: 60.19 / 100" in out


def test_errors_are_one_line_with_the_place(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"scheme": "factory-gbt36132-2025", "inputs": {"output_value": -1}}), encoding="utf-8"
    )
    code, out, err = run(capsys, "score", str(bad))
    assert code == 2 and out == ""
    assert err == "错误 / error: output_value：-1 不能小于 0万元 / -1 must not be below 0 万元\n"
    code, _, err = run(capsys, "score", str(tmp_path / "none.json"), "--scheme", "x")
    assert code == 2 and "文件不存在" in err and err.count("\n") == 1
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "a": 1,,\n}', encoding="utf-8")
    code, _, err = run(capsys, "score", str(broken), "--scheme", "factory-gbt36132-2025")
    assert code == 2 and "第 2 行" in err
    code, _, err = run(capsys, "scheme", "show", "no-such-scheme")
    assert code == 2 and "unknown scheme: no-such-scheme" in err


def test_validate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "local.yaml"
    path.write_text(
        'id: local-test\nversion: "1"\nextends: factory-gbt36132-2025\ntitle: {zh: 本地}\n'
        "marks: {mark: seed, source: test}\noutcome: {pass_mark: 60}\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0 and out.startswith("有效 / valid: local-test@1")
    path.write_text(
        'id: local-test\nversion: "1"\nextends: factory-gbt36132-2025\npatch: {renewable: {points: 9}}\n',
        encoding="utf-8",
    )
    code, _, err = run(capsys, "validate", str(path))
    # a number the local scheme sets needs its own mark
    assert code == 2
    assert err.startswith(
        f"错误 / error: {path}: indicators[energy].children[renewable].points: this number has no verification mark"
    )
    path.write_text(
        'id: local-test\nversion: "1"\nextends: factory-gbt36132-2025\nmarks: {mark: seed, source: x}\n'
        "patch: {renewable: {points: 9}}\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert err == f"错误 / error: {path}: indicator energy: points are 30 but the children add up to 31\n"


def test_scheme_diff_against_a_local_variant(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "v.yaml").write_text(
        'id: local-diff\nversion: "1"\nextends: factory-gbt36132-2025\ntitle: {zh: 本地}\n'
        "marks: {mark: seed, source: test}\noutcome: {pass_mark: 60}\n"
        "patch: {platform: {rule: {lead: 6}}}\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys,
        "--schemes-dir",
        str(tmp_path),
        "scheme",
        "diff",
        "factory-gbt36132-2025",
        "local-diff",
        "--format",
        "json",
    )
    assert code == 0
    changes = {c["item"]: c for c in json.loads(out)["changes"]}
    assert changes["indicator:platform"]["fields"]["rule"]["to"]["lead"]["value"] == "6"
    assert changes["outcome"]["fields"]["pass_mark"]["to"]["value"] == "60"


def test_bulk_scores_a_csv_population(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    example = json.loads((EXAMPLES / "factory-2025.json").read_text(encoding="utf-8"))["inputs"]
    row = {k: v for k, v in example.items() if k != "products"}
    for r, product in enumerate(example["products"], start=1):
        row |= {f"products.{r}.{c}": v for c, v in product.items()}
    rows = [
        dict(row, id="甲", industry="C38"),
        dict(row, id="乙", industry="C38", water_reuse_rate=92.22),
        dict(row, id="丙", industry="C13", neg_dishonest=False),
    ]
    source, target = tmp_path / "population.csv", tmp_path / "scored.csv"
    pl.DataFrame(rows).write_csv(source)
    code, out, _ = run(
        capsys,
        "bulk",
        str(source),
        "--scheme",
        "factory-gbt36132-2025",
        "-o",
        str(target),
        "--group-by",
        "industry",
    )
    assert code == 0 and "已评分 / scored 3 份" in out
    scored = pl.read_csv(target)
    assert scored["id"].to_list() == ["甲", "乙", "丙"]
    # 乙 reaches the reuse lead: +4.072013 raw points → (58.384529 + 4.072013) × 100/97 = 64.388 → 64.39
    assert scored["score"].to_list() == [60.19, 64.39, 60.19]
    assert scored["eligible"].to_list() == [True, True, False]
    assert scored["rank"].to_list() == [2, 1, 0]
    # two ranked: 乙 1/2 = 50 %, 甲 2/2 = 100 %: both beyond the 40 % of grade A
    assert scored["percentile_grade"].to_list() == ["B", "B", None]


def test_console_script_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "greencore.cli", "demo"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "总分 score: 60.19 / 100" in done.stdout


def test_bulk_reads_and_writes_parquet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source, target = tmp_path / "p.parquet", tmp_path / "s.parquet"
    pl.DataFrame({"id": ["a", "b"], "up": [65.0, None]}).write_parquet(source)
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "t.yaml").write_text(
        'id: t-bulk\nversion: "1"\nsubject: factory\ntitle: {zh: 批量}\nsource: {document: test}\n'
        "marks: {mark: R, source: test}\ninputs: [{id: up, label: {zh: X}, kind: percent}]\n"
        "indicators: [{id: only, label: {zh: X}, points: 100, rule: {kind: linear, value: up, base: 40, lead: 90}}]\n"
        "outcome: {scale: 100, pass_mark: 60}\n",
        encoding="utf-8",
    )
    code, _, _ = run(
        capsys,
        "--schemes-dir",
        str(tmp_path / "s"),
        "bulk",
        str(source),
        "--scheme",
        "t-bulk",
        "-o",
        str(target),
    )
    assert code == 0
    scored = pl.read_parquet(target)
    # 100 × (65 − 40)/(90 − 40) = 50; b is missing: lower bound 0, upper 100, not complete
    assert scored["score"].to_list() == [50.0, 0.0]
    assert scored["score_upper"].to_list() == [50.0, 100.0]
    assert scored["complete"].to_list() == [True, False]
    assert scored["passed"].to_list() == [False, None]


def test_score_from_raw_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", str(EXAMPLES / "factory-2025-raw.json"), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["score"] == "66.05"
    assert data["calculation"]["indicators"]["total_energy"]["value"] == "2690.93675"


def test_score_a_park_from_its_raw_yearly_statistics(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", str(EXAMPLES / "park-2016-raw.json"), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["score"] == "92.41"
    assert [d["id"] for d in data["derived"]] == [
        "park_data.value_added",
        "park_data.energy_tce",
        "park_data.fresh_water_m3",
        "park_data.employees",
    ]


def test_explain_shows_the_working_behind_derived_inputs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # one table row per line, nothing folded
    code, out, _ = run(capsys, "score", str(EXAMPLES / "factory-2025-raw.json"), "--explain")
    assert code == 0
    assert "由原始数据计算的输入项" in out and "calc('energy.total', 'tce')" in out
    assert "1260000 kg × 0.7143 kgce/kg = 900018 kgce" in out
    assert "gbt2589-2020-standard-coal@2026.1 raw_coal (V)" in out


def test_the_gap_and_missing_lines_name_each_indicator() -> None:
    scheme = make_scheme(
        """
        id: t-gap-names
        version: "1"
        subject: factory
        title: {zh: 差距}
        source: {document: test}
        marks: {mark: R, source: test}
        inputs:
          - {id: x, label: {zh: 单耗}, unit: kgce/t, min: 0}
          - {id: y, label: {zh: 产量}, unit: t, min: 0}
        indicators:
          - {id: plan, label: {zh: 节能管理制度}, points: 50, rule: {kind: judged}}
          - {id: only, label: {zh: 单位产品能耗}, points: 50, rule: {kind: linear, value: x / y, direction: lower, base: 120, lead: 80, unit: kgce/t}}
        outcome: {scale: 100, pass_mark: 60}
        """
    )
    console = Console(record=True, width=200)
    print_result(console, score(scheme, {"plan": 20, "x": 100}), scheme=scheme)
    assert "  - y  产量（用于 单位产品能耗）\n" in console.export_text()
    print_result(console, score(scheme, {"plan": 10, "x": 100, "y": 1}), scheme=scheme)
    out = console.export_text()
    assert "距“合格”（60 分）还差" in out
    assert "  · 节能管理制度：补充证明材料，争取评分提高到" in out
