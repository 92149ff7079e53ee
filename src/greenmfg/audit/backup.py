"""Backing up and restoring the database and the stored files together (issue 16; security.md BAK-01).

A backup is one tar file:

- ``db.sqlite3`` (SQLite's online backup API: a consistent copy while the platform runs) or ``db.dump``
  (PostgreSQL, ``pg_dump --format=custom``);
- ``media/…``: every file under MEDIA_ROOT;
- ``manifest.json``: the SM3 digest and size of every member, signed with the platform's SM2 key.

Restoring checks the manifest's signature and every member's SM3 before anything is replaced, loads the
database (SQLite: the backup API again; PostgreSQL: ``pg_restore --clean``), puts the files back, then
verifies the audit log and the SM3 of every stored file the database records. The keys are not in the
backup (they never go with the data they protect): back up the key directory separately.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connections
from django.utils import timezone

from . import signing
from .models import Checkpoint
from .services import checkpoint_file, last_filed_checkpoint, record
from .verification import Report, verify_log

MANIFEST = "manifest.json"
FORMAT = "greenmfg-backup/1"
CHUNK = 1 << 20

# Files the database records with an SM3 digest, as (model label, file name field, digest field).
STORED_FILES: tuple[tuple[str, str, str], ...] = (
    ("evidence.EvidenceFile", "storage_name", "sm3"),
    ("evaluations.Finding", "storage_name", "file_sm3"),
    ("reviews.CreditCheck", "file", "file_sm3"),
    ("publication.ObjectionFile", "file", "sm3"),
)


class BackupError(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{en} / {zh}")
        self.zh, self.en = zh, en


@dataclass
class RestoreReport:
    files_checked: int = 0
    file_problems: list[str] = field(default_factory=list)
    audit: Report | None = None
    set_aside: Path | None = None  # the checkpoint file of the log that was replaced

    @property
    def ok(self) -> bool:
        return not self.file_problems and self.audit is not None and self.audit.ok


def _sm3_of(path: Path) -> str:
    digest = hashes.Hash(hashes.SM3())
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.finalize().hex()


def _database() -> dict[str, Any]:
    return dict(connections["default"].settings_dict)


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore (the password through the environment)."""
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _dump_database(work: Path) -> Path:
    db = _database()
    if connections["default"].vendor == "sqlite":
        target = work / "db.sqlite3"
        source = sqlite3.connect(str(db["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    if connections["default"].vendor == "postgresql":
        target = work / "db.dump"
        args, env = _pg_env(db)
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args], check=True, env=env
        )
        return target
    raise BackupError("不支持的数据库", f"unsupported database {connections['default'].vendor}")


def _media_files() -> Iterator[Path]:
    root = Path(settings.MEDIA_ROOT)
    if root.exists():
        yield from sorted(p for p in root.rglob("*") if p.is_file())


def backup(target: Path) -> dict[str, Any]:
    """Write a backup archive to `target` and return its manifest."""
    record("system.backup", detail={"archive": target.name})
    with tempfile.TemporaryDirectory(prefix="greenmfg-backup-") as tmp:
        work = Path(tmp)
        dump = _dump_database(work)
        members: dict[str, dict[str, Any]] = {dump.name: {"sm3": _sm3_of(dump), "size": dump.stat().st_size}}
        root = Path(settings.MEDIA_ROOT)
        media = list(_media_files())
        for path in media:
            name = "media/" + path.relative_to(root).as_posix()
            members[name] = {"sm3": _sm3_of(path), "size": path.stat().st_size}
        body = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": connections["default"].vendor,
            "members": members,
        }
        manifest = {**body, "signature": signing.sign(body)}
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            for path in media:
                archive.add(path, arcname="media/" + path.relative_to(root).as_posix())
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    return manifest


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = archive.getmembers()
    for member in members:
        parts = Path(member.name).parts
        if not member.isfile() or member.name.startswith("/") or ".." in parts:
            raise BackupError(f"备份中有不安全的条目 {member.name}", f"unsafe archive member {member.name!r}")
    return members


def check_archive(source: Path, work: Path) -> dict[str, Any]:
    """Extract `source` into `work` and check the manifest's signature and every member's SM3."""
    with tarfile.open(source, "r") as archive:
        archive.extractall(work, members=_safe_members(archive), filter="data")
    manifest: dict[str, Any] = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    body = {k: v for k, v in manifest.items() if k != "signature"}
    if body.get("format") != FORMAT or not signing.verify_trusted(body, manifest.get("signature")):
        raise BackupError("备份清单的 SM2 签名无效", "the backup manifest's SM2 signature does not verify")
    present = {p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()} - {MANIFEST}
    if present != set(body["members"]):
        raise BackupError("备份中的文件与清单不符", "the archive's files differ from its manifest")
    for name, meta in body["members"].items():
        if _sm3_of(work / name) != meta["sm3"]:
            raise BackupError(f"{name} 的 SM3 与清单不符", f"{name}: SM3 differs from the manifest")
    if body["database"] != connections["default"].vendor:
        raise BackupError("备份来自另一种数据库", f"the backup is of a {body['database']} database")
    return manifest


def _load_database(work: Path) -> None:
    db = _database()
    connections.close_all()
    if connections["default"].vendor == "sqlite":
        source = sqlite3.connect(str(work / "db.sqlite3"))
        live = sqlite3.connect(str(db["NAME"]))
        try:
            source.backup(live)
        finally:
            live.close()
            source.close()
        return
    args, env = _pg_env(db)
    subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *args,
            str(work / "db.dump"),
        ],
        check=True,
        env=env,
    )


def _put_back_media(work: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    restored = work / "media"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    if restored.exists():
        shutil.copytree(restored, root, dirs_exist_ok=True)


def verify_stored_files() -> tuple[int, list[str]]:
    """The SM3 of every stored file the database records: (files checked, problems)."""
    checked, problems = 0, []
    for label, name_field, digest_field in STORED_FILES:
        model = apps.get_model(label)
        rows = model.objects.exclude(**{digest_field: ""}).values_list("pk", name_field, digest_field)
        for pk, name, digest in rows.iterator(chunk_size=500):
            if not name:
                continue
            checked += 1
            try:
                actual = _sm3_of(Path(default_storage.path(str(name))))
            except FileNotFoundError:
                problems.append(f"{label}#{pk}: file {name} is missing / 文件缺失")
                continue
            if actual != digest:
                problems.append(f"{label}#{pk}: file {name} differs from its SM3 / 文件与 SM3 不符")
    return checked, problems


def restore(source: Path) -> RestoreReport:
    """Check `source`, then replace the database and the stored files with it and verify both."""
    with tempfile.TemporaryDirectory(prefix="greenmfg-restore-") as tmp:
        work = Path(tmp)
        check_archive(source, work)
        _load_database(work)
        _put_back_media(work)
    report = RestoreReport()
    report.set_aside = _set_aside_newer_checkpoints()
    report.files_checked, report.file_problems = verify_stored_files()
    report.audit = verify_log()
    record(
        "system.restored",
        success=report.ok,
        detail={
            "archive": source.name,
            "files": report.files_checked,
            "audit_ok": report.audit.ok,
            "checkpoints_set_aside": str(report.set_aside or ""),
        },
    )
    return report


def _set_aside_newer_checkpoints() -> Path | None:
    """Restoring an older backup rolls the log back: the checkpoint file then holds checkpoints the
    restored database never reached. The operator chose that rollback, so the file is kept under another
    name (evidence of what was lost, recorded in the restore's audit event) and a new one starts."""
    filed = last_filed_checkpoint()
    if filed is None:
        return None
    if Checkpoint.objects.filter(tree_size=filed.tree_size, root_hash=filed.root.hex()).exists():
        return None
    path = checkpoint_file()
    aside = path.with_name(f"{path.name}.before-restore-{timezone.now():%Y%m%dT%H%M%S}")
    os.replace(path, aside)
    return aside
