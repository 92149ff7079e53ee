"""Run the platform: migrate, load the reference data and the demo world, collect static files, then
start the web server (granian, WSGI) and the background worker side by side until interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start greenmfg (web server + task worker) with the demo data."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--workers", default="2")
        parser.add_argument("--no-demo", action="store_true")
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_reference")
        if not options["no_demo"]:
            call_command("seed_demo")
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_worker"]:
            call_command("audit_checkpoint", "--schedule")  # the worker then signs one every N minutes
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "greenmfg.settings"}
        processes = []
        if not options["no_worker"]:
            processes.append(subprocess.Popen([sys.executable, "manage.py", "db_worker"], env=env))
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "granian",
                    "--interface",
                    "wsgi",
                    "--host",
                    str(options["host"]),
                    "--port",
                    str(options["port"]),
                    "--workers",
                    str(options["workers"]),
                    "--no-ws",
                    "greenmfg.wsgi:application",
                ],
                env=env,
            )
        )
        self.stdout.write(
            f"greenmfg: http://{options['host']}:{options['port']}/  (database: "
            f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; Ctrl-C stops)"
        )

        def stop(*_: object) -> None:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(1)
        except KeyboardInterrupt:
            stop()
        stop()
