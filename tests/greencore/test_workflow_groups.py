"""Named groups of states in a workflow table: read and checked by the loader, asked for by name."""

from __future__ import annotations

import pytest

from greencore.workflow import WorkflowError, _parse, load


def test_the_application_table_names_its_groups():
    table = load("application")
    assert table.group("editable") == {"draft", "returned"}
    assert table.group("private") == {"draft"}
    assert table.group("live") == {"submitted", "in_review"}
    assert table.group("engageable") == {"draft", "submitted", "returned", "in_review"}
    assert table.group("not_evaluable") == {"draft", "withdrawn"}
    # a state's editable mark is the group's, written once
    assert [s.id for s in table.states.values() if s.editable] == ["draft", "returned"]
    assert table.in_group("returned", "editable") and not table.in_group("submitted", "editable")
    # every transition the applicant may take from an editable state is defined
    assert {t.id for t in table.allowed("returned", "applicant")} == {"submit", "withdraw"}


def test_an_unknown_group_is_refused_by_name():
    with pytest.raises(WorkflowError, match="no state group 'decided'"):
        load("application").group("decided")


STATES = {"a": {"zh": "甲", "en": "A"}, "b": {"zh": "乙", "en": "B"}}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"states": STATES, "groups": {"g": ["a", "c"]}}, "group g: unknown state(s) c"),
        ({"states": STATES, "groups": {"g": []}}, "group g: a group lists one state or more"),
        ({"states": STATES, "groups": {"g": "a"}}, "group g: a group lists one state or more"),
        (
            {"states": {**STATES, "a": {"zh": "甲", "en": "A", "editable": True}}},
            "state a: editable is the group `editable`, not a flag",
        ),
    ],
)
def test_malformed_groups_fail_when_loaded(data, message):
    with pytest.raises(WorkflowError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _parse("t", data)
