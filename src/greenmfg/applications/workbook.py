"""A filled self-evaluation workbook (greencore.workbook) read into the dossier's answers, and the
dossier's answers written into the workbook offered for download.

greencore checks every cell (`read_answers`): a workbook with any invalid cell gives no answers and every
problem by sheet, row, column and reason, so the platform stores nothing from it. The answers of the
filled cells only come back — an empty cell is "no value given", never a value that erases one typed on
the web — and the service merges them (`services.import_answers`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from greencore import CellProblem, Scheme, read_answers, write_template

from .answers import Answers
from .dossier import build_form


class InvalidCells(Exception):
    """The workbook's invalid cells, every one: nothing of the workbook is stored."""

    def __init__(self, problems: tuple[CellProblem, ...]) -> None:
        super().__init__(f"{len(problems)} invalid cells")
        self.problems = problems


def _beyond_form(scheme: Scheme, inputs: Mapping[str, str]) -> list[CellProblem]:
    """Cells greencore reads that the web form has no field for (a table row past those the form shows):
    reported, never dropped silently."""
    form = build_form(scheme)
    return [
        CellProblem(
            "分项数据",
            0,
            key,
            f"网页表单没有此项（{key}），无法导入；请删除该单元格的内容或联系主管部门",
            f"the web form has no field {key}; clear that cell",
        )
        for key in sorted(inputs)
        if not form.accepts(key)
    ]


def answers_from_workbook(scheme: Scheme, path: Path) -> dict[str, dict[str, str]]:
    """The answers of the filled cells of a self-evaluation workbook, as stored (`Answers.to_json`).
    Raises `InvalidCells` with every invalid cell when there is any, and greencore's `InputError` when
    the file is not a readable template."""
    read = read_answers(scheme, path)
    if read.answers is None:
        raise InvalidCells(read.problems)
    beyond = _beyond_form(scheme, read.answers.get("inputs", {}))
    if beyond:
        raise InvalidCells(tuple(beyond))
    return read.answers


def write_dossier_workbook(scheme: Scheme, path: Path, answers: Answers | None) -> None:
    """The self-evaluation workbook carrying the answers already entered, so that downloading it and
    importing it unchanged gives the same answers (web → Excel → web is the identity)."""
    write_template(scheme, path, answers.to_json() if answers is not None else None)
