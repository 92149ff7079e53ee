"""The writes of the benchmark tables: a bureau imports a workbook of values (through the checked-file
service); every row is checked first, and one bad row stores nothing, neither file nor value."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

import greencore
from greenmfg.audit import services as audit
from greenmfg.core.errors import Refused
from greenmfg.evidence import files
from greenmfg.orgs.selectors import Actor

from .models import BenchmarkImport, BenchmarkValue
from .selectors import benchmark_input_ids, keeps_benchmarks


class BenchmarkError(Refused):
    """A benchmark import refused as a whole (no file, not a workbook)."""


class BenchmarkRowsRefused(Refused):
    """Rows of the sheet are wrong: `problems` names each by row and column. Nothing was stored."""

    def __init__(self, problems: list[greencore.RowProblem]) -> None:
        super().__init__(
            f"有 {len(problems)} 处错误，未导入任何数据。", f"{len(problems)} problems; nothing was imported"
        )
        self.problems = problems


def import_benchmarks(actor: Actor, upload: UploadedFile[Any] | None) -> BenchmarkImport:
    """Check the workbook and every row; then set the bureau's values (a value for the same industry,
    product, year and input replaces the one held) and keep the file as the import's record."""
    if not keeps_benchmarks(actor):
        raise PermissionDenied
    if upload is None:
        raise BenchmarkError("请选择 .xlsx 基准值表。", "choose an .xlsx benchmark sheet")
    try:
        stored = files.receive(
            "benchmarks", upload, upload.name or "", actor=actor, under=str(actor.organisation.pk)
        )
    except files.FileRefused as refused:
        raise BenchmarkError(refused.zh, refused.en) from None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "benchmarks.xlsx"
            source = files.open_checked(
                stored.storage_name, stored.sm3, actor=actor, obj=None, refused_action="benchmarks.tampered"
            )
            with source, path.open("wb") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
            try:
                values, problems = greencore.read_benchmark_workbook(path, benchmark_input_ids())
            except greencore.GreencoreError as error:
                raise BenchmarkError(error.zh, error.en) from None
        if problems:
            raise BenchmarkRowsRefused(problems)
        with transaction.atomic():
            record = BenchmarkImport.objects.create(
                bureau=actor.organisation,
                file=stored.storage_name,
                file_name=stored.name,
                file_sm3=stored.sm3,
                count=len(values),
                created_by=actor.user,
            )
            for value in values:
                BenchmarkValue.objects.update_or_create(
                    bureau=actor.organisation,
                    industry=value.industry,
                    product=value.product,
                    year=value.year,
                    input_id=value.input_id,
                    defaults={
                        "value": value.value,
                        "unit": value.unit,
                        "source": value.source,
                        "mark": value.mark,
                        "imported": record,
                    },
                )
            audit.record(
                "benchmarks.imported",
                actor=actor.user,
                role=actor.role,
                organisation_id=actor.organisation.pk,
                obj=record,
                detail={"file": stored.name, "sm3": stored.sm3, "count": len(values)},
            )
    except BaseException:
        files.discard(stored.storage_name)
        raise
    return record
