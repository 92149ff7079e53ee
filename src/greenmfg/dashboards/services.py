"""Writes of the dashboards context: a bureau's targets, and the reference targets of the plans greenmfg
was built from (data/targets.csv, reloaded idempotently)."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from greencore import (
    StatisticsError,
    TableColumn,
    backtest_draft,
    required_count,
    with_derived,
    write_table_xlsx_to,
)
from greenmfg.applications.models import Application, Dossier
from greenmfg.applications.states import PRIVATE
from greenmfg.audit import services as audit
from greenmfg.audit.hashing import sm3
from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.core.errors import Refused
from greenmfg.orgs.selectors import Actor, in_jurisdiction
from greenmfg.schemes.models import LocalScheme
from greenmfg.schemes.selectors import get_scheme, keeps_schemes, scheme_of

from .models import Backtest, BacktestMove, Confidence, Target
from .selectors import result_dict

DATA = Path(__file__).resolve().parent / "data" / "targets.csv"
MAX_COUNT = 1_000_000


class TargetRefused(Refused):
    pass


def load_reference_targets(path: Path = DATA) -> int:
    """Create or update the reference targets (keyed by `key`); returns how many rows were read."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with transaction.atomic():
        for row in rows:
            Target.objects.update_or_create(
                reference_key=row["key"],
                defaults={
                    "scope": row["scope"],
                    "region_id": row["region"] or None,
                    "place_text": row["place_text"],
                    "kind": row["kind"],
                    "level": row["level"],
                    "count": int(row["count"]),
                    "deadline": date.fromisoformat(row["deadline"]),
                    "source_document": row["source_document"],
                    "source_ref": row["source_ref"],
                    "confidence": row["confidence"],
                },
            )
    return len(rows)


def record_target(
    actor: Actor,
    *,
    kind: str,
    level: str,
    count: int | None,
    deadline: date,
    source_document: str,
    source_ref: str = "",
    share: Decimal | None = None,
    base_count: int | None = None,
    base_label: str = "",
) -> Target:
    """A target of the bureau's own jurisdiction: a count, or a share (%) of a base the bureau names, whose
    count greencore computes (`required_count`, rounded up). The form has checked the fields' shapes; this
    checks the rule: only a bureau records targets, for its own jurisdiction."""
    if not actor.is_reviewer:
        raise TargetRefused("只有主管部门可以设定目标。", "Only an authority records targets.")
    if kind not in TitleKind.values or (level and level not in TitleLevel.values):
        raise TargetRefused("称号类型或级别无效。", "Unknown title kind or level.")
    if share is not None:
        if count is not None or base_count is None or not base_label.strip():
            raise TargetRefused(
                "占比目标须填写基数及其说明，且不再填写目标数量。",
                "A share needs its base and what the base is, and no count.",
            )
        try:
            count = required_count(share, base_count)
        except StatisticsError:
            raise TargetRefused(
                "占比应大于 0、不超过 100%。", "The share must be above 0 and at most 100 %."
            ) from None
    elif base_count is not None:
        raise TargetRefused("只有占比目标才有基数。", "Only a share has a base.")
    if count is None or not 0 < count <= MAX_COUNT:
        raise TargetRefused("目标数量应为 1 至 1000000。", "The target count must be 1 to 1,000,000.")
    if not source_document.strip():
        raise TargetRefused("请填写目标的出处（文件名称）。", "Name the source document of the target.")
    authority = actor.organisation
    ministry = authority.level == "ministry"
    fields: dict[str, Any] = {
        "scope": authority.level,
        "region": None if ministry else authority.region,
        "place_text": "全国" if ministry else authority.region.name,
        "kind": kind,
        "level": level,
        "count": count,
        "share": share,
        "base_count": base_count,
        "base_label": base_label.strip() if share is not None else "",
        "deadline": deadline,
        "source_document": source_document.strip(),
        "source_ref": source_ref.strip(),
        "confidence": Confidence.VERIFIED,  # the bureau's own document
        "authority": authority,
        "recorded_by": actor.user,
    }
    with transaction.atomic():
        target = Target.objects.create(**fields)
        audit.record(
            "target.recorded",
            actor=actor.user,
            role=actor.role,
            organisation_id=authority.pk,
            obj=target,
            detail={
                "kind": kind,
                "level": level,
                "count": count,
                "share": None if share is None else str(share),
                "base_count": base_count,
                "deadline": deadline.isoformat(),
            },
        )
    return target


# --- scheme back-testing ---------------------------------------------------------------------------------

MOVES_PER_BATCH = 2000  # moved units named and inserted per round trip


class BacktestRefused(Refused):
    pass


def start_backtest(actor: Actor, row: LocalScheme) -> Backtest:
    """Queue the back-test of one of the bureau's local schemes (the view fetched it through
    schemes.access.access_own_scheme); the worker runs `run_backtest` and the page shows its progress."""
    if not keeps_schemes(actor) or row.bureau_id != actor.organisation.pk:
        raise BacktestRefused(
            "只有制定该方案的主管部门可以回测。", "Only the bureau that keeps the scheme back-tests it."
        )
    with transaction.atomic():
        job = Backtest.objects.create(
            authority=actor.organisation,
            scheme=row,
            scheme_key=row.key,
            scheme_sm3=row.text_sm3,
            current_key=row.parent_key,
            created_by=actor.user,
        )
        audit.record(
            "backtest.queued",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=job,
            detail={"scheme": row.key, "current": row.parent_key},
        )
        transaction.on_commit(lambda: backtest_task.enqueue(job.pk))
    return job


def _past_answers(job: Backtest, current_key: str) -> tuple[list[int], list[dict[str, Any]]]:
    """The submitted applications of the jurisdiction under the current scheme: each one's last submitted
    answers (with the inputs its result derived from raw data), in application order."""
    scheme_id, _, version = current_key.partition("@")
    applications = Application.objects.filter(
        in_jurisdiction(job.authority, "region"), call__scheme_id=scheme_id, call__scheme_version=version
    ).exclude(state__in=PRIVATE)
    seen: set[int] = set()
    ids: list[int] = []
    answers: list[dict[str, Any]] = []
    for application, stored, result in (
        Dossier.objects.filter(application__in=applications, frozen_at__isnull=False)
        .order_by("application_id", "-number")
        .values_list("application_id", "answers", "result")
        .iterator(chunk_size=2000)
    ):
        if application in seen:
            continue
        seen.add(application)
        ids.append(application)
        answers.append(with_derived((stored or {}).get("inputs") or {}, result_dict(result)))
    return ids, answers


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _or_blanks(values: list[Decimal] | None, n: int) -> list[Decimal | None]:
    return list(values) if values is not None else [None] * n


def _score(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def backtest_workbook_rows(job: Backtest) -> Iterator[tuple[Any, ...]]:
    """The units that move, one row each (grades and scores as greencore compared them)."""
    no_grade = _("无等级")
    for move in BacktestMove.objects.filter(job=job).order_by("position").iterator(chunk_size=2000):
        yield (
            move.unit,
            _("升级") if move.direction == BacktestMove.Direction.GAINED else _("降级"),
            move.grade_before or no_grade,
            move.grade_after or no_grade,
            _score(move.score_before),
            _score(move.score_after),
        )


def _write_workbooks(job: Backtest) -> None:
    """The Excel list of moved units, once per language, into the shared storage (the download serves the
    stored file: a list of 100,000 units is never built in a request). Real numbers, a frozen header with
    filters (greencore's bureau table, written row by row)."""
    # the places greencore scored at (the scheme's precision), shown as such
    scores = BacktestMove.objects.filter(job=job).exclude(score_before="")
    decimals = len((scores.values_list("score_before", flat=True).first() or "0.00").partition(".")[2])
    names = {"draft": job.scheme_key, "current": job.current_key}
    for language, field in (("zh-hans", "workbook_zh"), ("en", "workbook_en")):
        with translation.override(language), tempfile.TemporaryFile() as handle:
            columns = (
                TableColumn(_("申报单位"), 40),
                TableColumn(_("变化"), 10),
                TableColumn(_("原等级"), 10),
                TableColumn(_("新等级"), 10),
                TableColumn(_("原得分"), 12, "decimal", decimals),
                TableColumn(_("新得分"), 12, "decimal", decimals),
            )
            write_table_xlsx_to(
                handle,
                _("回测：%(draft)s 对比 %(current)s") % names,
                f"{job.authority.name} · {timezone.localdate(job.created_at):%Y-%m-%d}",
                columns,
                backtest_workbook_rows(job),
                sheet=_("方案回测"),
            )
            handle.seek(0)
            getattr(job, field).save(f"backtest-{job.pk}-{language}.xlsx", File(handle), save=False)
    Backtest.objects.filter(pk=job.pk).update(
        workbook_zh=job.workbook_zh.name, workbook_en=job.workbook_en.name
    )


def run_backtest(job: Backtest) -> Backtest:
    """Re-score the past applications under the current scheme and the draft (greencore.backtest) and keep
    the comparison on the job."""
    Backtest.objects.filter(pk=job.pk).update(status=Backtest.Status.RUNNING, progress=1)
    row = job.scheme
    if sm3(row.text.encode()) != job.scheme_sm3:
        raise BacktestRefused(
            "方案文本在回测排队后已被替换，请重新回测。",
            "The scheme text changed after the back-test was queued.",
        )
    current = get_scheme(job.current_key)
    draft = scheme_of(row)
    ids, answers = _past_answers(job, job.current_key)
    Backtest.objects.filter(pk=job.pk).update(total=len(ids), progress=40)
    found = backtest_draft(current, draft, answers)
    Backtest.objects.filter(pk=job.pk).update(progress=80)
    moved = sorted(set(found.shifts.gained) | set(found.shifts.lost))
    gained = set(found.shifts.gained)
    summary = {
        "n": found.n,
        "grades": found.grades,
        "before": found.shifts.before,
        "after": found.shifts.after,
        "gained": len(found.shifts.gained),
        "lost": len(found.shifts.lost),
        "unchanged": found.shifts.unchanged,
        "moves": [[a, b, n] for (a, b), n in sorted(found.shifts.moves.items())],
        "passed": [found.passed_before, found.passed_after],
        "refused": [found.refused_before, found.refused_after],
        "quantiles": [
            [str(p), _text(b), _text(a)]
            for p, b, a in zip(
                found.probabilities,
                _or_blanks(found.quantiles_before, len(found.probabilities)),
                _or_blanks(found.quantiles_after, len(found.probabilities)),
                strict=True,
            )
        ],
        "moved_total": len(moved),
    }
    with transaction.atomic():
        # a re-run of the same job (a worker restarted it) replaces what an earlier run wrote
        BacktestMove.objects.filter(job=job).delete()
        for start in range(0, len(moved), MOVES_PER_BATCH):
            batch = moved[start : start + MOVES_PER_BATCH]
            units = dict(
                Application.objects.filter(pk__in=[ids[i] for i in batch]).values_list(
                    "pk", "applicant__name"
                )
            )
            public = dict(
                Application.objects.filter(pk__in=[ids[i] for i in batch]).values_list("pk", "public_id")
            )
            BacktestMove.objects.bulk_create(
                BacktestMove(
                    job=job,
                    position=i,
                    application=public[ids[i]],
                    unit=units[ids[i]],
                    direction=BacktestMove.Direction.GAINED if i in gained else BacktestMove.Direction.LOST,
                    grade_before=found.grade_before[i],
                    grade_after=found.grade_after[i],
                    score_before=_text(found.score_before[i]) or "",
                    score_after=_text(found.score_after[i]) or "",
                )
                for i in batch
            )
    Backtest.objects.filter(pk=job.pk).update(progress=90)
    _write_workbooks(job)
    Backtest.objects.filter(pk=job.pk).update(
        status=Backtest.Status.DONE,
        progress=100,
        summary=summary,
        message=f"{found.n} applications, {summary['gained']} gain, {summary['lost']} lose",
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


@task()
def backtest_workbooks_task(job_id: int) -> str:
    """Write the Excel lists of a back-test finished before they were written by the job itself."""
    job = Backtest.objects.select_related("authority").get(pk=job_id)
    if job.status == Backtest.Status.DONE and not (job.workbook_zh and job.workbook_en):
        _write_workbooks(job)
    return f"backtest {job_id}: workbooks"


def prepare_backtest_workbooks(job: Backtest) -> None:
    """Queue the Excel lists of a finished back-test that has none yet (one run before the lists were
    written by the job); writing them twice only rewrites the same files."""
    transaction.on_commit(lambda: backtest_workbooks_task.enqueue(job.pk))


@task()
def backtest_task(job_id: int) -> str:
    job = Backtest.objects.select_related("scheme", "authority").get(pk=job_id)
    try:
        return run_backtest(job).message
    except Exception as failure:  # recorded on the job for the bureau; the worker logs the trace
        message = failure.zh if isinstance(failure, Refused) else type(failure).__name__
        Backtest.objects.filter(pk=job_id).update(
            status=Backtest.Status.FAILED, message=message[:300], finished_at=timezone.now()
        )
        raise
