"""`greenmfg calc …`: run a calculation on a JSON file (or stdin) and print the result as JSON.

    greenmfg calc energy plant.json        python -m greencore.calc.cli energy plant.json
    greenmfg calc tables                   (the reference tables, versions and marks)
    greenmfg calc figures                  (the figures scheme formulas read with calc('path', 'unit'))

Exit code 0 on success; 2 with one line "错误 / error: <place>: <reason>" on stderr otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from greencore.calc import CALCULATIONS, compute_factory
from greencore.calc.errors import CalcError
from greencore.calc.figures import RAW_CALCULATIONS
from greencore.calc.park import compute_park
from greencore.errors import GreencoreError
from greencore.reference import ReferenceTableError, shipped_tables

EXIT_OK = 0
EXIT_ERROR = 2

HELP = {
    "energy": "综合能耗 (GB/T 2589-2020) / comprehensive energy consumption",
    "ghg": "温室气体排放 (GB/T 32150-2015) / GHG emissions",
    "water": "取水量、重复利用率 / water intake and reuse rate",
    "waste": "固体废物综合利用率 / solid waste utilisation rate",
    "land": "容积率、建筑系数 / plot ratio and building coverage",
    "renewable": "可再生能源利用率 / renewable energy share",
    "elasticity": "碳排放弹性系数 / carbon elasticity",
    "park": "园区能源产出率、水资源产出率、人均工业增加值 / park ratios",
    "factory": "工厂原始数据 → 全部指标 / a factory's raw data to every indicator",
    "park-years": "园区各年统计数据 → 各年比值 / a park's yearly statistics to each year's ratios",
}


class _Failure(GreencoreError):
    def __init__(self, place: str, reason: str) -> None:
        self.reason = reason
        super().__init__(place, reason, reason, message=f"{place}: {reason}")


def _read_json(source: str) -> Any:
    name = "<stdin>" if source == "-" else source
    try:
        raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _Failure(name, f"无法读取文件 / cannot read the file ({exc})") from None
    try:
        # floats straight to Decimal: a figure never passes through binary floating point
        return json.loads(raw, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise _Failure(
            f"{name}:{exc.lineno}:{exc.colno}", f"不是有效的 JSON / invalid JSON ({exc.msg})"
        ) from None


def _print(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _fail(place: str, reason: str) -> int:
    sys.stderr.write(f"错误 / error: {place}: {reason}\n")
    return EXIT_ERROR


def _runner(function: Callable[[Mapping[str, Any]], dict[str, Any]]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            data = _read_json(args.input)
            if not isinstance(data, Mapping):
                raise _Failure(args.input, "顶层应为 JSON 对象 / the top level must be a JSON object")
            _print(function(data))
        except _Failure as failure:
            return _fail(failure.place, failure.reason)
        except CalcError as error:
            return _fail(error.place or args.input, error.reason)
        except ReferenceTableError as error:
            return _fail(f"{error.file} {error.place}".strip(), error.reason)
        return EXIT_OK

    return run


def _tables(args: argparse.Namespace) -> int:
    try:
        tables = shipped_tables()
    except ReferenceTableError as error:
        return _fail(f"{error.file} {error.place}".strip(), error.reason)
    _print(
        [
            {
                "id": t.id,
                "version": t.version,
                "title": t.title,
                "kind": t.kind.value,
                "year": t.year,
                "source": t.source_document,
                "refs": list(t.source_refs),
                "rows": len(t.rows),
                "marks": t.marks(),
                **({"row_marks": {r.id: r.mark.value for r in t.rows}} if args.rows else {}),
            }
            for t in tables
        ]
    )
    return EXIT_OK


def _figures(args: argparse.Namespace) -> int:
    _print(
        {
            name: [
                {
                    "path": f.path,
                    "unit": f.unit,
                    "label": f.label_zh,
                    "label_en": f.label_en,
                    **({"per_row": f.rows_at} if f.rows_at else {}),
                    **({"optional": True} if f.optional else {}),
                }
                for f in calculation.figures.values()
            ]
            for name, calculation in RAW_CALCULATIONS.items()
        }
    )
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `calc` command; each subcommand sets `func(args) -> exit code`."""
    calc = subparsers.add_parser("calc", help="计算指标 / compute indicators", description=__doc__)
    commands = calc.add_subparsers(dest="calc_command", metavar="COMMAND", required=True)
    functions: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
        **CALCULATIONS,
        "factory": compute_factory,
        "park-years": compute_park,
    }
    for name, function in functions.items():
        sub = commands.add_parser(name, help=HELP[name])
        sub.add_argument("input", help="JSON 输入文件，- 为标准输入 / JSON input file, - for stdin")
        sub.set_defaults(func=_runner(function))
    tables = commands.add_parser(
        "tables", help="参考数据表、版本与核实标记 / reference tables, versions, marks"
    )
    tables.add_argument("--rows", action="store_true", help="列出每行的标记 / list each row's mark")
    tables.set_defaults(func=_tables)
    figures = commands.add_parser(
        "figures",
        help="方案公式可读取的计算结果 calc('路径', '单位') / the figures scheme formulas read",
    )
    figures.set_defaults(func=_figures)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="greencore.calc.cli")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["calc", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
