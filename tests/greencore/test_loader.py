"""Scheme files: errors name the file, the place and the reason; extends and marks resolve."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from greencore.standards.loader import SchemeError
from greencore.standards.model import Mark
from greencore.standards.registry import Registry, shipped
from tests.conftest import make_scheme

BASE = """
id: t-base
version: "1"
subject: factory
title: {zh: 测试}
source: {document: 测试文件}
marks: {mark: R, source: test}
inputs:
  - {id: x, label: {zh: 指标X}, unit: "%"}
indicators:
  - id: cat
    label: {zh: 类别}
    points: 10
    children:
      - {id: ix, label: {zh: X}, points: 6, rule: {kind: linear, base: 0, lead: 50, value: x}}
      - {id: judged, label: {zh: 判断}, points: 4, rule: {kind: judged}}
outcome: {scale: 10, pass_mark: 6}
"""


def base_text() -> str:
    return BASE


def error_of(text: str) -> SchemeError:
    with pytest.raises(SchemeError) as caught:
        make_scheme(text, "bad.yaml")
    return caught.value


def test_a_valid_scheme_loads_with_marks() -> None:
    scheme = make_scheme(base_text())
    assert scheme.key == "t-base@1"
    assert [n.path for n in scheme.numbers] == [
        "indicators[cat].points",
        "indicators[cat].children[ix].points",
        "indicators[cat].children[ix].rule.base",
        "indicators[cat].children[ix].rule.lead",
        "indicators[cat].children[judged].points",
        "outcome.scale",
        "outcome.pass_mark",
    ]
    assert {n.mark for n in scheme.numbers} == {Mark.RECALLED}
    assert len(scheme.unverified_numbers()) == 7


def test_unknown_field_names_the_indicator() -> None:
    err = error_of(base_text().replace("points: 4, rule", "pionts: 4, rule"))
    assert err.file == "bad.yaml"
    assert err.place == "indicator cat › indicator judged › pionts"
    assert "is not a known field" in err.reason


def test_points_that_do_not_add_up() -> None:
    err = error_of(base_text().replace("points: 4, rule", "points: 5, rule"))
    assert err.place == "indicator cat"
    assert err.reason == "points are 10 but the children add up to 11"


def test_number_without_mark_is_refused() -> None:
    err = error_of(base_text().replace("marks: {mark: R, source: test}\n", ""))
    assert err.place == "indicators[cat].points"
    assert "has no verification mark" in err.reason


def test_formula_with_unknown_name() -> None:
    err = error_of(base_text().replace("value: x}", "value: y * 2}"))
    assert err.place == "indicator ix › rule.value"
    assert err.reason == "formula 'y * 2' names unknown values: y"


def test_formula_with_forbidden_construct() -> None:
    err = error_of(base_text().replace("value: x}", "value: \"__import__('os')\"}"))
    assert "unknown function '__import__'" in err.reason


def test_linear_rule_pointing_the_wrong_way() -> None:
    err = error_of(base_text().replace("base: 0, lead: 50", "base: 50, lead: 0"))
    assert err.place == "indicator cat › indicator ix › rule"
    assert "direction is higher but lead 0 and base 50 point the other way" in err.reason


def test_scale_must_match_the_indicators() -> None:
    err = error_of(base_text().replace("scale: 10", "scale: 100"))
    assert err.reason == "the scale is 100 but the indicators add up to 10"


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nindicators: [\n  - a: 1\n", encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        Registry(roots=(tmp_path,)).keys()
    assert caught.value.file == str(path)
    assert caught.value.place.startswith("line ")
    assert "not valid YAML" in caught.value.reason


def write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(textwrap.dedent(text), encoding="utf-8")


def test_extends_patches_adds_removes_and_keeps_parent_marks(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", base_text())
    write(
        tmp_path,
        "child.yaml",
        """
        id: t-child
        version: "1"
        extends: t-base
        title: {zh: 地方}
        marks: {mark: seed, source: seeds/000}
        patch:
          ix: {points: 5, rule: {lead: 40}}
        add:
          gates: [{id: g_local, label: {zh: 本地要求}}]
          indicators:
            - {under: cat, id: extra, label: {zh: 新增}, points: 1, rule: {kind: judged}}
        outcome: {pass_mark: 7}
        """,
    )
    scheme = Registry(roots=(tmp_path,)).get("t-child")
    ix = next(n for n in scheme.iter_nodes() if n.id == "ix")
    assert ix.points is not None and ix.points.value == Decimal(5) and ix.points.mark is Mark.SEED
    assert ix.rule is not None and ix.rule.lead is not None and ix.rule.lead.value == Decimal(40)
    assert ix.rule.base is not None and ix.rule.base.mark is Mark.RECALLED  # untouched: the parent's mark
    assert [g.id for g in scheme.gates] == ["g_local"]
    assert scheme.outcome.pass_mark is not None and scheme.outcome.pass_mark.value == 7
    assert scheme.outcome.pass_mark.mark is Mark.SEED
    assert scheme.extends == "t-base"


def test_extends_unknown_parent_and_circularity(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", 'id: a\nversion: "1"\nextends: b\n')
    write(tmp_path, "b.yaml", 'id: b\nversion: "1"\nextends: a\n')
    with pytest.raises(SchemeError, match="circular extends"):
        Registry(roots=(tmp_path,)).get("a")
    write(tmp_path, "b.yaml", 'id: b\nversion: "1"\nextends: nowhere\n')
    with pytest.raises(SchemeError, match="no scheme 'nowhere' is known"):
        Registry(roots=(tmp_path,)).get("b")


def test_patch_of_unknown_id(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", base_text())
    write(tmp_path, "c.yaml", 'id: c\nversion: "1"\nextends: t-base\npatch: {nope: {points: 1}}\n')
    with pytest.raises(SchemeError) as caught:
        Registry(roots=(tmp_path,)).get("c")
    assert caught.value.place == "patch: nope"


def test_every_shipped_scheme_loads_and_names_its_source() -> None:
    schemes = shipped().all()
    assert schemes, "no schemes shipped"
    for scheme in schemes:
        assert scheme.source.document
        assert all(n.source or n.mark is not Mark.VERIFIED for n in scheme.numbers), scheme.key


def test_versions_order_numerically(tmp_path: Path) -> None:
    for version in ("2.9", "2.10"):
        data = yaml.safe_load(base_text())
        data["version"] = version
        (tmp_path / f"v{version}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert Registry(roots=(tmp_path,)).get("t-base").version == "2.10"
