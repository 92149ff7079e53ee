"""Queue again (once) or fail the background downloads whose worker died; with --schedule, make sure the
periodic sweep is queued (serve does this at start)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from greenmfg.register import export_jobs


class Command(BaseCommand):
    help = "Sweep stale download jobs now (or, with --schedule, queue the periodic sweep)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true", help="only queue the periodic sweep task")

    def handle(self, *args: object, **options: object) -> None:
        if options["schedule"]:
            scheduled = export_jobs.schedule_sweep()
            seconds = int(export_jobs.sweep_interval().total_seconds())
            self.stdout.write(f"export sweep every {seconds} s: {'queued' if scheduled else 'NOT scheduled'}")
            return
        requeued, failed = export_jobs.reclaim_stale()
        self.stdout.write(f"{requeued} download job(s) queued again, {failed} failed")
