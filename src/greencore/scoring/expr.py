"""A small safe expression language for scheme formulas.

Formulas are parsed with Python's own parser into an AST, every node is checked against a short
whitelist, and the tree is compiled into closures over NumPy arrays. Nothing is ever passed to
`eval`. One compiled formula evaluates one application (arrays of length 1) or a million (arrays of
length 1,000,000) with the same float64 operations, so both give identical numbers.

Values are float64 arrays; a missing value is NaN and propagates. Comparisons and logic give 1.0 or
0.0, and NaN when an operand is missing, so a missing answer never silently picks a branch.
Division by zero gives NaN (never ±inf), which the engine reports as "not computable".

``calc('energy.total', 'tce')`` reads a figure of the scheme's raw-data calculation (GB/T 2589 energy,
GB/T 32150 emissions …) in the unit named. Both arguments are literal strings, so the figures a
formula needs are known when it is parsed; the engine runs the exact calculation once per application
and hands each asked figure in as a column (`calc_key`). Without raw data the figure is missing (NaN).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from greencore.errors import GreencoreError

Array = NDArray[np.float64]
Env = Mapping[str, Array]
Fn = Callable[[Env], Array]


class FormulaError(GreencoreError, ValueError):
    """A formula is not valid in the expression language (the loader adds the place)."""

    def __init__(self, reason: str, place: str = "") -> None:
        super().__init__(place, reason, reason, message=reason)


def _as_array(value: float) -> Array:
    return np.asarray(value, dtype=np.float64)


def _truth(cond: Array) -> Array:
    return np.where(np.isnan(cond), np.nan, (cond != 0).astype(np.float64))


def _div(a: Array, b: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(a, b)
    return np.where(b == 0, np.nan, out)


def _pow(a: Array, b: Array) -> Array:
    with np.errstate(all="ignore"):
        out = np.power(a, b)
    return np.where(np.isfinite(out), out, np.nan)


def _cmp(op: ast.cmpop) -> Callable[[Array, Array], Array]:
    funcs: dict[type[ast.cmpop], Callable[[Array, Array], NDArray[np.bool_]]] = {
        ast.Lt: np.less,
        ast.LtE: np.less_equal,
        ast.Gt: np.greater,
        ast.GtE: np.greater_equal,
        ast.Eq: np.equal,
        ast.NotEq: np.not_equal,
    }
    func = funcs.get(type(op))
    if func is None:
        raise FormulaError(f"comparison {type(op).__name__} is not allowed")

    def compare(a: Array, b: Array) -> Array:
        result = func(a, b).astype(np.float64)
        return np.where(np.isnan(a) | np.isnan(b), np.nan, result)

    return compare


def _if(cond: Array, then: Array, other: Array) -> Array:
    truth = _truth(cond)
    return np.where(truth == 1, then, np.where(truth == 0, other, np.nan))


def _clamp(x: Array, lo: Array, hi: Array) -> Array:
    return np.minimum(np.maximum(x, lo), hi)


def _coalesce(*args: Array) -> Array:
    out = args[-1]
    for arg in reversed(args[:-1]):
        out = np.where(np.isnan(arg), out, arg)
    return out


def _missing(x: Array) -> Array:
    return np.isnan(x).astype(np.float64)


def _minimum(*args: Array) -> Array:
    out = args[0]
    for arg in args[1:]:
        out = np.minimum(out, arg)
    return out


def _maximum(*args: Array) -> Array:
    out = args[0]
    for arg in args[1:]:
        out = np.maximum(out, arg)
    return out


def _and(*args: Array) -> Array:
    truths = [_truth(a) for a in args]
    out = truths[0]
    for t in truths[1:]:
        # false wins over missing: (0 and NaN) is 0, (1 and NaN) is NaN
        out = np.where((out == 0) | (t == 0), 0.0, np.where(np.isnan(out) | np.isnan(t), np.nan, 1.0))
    return out


def _or(*args: Array) -> Array:
    truths = [_truth(a) for a in args]
    out = truths[0]
    for t in truths[1:]:
        out = np.where((out == 1) | (t == 1), 1.0, np.where(np.isnan(out) | np.isnan(t), np.nan, 0.0))
    return out


def _not(x: Array) -> Array:
    t = _truth(x)
    return np.where(np.isnan(t), np.nan, 1.0 - t)


@dataclass(frozen=True)
class Function:
    impl: Callable[..., Array]
    min_args: int
    max_args: int | None
    help: str


# Row functions reduce a table column (axis -1) to one value per application; missing rows are NaN
# and are skipped, but a row that is present yet incomplete keeps its NaN (the engine reports it).
def _row_sum(x: Array) -> Array:
    present = ~np.isnan(x)
    return np.where(present.any(axis=-1), np.nansum(x, axis=-1), np.nan)


def _row_count(x: Array) -> Array:
    return np.asarray((~np.isnan(x)).sum(axis=-1), dtype=np.float64)


def _row_mean(x: Array) -> Array:
    return _div(_row_sum(x), _row_count(x))


def _row_max(x: Array) -> Array:
    present = ~np.isnan(x)
    return np.where(present.any(axis=-1), np.max(np.where(present, x, -np.inf), axis=-1), np.nan)


def _row_min(x: Array) -> Array:
    present = ~np.isnan(x)
    return np.where(present.any(axis=-1), np.min(np.where(present, x, np.inf), axis=-1), np.nan)


FUNCTIONS: dict[str, Function] = {
    "min": Function(_minimum, 2, None, "smallest of the arguments"),
    "max": Function(_maximum, 2, None, "largest of the arguments"),
    "abs": Function(np.abs, 1, 1, "absolute value"),
    "clamp": Function(_clamp, 3, 3, "clamp(x, lo, hi)"),
    "if_": Function(_if, 3, 3, "if_(condition, then, else)"),
    "coalesce": Function(_coalesce, 2, None, "first argument that is not missing"),
    "missing": Function(_missing, 1, 1, "1 when the value is missing, else 0"),
    "all_": Function(_and, 1, None, "1 when every argument is true"),
    "any_": Function(_or, 1, None, "1 when any argument is true"),
    "row_sum": Function(_row_sum, 1, 1, "sum over the rows of a table column"),
    "row_mean": Function(_row_mean, 1, 1, "mean over the rows of a table column"),
    "row_max": Function(_row_max, 1, 1, "largest value in a table column"),
    "row_min": Function(_row_min, 1, 1, "smallest value in a table column"),
    "row_count": Function(_row_count, 1, 1, "number of filled rows of a table column"),
}

_BINOPS: dict[type[ast.operator], Callable[[Array, Array], Array]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: _div,
    ast.Pow: _pow,
}


@dataclass(frozen=True, order=True)
class CalcRef:
    """A figure of the raw-data calculation that a formula reads: its path and the unit asked."""

    path: str
    unit: str

    @property
    def key(self) -> str:
        """The column under which the engine hands the figure in."""
        return calc_key(self.path, self.unit)


def calc_key(path: str, unit: str) -> str:
    return f"calc:{path}[{unit}]"


@dataclass(frozen=True)
class Formula:
    source: str
    names: frozenset[str]
    evaluate: Fn
    calcs: frozenset[CalcRef] = frozenset()
    # the figure, when the whole formula is one calc(…) call: its value can pass through exactly
    bare_calc: CalcRef | None = None

    def __call__(self, env: Env) -> Array:
        return self.evaluate(env)


def parse(source: str) -> Formula:
    """Compile a formula; raise FormulaError naming what is not allowed."""
    text = source.strip()
    if not text:
        raise FormulaError("empty formula")
    if len(text) > 2000:
        raise FormulaError("formula longer than 2000 characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"syntax error at column {exc.offset}: {exc.msg}") from None
    names: set[str] = set()
    calcs: set[CalcRef] = set()
    fn = _compile(tree.body, names, 0, calcs)
    body = tree.body
    bare = isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and body.func.id == "calc"
    return Formula(
        source=text,
        names=frozenset(names),
        evaluate=fn,
        calcs=frozenset(calcs),
        bare_calc=next(iter(calcs)) if bare else None,
    )


_NOT_GIVEN = _as_array(np.nan)


def _calc_call(node: ast.Call, calcs: set[CalcRef]) -> Fn:
    args = node.args
    if node.keywords or len(args) != 2:
        raise FormulaError("calc takes two arguments: calc('figure.path', 'unit')")
    texts = [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if len(texts) != 2:
        raise FormulaError("calc's arguments must be quoted text: calc('energy.total', 'tce')")
    path, unit = texts[0].strip(), texts[1].strip()
    if not path:
        raise FormulaError("calc needs the path of a figure, e.g. calc('energy.total', 'tce')")
    ref = CalcRef(path, unit)
    calcs.add(ref)
    key = ref.key

    def figure(env: Env) -> Array:
        return env.get(key, _NOT_GIVEN)

    return figure


def _compile(node: ast.expr, names: set[str], depth: int, calcs: set[CalcRef]) -> Fn:
    if depth > 60:
        raise FormulaError("formula nested too deeply")
    d = depth + 1
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"only numbers are allowed as constants, not {node.value!r}")
        const = _as_array(float(node.value))
        return lambda env: const
    if isinstance(node, ast.Name):
        if node.id in ("true", "false", "True", "False"):
            value = _as_array(1.0 if node.id.lower() == "true" else 0.0)
            return lambda env: value
        name = node.id
        names.add(name)

        def lookup(env: Env) -> Array:
            try:
                return env[name]
            except KeyError:
                raise FormulaError(f"unknown name '{name}'") from None

        return lookup
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        # a table column from outside the table, e.g. row_sum(products.energy_use_tce)
        dotted = f"{node.value.id}.{node.attr}"
        names.add(dotted)

        def lookup_column(env: Env) -> Array:
            try:
                return env[dotted]
            except KeyError:
                raise FormulaError(f"unknown name '{dotted}'") from None

        return lookup_column
    if isinstance(node, ast.BinOp):
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise FormulaError(f"operator {type(node.op).__name__} is not allowed")
        left, right = _compile(node.left, names, d, calcs), _compile(node.right, names, d, calcs)
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand, names, d, calcs)
        if isinstance(node.op, ast.USub):
            return lambda env: np.negative(operand(env))
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return lambda env: _not(operand(env))
        raise FormulaError(f"operator {type(node.op).__name__} is not allowed")
    if isinstance(node, ast.Compare):
        operands = [_compile(node.left, names, d, calcs)] + [
            _compile(c, names, d, calcs) for c in node.comparators
        ]
        ops = [_cmp(op) for op in node.ops]

        def chain(env: Env) -> Array:
            values = [f(env) for f in operands]
            parts = [op(values[i], values[i + 1]) for i, op in enumerate(ops)]
            return parts[0] if len(parts) == 1 else _and(*parts)

        return chain
    if isinstance(node, ast.BoolOp):
        parts = [_compile(v, names, d, calcs) for v in node.values]
        combine = _and if isinstance(node.op, ast.And) else _or
        return lambda env: combine(*(p(env) for p in parts))
    if isinstance(node, ast.IfExp):
        cond, then, other = (_compile(x, names, d, calcs) for x in (node.test, node.body, node.orelse))
        return lambda env: _if(cond(env), then(env), other(env))
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id == "calc":
            return _calc_call(node, calcs)
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise FormulaError("only calls of the listed functions, without keywords, are allowed")
        spec = FUNCTIONS.get(node.func.id)
        if spec is None:
            known = ", ".join(sorted([*FUNCTIONS, "calc"]))
            raise FormulaError(f"unknown function '{node.func.id}' (known: {known})")
        count = len(node.args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            raise FormulaError(f"function '{node.func.id}' takes {spec.help}; got {count} arguments")
        args = [_compile(a, names, d, calcs) for a in node.args]
        impl = spec.impl
        return lambda env: np.asarray(impl(*(a(env) for a in args)), dtype=np.float64)
    raise FormulaError(f"{type(node).__name__} is not allowed in a formula")
