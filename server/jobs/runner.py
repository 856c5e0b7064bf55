"""Running a job: the one home of the rules around a job's work.

`run(job, env)` is what every trigger calls (the in-process scheduler, `v7 jobs run`, the ECS
task EventBridge starts). For a `UserJob`:

1. The job's Redis lock (`server.jobs.lock`): a second runner finds it held and does nothing
   (`RunReport.lock_held`). Without Redis a run is refused (`JobRefused`): the lock is what
   keeps two processes apart.
2. Every account (the account index, `UserRepo.accounts`; or the one `user_email`), a page at
   a time. `job.period(user, now)` None: nothing due, skipped.
3. The record of (job, user, period) in the user's partition (`store.repos.jobs`), claimed
   before the work by a conditional put:
   - already `done`: skipped, counted `already_done`;
   - already `running` (a run died after its claim, or the work is going on elsewhere): never
     redone. Email is at-most-once: a report that may have gone out is not sent again, so such
     users are counted `in_doubt`, logged, and left until the record expires (60 days, long
     after the period is over);
   - claimed: `job.run_for`; DONE marks the record done, SKIPPED releases it (a later run may
     still do the work).
4. One user's exception does not stop the run: logged with the run id and the user id (never
   an email address or a name), counted `failed`, the claim released so a later run retries.
5. Start and end are logged with the run id, the counts and the duration.

`dry_run` takes no lock and writes no record (it changes nothing, so it may run beside a real
run, and without Redis); `run_for(dry_run=True)` returns previews, collected in the report.

A `MaintenanceJob` gets rules 1 and 5 the same (lock, run id, logs, report) and is run once as
a whole: its own counts go in the report (`RunReport.tallies`), its "failed" count is the
report's `failed`, and an exception fails the run (logged with its type, counted `failed` 1,
the lock released) without escaping, so a scheduler's loop and `v7 jobs run`'s exit status see
it like any failure. It has no `user_email` (refused: it works on everything at once).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from quotas.unavailable import REDIS_DOWN
from server.jobs.job import Job, JobEnv, MaintenanceJob, Outcome, UserJob
from server.jobs.lock import LockHeld, job_lock
from store.records.user import User
from store.repos.jobs import JobRecordRepo, JobState
from store.repos.users import UserRepo

log = logging.getLogger("v7.jobs")


class JobRefused(Exception):
    """The run cannot start (no Redis to lock with, or Redis unreachable); nothing was done."""


class UnknownUser(Exception):
    """`user_email` names no account."""


@dataclass(frozen=True)
class Preview:
    user_id: str
    period: str
    detail: str
    preview: dict[str, str]


@dataclass
class RunReport:
    """What one run did. For a per-user job the counts are of users; for a maintenance job
    (`per_user` False) they are its own `tallies` and `failed`. `lock_held`: another process
    was running the job, so this run did nothing."""

    job: str
    run_id: str
    started_at: datetime
    dry_run: bool = False
    lock_held: bool = False
    done: int = 0
    skipped: int = 0
    failed: int = 0
    already_done: int = 0
    in_doubt: int = 0
    duration_s: float = 0.0
    previews: list[Preview] = field(default_factory=list)
    per_user: bool = True
    tallies: dict[str, int] = field(default_factory=dict)
    """A maintenance job's own counts (e.g. erasures finished and pending); empty otherwise."""

    def counts(self) -> dict[str, int]:
        if not self.per_user:
            return {**self.tallies, "failed": self.failed}
        return {
            "done": self.done,
            "skipped": self.skipped,
            "failed": self.failed,
            "already_done": self.already_done,
            "in_doubt": self.in_doubt,
        }

    def summary(self) -> str:
        """One line for an operator."""
        if self.lock_held:
            return f"{self.job}: already running in another process; nothing done"
        counts = ", ".join(
            f"{count} {name.replace('_', ' ')}" for name, count in self.counts().items()
        )
        mode = " (dry run)" if self.dry_run else ""
        return f"{self.job}{mode} run {self.run_id}: {counts} in {self.duration_s:.2f} s"


async def run(
    job: Job, env: JobEnv, *, user_email: str | None = None, dry_run: bool = False
) -> RunReport:
    """Run `job` once (the rules in the module doc). Raises `JobRefused` when a real run has
    no Redis, or a maintenance job is given `user_email`; `UnknownUser` when `user_email`
    names no account."""
    report = RunReport(
        job=job.name,
        run_id=uuid.uuid4().hex[:12],
        started_at=env.clock(),
        dry_run=dry_run,
        per_user=isinstance(job, UserJob),
    )
    work: Callable[[], Awaitable[None]]
    if isinstance(job, MaintenanceJob):
        if user_email is not None:
            raise JobRefused(f"{job.name} works on every account at once; it takes no --user")
        work = partial(_whole, job, env, report)
    else:
        work = partial(_walk, job, env, await _chosen(env, user_email), report)
    if dry_run:
        await work()
        return report
    if env.redis is None:
        raise JobRefused(f"{job.name}: no Redis to lock with; a run needs V7_REDIS_URL")
    try:
        async with job_lock(env.redis, job.name):
            await work()
    except LockHeld:
        report.lock_held = True
        log.info("job already running", extra={"job": job.name, "run_id": report.run_id})
    except REDIS_DOWN as exc:
        raise JobRefused(f"{job.name}: Redis unreachable ({type(exc).__name__})") from exc
    return report


async def _whole(job: MaintenanceJob, env: JobEnv, report: RunReport) -> None:
    started = time.monotonic()
    context = {"job": job.name, "run_id": report.run_id, "dry_run": report.dry_run}
    log.info("job run started", extra=context)
    try:
        tallies = dict(await job.run(env, dry_run=report.dry_run))
    except Exception as exc:  # the run fails as a whole; the lock is released, the next retries
        report.failed += 1
        log.warning("job run failed", extra={**context, "error": type(exc).__name__})
    else:
        report.failed += tallies.pop("failed", 0)
        report.tallies = tallies
    report.duration_s = time.monotonic() - started
    log.info("job run ended", extra={**context, **report.counts(), "seconds": report.duration_s})


async def _chosen(env: JobEnv, user_email: str | None) -> AsyncIterator[User]:
    """The accounts a run walks: one, or all (a page at a time)."""
    repo = UserRepo(env.table)
    if user_email is None:
        return repo.accounts()
    user = await repo.find_by_email(user_email)
    if user is None:
        raise UnknownUser("no account with that email")
    return _one(user)


async def _one(user: User) -> AsyncIterator[User]:
    yield user


async def _walk(job: UserJob, env: JobEnv, users: AsyncIterator[User], report: RunReport) -> None:
    started = time.monotonic()
    context = {"job": job.name, "run_id": report.run_id, "dry_run": report.dry_run}
    log.info("job run started", extra=context)
    records = JobRecordRepo(env.table)
    async for user in users:
        try:
            await _user(job, env, user, report, records)
        except Exception as exc:  # the work or the store around it: this user only
            report.failed += 1
            log.warning(
                "job failed for a user",
                extra={**context, "user_id": user.id, "error": type(exc).__name__},
            )
    report.duration_s = time.monotonic() - started
    log.info("job run ended", extra={**context, **report.counts(), "seconds": report.duration_s})


async def _user(
    job: UserJob, env: JobEnv, user: User, report: RunReport, records: JobRecordRepo
) -> None:
    now = env.clock()
    period = job.period(user, now)
    if period is None:
        report.skipped += 1
        return
    if report.dry_run:
        await _preview(job, env, user, period, report)
        return
    existing = await records.claim(user.id, job.name, period, run_id=report.run_id, now=now)
    if existing is None:
        await _work(job, env, user, period, report, records)
    elif existing.state is JobState.DONE:
        report.already_done += 1
    else:
        report.in_doubt += 1
        log.warning(
            "job left in doubt: claimed by an unfinished run, not redone",
            extra={
                "job": job.name,
                "run_id": report.run_id,
                "user_id": user.id,
                "claimed_by": existing.run_id,
            },
        )


async def _work(
    job: UserJob,
    env: JobEnv,
    user: User,
    period: str,
    report: RunReport,
    records: JobRecordRepo,
) -> None:
    try:
        result = await job.run_for(env, user, period, dry_run=False)
    except Exception:  # counted and logged by `_walk`; a later run may try this user again
        await records.release(user.id, job.name, period, run_id=report.run_id)
        raise
    if result.outcome is Outcome.DONE:
        await records.complete(user.id, job.name, period, now=env.clock())
        report.done += 1
    else:
        await records.release(user.id, job.name, period, run_id=report.run_id)
        report.skipped += 1


async def _preview(job: UserJob, env: JobEnv, user: User, period: str, report: RunReport) -> None:
    result = await job.run_for(env, user, period, dry_run=True)  # a fault: `_walk`'s to count
    if result.outcome is Outcome.DONE:
        report.done += 1
        report.previews.append(Preview(user.id, period, result.detail, dict(result.preview)))
    else:
        report.skipped += 1
