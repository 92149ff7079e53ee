"""Export the audit log with its checkpoints and proofs (JSON lines) for offline verification."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from greenmfg.audit.selectors import export_to
from greenmfg.audit.services import AuditIntegrityError


class Command(BaseCommand):
    help = "Write the audit log (events in an id range), its checkpoints and proofs to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--from-id", type=int, default=None)
        parser.add_argument("--to-id", type=int, default=None)

    def handle(self, *args: object, **options: object) -> None:
        path = options["path"]
        assert isinstance(path, Path)
        try:
            summary = export_to(path, first_id=options["from_id"], last_id=options["to_id"])  # type: ignore[arg-type]
        except AuditIntegrityError as refused:
            raise CommandError(f"{refused.zh} / {refused.en}") from refused
        self.stdout.write(
            f"{path}: events {summary.events} (leaves {summary.first_index}–{summary.last_index}), "
            f"{summary.checkpoints} checkpoints, proofs against tree size {summary.tree_size}"
        )
