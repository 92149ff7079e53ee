# The two commands of the README:  make run  (install everything, run the main job)  and  make test.
# Only python3 (3.11+) is assumed; uv comes from PyPI and installs the locked dependencies.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: install run demo test lint bench clean

install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

run: install
	$(UV) run greenmfg demo

test: install
	$(UV) run pytest -q -p no:cacheprovider
	$(UV) run ruff check src tests
	$(UV) run ruff format --check src tests
	$(UV) run mypy
	$(UV) run lint-imports

bench: install
	$(UV) run python tests/bench/bench_scoring.py

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache .hypothesis
