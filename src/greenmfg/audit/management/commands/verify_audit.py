"""Verify the whole audit log (chain, checkpoints, checkpoint file, signed records), or an exported file
offline; print where it breaks and exit non-zero when it does."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from greenmfg.audit import signing
from greenmfg.audit.verification import Report, verify_export, verify_log


class Command(BaseCommand):
    help = "Verify the audit log and its signed checkpoints (or an export with --file)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, help="an export written by export_audit, checked offline")
        parser.add_argument(
            "--public-key",
            action="append",
            default=[],
            help="128-hex SM2 public key trusted for checkpoints (default: this installation's keys)",
        )
        parser.add_argument("--no-records", action="store_true", help="skip the signed records")

    def handle(self, *args: object, **options: object) -> None:
        signing.self_test()
        pinned = [bytes.fromhex(str(k)) for k in options["public_key"]]  # type: ignore[attr-defined]
        path = options["file"]
        if isinstance(path, Path):
            if not path.exists():
                raise CommandError(f"找不到文件 / no such file: {path}")
            report = verify_export(path, pinned or None)
            subject = f"export {path}"
        else:
            report = verify_log(signed_records=not options["no_records"])
            subject = "audit log"
        self._print(subject, report)
        if not report.ok:
            raise CommandError(f"{len(report.problems)} problem(s) / 发现 {len(report.problems)} 处问题")

    def _print(self, subject: str, report: Report) -> None:
        self.stdout.write(
            f"{subject}: {report.events} events, {report.checkpoints} checkpoints, "
            f"signed up to tree size {report.signed_size}"
        )
        for note in report.notes:
            self.stdout.write(f"  note: {note}")
        for problem in report.problems[:200]:
            self.stdout.write(self.style.ERROR(f"  FAIL {problem}"))
        if len(report.problems) > 200:
            self.stdout.write(f"  … and {len(report.problems) - 200} more")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("  OK: intact / 完整"))
