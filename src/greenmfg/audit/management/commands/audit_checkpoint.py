"""Sign a checkpoint of the audit log now; with --schedule, make sure the periodic one is queued."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from greenmfg.audit.services import AuditIntegrityError, write_checkpoint
from greenmfg.audit.tasks import interval, schedule_checkpoints


class Command(BaseCommand):
    help = "Sign a checkpoint of the audit log (or, with --schedule, queue the periodic task)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true", help="only queue the periodic checkpoint task")

    def handle(self, *args: object, **options: object) -> None:
        if options["schedule"]:
            scheduled = schedule_checkpoints()
            minutes = int(interval().total_seconds() // 60)
            self.stdout.write(
                f"audit checkpoints every {minutes} min: {'queued' if scheduled else 'NOT scheduled'}"
            )
            return
        try:
            checkpoint = write_checkpoint()
        except AuditIntegrityError as refused:
            raise CommandError(f"{refused.zh} / {refused.en}") from refused
        if checkpoint is None:
            self.stdout.write("the audit log is empty / 审计日志为空")
        else:
            self.stdout.write(
                f"checkpoint #{checkpoint.pk}: tree size {checkpoint.tree_size}, root {checkpoint.root_hash}"
            )
