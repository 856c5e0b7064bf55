"""What a scheduled job is, independent of what triggers it. Two kinds:

A `UserJob` does one piece of work per (job, user, period): a weekly report for ISO week
2026-W48, a reminder for 2026-12-03. The runner (`server.jobs.runner`) owns everything around
that work — the lock that keeps two processes from running the same job, the record per
(job, user, period) that keeps a re-run from doing it twice, the run id, the logs, and one
user's failure not stopping the others — so a job implements only the small methods below.

A `MaintenanceJob` is upkeep done as one whole run, with no records: finishing pending
erasures, giving back storage of abandoned uploads. Its work is idempotent (running it twice
only repeats harmless work), so the runner gives it the same lock, run id, logs and report,
and the job walks whatever it needs itself.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from core.clock import Clock
    from quotas.policy import Policy
    from server.erasures import Eraser
    from server.mail import Mailer
    from server.media.library import MediaLibrary
    from server.settings import Settings
    from store.records.user import User
    from store.table import Table


@dataclass(frozen=True)
class JobEnv:
    """The clients a job's work gets, created once by the composition root (the server's
    lifespan, or `v7 jobs run`) and handed down. `redis` is None when a command-line run has
    no Redis (the runner then cannot lock and refuses to run, see the runner)."""

    table: Table
    redis: Redis | None
    clock: Clock
    settings: Settings
    policy: Policy
    mailer: Mailer
    eraser: Eraser | None = None
    """The erasure steps over the same clients (`finish-erasures`); None where no job that
    needs it runs (the report jobs' tests)."""
    media: MediaLibrary | None = None
    """The climbers' photos and videos (`media-upkeep`); None as `eraser`."""


class Outcome(StrEnum):
    """What a job did for one user in one period."""

    DONE = "done"
    """The work happened (an email sent); recorded, never done again for this period."""
    SKIPPED = "skipped"
    """Nothing to do for this user now (preference off, tier without the feature, not due yet
    in their time zone, nothing to report); not recorded, so a later run may still do it."""


@dataclass(frozen=True)
class UserResult:
    outcome: Outcome
    detail: str = ""
    """Why, in words for the run's log (never personal data beyond the user id)."""
    preview: Mapping[str, str] = field(default_factory=dict)
    """With `dry_run`: what would have been done (e.g. subject and text of the email)."""


class UserJob(ABC):
    """A job done once per user per period. Subclasses set `name`, `description` and
    `schedule` (a `server.jobs.schedule` value) and implement `period` and `run_for`."""

    name: ClassVar[str]
    """`v7 jobs run NAME`; also the EventBridge schedule's name suffix."""
    description: ClassVar[str]

    @abstractmethod
    def period(self, user: User, now: datetime) -> str | None:
        """The period a run at `now` would do this user's work for (e.g. "2026-W48", the
        ISO week that ended in the user's time zone), or None when nothing is due for them
        now. The runner keys its done-record by it."""

    @abstractmethod
    async def run_for(self, env: JobEnv, user: User, period: str, *, dry_run: bool) -> UserResult:
        """Do the work for `user` and `period`; with `dry_run`, change and send nothing and
        return a preview. Raising counts as this user's failure: logged, not recorded, and the
        run goes on with the next user."""


class MaintenanceJob(ABC):
    """Upkeep done as one whole run (not per user and period, no records). Subclasses set
    `name` and `description` and implement `run`."""

    name: ClassVar[str]
    """`v7 jobs run NAME`; the lock's name."""
    description: ClassVar[str]

    @abstractmethod
    async def run(self, env: JobEnv, *, dry_run: bool) -> dict[str, int]:
        """Do the upkeep once and return its counts, for the run's report and logs (e.g.
        {"finished": 2, "pending": 1}; plain words, since they become log fields); a count
        named "failed" is the report's `failed` (the things this run could not do, which a
        later run retries). With `dry_run`, change
        nothing and count what would be done. Must be idempotent: a run cut short, or
        overlapping one that lost its lock, only repeats harmless work. Raising fails the
        whole run (logged and counted by the runner; the next run tries again)."""


Job = UserJob | MaintenanceJob
"""Either kind: what the registry loads, the runner runs and the scheduler plans."""


class NeedsClient(Exception):
    """A maintenance job was handed a `JobEnv` without a client it needs (a wiring fault)."""
