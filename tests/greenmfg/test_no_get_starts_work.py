"""No GET starts work (issue 16): a crawler, a link checker or a browser's prefetch following any link of
the platform must not queue a task. Every GET of the authorization matrix, as anonymous, an applicant, a
bureau and an expert: no task is enqueued and no background job is recorded. (Downloads are started by
the download form's POST: test_export_jobs.)"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.test import TestCase
from django.urls import reverse
from django_tasks.base import Task
from test_authorization_matrix import MATRIX, _built_objects, objects  # noqa: F401 (the fixtures)

GETS = sorted(name for name, row in MATRIX.items() if row[0] == "GET")
ROLES = (None, "sz-machinery", "sz-reviewer", "expert-1")
# the records of work done in the background (each context's *Job, the task queue's results)
JOB_MODELS = [m for m in apps.get_models() if m.__name__.endswith("Job") or m.__name__ == "DBTaskResult"]


def _jobs() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in JOB_MODELS}


def test_no_get_of_any_url_queues_a_task(world: Any, objects: Any, monkeypatch: Any) -> None:  # noqa: F811
    enqueued: list[str] = []
    original = Task.enqueue

    def counted(task: Task[Any, Any], *args: Any, **kwargs: Any) -> Any:
        enqueued.append(task.module_path)
        return original(task, *args, **kwargs)

    monkeypatch.setattr(Task, "enqueue", counted)
    assert any(label.endswith("ExportJob") for label in _jobs())
    before = _jobs()
    asked = 0
    for role in ROLES:
        client = world.client(role)
        for name in GETS:
            _, kwargs, _, _ = MATRIX[name]
            # what a commit would run (work queued on commit) runs here too
            with TestCase.captureOnCommitCallbacks(execute=True):
                client.get(reverse(name, kwargs=kwargs(objects) if kwargs else None))
            asked += 1
            assert not enqueued, f"GET {name} as {role} queued {enqueued}"
    assert _jobs() == before
    assert asked == len(ROLES) * len(GETS) > 4 * 100  # every GET URL of the platform
