"""Reads of the benchmark tables: who keeps them, what a bureau holds, what applies to an application."""

from __future__ import annotations

from functools import cache

from django.db.models import QuerySet

import greencore
from greenmfg.catalog.models import Call
from greenmfg.catalog.selectors import issues_calls
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import Actor

from .models import BenchmarkImport, BenchmarkValue


def keeps_benchmarks(actor: Actor | None) -> bool:
    """The bureaus that issue calls keep the benchmark values their calls fill in."""
    return issues_calls(actor)


@cache
def benchmark_input_ids() -> frozenset[str]:
    """Every input a benchmark value may fill: the benchmark inputs of every shipped scheme."""
    ids: set[str] = set()
    for scheme in greencore.shipped().all():
        ids |= set(greencore.benchmark_inputs(scheme))
    return frozenset(ids)


def values_of(bureau: Organisation) -> QuerySet[BenchmarkValue]:
    return BenchmarkValue.objects.filter(bureau=bureau)


def imports_of(bureau: Organisation) -> QuerySet[BenchmarkImport]:
    return BenchmarkImport.objects.filter(bureau=bureau).select_related("created_by")


def as_core(row: BenchmarkValue) -> greencore.BenchmarkValue:
    return greencore.BenchmarkValue(
        row.industry, row.product, row.year, row.input_id, row.value, row.unit, row.source, row.mark
    )


def benchmarks_for(call: Call, applicant: Organisation) -> dict[str, greencore.BenchmarkValue]:
    """The values the call's bureau keeps that apply to the applicant's industry in the call's year
    (greencore.match_benchmarks), by input id; none when the unit has no industry on record."""
    if applicant.industry_id is None:
        return {}
    candidates = BenchmarkValue.objects.filter(bureau_id=call.authority_id, year__lte=call.opens_on.year)
    return greencore.match_benchmarks(
        (as_core(row) for row in candidates), str(applicant.industry_id), call.opens_on.year
    )
