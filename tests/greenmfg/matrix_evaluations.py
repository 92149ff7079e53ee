"""Authorization-matrix rows for the evaluations context (merged into test_authorization_matrix.MATRIX).

The base application (sz-machinery) stays without an engagement, so the evaluator still gets 404 on it
in every existing row. The engagements live on a call of their own, cloned from suzhou-2026-factory:
one in progress for sz-energy (吴中区) and one concluded, with a finding file, for ks-electronics (昆山).
"""

from __future__ import annotations

import io
from typing import Any

from factories import actor, pdf_bytes
from test_applications import complete_answers

from greenmfg.applications import services as applications
from greenmfg.catalog.models import Call
from greenmfg.evaluations import services
from greenmfg.orgs.models import Organisation

APPLICANTS = {"sz-machinery", "sz-energy", "ks-electronics"}
# bureaus over 昆山: the district itself, the city, the province and the ministry
OVER_KUNSHAN = {"ks-reviewer", "sz-reviewer", "js-reviewer", "mof-reviewer"}


def evaluator(role: str) -> bool:
    return role == "evaluator"


def base_owner(role: str) -> bool:
    return role == "sz-machinery"


def engaging_applicant(role: str) -> bool:
    """The in-progress engagement: the body works on it, its applicant follows (and may end) it."""
    return role in {"evaluator", "sz-energy"}


def applicant_only(role: str) -> bool:
    return role == "sz-energy"


def concluded_readers(role: str) -> bool:
    """A concluded evaluation: the body, the applicant and the bureaus over the application."""
    return role in {"evaluator", "ks-electronics"} | OVER_KUNSHAN


def either_side(role: str) -> bool:
    return role == "evaluator" or role in APPLICANTS


def objects(world: Any, found: dict[str, Any]) -> dict[str, Any]:
    call = Call.objects.get(code="suzhou-2026-factory")
    call.pk = None
    call.code = "matrix-evaluations"
    call.name = "矩阵测试：须经第三方评价的批次"
    call.requires_third_party = True
    call.save()
    body = Organisation.objects.get(name="江苏示例绿色发展评价中心（演示）")
    ev = actor(world.users["evaluator"])

    def engaged(username: str) -> Any:
        user = world.users[username]
        application = applications.start_application(actor(user), call)
        applications.save_answers(actor(user), application, complete_answers())
        applications.submit(actor(user), application)
        return services.engage(actor(user), application, body.pk)

    running = engaged("sz-energy")
    concluded = engaged("ks-electronics")
    services.save_values(ev, concluded, {"in:green_design": "3"})
    finding = services.add_finding(
        ev,
        concluded,
        kind="document_check",
        description="核对能源利用状况报告与统计报表一致",
        stream=io.BytesIO(pdf_bytes("finding")),
        filename="能源报表核查.pdf",
    )
    services.conclude(ev, concluded, "各项指标与佐证材料相符，绿色设计典型案例认定 3 分。")
    return {"engagement": running, "concluded": concluded, "finding": finding}


def _running(o: dict[str, Any]) -> dict[str, Any]:
    return {"public_id": o["engagement"].public_id}


def _concluded(o: dict[str, Any]) -> dict[str, Any]:
    return {"public_id": o["concluded"].public_id}


ROWS: dict[str, Any] = {
    "evaluations:list": ("GET", None, evaluator, 200),
    "evaluations:declare_conflict": ("POST", None, either_side, 302),  # an empty form: refused, sent back
    "evaluations:engage": ("POST", lambda o: {"public_id": o["application"].public_id}, base_owner, 302),
    "evaluations:detail": ("GET", _concluded, concluded_readers, 200),
    "evaluations:finding_file": ("GET", lambda o: {"pk": o["finding"].pk}, concluded_readers, 200),
    "evaluations:save": ("POST", _running, evaluator, 200),  # nothing posted: saved as is, live result back
    "evaluations:finding": ("POST", _running, evaluator, 302),
    "evaluations:conclude": ("POST", _running, evaluator, 302),
    # nothing resubmitted since the conclusion: refused, sent back
    "evaluations:resubmission": ("POST", _concluded, evaluator, 302),
    "evaluations:decline": ("POST", _running, evaluator, 302),  # no reason: refused, sent back
    "evaluations:end": ("POST", _running, applicant_only, 302),
}
