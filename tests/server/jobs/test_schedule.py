"""Schedules read two ways: the next instant for the in-process scheduler, and EventBridge
Scheduler's expression for AWS; and the registry pairs each job with one."""

from __future__ import annotations

import pytest

from server.jobs.registry import JOBS, find
from server.jobs.schedule import Every, Hourly
from tests.clock import at


def test_hourly_runs_at_its_minute_of_every_hour() -> None:
    hourly = Hourly(minute=30)
    assert hourly.next_after(at("2026-03-09T08:10:00")) == at("2026-03-09T08:30:00")
    assert hourly.next_after(at("2026-03-09T08:30:00")) == at("2026-03-09T09:30:00")
    assert hourly.next_after(at("2026-12-31T23:45:00")) == at("2027-01-01T00:30:00")
    assert hourly.expression() == "cron(30 * * * ? *)"
    with pytest.raises(ValueError, match="minute"):
        Hourly(minute=60)


def test_every_runs_on_multiples_of_its_interval() -> None:
    assert Every(60).next_after(at("2026-03-09T08:10:59.5")) == at("2026-03-09T08:11:00")
    assert Every(1).next_after(at("2026-03-09T08:10:00")) == at("2026-03-09T08:10:01")
    assert Every(60).expression() == "rate(1 minute)"
    assert Every(7200).expression() == "rate(2 hours)"
    assert Every(86_400).expression() == "rate(1 day)"
    with pytest.raises(ValueError, match="whole minutes"):
        Every(90).expression()


def test_the_report_jobs_are_registered_hourly_under_their_names() -> None:
    assert [job.name for job in JOBS] == ["weekly-report", "reminders"]
    assert all(isinstance(job.schedule, Hourly) for job in JOBS)
    assert find("reminders") is JOBS[1]
    assert find("nothing") is None
