"""A small job of the tests' own, plugged into the runner as the report jobs are: it "sends"
to a list, fails for the users it is told to, and skips those whose email says so."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import ClassVar

from redis.asyncio import Redis

from core.clock import Clock
from quotas import load_policy
from server.jobs.job import JobEnv, Outcome, UserJob, UserResult
from server.mail import Email
from server.settings import Settings
from store.records.user import User
from store.table import Table

PERIOD = "2026-W10"


class Outbox:
    """A mailer that keeps what it sent."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    async def send(self, email: Email) -> str:
        self.sent.append(email)
        return str(len(self.sent))


class Greeting(UserJob):
    name: ClassVar[str] = "greeting"
    description: ClassVar[str] = "a test email, once per user per week"

    def __init__(self) -> None:
        self.fail_for: set[str] = set()
        """Emails whose work raises (as a failed SES call would)."""
        self.gate: asyncio.Event | None = None
        """When set, the work waits for it (to hold a run open)."""
        self.started = asyncio.Event()

    def period(self, user: User, now: datetime) -> str | None:
        return None if user.email.startswith("later") else PERIOD

    async def run_for(self, env: JobEnv, user: User, period: str, *, dry_run: bool) -> UserResult:
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        if user.email in self.fail_for:
            raise ConnectionError("the mail service is down")
        email = Email(to=user.email, subject=f"Your {period}", text="Keep climbing.")
        if dry_run:
            return UserResult(Outcome.DONE, "would greet", {"subject": email.subject})
        await env.mailer.send(email)
        return UserResult(Outcome.DONE, "greeted")


def environment(table: Table, redis: Redis | None, outbox: Outbox, clock: Clock) -> JobEnv:
    return JobEnv(
        table=table,
        redis=redis,
        clock=clock,
        settings=Settings(),
        policy=load_policy(),
        mailer=outbox,
    )


class GreetingWhileMailIsDown(Greeting):
    """The greeting on a day the mail service refuses everyone (for `v7 jobs run`, which builds
    its job from the registry and so cannot be told whom to fail)."""

    async def run_for(self, env: JobEnv, user: User, period: str, *, dry_run: bool) -> UserResult:
        raise ConnectionError("the mail service is down")
