"""One error hierarchy: every exception class greencore defines derives from GreencoreError and carries
place, zh and en; the renamed calculation InputError keeps a deprecated alias."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import greencore
from greencore.calc.errors import CalcError, CalcInputError
from greencore.errors import GreencoreError
from greencore.reference import ReferenceSet
from greencore.reference.loader import ReferenceLookupError
from greencore.scoring.inputs import InputError
from greencore.standards.loader import SchemeError
from greencore.workflow import TransitionRefused


def _exception_classes() -> list[type[BaseException]]:
    """Every class defined in greencore whose bases include an exception."""
    found: list[type[BaseException]] = []
    root = Path(greencore.__file__).parent
    for info in pkgutil.walk_packages([str(root)], "greencore."):
        module = importlib.import_module(info.name)
        source = Path(str(module.__file__)).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                cls = getattr(module, node.name, None)
                if isinstance(cls, type) and issubclass(cls, BaseException):
                    found.append(cls)
    return found


def test_every_exception_class_derives_from_greencore_error() -> None:
    classes = _exception_classes()
    assert len(classes) >= 18
    assert [c.__qualname__ for c in classes if not issubclass(c, GreencoreError)] == []


def test_the_two_input_errors_have_distinct_names() -> None:
    names = [c.__name__ for c in _exception_classes()]
    assert names.count("InputError") == 1
    assert issubclass(CalcInputError, CalcError)


def test_the_old_calculation_name_is_a_deprecated_alias() -> None:
    with pytest.warns(DeprecationWarning, match="CalcInputError"):
        from greencore.calc import InputError as old  # noqa: PLC0415 (the import is what warns)
    assert old is CalcInputError
    with pytest.warns(DeprecationWarning, match="CalcInputError"):
        from greencore.calc.errors import InputError as older  # noqa: PLC0415 (as above)
    assert older is CalcInputError


def test_errors_carry_place_and_both_languages_and_keep_their_messages() -> None:
    error = InputError("数据!E5", "应填数值", "expected a number")
    assert (error.place, error.zh, error.en, str(error)) == (
        "数据!E5",
        "应填数值",
        "expected a number",
        "数据!E5：应填数值 / expected a number",
    )
    calc = CalcError("fuels[2].quantity", "数量不能为负", "negative quantity", "-5 t", choices="t、kg")
    assert (calc.place, calc.zh, calc.en) == (
        "fuels[2].quantity",
        "数量不能为负（-5 t）；可用：t、kg",
        "negative quantity -5 t; available: t、kg",
    )
    assert (
        str(calc)
        == "fuels[2].quantity：数量不能为负（-5 t）/ negative quantity -5 t; 可用 / available: t、kg"
    )
    scheme = SchemeError("a.yaml", "indicators[0]", "expected a number")
    assert (scheme.place, scheme.zh, scheme.en, str(scheme)) == (
        "indicators[0]",
        "expected a number",
        "expected a number",
        "a.yaml: indicators[0]: expected a number",
    )
    refused = TransitionRefused("不能提交", "cannot submit")
    assert (refused.place, refused.zh, str(refused)) == ("", "不能提交", "cannot submit")
    table = ReferenceSet.default().table("gbt2589-2020-standard-coal")
    with pytest.raises(ReferenceLookupError) as lookup:
        table.row("无此煤")
    assert isinstance(lookup.value, LookupError)
    assert lookup.value.place == table.key
    assert lookup.value.zh.startswith("表 ")
