"""Shared fixtures for the greencore tests."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from greencore.standards.loader import load_data
from greencore.standards.model import Scheme
from greencore.standards.registry import get_scheme

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def make_scheme(text: str, file: str = "test.yaml") -> Scheme:
    """A scheme from inline YAML (a small scheme written for one test)."""
    return load_data(yaml.safe_load(textwrap.dedent(text)), file)


@pytest.fixture(scope="session")
def factory_2025() -> Scheme:
    return get_scheme("factory-gbt36132-2025")


@pytest.fixture
def example_2025() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "factory-2025.json").read_text(encoding="utf-8"))["inputs"]
    return data
