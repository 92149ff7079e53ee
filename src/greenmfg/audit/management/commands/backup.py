"""Back up the database and the stored files into one archive with an SM2-signed SM3 manifest."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from greenmfg.audit.backup import backup


class Command(BaseCommand):
    help = "Archive the database (SQLite backup API / pg_dump -Fc) and MEDIA files with an SM3 manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, nargs="?", help="default: var/backups/greenmfg-<time>.tar")

    def handle(self, *args: object, **options: object) -> None:
        path = options["path"]
        if not isinstance(path, Path):
            path = Path(settings.VAR_DIR) / "backups" / f"greenmfg-{timezone.now():%Y%m%dT%H%M%S}.tar"
        path.parent.mkdir(parents=True, exist_ok=True)
        manifest = backup(path)
        members = manifest["members"]
        self.stdout.write(
            f"{path}: {manifest['database']} database and {len(members) - 1} stored files, "
            f"manifest signed by key {manifest['signature']['key_id']}"
        )
