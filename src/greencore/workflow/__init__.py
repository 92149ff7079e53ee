"""Workflow tables: the states of an application and the allowed transitions, loaded from data.

The platform asks `check(table, state, action, role)` before every state change; a refused move raises
`TransitionRefused` with the reason in Chinese and English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from greencore.errors import GreencoreError


@dataclass(frozen=True)
class State:
    id: str
    zh: str
    en: str
    editable: bool  # in the table's `editable` group


@dataclass(frozen=True)
class Transition:
    id: str
    zh: str
    en: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


@dataclass(frozen=True)
class Workflow:
    name: str
    states: dict[str, State]
    transitions: dict[str, Transition]
    groups: dict[str, frozenset[str]] = field(default_factory=dict)

    def allowed(self, state: str, role: str) -> list[Transition]:
        """The transitions `role` may take from `state`, in table order."""
        return [t for t in self.transitions.values() if state in t.sources and role in t.roles]

    def group(self, name: str) -> frozenset[str]:
        """The states of the table's group `name` (its `groups:`); an unknown name is a WorkflowError, so a
        misspelt group fails when the platform loads, not by matching nothing."""
        try:
            return self.groups[name]
        except KeyError:
            known = ", ".join(sorted(self.groups)) or "none"
            raise WorkflowError(f"{self.name}.yaml: no state group {name!r} (groups: {known})") from None

    def in_group(self, state: str, name: str) -> bool:
        return state in self.group(name)


class TransitionRefused(GreencoreError):
    """A transition the table does not allow from this state or to this role. The message is the English."""

    def __init__(self, zh: str, en: str, place: str = "") -> None:
        super().__init__(place, zh, en, message=en)


class WorkflowError(GreencoreError, ValueError):
    """A malformed workflow table (the one reason, in English, is also `zh` and `en`)."""

    def __init__(self, reason: str, place: str = "") -> None:
        super().__init__(place, reason, reason, message=reason)


def _groups(name: str, data: dict[str, Any], known: set[str]) -> dict[str, frozenset[str]]:
    groups: dict[str, frozenset[str]] = {}
    for key, members in (data.get("groups") or {}).items():
        if not isinstance(members, list) or not members:
            raise WorkflowError(f"{name}.yaml: group {key}: a group lists one state or more")
        unknown = sorted(set(map(str, members)) - known)
        if unknown:
            raise WorkflowError(f"{name}.yaml: group {key}: unknown state(s) {', '.join(unknown)}")
        groups[str(key)] = frozenset(map(str, members))
    return groups


def _parse(name: str, data: dict[str, Any]) -> Workflow:
    rows = data.get("states") or {}
    for key, v in rows.items():
        if "editable" in v:  # the `editable` group says it, once
            raise WorkflowError(f"{name}.yaml: state {key}: editable is the group `editable`, not a flag")
    groups = _groups(name, data, set(rows))
    editable = groups.get("editable", frozenset())
    states = {key: State(key, str(v["zh"]), str(v["en"]), key in editable) for key, v in rows.items()}
    transitions: dict[str, Transition] = {}
    for key, v in (data.get("transitions") or {}).items():
        sources = frozenset(v["from"])
        unknown = sorted((sources | {v["to"]}) - set(states))
        if unknown:
            raise WorkflowError(f"{name}.yaml: transition {key}: unknown state(s) {', '.join(unknown)}")
        transitions[key] = Transition(
            key, str(v["zh"]), str(v["en"]), sources, str(v["to"]), frozenset(v["roles"])
        )
    return Workflow(name, states, transitions, groups)


@cache
def load(name: str = "application") -> Workflow:
    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return _parse(name, yaml.safe_load(text))


def check(workflow: Workflow, state: str, action: str, role: str) -> Transition:
    """The transition `action` from `state` for `role`, or TransitionRefused saying why not."""
    transition = workflow.transitions.get(action)
    if transition is None:
        raise TransitionRefused(f"未知操作 {action}", f"unknown action {action}")
    current = workflow.states.get(state)
    shown = current.zh if current else state
    if state not in transition.sources:
        raise TransitionRefused(
            f"当前状态为「{shown}」，不能{transition.zh}",
            f"cannot {transition.en.lower()} from state {state}",
        )
    if role not in transition.roles:
        raise TransitionRefused(
            f"您的角色不能{transition.zh}", f"role {role} may not {transition.en.lower()}"
        )
    return transition
