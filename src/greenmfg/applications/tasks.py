"""Background work of the applications context (run by `manage.py db_worker`)."""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django_tasks import task

from greencore.raw_form import fields_from_workbook
from greencore.scoring.inputs import InputError
from greencore.scoring.raw import raw_scoring
from greencore.workbook import read_workbook
from greencore.workbook_raw import fed_by_raw, read_raw_sheets

logger = logging.getLogger(__name__)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return "" if math.isnan(value) else format(Decimal(repr(value)).normalize(), "f")
    return "" if value is None else str(value)


def answers_from_workbook(scheme: Any, path: Path) -> dict[str, dict[str, str]]:
    """The answers (as typed text under form keys) of a filled self-evaluation workbook."""
    from .dossier import build_form

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
                    inputs[f"tin:{key}:{row}:{column}"] = _text(cell)
        else:
            inputs[f"in:{key}"] = _text(value)
    inputs = {k: v for k, v in inputs.items() if v.strip() and form.accepts(k)}
    raw = fields_from_workbook(path) if fed_by_raw(scheme) else {}
    return {"inputs": inputs, "raw": raw}


def _failed(job: Any, zh: str, en: str, place: str = "") -> None:
    if place:
        zh, en = f"{place}：{zh}", f"{place}: {en}"
    job.status, job.message = "failed", zh
    job.errors = [{"place": place, "zh": zh, "en": en}]


@task()
def import_workbook(job_id: int) -> str:
    """Read the workbook into the draft. Whatever goes wrong, the job ends failed with the reason in
    Chinese and English, and the uploaded file is deleted (it is not kept: PI-03). A worker that dies
    mid-job leaves it running; `fail_stale_imports` ends it when the worker restarts."""
    from greenmfg.orgs.selectors import actor_of

    from .dossier import scheme_for
    from .models import ImportJob
    from .services import ApplicationError, replace_answers

    job = ImportJob.objects.select_related("application__call", "created_by").get(pk=job_id)
    job.status, job.progress = ImportJob.Status.RUNNING, 10
    job.save(update_fields=["status", "progress"])
    path: Path | None = None
    try:
        call = job.application.call
        scheme = scheme_for(call.scheme_id, call.scheme_version)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "import.xlsx"
            with default_storage.open(job.file.name, "rb") as source, path.open("wb") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
            answers = answers_from_workbook(scheme, path)
        job.progress = 60
        job.save(update_fields=["progress"])
        actor = actor_of(job.created_by)
        if actor is None:
            raise ApplicationError("导入人已无权限。", "the importing user lost access")
        replace_answers(actor, job.application, answers, source=f"workbook:{job.file_name}")
    except InputError as error:
        # the place names the user's file, never the worker's temporary copy
        place = error.place.replace(str(path), job.file_name) if path is not None else error.place
        _failed(job, error.zh, error.en, place)
    except ApplicationError as error:
        _failed(job, error.zh, error.en)
    except Exception as error:  # a malformed or hostile file: the reason, never a job left running
        logger.exception("workbook import %s failed", job_id)
        _failed(
            job,
            f"无法读取该工作簿（{type(error).__name__}），请使用本平台下载的自评价表重新填写后导入。",
            f"the workbook cannot be read ({type(error).__name__}); fill in the platform's template again",
        )
    else:
        count = len(answers["inputs"]) + len(answers["raw"])
        job.status, job.message = ImportJob.Status.DONE, f"已导入 {count} 项数据。"
    finally:
        default_storage.delete(job.file.name)  # residual information: the upload is not kept (PI-03)
    job.progress = 100
    job.save(update_fields=["status", "message", "errors", "progress"])
    return job.status
