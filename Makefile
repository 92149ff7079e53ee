# The two commands of the README:  make run  (install everything, start the platform)  and  make test.
# Assumed: Debian/Ubuntu with python3 (3.11+), node and npm. uv comes from PyPI; Python packages from
# uv.lock, front-end packages from package-lock.json, Debian packages via scripts/install_system.sh.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: install run demo test test-pg lint bench bench-web clean

install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	./scripts/install_system.sh
	npm ci --no-audit --no-fund --loglevel=error
	$(UV) sync --frozen
	$(UV) run python scripts/vendor_static.py
	$(UV) run python scripts/compile_messages.py

# the platform on SQLite with the demo world, web server and background worker: http://127.0.0.1:8000
run: install
	$(UV) run python manage.py serve

# the command-line scoring demo (greencore alone)
demo: install
	$(UV) run greenmfg demo

# the suite runs in parallel, one worker per core, each on its own test database (pytest-xdist);
# PYTEST_WORKERS=0 runs it in one process
PYTEST_WORKERS ?= auto
test: install
	./scripts/phase.sh pytest $(UV) run pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS)
	./scripts/phase.sh ruff $(UV) run ruff check src tests
	./scripts/phase.sh ruff-format $(UV) run ruff format --check src tests
	./scripts/phase.sh mypy $(UV) run mypy
	./scripts/phase.sh lint-imports $(UV) run lint-imports
	./scripts/phase.sh migrations $(UV) run python manage.py makemigrations --check --dry-run

bench: install
	$(UV) run python tests/bench/bench_scoring.py

# the dossier page's p95 against a trivial view under 20 users, on SQLite and then on PostgreSQL (a scratch
# database beside BENCH_DATABASE_URL's, named <name>_bench, created afresh by each run)
bench-web: install
	$(UV) run python tests/bench/bench_dossier.py
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/greenmfg} $(UV) run python tests/bench/bench_dossier.py

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache .hypothesis build node_modules var

# the public register: search latency with 100,000 synthetic titles beside the real lists (SQLite, and
# PostgreSQL in a database of its own when DATABASE_URL is set)
.PHONY: bench-register
bench-register: install
	$(UV) run python tests/bench/bench_register.py

# fuzzing (issue 16): schemathesis over /api/openapi.json and a Hypothesis form fuzzer over every POST
# endpoint of every role; any 5xx fails. Both print "fuzz <name>: N requests, M 5xx (status: count ...)".
# fuzz-ci is CI's bounded run (GREENMFG_FUZZ_EXAMPLES examples per operation/endpoint, default 25);
# fuzz is the longer one (400 each). Set DATABASE_URL to fuzz on PostgreSQL.
.PHONY: fuzz fuzz-ci
FUZZ_FILES := tests/greenmfg/fuzz_api.py tests/greenmfg/fuzz_forms.py

fuzz-ci:
	$(UV) run pytest -q -p no:cacheprovider $(FUZZ_FILES)

fuzz: install
	GREENMFG_FUZZ_EXAMPLES=$${GREENMFG_FUZZ_EXAMPLES:-400} $(UV) run pytest -q -p no:cacheprovider $(FUZZ_FILES)

# crash harness (issue 16): a write-heavy loop against the production-mode server, kill -9 at random
# points, every acknowledged write checked after each restart (SQLite in WAL; PostgreSQL when
# DATABASE_URL is set). Prints cycles, writes acknowledged and writes lost, and a progress line every 50
# cycles; CRASH_MINUTES=25 stops after the cycle that passes that budget.
.PHONY: crash
crash: install
	$(UV) run python scripts/crash_harness.py --cycles $${CRASH_CYCLES:-1000} --max-minutes $${CRASH_MINUTES:-0}

# more than one machine (issue 16): two web servers and two RQ workers on one PostgreSQL and Redis, one of
# each killed mid-run; prints writes and downloads acknowledged, lost and run twice (0)
.PHONY: multi-machine
multi-machine: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/greenmfg_multi} \
		$(UV) run python scripts/multi_machine.py
