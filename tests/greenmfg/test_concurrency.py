"""Two submits of one dossier at the same moment take effect once (on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from factories import actor, start
from test_applications import complete_answers

from greenmfg.applications import services
from greenmfg.applications.models import Application
from greenmfg.applications.services import ApplicationError
from greenmfg.audit.models import Event


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_take_effect_once(tx_world):
    user = tx_world.users["sz-machinery"]
    application = start(user)
    services.save_answers(actor(user), application, complete_answers())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            services.submit(actor(user), Application.objects.get(pk=application.pk))
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.zh)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "当前状态为「已提交」，不能提交"]
    assert Event.objects.filter(action="application.submit").count() == 1
    assert application.versions.filter(frozen_at__isnull=False).count() == 1
