"""The reminder: the morning after a planned training day with nothing logged, once, opt-in."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime
from pathlib import Path

import pytest

from core.zones import zone_of
from quotas import load_policy
from server.jobs.job import JobEnv, Outcome
from server.mailers import OutboxMailer
from server.reports.reminders import Reminder
from server.settings import Settings
from store.records.user import User, UserIn
from store.repos import JournalRepo, PlanRepo
from store.repos.users import UserRepo
from store.table import Table
from tests.clock import FrozenClock, at
from tests.coaching.builders import plan, session

JOB = Reminder()
SUNDAY = date(2026, 12, 6)  # "yesterday" at the conftest's NOW, Monday 7 December
PLAN_DAYS = {"sunday": {"type": "climb", "duration": 90}, "tuesday": {"type": "strength"}}


def climber(zone: str | None = None, *, reminders: bool = True) -> User:
    now = at("2026-01-01T00:00:00")
    return User(
        email="bo@example.com",
        name="Bo",
        created_at=now,
        updated_at=now,
        preferences={"timezone": zone, "reminders": reminders},
    )


@pytest.mark.parametrize(
    ("zone", "local", "day"),
    [
        ("Asia/Tokyo", "2026-12-07T08:59", None),
        ("Asia/Tokyo", "2026-12-07T09:00", "2026-12-06"),
        ("America/New_York", "2026-12-07T23:59", "2026-12-06"),
        (None, "2026-12-08T09:00", "2026-12-07"),
    ],
)
def test_due_from_0900_for_yesterday_on_the_climbers_clock(
    zone: str | None, local: str, day: str | None
) -> None:
    instant = datetime.fromisoformat(local).replace(tzinfo=zone_of(zone))
    assert JOB.period(climber(zone), instant) == day


def test_reminders_are_opt_in() -> None:
    assert JOB.period(climber(reminders=False), at("2026-12-07T12:00:00")) is None
    assert User.model_validate(climber().model_dump()).preferences.reminders
    assert UserIn(email="x@example.com").preferences.reminders is False


async def test_a_planned_day_without_an_entry_gets_one_reminder(
    frozen_table: Table, clock: FrozenClock, tmp_path: Path
) -> None:
    user = await UserRepo(frozen_table).create(
        "bo", UserIn(email="bo@example.com", name="Bo", preferences=climber().preferences)
    )
    await PlanRepo(frozen_table).insert(user.id, plan(date(2026, 11, 2), PLAN_DAYS))
    outbox = tmp_path / "outbox"
    settings = Settings(data_dir=tmp_path, allowed_origins=["https://v7.example"])
    env = JobEnv(
        frozen_table, None, clock, settings, load_policy(), OutboxMailer(outbox, "c@x.io", clock)
    )
    period = JOB.period(user, clock())
    assert period == SUNDAY.isoformat()

    assert (await JOB.run_for(env, user, "2026-12-07", dry_run=False)).outcome is Outcome.SKIPPED
    sent = await JOB.run_for(env, user, period, dry_run=False)
    assert sent.outcome is Outcome.DONE
    [path] = list(outbox.iterdir())
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert mail["Subject"] == "Log yesterday's session?"
    text = mail.get_body(preferencelist=("plain",))
    assert text is not None
    assert "Yesterday, Sunday 6 December, your plan had climb, 1 h 30 min" in text.get_content()
    assert "https://v7.example/email/unsubscribe?token=" in str(mail["List-Unsubscribe"])

    await JournalRepo(frozen_table).insert(user.id, session(SUNDAY, 60, 6))
    logged = await JOB.run_for(env, user, period, dry_run=False)
    assert logged.outcome is Outcome.SKIPPED
    assert len(list(outbox.iterdir())) == 1
