"""Local schemes (issue 12): a bureau derives one from a parent in a form or submits its YAML; greencore
checks it and names the place of an error; the bureau sees the diff and adopts it as a new version; a call
pins the version; an adopted version is never edited in place."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from factories import FACTORY_CALL, actor, start

from greencore import get_scheme as shipped_scheme
from greenmfg.applications.dossier import build_form, scheme_for
from greenmfg.audit.models import Event
from greenmfg.catalog.models import Call
from greenmfg.catalog.selectors import scheme_choices
from greenmfg.schemes import services
from greenmfg.schemes.models import LocalScheme
from greenmfg.schemes.selectors import SchemeTampered, diff_of, get_scheme
from greenmfg.schemes.services import SchemeRefused

NATIONAL = "factory-gbt36132-2025@2025.1"
PLATFORM_BASE = "indicators[energy].children[platform].rule.base"
SOURCE = "苏州市工信局〔2026〕8号 第二条"


def derived(world: Any, version: str = "1", **numbers: str) -> LocalScheme:
    return services.derive(
        actor(world.users["sz-reviewer"]),
        shipped_scheme(NATIONAL),
        scheme_id="factory-suzhou-local",
        version=version,
        title="苏州市绿色工厂评价（地方）",
        source=SOURCE,
        numbers={path: Decimal(value) for path, value in numbers.items()},
    )


def test_derive_see_the_diff_adopt_and_pin_it_in_a_call(world: Any) -> None:
    row = derived(world, **{PLATFORM_BASE: "2", "outcome.pass_mark": "60"})
    assert row.status == "draft" and row.parent_key == NATIONAL
    assert [(c.path, c.before and c.before.value, c.after and c.after.value) for c in diff_of(row)] == [
        (PLATFORM_BASE, Decimal("0"), Decimal("2")),
        ("outcome.pass_mark", None, Decimal("60")),
    ]
    with pytest.raises(KeyError):  # a draft is not a scheme a call can use
        get_scheme(row.key)
    adopted = services.adopt(actor(world.users["sz-reviewer"]), row)
    assert adopted.status == "adopted" and adopted.adopted_at is not None
    assert Event.objects.filter(action="scheme.adopted", object_id=row.key).count() == 1
    assert row.key in {key for _, items in scheme_choices() for key, _ in items}
    Call.objects.filter(code=FACTORY_CALL).update(scheme_id=row.scheme_id, scheme_version=row.version)
    application = start(world.users["sz-machinery"])
    scheme = scheme_for(application.call.scheme_id, application.call.scheme_version)
    assert scheme.key == "factory-suzhou-local@1"
    assert scheme.outcome.pass_mark is not None and scheme.outcome.pass_mark.value == Decimal("60")


def test_an_adopted_version_is_never_edited_in_place(world: Any) -> None:
    bureau = actor(world.users["sz-reviewer"])
    row = services.adopt(bureau, derived(world, **{PLATFORM_BASE: "2"}))
    text, digest = row.text, row.text_sm3
    changed = text.replace("value: '2'", "value: '3'")
    with pytest.raises(SchemeRefused) as refused:
        services.submit_text(bureau, changed)
    assert refused.value.place == "version"
    with pytest.raises(SchemeRefused):
        services.adopt(bureau, row)
    row.refresh_from_db()
    assert (row.text, row.text_sm3, row.status) == (text, digest, "adopted")
    assert get_scheme(row.key).numbers == get_scheme(row.key).numbers  # still loads, same numbers
    # the change is a new version, beside the first
    second = derived(world, version="2", **{PLATFORM_BASE: "3"})
    assert second.pk != row.pk and LocalScheme.objects.filter(scheme_id=row.scheme_id).count() == 2


def test_a_text_changed_in_the_database_is_refused_on_load(world: Any) -> None:
    row = services.adopt(actor(world.users["sz-reviewer"]), derived(world, **{PLATFORM_BASE: "2"}))
    LocalScheme.objects.filter(pk=row.pk).update(text=row.text.replace("value: '2'", "value: '5'"))
    with pytest.raises(SchemeTampered):
        get_scheme(row.key)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("id: x\nversion: '1'\nextends: [unclosed\n", "line 4, column 1"),
        ("id: factory-x\nversion: '1'\nsubject: factory\n", "extends"),
        (
            f"id: factory-x\nversion: '1'\nextends: {NATIONAL}\npatch: {{energy: {{points: 40}}}}\n",
            "indicators[energy].points",  # a number without its V/S/R mark
        ),
    ],
)
def test_a_refused_text_names_the_place_and_stores_nothing(world: Any, text: str, place: str) -> None:
    with pytest.raises(SchemeRefused) as refused:
        services.submit_text(actor(world.users["sz-reviewer"]), text)
    assert refused.value.place == place
    assert LocalScheme.objects.count() == 0


def test_a_weight_that_breaks_the_sum_is_refused_in_the_form(world: Any) -> None:
    with pytest.raises(SchemeRefused) as refused:
        derived(world, **{"indicators[energy].children[platform].points": "12"})
    assert refused.value.place == "indicator energy"
    assert "points are 30 but the children add up to 36" in refused.value.zh
    assert LocalScheme.objects.count() == 0


@pytest.mark.parametrize("role", ["wz-reviewer", "sz-machinery", "evaluator"])
def test_only_bureaus_that_issue_calls_write_schemes(world: Any, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.derive(
            actor(world.users[role]),
            shipped_scheme(NATIONAL),
            scheme_id="factory-x",
            version="1",
            title="x",
            source=SOURCE,
            numbers={},
        )
    assert LocalScheme.objects.count() == 0


def test_another_bureau_neither_sees_nor_adopts_the_draft(world: Any) -> None:
    row = derived(world, **{PLATFORM_BASE: "2"})
    client = world.client("wx-reviewer")
    assert client.get(reverse("schemes:detail", kwargs={"pk": row.pk})).status_code == 404
    assert client.post(reverse("schemes:adopt", kwargs={"pk": row.pk})).status_code == 404
    row.refresh_from_db()
    assert row.status == "draft"


def test_the_pages_derive_show_the_diff_and_adopt(world: Any) -> None:
    client = world.client("sz-reviewer")
    form = client.get(reverse("schemes:derive"), {"parent": NATIONAL})
    assert form.status_code == 200 and PLATFORM_BASE in form.content.decode()
    numbers = form.context["numbers"]
    fields = {name: value for name, _, value in numbers}
    name = next(name for name, n, _ in numbers if n.path == PLATFORM_BASE)
    fields[name] = "2"
    posted = {
        **fields,
        "parent": NATIONAL,
        "scheme_id": "factory-suzhou-web",
        "version": "2026.1",
        "title": "苏州市绿色工厂评价（网页）",
        "source": SOURCE,
        "pass_mark": "",
    }
    response = client.post(reverse("schemes:derive"), posted)
    assert response.status_code == 302
    row = LocalScheme.objects.get(scheme_id="factory-suzhou-web")
    page = client.get(response["Location"]).content.decode()
    assert PLATFORM_BASE in page and SOURCE in page and 'id="adopt"' in page
    assert client.post(reverse("schemes:adopt", kwargs={"pk": row.pk})).status_code == 302
    row.refresh_from_db()
    assert row.status == "adopted"
    bad = client.post(reverse("schemes:submit"), {"text": "id: x\nversion: '1'\nextends: [unclosed\n"})
    assert bad.status_code == 400 and "line 4, column 1" in bad.content.decode()


ENERGY_POINTS = "indicators[energy].points"  # 30, marked S in the national scheme (G10/G11 weights)


def test_an_unverified_number_is_confirmed_or_overridden_as_a_new_version(world: Any) -> None:
    bureau = actor(world.users["sz-reviewer"])
    first = services.adopt(bureau, derived(world, **{PLATFORM_BASE: "2"}))
    listed = {n.path: n for n in get_scheme(first.key).numbers if not n.mark.is_verified}
    assert listed[ENERGY_POINTS].value == Decimal("30") and listed[ENERGY_POINTS].mark.value == "S"
    text = first.text
    confirmed = services.verify_number(
        bureau,
        first,
        path=ENERGY_POINTS,
        value=Decimal("30"),
        source="苏州市工信局〔2026〕9号 第一条",
        version="2",
    )
    assert confirmed.key == "factory-suzhou-local@2" and confirmed.parent_key == first.key
    [change] = diff_of(confirmed)
    assert change.path == ENERGY_POINTS and change.before is not None and change.after is not None
    assert (change.before.value, change.before.mark.value) == (Decimal("30"), "S")
    assert (change.after.value, change.after.mark.value, change.after.source) == (
        Decimal("30"),
        "V",
        "苏州市工信局〔2026〕9号 第一条",
    )
    event = Event.objects.get(action="scheme.number_confirmed", object_id=confirmed.key)
    assert event.detail["path"] == ENERGY_POINTS and event.detail["before_mark"] == "S"
    first.refresh_from_db()
    assert first.text == text  # the adopted version is untouched
    # an override that breaks the sum of the category is refused with its place, and nothing is kept
    with pytest.raises(SchemeRefused) as refused:
        services.verify_number(
            bureau, first, path=ENERGY_POINTS, value=Decimal("31"), source="某文件 第二条", version="3"
        )
    assert refused.value.place == "indicator energy"
    assert not LocalScheme.objects.filter(version="3").exists()
    # a verified number is not offered again
    with pytest.raises(SchemeRefused):
        services.verify_number(bureau, first, path=PLATFORM_BASE, value=Decimal("2"), source="x", version="4")


def test_the_form_follows_the_scheme_text_not_its_name(world: Any) -> None:
    """build_form is kept by the scheme's content digest: a bureau that adopts another text under the same
    `id@version` (here, after the first row is gone, as in another database) gets the new text's form. Kept
    by name alone, the second form would be the first scheme's (without 已获评的苏州市绿色工厂等级)."""
    bureau = actor(world.users["sz-reviewer"])
    first = services.adopt(bureau, derived(world, **{PLATFORM_BASE: "2"}))
    form = build_form(first.key)
    assert "in:held_grade" not in form.keys and "in:advanced_equipment" in form.keys
    assert build_form(first.key) is form  # built once for that text
    LocalScheme.objects.filter(pk=first.pk).delete()
    second = services.adopt(
        bureau,
        services.derive(
            bureau,
            shipped_scheme("factory-suzhou@2023.1"),
            scheme_id=first.scheme_id,
            version=first.version,
            title="苏州市绿色工厂评价（地方，另一文本）",
            source=SOURCE,
            numbers={"outcome.pass_mark": Decimal("65")},
        ),
    )
    assert second.key == first.key and second.text_sm3 != first.text_sm3
    again = build_form(second.key)
    assert again is not form and "in:held_grade" in again.keys and "in:advanced_equipment" not in again.keys
    assert again.scheme.outcome.pass_mark is not None
    assert again.scheme.outcome.pass_mark.value == Decimal("65")
    assert build_form(get_scheme(second.key)) is again  # by name or by the scheme object: one form
