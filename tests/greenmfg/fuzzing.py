"""Shared by the fuzzers (fuzz_api.py, fuzz_forms.py): how many examples to draw, and a tally of the
requests sent and the 5xx answers, printed on the terminal when a fuzz module ends (CI's log and
`make fuzz` show them without -s).

The fuzz modules are named fuzz_*.py so that `make test` does not collect them: .ci/run runs them in a
phase of their own on PostgreSQL, bounded by GREENMFG_FUZZ_EXAMPLES, and `make fuzz` runs them longer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

# examples per operation (API) or per endpoint (forms); CI's bounded run keeps the default
EXAMPLES = int(os.environ.get("GREENMFG_FUZZ_EXAMPLES", "25"))


@dataclass
class Tally:
    name: str
    requests: int = 0
    server_errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def record(self, status: int, what: str) -> None:
        self.requests += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.server_errors += 1
            if len(self.failures) < 20:
                self.failures.append(f"{status} {what}")

    def line(self) -> str:
        by_status = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return f"fuzz {self.name}: {self.requests} requests, {self.server_errors} 5xx ({by_status})"


def report(request: pytest.FixtureRequest, tally: Tally) -> Iterator[Tally]:
    """A module fixture's body: yields the tally, then prints it through the terminal reporter."""
    yield tally
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(tally.line())
        for failure in tally.failures:
            reporter.write_line(f"  {failure}")
