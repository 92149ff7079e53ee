"""A filled self-evaluation workbook (greencore.workbook) read into the dossier's answers."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from greencore import (
    Scheme,
    fed_by_raw,
    fields_from_workbook,
    input_key,
    input_table_key,
    raw_scoring,
    read_raw_sheets,
    read_workbook,
    table_cell_key,
)

from .dossier import build_form


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return "" if math.isnan(value) else format(Decimal(repr(value)).normalize(), "f")
    return "" if value is None else str(value)


def answers_from_workbook(scheme: Scheme, path: Path) -> dict[str, dict[str, str]]:
    """The answers (as typed text under form keys) of a filled self-evaluation workbook, as stored
    (`answers.Answers.to_json`)."""
    form = build_form(scheme.key)
    values = read_workbook(scheme, path)
    if scheme.raw_data and not fed_by_raw(scheme):
        # the form has no raw section for this calculation (a park's years): the raw sheet becomes the
        # typed columns it derives, by the scheme's own derive formulas (a disagreeing cell is an error)
        document = read_raw_sheets(path)
        if document is not None:
            values = raw_scoring(scheme, document, values).inputs
    inputs: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, list):
            for row, cells in enumerate(value):
                for column, cell in (cells or {}).items():
                    inputs[table_cell_key(input_table_key(key), row, column)] = _text(cell)
        else:
            inputs[input_key(key)] = _text(value)
    inputs = {k: v for k, v in inputs.items() if v.strip() and form.accepts(k)}
    raw = fields_from_workbook(path) if fed_by_raw(scheme) else {}
    return {"inputs": inputs, "raw": raw}
