"""The answers value object shared by the dossier and the third-party evaluation: the merge rules of a
save, its stored JSON, and that it cannot be changed in place."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenmfg.applications.answers import MAX_TEXT, Answers, as_typed


def test_a_save_merges_field_by_field():
    before = Answers({"in:a": "1", "in:b": "2"}, {"s:output_value": "四万"})
    after = before.merge({"in:b": "20", "in:c": " 3 ", "s:year": "2023", "t:energy.carriers:0:quantity": "5"})
    assert after.to_json() == {
        "inputs": {"in:a": "1", "in:b": "20", "in:c": " 3 "},  # kept as typed, spaces and all
        "raw": {"s:output_value": "四万", "s:year": "2023", "t:energy.carriers:0:quantity": "5"},
    }
    cleared = after.merge({"in:a": "", "s:year": "   ", "in:never": ""})  # a blank value clears its field
    assert cleared.to_json() == {
        "inputs": {"in:b": "20", "in:c": " 3 "},
        "raw": {"s:output_value": "四万", "t:energy.carriers:0:quantity": "5"},
    }
    assert before.to_json() == {"inputs": {"in:a": "1", "in:b": "2"}, "raw": {"s:output_value": "四万"}}


def test_a_value_is_kept_to_500_characters_as_text():
    long = "字" * (MAX_TEXT + 20)
    assert Answers().merge({"in:a": long}).inputs["in:a"] == "字" * MAX_TEXT
    assert Answers().merge({"in:n": 7}).inputs == {"in:n": "7"}
    assert as_typed(3.5) == "3.5"


def test_json_round_trip_and_missing_parts():
    stored = {"inputs": {"in:a": "1"}, "raw": {"s:year": "2023"}}
    assert Answers.from_json(stored).to_json() == stored
    assert Answers.from_json(None) == Answers() == Answers.from_json({"inputs": {}})
    assert Answers.from_json(None).to_json() == {"inputs": {}, "raw": {}}
    assert Answers.from_json(stored).values() == {"in:a": "1", "s:year": "2023"}
    assert len(Answers.from_json(stored)) == 2


def test_answers_cannot_change_in_place():
    source = {"in:a": "1"}
    answers = Answers(source, {})
    source["in:a"] = "changed"
    assert answers.inputs == {"in:a": "1"}  # a copy was kept
    assert isinstance(answers.inputs, MappingProxyType)
    with pytest.raises(TypeError):
        answers.inputs["in:a"] = "2"  # type: ignore[index]
    with pytest.raises(AttributeError):
        answers.inputs = {}  # type: ignore[misc]
    answers.to_json()["inputs"]["in:a"] = "3"
    assert answers.inputs == {"in:a": "1"}


def test_differing_keys():
    own = Answers({"in:a": "1", "in:b": "2"}, {})
    found = own.merge({"in:b": "3", "in:c": "4"})
    assert found.differing(own) == {"in:b", "in:c"}
    assert found.differing(own, ["in:a", "in:b"]) == {"in:b"}


keys = st.sampled_from(["in:a", "in:b", "tin:t:0:c", "s:year", "t:energy.carriers:0:quantity"])
texts = st.text(max_size=8)


@given(first=st.dictionaries(keys, texts), second=st.dictionaries(keys, texts))
def test_merging_twice_is_merging_the_union_in_order(first, second):
    # two tabs saving different fields both keep their work; the same field takes the latest value
    assert Answers().merge(first).merge(second) == Answers().merge({**first, **second})
