"""What changed between two submitted versions, and which results resting on the first it makes stale."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from greencore import (
    AnswerChange,
    EvidenceChange,
    EvidenceRef,
    IndicatorChange,
    VersionChanges,
    stale_items,
    version_changes,
)

D = Decimal


def _changes(**kw: Any) -> VersionChanges:
    base: dict[str, Any] = {
        "before_answers": {},
        "after_answers": {},
        "before_evidence": [],
        "after_evidence": [],
        "before_points": {},
        "after_points": {},
        "score_before": None,
        "score_after": None,
    }
    base.update(kw)
    return version_changes(1, 2, **base)


def test_a_returned_dossier_with_one_answer_and_one_file_changed() -> None:
    changes = version_changes(
        1,
        2,
        before_answers={"in:green_design": "3", "in:metering_basic": "1", "s:energy.basis": ""},
        after_answers={"in:green_design": "3", "in:metering_basic": "0.5", "in:new": "2"},
        before_evidence=[EvidenceRef("metering_basic", "计量器具台账.pdf", "aa")],
        after_evidence=[
            EvidenceRef("metering_basic", "计量器具台账（补正）.pdf", "bb"),
            EvidenceRef("green_design", "案例.pdf", "cc"),
        ],
        before_points={"metering_basic": ("计量设备", D("4.00")), "green_design": ("绿色设计", D("3.00"))},
        after_points={"metering_basic": ("计量设备", D("2.00")), "green_design": ("绿色设计", D("3.00"))},
        score_before=D("85.50"),
        score_after=D("83.50"),
    )
    assert changes.answers == (
        AnswerChange("in:metering_basic", "1", "0.5"),
        AnswerChange("in:new", "", "2"),
    )
    assert changes.evidence == (
        EvidenceChange("green_design", "案例.pdf", "cc", "added"),
        EvidenceChange("metering_basic", "计量器具台账.pdf", "aa", "removed"),
        EvidenceChange("metering_basic", "计量器具台账（补正）.pdf", "bb", "added"),
    )
    assert changes.indicators == (IndicatorChange("metering_basic", "计量设备", D("4.00"), D("2.00")),)
    assert changes.touched_indicators == {"metering_basic", "green_design"}
    # the third party checked everything: every changed answer and every indicator with changed files
    assert stale_items(None, changes) == ("green_design", "in:metering_basic", "in:new", "metering_basic")
    # an expert who scored only energy indicators still holds; one who scored 计量设备 does not
    assert stale_items({"energy_saving"}, changes) == ()
    assert stale_items({"metering_basic", "energy_saving"}, changes) == ("metering_basic",)


def test_an_unchanged_resubmission_stales_nothing() -> None:
    same = {"in:a": "1"}
    files = [EvidenceRef("a", "x.pdf", "aa")]
    points = {"a": ("甲", D("1.00"))}
    changes = _changes(
        before_answers=same,
        after_answers={"in:a": "1", "in:b": ""},  # a field cleared that never held a value
        before_evidence=files,
        after_evidence=list(files),
        before_points=points,
        after_points=points,
        score_before=D("70.00"),
        score_after=D("70.00"),
    )
    assert not changes.changed
    assert stale_items(None, changes) == ()
    assert stale_items({"a"}, changes) == ()


def test_a_file_uploaded_again_with_the_same_content_is_no_change() -> None:
    changes = _changes(
        before_evidence=[EvidenceRef("a", "x.pdf", "aa")], after_evidence=[EvidenceRef("a", "x.pdf", "aa")]
    )
    assert changes.evidence == ()


def test_only_the_score_moved() -> None:
    changes = _changes(score_before=D("60.00"), score_after=D("59.99"))
    assert changes.changed


texts = st.dictionaries(st.sampled_from(["in:a", "in:b", "s:c", "t:d:0:e"]), st.sampled_from(["", "1", "2"]))


@given(texts, texts)
def test_stale_is_empty_exactly_when_the_answers_match(before: dict[str, str], after: dict[str, str]) -> None:
    changes = _changes(before_answers=before, after_answers=after)
    filled = {k: v for k, v in before.items() if v}, {k: v for k, v in after.items() if v}
    assert (stale_items(None, changes) == ()) == (filled[0] == filled[1])
    # swapping the versions swaps each change's sides and nothing else
    back = _changes(before_answers=after, after_answers=before)
    assert {(c.key, c.after, c.before) for c in back.answers} == {
        (c.key, c.before, c.after) for c in changes.answers
    }
