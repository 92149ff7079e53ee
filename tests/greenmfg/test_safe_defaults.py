"""Safe defaults (issue 16): production mode refuses the public SECRET_KEY, DEBUG and the demo's accounts;
the demo's TOTP secrets are random per installation; a failed or orphaned import never stays running."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.test import override_settings
from django.utils import timezone
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult
from factories import World, start

from greenmfg.applications.models import ImportJob
from greenmfg.applications.services import fail_stale_imports
from greenmfg.applications.tasks import import_workbook
from greenmfg.evidence.validation import sm3_hex

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "-a-long-random-production-key-" + "z" * 20


def _ids(messages: list[Any]) -> set[str]:
    return {m.id for m in messages if m.id.startswith("greenmfg.")}


def test_production_refuses_the_public_key_and_debug() -> None:
    with override_settings(PRODUCTION=True, SECRET_KEY=settings.DEMO_SECRET_KEY, DEBUG=True):
        assert _ids(run_checks()) == {"greenmfg.E001", "greenmfg.E002"}
    with override_settings(PRODUCTION=True, SECRET_KEY=STRONG_KEY, DEBUG=False):
        assert _ids(run_checks()) == set()
    # the demo (the default mode) runs with the demo key, as `make run` always did
    with override_settings(PRODUCTION=False, SECRET_KEY=settings.DEMO_SECRET_KEY):
        assert _ids(run_checks()) == set()


def test_production_refuses_to_start_with_demo_accounts(world: World) -> None:
    with override_settings(PRODUCTION=True, SECRET_KEY=STRONG_KEY, DEBUG=False):
        assert _ids(run_checks(include_deployment_checks=True)) == {"greenmfg.E003"}
        with pytest.raises(SystemCheckError, match=r"greenmfg\.E003"):
            call_command("check", deploy=True, fail_level="ERROR")
        with pytest.raises(CommandError, match="GREENMFG_ENV=production"):
            call_command("seed_demo")
    # deactivated, they no longer stop it
    world.users["mof-reviewer"].__class__.objects.filter(
        username__in=[u.username for u in world.users.values()]
    ).update(is_active=False)
    with override_settings(PRODUCTION=True, SECRET_KEY=STRONG_KEY, DEBUG=False):
        assert _ids(run_checks(include_deployment_checks=True)) == set()


def test_serve_in_production_with_the_public_key_does_not_start(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "GREENMFG_ENV": "production",
        "GREENMFG_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "greenmfg.settings",
    }
    env.pop("GREENMFG_SECRET_KEY", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "serve", "--port", "1"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "greenmfg.E001" in done.stderr
    assert not (tmp_path / "db.sqlite3").exists() or "migrat" not in done.stdout


def test_the_demos_totp_secrets_are_random_per_installation(world: World) -> None:
    device = world.users["mof-reviewer"].totpdevice_set.get()
    # not the secret every installation used to derive from the user name
    assert device.key != hashlib.sha256(b"greenmfg-demo-mof-reviewer").hexdigest()[:40]
    keys = {u.totpdevice_set.get().key for u in world.users.values() if u.totpdevice_set.exists()}
    assert len(keys) == sum(1 for u in world.users.values() if u.totpdevice_set.exists()) > 5


# --- import jobs end, failed or done --------------------------------------------------------------


def _job(
    world: World, content: bytes, status: str = "queued", call: str = "suzhou-2026-factory"
) -> ImportJob:
    application = start(world.users["sz-machinery"], call)
    job = ImportJob(application=application, created_by=world.users["sz-machinery"], file_name="表.xlsx")
    job.file.save("import.xlsx", ContentFile(content), save=False)
    job.file_sm3 = sm3_hex(io.BytesIO(content))  # as the checked-file service records it (ADR 0009)
    job.status = status
    job.save()
    return job


def test_a_malformed_workbook_fails_in_both_languages_and_leaves_no_file(world: World) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-a-workbook")
    job = _job(world, buffer.getvalue())
    name = job.file.name
    assert default_storage.exists(name)
    assert import_workbook.call(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and job.progress == 100
    zh, en = job.errors[0]["zh"], job.errors[0]["en"]
    assert zh.startswith("表.xlsx：") and "无法读取" in zh and "/tmp" not in zh
    assert en.startswith("表.xlsx: ") and en != zh
    assert not default_storage.exists(name)
    client = world.client("sz-machinery")
    client.cookies["django_language"] = "en"
    page = client.get(f"/applications/{job.application.public_id}/import/{job.pk}/").content.decode()
    assert escape(en) in page


def test_a_job_claimed_by_a_dead_worker_is_marked_failed(world: World) -> None:
    job = _job(world, b"PK\x03\x04", status="running")
    result = DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [job.pk], "kwargs": {}},
        task_path="greenmfg.applications.tasks.import_workbook",
        worker_ids=["serve-host-1-0"],
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.pk))
    other = _job(world, b"PK\x03\x04", status="running", call="suzhou-2026-factory-grading")
    # another worker's live job is left alone
    assert fail_stale_imports(dead_worker="serve-host-9-0") == 0
    assert fail_stale_imports(dead_worker="serve-host-1-0") == 1
    job.refresh_from_db()
    result.refresh_from_db()
    assert (job.status, result.status) == ("failed", "FAILED")
    assert "意外终止" in job.errors[0]["zh"] and "stopped unexpectedly" in job.errors[0]["en"]
    assert not default_storage.exists(job.file.name)
    # a job nobody finishes is failed after the timeout
    later = timezone.now() + timedelta(minutes=16)
    assert fail_stale_imports(now=later) == 1
    other.refresh_from_db()
    assert other.status == "failed"
