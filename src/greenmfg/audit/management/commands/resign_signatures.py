"""Re-sign the envelopes of the former SM2 signer (nonce from `random`) with the current key, one audit
event per object; refuse and list any that no longer verify."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from greenmfg.audit.services import resign_signatures


class Command(BaseCommand):
    help = "Replace legacy SM2 signatures by signatures with the current platform key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        report = resign_signatures(dry_run=bool(options["dry_run"]))
        for name in report.resigned:
            self.stdout.write(f"  {'would re-sign' if options['dry_run'] else 're-signed'} {name}")
        for name, reason in report.refused:
            self.stdout.write(self.style.ERROR(f"  REFUSED {name}: {reason}"))
        self.stdout.write(str(report))
        if report.refused:
            raise CommandError(
                f"{len(report.refused)} signature(s) refused / {len(report.refused)} 个签名未通过核验"
            )
