"""The weekly report job: each Pro and Premium climber with weekly reports on gets the figures
of the ISO week that has just ended in their time zone (`coaching.reports`), by email.

Due from Monday 08:00 on the climber's clock until the end of Wednesday (`DUE_DAYS`): a run
on Monday morning catches everyone whose Monday has begun, an hourly schedule reaches every
zone, and a run that failed gets two more days to try before the week is too old to be news.
The runner's record per (job, user, week) keeps a re-run from sending it twice.

A week with nothing logged (no session, no send, no food) is SKIPPED, not sent: a report of
zeros every Monday nags a climber who is taking a break, and a skip is not recorded, so if they
log the week late (on Tuesday, for last Saturday) a later run in the same window still sends it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from typing import ClassVar

from coaching.reports import iso_week, report_window, week_of, week_report
from context.plans import plan_library
from context.reads import read_inputs
from quotas import Policy, load_policy
from quotas.features import has_email_reports
from server.jobs.job import JobEnv, Outcome, UserJob, UserResult
from server.reports.common import deliver, local_now, site, unsubscribe_link
from server.reports.render import weekly_email
from store.records.user import User

DUE_AT = time(8, 0)
"""When on Monday (the climber's clock) the week before becomes due."""
DUE_DAYS = 3
"""Monday, Tuesday and Wednesday: after that the week's report is not sent any more."""


class WeeklyReport(UserJob):
    name: ClassVar[str] = "weekly-report"
    description: ClassVar[str] = (
        "Email Pro and Premium climbers with weekly reports on the figures of their last week"
    )

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy if policy is not None else load_policy()

    def period(self, user: User, now: datetime) -> str | None:
        """The ISO week that ended in the user's zone ("2026-W49"), from Monday 08:00 there
        until the end of Wednesday; None outside that, with weekly reports off, or on a tier
        without them."""
        if not self._wanted(self.policy, user, now):
            return None
        local = local_now(user, now)
        day = local.date()
        monday = day - timedelta(days=day.weekday())
        if day.weekday() >= DUE_DAYS or (day == monday and local.time() < DUE_AT):
            return None
        return iso_week(monday - timedelta(days=7))

    async def run_for(self, env: JobEnv, user: User, period: str, *, dry_run: bool) -> UserResult:
        """Read the week, compute it, render it and send it (the tier and preference are
        checked again against the running policy: either may have changed since `period`)."""
        if not self._wanted(env.policy, user, env.clock()):
            return UserResult(Outcome.SKIPPED, "weekly reports are off or not in the tier")
        zone = user.preferences.timezone
        monday = week_of(period)
        window = report_window(monday, zone)
        inputs, library = await asyncio.gather(
            read_inputs(env.table, user.id, window), plan_library(env.table)
        )
        report = week_report(inputs, monday, zone, library)
        if report.empty:
            return UserResult(Outcome.SKIPPED, f"nothing logged in {period}")
        link = await unsubscribe_link(env, user, "email_reports")
        rendered = weekly_email(report, name=user.name, app_url=site(env), unsubscribe=link)
        return await deliver(env, user, rendered, link, dry_run=dry_run)

    @staticmethod
    def _wanted(policy: Policy, user: User, now: datetime) -> bool:
        return user.preferences.email_reports and has_email_reports(
            policy, user.effective_tier(now).value
        )
