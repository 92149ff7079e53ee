"""Backup and restore (issue 16): the database and the stored files go into one archive with an
SM2-signed SM3 manifest; a restore checks it, puts both back, and the restored platform verifies its audit
log and every stored file's SM3. Runs on SQLite and on PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import io
import tarfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from factories import actor, pdf_bytes, start
from test_audit_and_evidence import first_indicator

from greenmfg.applications import services as applications
from greenmfg.applications.models import Application
from greenmfg.audit.backup import verify_stored_files
from greenmfg.audit.models import Checkpoint, Event
from greenmfg.audit.services import write_checkpoint
from greenmfg.audit.verification import verify_log
from greenmfg.evidence.models import EvidenceFile


@pytest.fixture
def platform(tx_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "checkpoints.jsonl"
    user = tx_world.users["sz-machinery"]
    application = start(user)
    item = applications.upload_evidence(
        actor(user), application, first_indicator(application), io.BytesIO(pdf_bytes("backup")), "证书.pdf"
    )
    write_checkpoint()
    return tx_world, application, item


def test_a_backup_restores_the_database_and_files_and_both_verify(platform, tmp_path):
    world, application, item = platform
    archive = tmp_path / "greenmfg.tar"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "database and 1 stored files, manifest signed by key" in out.getvalue()
    events_at_backup = Event.objects.count()

    # after the backup: the file is lost, more work is done and checkpointed
    default_storage.delete(item.storage_name)
    later = start(world.users["sz-energy"])
    write_checkpoint()
    assert verify_stored_files()[1] == [
        f"evidence.EvidenceFile#{item.pk}: file {item.storage_name} is missing / 文件缺失"
    ]

    out = io.StringIO()
    call_command("restore", str(archive), "--yes", stdout=out)
    text = out.getvalue()
    assert "1 stored files checked by SM3" in text
    assert "checkpoints newer than the backup set aside" in text
    assert f"audit log: {events_at_backup} events verified; files OK" in text
    assert EvidenceFile.objects.filter(pk=item.pk).exists()
    assert default_storage.exists(item.storage_name)
    assert not Application.objects.filter(pk=later.pk).exists()
    assert Application.objects.filter(pk=application.pk).exists()
    assert verify_stored_files() == (1, [])
    assert verify_log().ok
    restored = Event.objects.get(action="system.restored")
    assert restored.success and restored.detail["audit_ok"]
    assert Event.objects.filter(action="system.backup").count() == 1
    assert Checkpoint.objects.count() == 1


def test_a_damaged_or_foreign_backup_is_refused_before_anything_changes(platform, tmp_path):
    archive = tmp_path / "greenmfg.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    before = Event.objects.count()
    with pytest.raises(CommandError, match="SM3 differs from the manifest"):
        call_command("restore", str(damaged), "--yes", stdout=io.StringIO())
    assert Event.objects.count() == before
    assert verify_stored_files()[1] == []
