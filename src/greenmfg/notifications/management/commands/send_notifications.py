"""Send the deadline reminders due today and retry failed e-mails (for cron); `--schedule` starts the
worker's own periodic dispatch instead (called by ``serve``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from greenmfg.notifications.services import dispatch
from greenmfg.notifications.tasks import schedule_dispatch


class Command(BaseCommand):
    help = "Send due deadline reminders and retry failed notification e-mails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="queue the periodic dispatch in the worker"
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["schedule"]:
            scheduled = schedule_dispatch()
            self.stdout.write(
                "dispatch scheduled" if scheduled else "the task backend cannot schedule; use cron"
            )
            return
        done = dispatch()
        self.stdout.write(f"{done.reminders} reminders sent, {done.retried} e-mails retried")
