"""The `greenmfg` command: schemes, validation, workbooks, scoring one application or a population.

Errors are one line naming the place, on stderr, with exit code 2.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from greencore.calc.cli import register as register_calc
from greencore.documents import (
    Templates,
    self_evaluation_docx,
    self_evaluation_html,
    self_evaluation_pdf,
    self_evaluation_report,
)
from greencore.documents.render import MissingLayout
from greencore.errors import GreencoreError
from greencore.scoring import InputError, rank_population, score, score_population
from greencore.scoring.grading import conferred_inputs
from greencore.scoring.raw import working
from greencore.scoring.result import Result
from greencore.standards.loader import SchemeError, finish, prepare, read_yaml
from greencore.standards.model import Mark, Scheme, plain
from greencore.standards.registry import Registry, shipped_dir

EXIT_USAGE = 2
EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"


class CliError(GreencoreError):
    """A user-facing error: printed as one line, already written ``中文 / English``."""

    def __init__(self, message: str, place: str = "") -> None:
        super().__init__(place, message, message, message=message)


def _registry(args: argparse.Namespace) -> Registry:
    roots = [shipped_dir(), *(Path(d) for d in (args.schemes_dir or []))]
    return Registry(roots=tuple(roots))


def _scheme(registry: Registry, name: str) -> Scheme:
    try:
        return registry.get(name)
    except KeyError:
        known = ", ".join(sorted({key.split("@")[0] for key in registry.keys()}))  # noqa: SIM118
        raise CliError(f"未知评价方案 / unknown scheme: {name} (known: {known})") from None


def _out(args: argparse.Namespace) -> Console:
    return Console(highlight=False, soft_wrap=False, width=max(100, Console().width))


# ---------------------------------------------------------------------------------------------------


def cmd_schemes(args: argparse.Namespace) -> int:
    registry = _registry(args)
    schemes = registry.all()
    if args.format == "json":
        rows = [
            {
                "id": s.id,
                "version": s.version,
                "subject": s.subject.value,
                "title": s.title.zh,
                "extends": s.extends,
                "unverified_numbers": len(s.unverified_numbers()),
            }
            for s in schemes
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    table = Table(title="评价方案 / schemes")
    for head in ("编号 id", "版本", "对象", "名称", "继承自", "未核实数值"):
        table.add_column(head)
    for s in schemes:
        table.add_row(
            s.id, s.version, s.subject.value, s.title.zh, s.extends or "—", str(len(s.unverified_numbers()))
        )
    _out(args).print(table)
    return 0


def cmd_scheme_show(args: argparse.Namespace) -> int:
    scheme = _scheme(_registry(args), args.id)
    if args.format == "json":
        print(json.dumps(plain(scheme), ensure_ascii=False, indent=2))
        return 0
    console = _out(args)
    console.print(f"[bold]{scheme.title.zh}[/bold]  {scheme.key}  ({scheme.title.en})")
    console.print(f"依据 source: {scheme.source.document}")
    if scheme.extends:
        console.print(f"继承自 extends: {scheme.extends}")
    tree = Tree(f"指标体系 indicators (满分 {scheme.outcome.scale.value})")

    def add(branch: Tree, nodes: Sequence[Any]) -> None:
        for node in nodes:
            points = f"{node.points.value}分" if node.points else ""
            extra = f" 权重 {node.weight.value}" if node.weight else ""
            rule = f" [{node.rule.kind.value}]" if node.rule else ""
            flags = " 必选" if node.required else ""
            flags += f" {node.choose.count}选" if node.choose else ""
            flags += " 附加项" if node.bonus else ""
            child = branch.add(f"{node.id}  {node.label.zh}  {points}{extra}{rule}{flags}")
            add(child, node.children)

    add(tree, scheme.indicators)
    console.print(tree)
    if scheme.gates:
        gates = Table(title="基本要求 gates (一票否决)")
        gates.add_column("编号")
        gates.add_column("要求")
        gates.add_column("依据")
        for gate in scheme.gates:
            gates.add_row(gate.id, gate.label.zh, gate.source)
        console.print(gates)
    outcome = scheme.outcome
    if outcome.pass_mark is not None:
        console.print(f"合格线 pass mark: {'>' if outcome.pass_above else '≥'} {outcome.pass_mark.value}")
    for grade in outcome.grades:
        rule = grade.when or (
            f"≥ {grade.min.value}" if grade.min else f"> {grade.above.value if grade.above else ''}"
        )
        requires = f"，前提 {grade.requires}" if grade.requires else ""
        console.print(f"等级 {grade.id} {grade.label.zh}: {rule}{requires}")
    if outcome.ranking is not None:
        console.print(f"排名 ranking: top {outcome.ranking.top}")
    if outcome.percentiles is not None:
        bands = ", ".join(f"{b.id} ≤ {b.top}" for b in outcome.percentiles.bands)
        console.print(f"百分位分级 percentiles: {bands}")
    counts = {m: sum(1 for n in scheme.numbers if n.mark is m) for m in Mark}
    console.print("数值核实情况 numbers by mark: " + ", ".join(f"{m.value}={c}" for m, c in counts.items()))
    unverified = scheme.unverified_numbers()
    if unverified and args.unverified:
        table = Table(title="未核实数值（可通过地方方案 patch 覆盖）/ unverified numbers")
        for head in ("位置 path", "值", "标记", "来源"):
            table.add_column(head)
        for number in unverified:
            table.add_row(number.path, str(number.value), number.mark.value, number.source)
        console.print(table)
    elif unverified:
        console.print(f"其中 {len(unverified)} 个未核实（S/R），加 --unverified 列出。")
    return 0


def _flatten(scheme: Scheme) -> dict[str, Any]:
    out: dict[str, Any] = {}
    data = plain(scheme)
    for section in ("inputs", "gates", "computed"):
        for item in data.get(section, []):
            out[f"{section}:{item['id']}"] = item
    for node in scheme.iter_nodes():
        out[f"indicator:{node.id}"] = plain(node.model_copy(update={"children": ()}))
    out["outcome"] = data.get("outcome")
    return out


def cmd_scheme_diff(args: argparse.Namespace) -> int:
    registry = _registry(args)
    left, right = _scheme(registry, args.left), _scheme(registry, args.right)
    a, b = _flatten(left), _flatten(right)
    changes: list[dict[str, Any]] = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            changes.append({"item": key, "change": "removed"})
        elif key not in a:
            changes.append({"item": key, "change": "added"})
        elif a[key] != b[key]:
            fields_changed = sorted(k for k in set(a[key]) | set(b[key]) if a[key].get(k) != b[key].get(k))
            changes.append(
                {
                    "item": key,
                    "change": "changed",
                    "fields": {f: {"from": a[key].get(f), "to": b[key].get(f)} for f in fields_changed},
                }
            )
    if args.format == "json":
        print(
            json.dumps({"from": left.key, "to": right.key, "changes": changes}, ensure_ascii=False, indent=2)
        )
        return 0
    console = _out(args)
    console.print(f"{left.key} → {right.key}: {len(changes)} 处差异 / differences")
    symbols = {"added": "+", "removed": "-", "changed": "~"}
    for change in changes:
        console.print(f" {symbols[change['change']]} {change['item']}")
        for name, values in change.get("fields", {}).items():
            console.print(f"     {name}: {_short(values['from'])} → {_short(values['to'])}")
    return 0


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "…"


def cmd_validate(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.exists():
        raise CliError(f"{path}: 文件不存在 / no such file")
    registry = _registry(args)

    def parent(name: str) -> dict[str, Any]:
        key = registry.resolve_key(name)
        return dict(registry._prepare(key)[0])

    data, numbers = prepare(read_yaml(path), str(path), parent)
    scheme = finish(data, numbers, str(path))
    unverified = len(scheme.unverified_numbers())
    print(
        f"有效 / valid: {scheme.key} — {len(scheme.iter_nodes())} 个指标节点, "
        f"{len(scheme.gates)} 项基本要求, {len(scheme.numbers)} 个数值（{unverified} 个未核实）"
    )
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from greencore.workbook import write_template  # noqa: PLC0415 (openpyxl loads only for workbook commands)

    scheme = _scheme(_registry(args), args.scheme)
    out = Path(args.output)
    write_template(scheme, out)
    print(f"已生成自评价表 / workbook written: {out} ({scheme.key})")
    return 0


def _read_inputs(
    path: Path, scheme_name: str | None, registry: Registry
) -> tuple[Scheme, dict[str, Any], Any]:
    if not path.exists():
        raise CliError(f"{path}: 文件不存在 / no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        if not scheme_name:
            raise CliError(f"{path}: 工作簿需指定 --scheme / a workbook needs --scheme")
        from greencore.workbook import read_workbook  # noqa: PLC0415 (openpyxl loads only for workbooks)
        from greencore.workbook_raw import read_raw_sheets  # noqa: PLC0415 (as above)

        scheme = _scheme(registry, scheme_name)
        return scheme, read_workbook(scheme, path), read_raw_sheets(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CliError(f"{path}: 不是 UTF-8 文本 / not UTF-8 text") from None
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{path}: 第 {exc.lineno} 行第 {exc.colno} 列 JSON 格式错误 / invalid JSON: {exc.msg}"
        ) from None
    except yaml.YAMLError as exc:
        raise CliError(f"{path}: YAML 格式错误 / invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise CliError(f"{path}: 应为对象（编号: 值）/ expected a mapping")
    raw: Any = None
    if "inputs" in data and isinstance(data["inputs"], dict):
        scheme_name = scheme_name or data.get("scheme")
        raw = data.get("raw")
        data = data["inputs"]
    if isinstance(raw, str):  # a path to the raw-data file, relative to this document
        raw_path = (path.parent / raw).resolve()
        try:
            raw = json.loads(raw_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CliError(
                f"{path}: raw: 无法读取原始数据文件 {raw_path} / cannot read raw data: {exc}"
            ) from None
    if not scheme_name:
        raise CliError(f"{path}: 请用 --scheme 指定评价方案 / name the scheme with --scheme")
    return _scheme(registry, scheme_name), data, raw


def cmd_score(args: argparse.Namespace) -> int:
    registry = _registry(args)
    scheme, inputs, raw = _read_inputs(Path(args.file), args.scheme, registry)
    # applying to a call that confers a title: graded as if granted it (a Suzhou provincial call, 4A)
    inputs = {**inputs, **conferred_inputs(scheme, args.confers or "")}
    result = score(scheme, inputs, raw=raw)
    if args.format == "json":
        print(result.to_json())
    else:
        print_result(_out(args), result, explain=args.explain, scheme=scheme)
    return 0


def _print_derived(console: Console, result: Result, explain: bool) -> None:
    """The inputs the scheme's formulas computed from raw data; with --explain, the working behind them."""
    derived = Table(title="由原始数据计算的输入项 / inputs computed from raw data")
    for head in ("输入项 input", "公式 formula", "数值 value", "单位 unit"):
        derived.add_column(head, overflow="fold")
    for item in result.derived:
        value = " · ".join("" if v is None else str(v) for v in item.rows) if item.rows else item.value
        derived.add_row(item.label, item.formula, "" if value is None else str(value), item.unit)
    console.print(derived)
    if not explain or result.calculation is None:
        return
    table = Table(title="计算过程 / working (greencore.calc)")
    for head in ("数值 figure", "步骤 step", "参考数据 reference row"):
        table.add_column(head, overflow="fold")
    for shown in working(result):
        figure = shown.figure
        value = " · ".join(str(v) for v in figure.rows) if figure.rows else str(figure.value)
        table.add_row(f"[bold]{figure.label}[/bold] {figure.path}", f"{value} {figure.unit}".strip(), "")
        for step in shown.steps:
            row = f"{step['table']} {step['row']} ({step['mark']})" if step.get("table") else ""
            table.add_row(f"  {step['label']}", step["formula"], row)
    console.print(table)


def _names(result: Result, scheme: Scheme | None) -> dict[str, str]:
    """Indicator, gate and grade names by id, for lines that would otherwise show ids."""
    names = {item.id: item.label for item in result.indicators}
    names.update({gate.id: gate.label for gate in result.gates})
    if scheme is not None:
        names.update({grade.id: grade.label.zh or grade.id for grade in scheme.outcome.grades})
    return names


def print_result(
    console: Console, result: Result, explain: bool = False, scheme: Scheme | None = None
) -> None:
    console.print(f"[bold]{result.scheme_title}[/bold]  ({result.scheme_id}@{result.scheme_version})")
    status = {True: "具备资格", False: "不具备资格（一票否决）", None: "资格待定（基本要求未答全）"}[
        result.eligible
    ]
    console.print(f"资格 eligibility: {status}")
    if result.failed_gates:
        labels = {g.id: g.label for g in result.gates}
        for gate in result.failed_gates:
            console.print(f"  ✗ {gate} {labels.get(gate, '')}")
    if result.derived:
        _print_derived(console, result, explain)
    table = Table(title="评分明细 / score trail")
    heads = ["指标", "实际值", "基准值", "引领值", "得分", "满分"] + (["说明"] if explain else [])
    for head in heads:
        table.add_column(head, overflow="fold")
    for item in result.indicators:
        indent = "  " * (len(item.path) - 1)
        value = "" if item.value is None else f"{item.value} {item.unit}".rstrip()
        points = {"missing": "缺项", "not_applicable": "不适用", "not_counted": "未计入"}.get(item.status, "")
        shown = str(item.points) if item.points is not None and item.status == "scored" else points
        if not item.is_leaf:
            shown = f"[bold]{item.points if item.points is not None else points}[/bold]"
        cells = [
            indent + item.label,
            value,
            "" if item.base is None else str(item.base),
            "" if item.lead is None else str(item.lead),
            shown,
            str(item.max_points),
        ]
        table.add_row(*cells, *([item.why] if explain else []))
        for row in item.rows:
            weight = f"（权重 {row.weight}）" if row.weight is not None else ""
            table.add_row(
                f"{indent}    {row.label}{weight}",
                "" if row.value is None else str(row.value),
                "" if row.base is None else str(row.base),
                "" if row.lead is None else str(row.lead),
                "" if row.fraction is None else f"×{row.fraction}",
                "",
                *([""] if explain else []),
            )
    console.print(table)
    total = f"{result.score}" if result.complete else f"{result.score}（下限）～ {result.score_upper}（上限）"
    console.print(
        f"[bold]总分 score: {total} / {result.max_score}[/bold]"
        + (f"（含附加分 {result.bonus}）" if result.bonus else "")
    )
    if result.passed is not None:
        console.print(f"是否合格 passed: {'是' if result.passed else '否'}")
    if result.grade:
        console.print(f"[bold]等级 grade: {result.grade_label or result.grade}[/bold]")
    elif result.possible_grades and not result.grade_determinable:
        console.print(f"等级暂不能确定，可能为：{'、'.join(result.possible_grades)}")
    for grade in result.blocked_grades:
        console.print(f"  分数已达 {grade}，但不满足其前提条件")
    names = _names(result, scheme)
    if result.missing:
        console.print(f"缺少 {len(result.missing)} 项数据 / missing:")
        for gap_item in result.missing:
            # what each missing value is for, by name (an indicator, a gate, a grade), not by id
            uses = [names.get(n, n) for n in gap_item.needed_by]
            uses = [u for u in dict.fromkeys(uses) if u != gap_item.label]
            used_for = f"（用于 {'、'.join(uses)}）" if uses else ""
            console.print(f"  - {gap_item.input}  {gap_item.label}{used_for}")
    for note in result.notes:
        console.print(f"注：{note}")
    gap = result.gap
    if gap is not None:
        console.print(f"距“{gap.target_label}”（{gap.threshold} 分）还差 {gap.needed} 分：")
        for blocker in gap.blockers:
            console.print(f"  须先解决：{blocker}")
        for step in gap.improvements:
            action = step.action if step.label in step.action else f"{step.label}：{step.action}"
            console.print(f"  · {action}（+{step.score_gain} 分）")
        if gap.note:
            console.print(f"  {gap.note}")


# ---------------------------------------------------------------------------------------------------


def cmd_bulk(args: argparse.Namespace) -> int:
    import polars as pl  # noqa: PLC0415 (polars loads only for the bulk command)

    registry = _registry(args)
    scheme = _scheme(registry, args.scheme)
    path = Path(args.file)
    if not path.exists():
        raise CliError(f"{path}: 文件不存在 / no such file")
    started = time.perf_counter()
    try:
        frame = (
            pl.read_parquet(path)
            if path.suffix.lower() == ".parquet"
            else pl.read_csv(path, infer_schema_length=10000)
        )
    except Exception as exc:  # polars raises several error types for malformed files
        raise CliError(f"{path}: 无法读取 / cannot read: {exc}") from None
    meta = {c for c in (args.id_column, args.group_by) if c}
    for column in meta:
        if column not in frame.columns:
            raise CliError(f"{path}: 缺少列 / no column '{column}'")
    arrays = {c: frame[c].to_numpy() for c in frame.columns if c not in meta}
    ids = (
        frame[args.id_column].cast(pl.Utf8).to_list()
        if args.id_column
        else [str(i + 1) for i in range(frame.height)]
    )
    population = score_population(
        scheme, arrays, frame.height, row_names=[f"第{i}行（{k}）" for i, k in enumerate(ids, 2)]
    )
    groups = (
        frame[args.group_by].cast(pl.Utf8).fill_null("").to_numpy().astype(str) if args.group_by else None
    )
    ranking = rank_population(scheme, population.score, groups, eligible=population.eligible)
    out = pl.DataFrame(
        {
            "id": ids,
            "score": population.score,
            "score_upper": population.score_upper,
            "complete": population.complete,
            "missing_count": population.missing_count,
            "eligible": [None if np.isnan(v) else bool(v) for v in population.eligible],
            "passed": [None if np.isnan(v) else bool(v) for v in population.passed],
            "grade": population.grade,
            "rank": ranking.rank,
            "selected": ranking.selected,
            "percentile_grade": ranking.percentile_grade,
            **(
                {"group": groups, "group_percentile_grade": ranking.group_percentile_grade}
                if groups is not None
                else {}
            ),
        },
        strict=False,
    )
    target = Path(args.output)
    if target.suffix.lower() == ".parquet":
        out.write_parquet(target)
    else:
        out.write_csv(target)
    elapsed = time.perf_counter() - started
    scored = int(np.sum(~np.isnan(population.score)))
    print(
        f"已评分 / scored {frame.height} 份（完整 {int(population.complete.sum())}，有分数 {scored}）"
        f"→ {target}，用时 {elapsed:.2f} s"
    )
    return 0


REPORT_FORMATS = (".pdf", ".docx", ".html")


def _report_extras(path: Path) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The applicant's profile and the evidence cited per indicator, from a JSON/YAML input document."""
    if path.suffix.lower() not in (".json", ".yaml", ".yml"):
        return {}, {}
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict):
        return {}, {}
    applicant = data.get("applicant") or {}
    evidence = data.get("evidence") or {}
    if not isinstance(applicant, dict):
        raise CliError(f"{path}: applicant: 应为对象 / expected a mapping")
    if not isinstance(evidence, dict) or not all(isinstance(v, list) for v in evidence.values()):
        raise CliError(f"{path}: evidence: 应为“指标编号: [材料, …]” / expected indicator: [files]")
    return applicant, {str(k): [str(x) for x in v] for k, v in evidence.items()}


def cmd_report_self_evaluation(args: argparse.Namespace) -> int:
    target = Path(args.output)
    if target.suffix.lower() not in REPORT_FORMATS:
        raise CliError(f"-o {target}: 只支持 .pdf、.docx、.html / only .pdf, .docx or .html")
    if args.date:
        try:
            datetime.date.fromisoformat(args.date)
        except ValueError:
            raise CliError(f"--date {args.date}: 日期应为 YYYY-MM-DD / expected YYYY-MM-DD") from None
    if args.templates and not Path(args.templates).is_dir():
        raise CliError(f"--templates {args.templates}: 目录不存在 / no such directory")
    registry = _registry(args)
    path = Path(args.file)
    scheme, inputs, raw = _read_inputs(path, args.scheme, registry)
    applicant, evidence = _report_extras(path)
    result = score(scheme, inputs, raw=raw)
    report = self_evaluation_report(
        scheme,
        result,
        applicant=applicant,
        evidence=evidence,
        generated_on=args.date or datetime.date.today().isoformat(),
        # the data the report was made from: the input file's digest (the platform names its version)
        data_version=f"{path.name} SHA-256 {hashlib.sha256(path.read_bytes()).hexdigest()[:16]}",
    )
    templates = Templates(Path(args.templates) if args.templates else None)
    suffix = target.suffix.lower()
    if suffix == ".pdf":
        target.write_bytes(self_evaluation_pdf(report, templates))
    elif suffix == ".docx":
        target.write_bytes(self_evaluation_docx(report, templates))
    else:
        target.write_text(self_evaluation_html(report, templates), encoding="utf-8")
    print(
        f"已生成自评价报告 / report written: {target}"
        f"（{scheme.key}，得分 {report.score}，等级 {report.grade}）"
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    example = EXAMPLES_DIR / "factory-2025.json"
    registry = _registry(args)
    scheme, inputs, _ = _read_inputs(example, None, registry)
    console = _out(args)
    console.print(f"示例 example: {example}")
    print_result(console, score(scheme, inputs), scheme=scheme)
    console.print(
        "下一步 next: greenmfg template --scheme factory-gbt36132-2025 -o 自评价表.xlsx ；"
        "填写后 then: greenmfg score 自评价表.xlsx --scheme factory-gbt36132-2025"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="greenmfg",
        description="绿色制造体系评价：评价方案、评分、自评价表 / green manufacturing evaluation",
    )
    parser.add_argument(
        "--schemes-dir", action="append", help="additional directory of scheme files (local schemes)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("schemes", help="list the schemes")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_schemes)

    scheme = sub.add_parser("scheme", help="show or compare schemes")
    scheme_sub = scheme.add_subparsers(dest="scheme_command", required=True)
    p = scheme_sub.add_parser("show", help="show one scheme")
    p.add_argument("id")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--unverified", action="store_true", help="list every unverified number")
    p.set_defaults(func=cmd_scheme_show)
    p = scheme_sub.add_parser("diff", help="differences between two schemes")
    p.add_argument("left")
    p.add_argument("right")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_scheme_diff)

    p = sub.add_parser("validate", help="validate a scheme file")
    p.add_argument("file")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("template", help="write a self-evaluation workbook (.xlsx)")
    p.add_argument("--scheme", required=True)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("score", help="score one application (JSON, YAML or a filled workbook)")
    p.add_argument("file")
    p.add_argument("--scheme")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--explain", action="store_true", help="show how each indicator was scored")
    p.add_argument(
        "--confers",
        choices=("city", "province", "national"),
        help="the level of the title the call confers: graded as if granted it (Suzhou: province → 4A)",
    )
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("bulk", help="score a population (CSV or Parquet) and grade by percentile")
    p.add_argument("file")
    p.add_argument("--scheme", required=True)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--id-column", default="id")
    p.add_argument("--group-by", help="column for percentile grades within groups (e.g. industry)")
    p.set_defaults(func=cmd_bulk)

    report = sub.add_parser("report", help="generate documents (PDF, Word)")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    p = report_sub.add_parser(
        "self-evaluation", help="the self-evaluation report (自评价报告) of one application"
    )
    p.add_argument("file", help="inputs: JSON, YAML or a filled workbook")
    p.add_argument("--scheme")
    p.add_argument("-o", "--output", required=True, help="report.pdf, report.docx or report.html")
    p.add_argument("--templates", help="a directory of replacement templates (same file names)")
    p.add_argument("--date", help="the date printed on the report (default: today), YYYY-MM-DD")
    p.set_defaults(func=cmd_report_self_evaluation)

    p = sub.add_parser("demo", help="score the shipped example")
    p.set_defaults(func=cmd_demo)

    register_calc(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except (CliError, SchemeError, InputError, MissingLayout) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
