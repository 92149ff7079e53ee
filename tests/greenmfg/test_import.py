"""A filled self-evaluation workbook imported through the background task gives the same answers."""

from __future__ import annotations

from factories import actor, filled_workbook, start
from test_applications import complete_answers

from greenmfg.applications.dossier import scheme_for
from greenmfg.applications.models import Dossier, ImportJob
from greenmfg.applications.tasks import answers_from_workbook


def test_workbook_round_trip_gives_the_typed_answers(world, tmp_path):
    scheme = scheme_for("factory-gbt36132-2025", "2025.1")
    path = tmp_path / "filled.xlsx"
    values = complete_answers()
    filled_workbook(scheme, path, values)
    answers = answers_from_workbook(scheme, path)
    from greenmfg.applications.dossier import evaluate

    assert str(evaluate(scheme, answers).result.score) == "66.05"


def test_import_through_the_view_runs_the_task_and_updates_the_draft(world, tmp_path):
    user = world.users["sz-machinery"]
    application = start(user)
    path = tmp_path / "filled.xlsx"
    filled_workbook(scheme_for("factory-gbt36132-2025", "2025.1"), path, complete_answers())
    client = world.client("sz-machinery")
    with path.open("rb") as handle:
        response = client.post(f"/applications/{application.public_id}/import/", {"workbook": handle})
    assert response.status_code == 302
    job = ImportJob.objects.get(application=application)
    assert (job.status, job.progress) == ("done", 100)
    assert str(Dossier.objects.get(application=application).score) == "66.05"
    page = client.get(response["Location"])
    assert "已完成" in page.content.decode()
    assert actor(user).organisation == application.applicant


def test_a_file_that_is_not_a_workbook_is_refused_and_nothing_changes(world, tmp_path):
    user = world.users["sz-machinery"]
    application = start(user)
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"<html>not a workbook</html>")
    with path.open("rb") as handle:
        response = world.client("sz-machinery").post(
            f"/applications/{application.public_id}/import/", {"workbook": handle}
        )
    assert response.status_code == 302
    assert not ImportJob.objects.exists()
    assert Dossier.objects.get(application=application).revision == 0
