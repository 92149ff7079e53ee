"""Workflow tables: the states of an application and the allowed transitions, loaded from data.

The platform asks `check(table, state, action, role)` before every state change; a refused move raises
`TransitionRefused` with the reason in Chinese and English.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    editable: bool


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

    def allowed(self, state: str, role: str) -> list[Transition]:
        """The transitions `role` may take from `state`, in table order."""
        return [t for t in self.transitions.values() if state in t.sources and role in t.roles]


class TransitionRefused(GreencoreError):
    """A transition the table does not allow from this state or to this role. The message is the English."""

    def __init__(self, zh: str, en: str, place: str = "") -> None:
        super().__init__(place, zh, en, message=en)


class WorkflowError(GreencoreError, ValueError):
    """A malformed workflow table (the one reason, in English, is also `zh` and `en`)."""

    def __init__(self, reason: str, place: str = "") -> None:
        super().__init__(place, reason, reason, message=reason)


def _parse(name: str, data: dict[str, Any]) -> Workflow:
    states = {
        key: State(key, str(v["zh"]), str(v["en"]), bool(v.get("editable", False)))
        for key, v in (data.get("states") or {}).items()
    }
    transitions: dict[str, Transition] = {}
    for key, v in (data.get("transitions") or {}).items():
        sources = frozenset(v["from"])
        unknown = sorted((sources | {v["to"]}) - set(states))
        if unknown:
            raise WorkflowError(f"{name}.yaml: transition {key}: unknown state(s) {', '.join(unknown)}")
        transitions[key] = Transition(
            key, str(v["zh"]), str(v["en"]), sources, str(v["to"]), frozenset(v["roles"])
        )
    return Workflow(name, states, transitions)


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
