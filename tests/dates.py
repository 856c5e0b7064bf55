"""`make test-dates`: the date-sensitive part of the suite, run at the instants calendars break.

Each run starts pytest under libfaketime with the wall clock moved by a fixed offset, so the
test process and every process it starts (the redis-server child, `v7 serve`) read the same
fake time, and that time keeps running from the instant. An offset, not an absolute start:
libfaketime restarts an absolute clock in every new process, which would put a child seconds
behind its parent. Monotonic clocks move by the same offset (libfaketime's `sleep` with an
absolute deadline fails with EINVAL when only the wall clock is moved).

    python -m tests.dates             # every instant, two runs at a time (one per core)
    python -m tests.dates 2028-02-29  # only the instants that start with this text

Exit status: 0 when every run passed, else 1 (each run's tail is printed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Instant:
    at: str
    """An ISO instant, UTC."""
    zone: str
    """The machine's and the test climbers' time zone for this run."""
    why: str


INSTANTS = (
    Instant("2026-12-31T23:59:58Z", "UTC", "ISO week 53 of 2026, the last seconds of a year"),
    Instant("2027-01-04T00:00:01Z", "UTC", "the first second of ISO week 1 of 2027"),
    Instant("2028-02-29T12:00:00Z", "UTC", "a leap day"),
    Instant(
        "2027-03-28T01:30:00Z",
        "Europe/Berlin",
        "the night European clocks go forward, for a climber in Berlin",
    ),
)

PATHS = (
    "tests/quotas",
    "tests/handlers",
    "tests/context",
    "tests/coaching/test_offline.py",
    "tests/coaching/test_history.py",
    "tests/coaching/test_nutrition.py",
    "tests/coaching/plans",
    "tests/grammar/test_plain.py",
    "tests/core/test_zones.py",
    "tests/store/test_records.py",
    "tests/store/test_repos.py",
    "tests/server/test_rest_journal.py",
    "tests/server/test_rest_sends.py",
    "tests/server/test_rest_athlete.py",
    "tests/server/test_rest_analytics.py",
    "tests/server/test_rest_chat.py",
    "tests/server/test_chat_history.py",
    "tests/server/test_rest_users.py",
    "tests/server/test_quotas_server.py",
    "tests/server/test_quota_agreement.py",
    "tests/server/test_coaching.py",
    "tests/server/test_ws.py",
    "tests/server/test_demo.py",
    "tests/server/test_timezone.py",
    "tests/server/test_plan_example.py",
    "tests/server/test_coach_example.py",
    "tests/server/test_plan.py",
    "tests/grammar/test_plan.py",
    "tests/eval",
)
"""Everything that computes or checks a day, a week, a month or a year."""

PARALLEL = 2

CLIMBER_ZONE = "V7_TEST_CLIMBER_TZ"
"""Read by the test helpers that create climbers: the time zone they live in."""


def faketime() -> str:
    found = shutil.which("faketime")
    if found is None:
        raise SystemExit("faketime is missing: `make test-dates` installs it (Debian: faketime)")
    return found


@dataclass(frozen=True)
class Outcome:
    instant: Instant
    passed: bool
    report: str


def run(instant: Instant) -> Outcome:
    target = datetime.fromisoformat(instant.at.replace("Z", "+00:00"))
    offset = round(target.timestamp() - time.time())
    env = {
        **os.environ,
        "TZ": instant.zone,
        CLIMBER_ZONE: instant.zone,
        # The store engines are one conformance suite in `make test`; dates run on SQLite.
        "V7_TEST_ENGINES": "sqlite",
    }
    command = [
        faketime(),
        "-f",
        f"{offset:+d}s",
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *PATHS,
    ]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    took = time.monotonic() - started
    lines = result.stdout.strip().splitlines()
    summary = lines[-1] if lines else "(no output)"
    report = f"== {instant.at} ({instant.zone}): {instant.why}\n   {summary} [{took:.0f} s]"
    if result.returncode != 0:
        report += "\n" + "\n".join(lines[-80:]) + "\n" + result.stderr[-3000:]
    return Outcome(instant, result.returncode == 0, report)


def main(argv: list[str]) -> int:
    chosen = [i for i in INSTANTS if not argv or any(i.at.startswith(a) for a in argv)]
    if not chosen:
        raise SystemExit(f"no instant starts with {' or '.join(argv)}")
    print(f"date runs from {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} (real time)", flush=True)
    # Each run is one pytest process that mostly waits on its servers: two at a time keep both
    # cores busy without starving either.
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        outcomes = list(pool.map(run, chosen))
    for outcome in outcomes:
        print(outcome.report, flush=True)
    return 0 if all(outcome.passed for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
