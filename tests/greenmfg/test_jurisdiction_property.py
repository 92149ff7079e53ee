"""No one sees another jurisdiction's work (security.md AC-03): for random applications spread over real
regions and states, every demo bureau sees exactly the submitted ones inside its jurisdiction, its step
queue is a part of that, and enterprises, evaluators and experts see none of them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from factories import actor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenmfg.applications.models import Application
from greenmfg.applications.selectors import applications_visible_to
from greenmfg.catalog.models import Call
from greenmfg.orgs.models import Organisation
from greenmfg.reviews.selectors import step_queue

# counties of three cities in two provinces, and the demo bureaus' own districts
REGIONS = ["320506", "320583", "320205", "320102", "330106", "320507", "320211"]
STATES = ["draft", "submitted", "in_review", "returned", "rejected", "publicity", "published", "withdrawn"]
BUREAUS = {
    "wz-reviewer": "320506",
    "ks-reviewer": "320583",
    "xs-reviewer": "320205",
    "sz-reviewer": "3205",
    "wx-reviewer": "3202",
    "js-reviewer": "32",
    "mof-reviewer": "",
}
OTHERS = ["sz-machinery", "ks-electronics", "evaluator", "expert-1"]


class _Rollback(Exception):
    pass


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(REGIONS), st.sampled_from(STATES)), min_size=1, max_size=12))
def test_every_bureau_sees_exactly_its_jurisdiction(world, rows):
    call = Call.objects.get(code="suzhou-2026-factory")
    try:
        with transaction.atomic():
            made = []
            for index, (region, state) in enumerate(rows):
                applicant = Organisation.objects.create(
                    kind="enterprise", name=f"性质测试企业{index}（演示）", region_id=region
                )
                made.append(
                    Application.objects.create(
                        call=call,
                        applicant=applicant,
                        region_id=region,
                        state=state,
                        submitted_at=None if state == "draft" else timezone.now(),
                    )
                )
            for name, prefix in BUREAUS.items():
                bureau = actor(world.users[name])
                seen = set(applications_visible_to(bureau).filter(pk__in=[a.pk for a in made]))
                expected = {a for a in made if a.region_id.startswith(prefix) and a.state != "draft"}
                assert seen == expected, name
                assert set(step_queue(bureau).filter(pk__in=[a.pk for a in made])) <= expected, name
            for name in OTHERS:
                visible = applications_visible_to(actor(world.users[name])).filter(
                    pk__in=[a.pk for a in made]
                )
                assert not visible.exists(), name
            raise _Rollback
    except _Rollback:
        pass
