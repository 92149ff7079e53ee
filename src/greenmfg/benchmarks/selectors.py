"""Reads of the benchmark tables: who keeps them, what a bureau holds, what applies to an application."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from django.db.models import QuerySet

import greencore
from greenmfg.catalog.models import Call
from greenmfg.catalog.selectors import issues_calls
from greenmfg.orgs.models import AuthorityLevel, Organisation, OrgKind, OrgStatus
from greenmfg.orgs.selectors import Actor, covers

from .models import BenchmarkImport, BenchmarkValue


def keeps_benchmarks(actor: Actor | None) -> bool:
    """The bureaus that issue calls keep the benchmark values their calls fill in."""
    return issues_calls(actor)


@cache
def benchmark_input_ids() -> frozenset[str]:
    """Every input a benchmark value may fill: the benchmark inputs of every shipped scheme, and the
    energy-limit and water-quota columns of their per-product tables (``table.column``)."""
    ids: set[str] = set()
    for scheme in greencore.shipped().all():
        ids |= set(greencore.benchmark_inputs(scheme)) | set(greencore.limit_columns(scheme))
    return frozenset(ids)


def values_of(bureau: Organisation) -> QuerySet[BenchmarkValue]:
    return BenchmarkValue.objects.filter(bureau=bureau)


def imports_of(bureau: Organisation) -> QuerySet[BenchmarkImport]:
    return BenchmarkImport.objects.filter(bureau=bureau).select_related("created_by")


def as_core(row: BenchmarkValue) -> greencore.BenchmarkValue:
    return greencore.BenchmarkValue(
        row.industry, row.product, row.year, row.input_id, row.value, row.unit, row.source, row.mark
    )


def bureaus_up_tree(bureau: Organisation) -> list[Organisation]:
    """The bureau, then each bureau above it whose jurisdiction holds it, nearest first (a city, its
    province, the ministry): whose benchmark values a call of `bureau` falls back on."""
    levels = [level for level, _ in AuthorityLevel.choices]  # district → ministry
    if bureau.level not in levels:
        return [bureau]
    higher = levels[levels.index(bureau.level) + 1 :]
    above = [
        org
        for org in Organisation.objects.filter(
            kind=OrgKind.AUTHORITY, level__in=higher, status=OrgStatus.ACTIVE
        )
        if covers(org, bureau.region_id)
    ]
    return [bureau, *sorted(above, key=lambda org: (levels.index(org.level), org.pk))]


def _layers(call: Call) -> tuple[list[Organisation], list[list[greencore.BenchmarkValue]]]:
    """The bureaus whose values a call falls back on (`bureaus_up_tree`), and each one's values not
    after the call's year, in the same order."""
    year = call.opens_on.year
    tree = bureaus_up_tree(call.authority)
    layers: list[list[greencore.BenchmarkValue]] = [[] for _ in tree]
    depth = {bureau.pk: index for index, bureau in enumerate(tree)}
    for row in BenchmarkValue.objects.filter(bureau__in=tree, year__lte=year):
        layers[depth[row.bureau_id]].append(as_core(row))
    return tree, layers


def benchmarks_with_origin(
    call: Call, applicant: Organisation
) -> dict[str, tuple[Organisation, greencore.BenchmarkValue]]:
    """The values that apply to the applicant's industry in the call's year, by input id, each with the
    bureau that keeps it: the call's own bureau's first, then the bureaus above it
    (greencore.match_benchmarks_up_tree); none when the unit has no industry on record."""
    if applicant.industry_id is None:
        return {}
    tree, layers = _layers(call)
    found = greencore.match_benchmarks_up_tree(layers, str(applicant.industry_id), call.opens_on.year)
    return {input_id: (tree[layer], value) for input_id, (layer, value) in found.items()}


def limits_with_origin(
    call: Call, applicant: Organisation, products: Mapping[str, Sequence[str]]
) -> list[tuple[greencore.RowLimits, dict[str, Organisation]]]:
    """Each row of the per-product tables (`products`: table id -> the product named on each row) with
    the energy-limit grades and water quotas that apply to its product (greencore.match_limits_up_tree),
    and per column the bureau that keeps the value. A unit with no industry on record gets none."""
    if applicant.industry_id is None or not any(products.values()):
        return [
            (greencore.RowLimits(table, row, name, {}), {})
            for table, names in sorted(products.items())
            for row, name in enumerate(names)
        ]
    tree, layers = _layers(call)
    rows = greencore.match_limits_up_tree(layers, str(applicant.industry_id), call.opens_on.year, products)
    return [(row, {column: tree[layer] for column, (layer, _) in row.values.items()}) for row in rows]


def benchmarks_for(call: Call, applicant: Organisation) -> dict[str, greencore.BenchmarkValue]:
    """`benchmarks_with_origin` without the bureau: the value each benchmark input takes."""
    return {input_id: value for input_id, (_, value) in benchmarks_with_origin(call, applicant).items()}
