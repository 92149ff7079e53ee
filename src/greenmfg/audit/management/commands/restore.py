"""Restore a backup: check its signed manifest and every SM3, replace the database and the stored files,
then verify the audit log and every stored file's SM3. Stop the web server and the worker first."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from greenmfg.audit.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `backup` (replaces the database and MEDIA files), then verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the data")

    def handle(self, *args: object, **options: object) -> None:
        path = options["path"]
        assert isinstance(path, Path)
        if not path.exists():
            raise CommandError(f"找不到备份 / no such backup: {path}")
        if (
            not options["yes"]
            and input(f"Replace the database and the stored files with {path}? [y/N] ") != "y"
        ):
            raise CommandError("cancelled / 已取消")
        try:
            report = restore(path)
        except BackupError as refused:
            raise CommandError(f"{refused.zh} / {refused.en}") from refused
        assert report.audit is not None
        self.stdout.write(f"restored {path}: {report.files_checked} stored files checked by SM3")
        if report.set_aside:
            self.stdout.write(f"  checkpoints newer than the backup set aside in {report.set_aside}")
        for problem in [*report.file_problems, *map(str, report.audit.problems)]:
            self.stdout.write(self.style.ERROR(f"  FAIL {problem}"))
        if not report.ok:
            raise CommandError("the restored data does not verify / 恢复的数据未通过核验")
        self.stdout.write(self.style.SUCCESS(f"  audit log: {report.audit.events} events verified; files OK"))
