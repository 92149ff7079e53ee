"""The platform as it runs (issue 16): `manage.py serve --no-demo` on a spare port against a temporary
SQLite database, in its own process group. A 300 MB anonymous objection upload is refused unread and the
web worker's peak memory stays within a budget; a worker killed with SIGKILL is restarted, the job it had
claimed is marked failed, and the web server keeps answering; a killed web server is restarted too."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from tests import dbtemplate

# one worker serves the platform for the module's tests (--dist loadgroup, pyproject.toml): on two
# workers, each would migrate, load and start its own
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("serve")]

ROOT = Path(__file__).resolve().parents[2]
UPLOAD_BYTES = 300 * 1024 * 1024
MEMORY_BUDGET_KB = 32 * 1024  # growth of the web worker's peak RSS while refusing the upload


@dataclass
class Served:
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes]

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, timeout: float = 60, after: int = 0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.compile(pattern).search(self.text(), after)
            if found:
                return found
            time.sleep(0.3)
        raise AssertionError(f"no {pattern!r} in the serve log:\n{self.text()[-3000:]}")

    def shell(self, code: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout.strip()

    def get(self, path: str) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            return connection.getresponse().status
        except OSError:
            return 0
        finally:
            connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("served")
    # The served database starts as a copy of the test databases' SQLite template (migrated, with the
    # regions, industries and demo world; tests/dbtemplate.py) when there is one, as there always is in a
    # SQLite session once its test database is set up: serve's migrate and reference load then find their
    # work done. Without one (a PostgreSQL session, GREENMFG_TEST_TEMPLATE=0) serve builds it all itself.
    if dbtemplate.enabled() and settings.DATABASES["default"]["ENGINE"] == dbtemplate.SQLITE:
        request.getfixturevalue("django_db_setup")
    dbtemplate.copy_sqlite_template(home / "greenmfg.sqlite3")
    env = {
        **os.environ,
        "GREENMFG_VAR_DIR": str(home),
        "GREENMFG_MEDIA_ROOT": str(home / "media"),
        "DATABASE_URL": f"sqlite:///{home / 'greenmfg.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "greenmfg.settings",
        "GREENMFG_ENV": "demo",
    }
    port = _free_port()
    log = home / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-u", "manage.py", "serve", "--no-demo", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    found = Served(port, env, log, process)
    try:
        deadline = time.monotonic() + 300
        while found.get("/health") != 200:
            assert process.poll() is None, found.text()[-3000:]
            assert time.monotonic() < deadline, found.text()[-3000:]
            time.sleep(1)
        yield found
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmHWM for {pid}")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def _pid(served: Served, name: str) -> int:
    matches = re.findall(rf"(?:started|restarted) {name} \(pid (\d+)", served.text())
    return int(matches[-1])


SETUP_NOTICE = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from greenmfg.applications.models import Application
from greenmfg.catalog.models import Call
from greenmfg.orgs.models import Organisation
from greenmfg.publication.models import PublicityEntry, PublicityNotice
from greenmfg.web.demo import seed_demo
seed_demo()
call = Call.objects.get(code="suzhou-2026-factory")
unit = Organisation.objects.get(name="苏州示例精密机械有限公司（演示）")
application = Application.objects.create(
    call=call, applicant=unit, region_id="320506", state="publicity", submitted_at=timezone.now()
)
today = timezone.localdate()
notice = PublicityNotice.objects.create(
    call=call, authority=call.authority, title="内存测试公示", opens_on=today,
    closes_on=today + timedelta(days=6), created_by=get_user_model().objects.get(username="sz-reviewer"),
)
entry = PublicityEntry.objects.create(notice=notice, application=application, unit_name=unit.name, region_name="吴中区")
print(notice.public_id, entry.pk)
"""


def _csrf(port: int, path: str) -> tuple[str, str]:
    """The CSRF cookie and form token of the page, as any visitor gets them."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    page = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    connection.close()
    assert cookie and token, page[:500]
    return cookie.group(1), token.group(1)


def _stream_post(port: int, path: str, size: int, fields: dict[str, str]) -> tuple[int, str, int]:
    """POST `size` bytes of multipart body with a valid CSRF token (as an attacker would), generated as it
    is sent (never held in memory). Returns the status, the body of the answer and how many bytes went
    out before the server stopped reading."""
    cookie, token = _csrf(port, path)
    boundary = "hardening300"
    head = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in {"csrfmiddlewaretoken": token, **fields}.items()
        ).encode()
        + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
    )
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(size))
    connection.putheader("Cookie", f"csrftoken={cookie}")
    connection.endheaders()
    chunk = b"%PDF" + b"\0" * (1024 * 1024 - 4)
    sent = 0
    try:
        connection.send(head)
        sent = len(head)
        while sent < size - len(tail):
            piece = chunk[: min(len(chunk), size - len(tail) - sent)]
            connection.send(piece)
            sent += len(piece)
        connection.send(tail)
        sent += len(tail)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed without reading the rest: what we want
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body, sent


@pytest.fixture(scope="module")
def notice(served: Served) -> tuple[str, str]:
    """An open publicity notice in the served database (with the demo world it needs), and its entry."""
    notice, entry = served.shell(SETUP_NOTICE).split()[-2:]
    return notice, entry


def objection_fields(entry: str) -> dict[str, str]:
    """A complete, valid objection: the upload is all that is wrong with it."""
    return {
        "entry": entry,
        "name": "张三",
        "contact": "zhangsan@example.cn",
        "grounds": "该单位的能耗数据与统计年报不一致，请核查。",
    }


def test_a_300_mb_objection_upload_is_refused_unread(served: Served, notice: tuple[str, str]) -> None:
    notice_id, entry = notice
    path = f"/publication/notices/{notice_id}/"
    assert served.get(path) == 200  # warm: the worker has imported and rendered what it needs
    web = _pid(served, "web server")
    worker = _children(web)[0]
    before = _peak_rss_kb(worker)
    status, body, sent = _stream_post(served.port, path, UPLOAD_BYTES, objection_fields(entry))
    after = _peak_rss_kb(worker)
    print(
        f"\n300 MB objection upload: HTTP {status}, {sent / 2**20:.1f} MB sent before the refusal; "
        f"web worker peak RSS {before / 1024:.1f} MB -> {after / 1024:.1f} MB "
        f"(+{(after - before) / 1024:.1f} MB, budget {MEMORY_BUDGET_KB / 1024:.0f} MB)"
    )
    assert status == 413
    assert "上传内容超过上限 20 MB" in body
    assert after - before < MEMORY_BUDGET_KB
    assert served.get("/health") == 200


CLAIMED_JOB = """
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django.contrib.auth import get_user_model
from greenmfg.applications.models import Application, ImportJob
application = Application.objects.filter(state="publicity").first()
job = ImportJob(application=application, created_by=get_user_model().objects.get(username="sz-machinery"),
                file_name="表.xlsx", status="running", progress=10)
job.file.save("claimed.xlsx", ContentFile(b"PK"), save=False)
job.save()
result = DBTaskResult.objects.create(
    status="RUNNING", args_kwargs={"args": [job.pk], "kwargs": {}}, worker_ids=["WORKER"],
    task_path="greenmfg.applications.tasks.import_workbook", backend_name="default",
    run_after=timezone.now(), started_at=timezone.now(), exception_class_path="", traceback="")
ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.pk))
print(job.pk)
"""


def test_a_killed_worker_is_restarted_and_its_job_marked_failed(
    served: Served, notice: tuple[str, str]
) -> None:
    worker = _pid(served, "worker")
    worker_id = re.findall(r"worker id (\S+)\)", served.text())[-1]
    web = _pid(served, "web server")
    job = served.shell(CLAIMED_JOB.replace("WORKER", worker_id)).split()[-1]
    mark = len(served.text())
    os.kill(worker, signal.SIGKILL)
    served.wait_for(rf"worker \(pid {worker}\) exited with code -9; the others keep running", after=mark)
    served.wait_for(r"marked 1 import job\(s\) left by worker", after=mark)
    served.wait_for(r"restarted worker \(pid \d+", after=mark)
    assert _pid(served, "worker") != worker
    assert _pid(served, "web server") == web  # never stopped
    assert served.get("/health") == 200
    status = served.shell(
        f"from greenmfg.applications.models import ImportJob; j = ImportJob.objects.get(pk={job}); "
        "print(j.status, j.errors[0]['en'])"
    )
    assert status.splitlines()[-1].startswith("failed the import stopped unexpected")


def test_a_killed_web_server_is_restarted(served: Served) -> None:
    web = _pid(served, "web server")
    worker = _pid(served, "worker")
    mark = len(served.text())
    os.kill(web, signal.SIGKILL)
    served.wait_for(rf"web server \(pid {web}\) exited with code -9", after=mark)
    served.wait_for(r"restarted web server \(pid \d+", after=mark)
    deadline = time.monotonic() + 60
    while served.get("/health") != 200:
        assert time.monotonic() < deadline, served.text()[-2000:]
        time.sleep(0.5)
    assert _pid(served, "worker") == worker
    assert not Path(f"/proc/{web}").exists()
