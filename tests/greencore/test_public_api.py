"""greencore's public API: `greencore.__all__` resolves, and it holds every name the platform imports
today from a submodule, so moving the platform to it is a mechanical rewrite of its imports."""

from __future__ import annotations

import ast
from pathlib import Path

import greencore

ROOT = Path(__file__).resolve().parents[2]
# names the platform reaches through a module today, and their public name
RENAMED = {
    ("greencore.workflow", "check"): "check_transition",
    ("greencore.workflow", "load"): "load_workflow",
}


def test_every_public_name_resolves_and_the_list_is_sorted() -> None:
    assert [name for name in greencore.__all__ if not hasattr(greencore, name)] == []
    assert greencore.__all__ == sorted(greencore.__all__, key=lambda n: (not n.isupper(), n[0].islower(), n))


def test_the_public_api_holds_every_name_the_platform_imports() -> None:
    wanted: set[str] = set()
    for folder in ("src/greenmfg", "tests/greenmfg"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("greencore"):
                    for alias in node.names:
                        wanted.add(RENAMED.get((node.module or "", alias.name), alias.name))
    wanted -= {"workflow"}  # `from greencore import workflow`: its load, check, Transition are public
    assert sorted(name for name in wanted if name not in greencore.__all__) == []
    assert {"load_workflow", "check_transition", "Transition"} <= set(greencore.__all__)
