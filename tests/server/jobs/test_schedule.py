"""Schedules read two ways: the next instant for the in-process scheduler, and EventBridge
Scheduler's expression for AWS; and the registry pairs each job with one."""

from __future__ import annotations

import pytest

from server.jobs.registry import (
    JOBS,
    Registered,
    Trigger,
    eventbridge_schedules,
    find,
    in_server,
)
from server.jobs.schedule import Every, Hourly
from server.settings import Settings
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
    assert [job.name for job in JOBS] == [
        "weekly-report", "reminders", "finish-erasures", "media-upkeep"
    ]  # fmt: skip
    assert eventbridge_schedules() == {
        "weekly-report": "cron(0 * * * ? *)", "reminders": "cron(30 * * * ? *)"
    }  # fmt: skip
    assert find("reminders") is JOBS[1]
    assert find("nothing") is None


def test_a_laptop_runs_every_job_and_a_serving_task_in_aws_only_the_upkeep() -> None:
    assert in_server("local") == JOBS
    assert [job.name for job in in_server("external")] == ["finish-erasures", "media-upkeep"]


def test_erasures_are_finished_as_often_as_the_settings_say() -> None:
    erasures = find("finish-erasures")
    assert erasures is not None
    assert erasures.schedule_for(Settings()) == Every(60)
    assert erasures.schedule_for(Settings(erasure_retry_seconds=5)) == Every(5)
    with pytest.raises(ValueError, match="fixed schedule"):
        Registered("x", "", lambda settings: Every(60), "m:C", Trigger.EVENTBRIDGE)
