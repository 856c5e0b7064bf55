"""The reminder job: "log yesterday's session?" to a climber who asked for reminders, the
morning after a training day of their active plan that has no journal entry.

Due from 09:00 on the climber's clock for the rest of that day; the period is yesterday's date
there, so the runner's record keeps it to one email per planned day. SKIPPED (not recorded, so
a later run looks again) when there is no active plan, yesterday was a rest day in it, or
something is logged for yesterday. Every tier may opt in: it costs nothing but an email.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from typing import ClassVar

from coaching.plans.view import current_plan, planned_day
from core.text import weekday_day_and_month
from server.jobs.job import JobEnv, Outcome, UserJob, UserResult
from server.reports.common import deliver, local_now, site, unsubscribe_link
from server.reports.render import Rendered, duration, render
from store.records.user import User
from store.repos import JournalRepo, PlanRepo

DUE_AT = time(9, 0)
"""When in the morning (the climber's clock) yesterday's reminder becomes due."""

SUBJECT = "Log yesterday's session?"


class Reminder(UserJob):
    name: ClassVar[str] = "reminders"
    description: ClassVar[str] = (
        "Email climbers with reminders on when yesterday's planned session has no entry"
    )

    def period(self, user: User, now: datetime) -> str | None:
        """Yesterday's date in the user's zone ("2026-12-03"), from 09:00 there; None before
        then or with reminders off."""
        if not user.preferences.reminders:
            return None
        local = local_now(user, now)
        if local.time() < DUE_AT:
            return None
        return (local.date() - timedelta(days=1)).isoformat()

    async def run_for(self, env: JobEnv, user: User, period: str, *, dry_run: bool) -> UserResult:
        if not user.preferences.reminders:
            return UserResult(Outcome.SKIPPED, "reminders are off")
        day = date.fromisoformat(period)
        plans, logged = await asyncio.gather(
            PlanRepo(env.table).list(user.id),
            JournalRepo(env.table).list(user.id, start=day, end=day, limit=1),
        )
        plan = current_plan(plans.items)
        if plan is None:
            return UserResult(Outcome.SKIPPED, "no active plan")
        planned = planned_day(plan, day)
        if not planned.training:
            return UserResult(Outcome.SKIPPED, f"{period} was a rest day in the plan")
        if logged.items:
            return UserResult(Outcome.SKIPPED, f"{period} is logged")
        link = await unsubscribe_link(env, user, "reminders")
        what = planned.type.value
        if planned.duration_minutes:
            what += f", {duration(planned.duration_minutes)}"
        context = {
            "name": user.name,
            # English names on purpose, like every date the coach shows (`core.zones`).
            "day": weekday_day_and_month(day),
            "planned": what,
            "example": f"{planned.duration_minutes or 60}min yesterday rpe 7",
            "app_url": site(env),
            "unsubscribe": link,
        }
        rendered = Rendered(
            subject=SUBJECT,
            text=render("reminder.txt", **context),
            html=render("reminder.html", **context),
        )
        return await deliver(env, user, rendered, link, dry_run=dry_run)
