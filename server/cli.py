"""The `v7` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from core.clock import system_clock
from server.settings import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from server.erasures import Eraser
    from server.jobs.registry import Registered
    from server.media.library import MediaLibrary
    from store.table import Table


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="v7", description="V7 Coach")
    commands = parser.add_subparsers(dest="command", required=True)

    store = commands.add_parser("store", help="manage the table")
    store_commands = store.add_subparsers(dest="store_command", required=True)
    store_commands.add_parser("init", help="create the table and its indexes")
    store_commands.add_parser("seed", help="load the exercise library and coaching templates")

    serve = commands.add_parser("serve", help="serve the chat, the REST API and the web UI")
    serve.add_argument("--host", help="address to listen on (default: V7_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: V7_PORT or 8000)")
    serve.add_argument(
        "--demo",
        action="store_true",
        help="seed a demo climber (demo@v7.coach) with months of history; local auth only",
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="server processes sharing the port (default: V7_WORKERS or the machine's cores; "
        "1: one process, no supervisor)",
    )

    token = commands.add_parser("token", help="local auth: print an access token for EMAIL")
    token.add_argument("email")

    users = commands.add_parser("users", help="manage users")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    set_tier = users_commands.add_parser("set-tier", help="change a user's subscription tier")
    set_tier.add_argument("email")
    set_tier.add_argument("tier", choices=["free", "pro", "premium"])
    users_commands.add_parser(
        "finish-erasures",
        help="finish account erasures left pending (Redis or Cognito was unreachable); "
        "exit status 1 if some are still pending",
    )

    logbook = commands.add_parser(
        "import", help="import a logbook file (Mountain Project, 8a.nu, theCrag, KAYA, V7 JSON)"
    )
    logbook.add_argument("file", type=Path)
    logbook.add_argument("--user", required=True, metavar="EMAIL", help="the account to fill")
    logbook.add_argument(
        "--format",
        choices=["mountainproject", "8a", "thecrag", "kaya", "v7-json"],
        help="the file's format (default: told from the file)",
    )

    jobs = commands.add_parser("jobs", help="scheduled jobs: list them, run one now")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_commands.add_parser("list", help="every job, its schedule and what it does")
    run_job = jobs_commands.add_parser(
        "run",
        help="run a job now (as its schedule would); exit status 1 if a user failed, 2 if "
        "another process is running it",
    )
    run_job.add_argument("name")
    run_job.add_argument("--user", metavar="EMAIL", help="only this climber")
    run_job.add_argument(
        "--dry-run", action="store_true", help="send and record nothing; print what would go"
    )
    return parser


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _jobs_list(settings: Settings) -> str:
    from server.jobs.registry import JOBS, Trigger

    def when(job: Registered) -> str:
        schedule = job.schedule_for(settings)
        if job.trigger is Trigger.SERVER:
            return f"{schedule} (in the server)"
        return f"{schedule} ({schedule.expression()})"

    width = max(len(job.name) for job in JOBS)
    return "\n".join(f"{job.name:<{width}}  {when(job)}  {job.description}" for job in JOBS)


async def _upkeep_clients(
    stack: AsyncExitStack, settings: Settings, table: Table, redis: Redis | None
) -> tuple[Eraser, MediaLibrary]:
    """What the maintenance jobs need beyond the store and Redis, opened on `stack`: the
    media store and, in Cognito mode, the pool's admin client."""
    import aioboto3

    from quotas import load_policy
    from server.auth.cognito_admin import CognitoAdmin
    from server.erasures import Eraser
    from server.media.library import MediaLibrary
    from server.media.store import open_media_store

    admin = None
    if settings.auth == "cognito":
        client = await stack.enter_async_context(
            aioboto3.Session().client(
                "cognito-idp",
                region_name=settings.cognito_region,
                endpoint_url=settings.cognito_endpoint_url or None,
            )
        )
        admin = CognitoAdmin(client, settings.cognito_user_pool_id)
    media = await stack.enter_async_context(open_media_store(settings, system_clock))
    library = MediaLibrary(
        table,
        media,
        load_policy(settings.tiers_file),
        system_clock,
        settings.media_upload_seconds,
        settings.media_download_seconds,
    )
    return Eraser(table, redis, admin, system_clock, media), library


async def _jobs_run(settings: Settings, name: str, user: str | None, dry_run: bool) -> int:
    """Run job `name` once with clients of its own (as `finish-erasures` builds them) and
    print its report. Exit status: 0, 1 when a user (or a maintenance run) failed, 2 when
    another process holds the job's lock; refused (`SystemExit`) without Redis for a real run,
    or for an unknown job."""
    from quotas import load_policy
    from server.cli_redis import command_line_redis, tell_caches
    from server.jobs.job import JobEnv
    from server.jobs.registry import find
    from server.jobs.runner import JobRefused, UnknownUser, run
    from server.mailers import open_mailer
    from store import open_table

    entry = find(name)
    if entry is None:
        raise SystemExit(f"v7: no job named {name!r} (see v7 jobs list)")
    job = entry.load()
    async with AsyncExitStack() as stack:
        table = await stack.enter_async_context(
            open_table(settings.resolved_store_url, data_dir=settings.data_dir)
        )
        # No server running the embedded Redis: a dry run goes on without it.
        redis = await command_line_redis(stack, settings)
        tell_caches(table, redis)
        mailer = await stack.enter_async_context(open_mailer(settings))
        eraser, media = await _upkeep_clients(stack, settings, table, redis)
        env = JobEnv(
            table,
            redis,
            system_clock,
            settings,
            load_policy(settings.tiers_file),
            mailer,
            eraser=eraser,
            media=media,
        )
        try:
            report = await run(job, env, user_email=user, dry_run=dry_run)
        except (JobRefused, UnknownUser) as error:
            raise SystemExit(f"v7: {error}") from None
    print(report.summary())
    for preview in report.previews:
        print(f"- user {preview.user_id}, {preview.period}: {preview.detail}")
        for key, value in preview.preview.items():
            print(f"  {key}: {value}")
    if report.lock_held:
        return 2
    return 1 if report.failed else 0


async def _set_tier(settings: Settings, email: str, tier: str) -> str:
    """Give the user an active subscription of `tier`. Usage counters are per user, so what
    they used this month and week still counts under the new tier's limits. Needs only the
    store: open sockets read the account at every `say` (`server.freshness`), so the new tier
    applies from the climber's next message on every server process."""
    from store import open_table
    from store.records.user import Subscription, SubscriptionStatus, Tier
    from store.repos.users import UserRepo

    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
        users = UserRepo(table)
        user = await users.find_by_email(email)
        if user is None:
            raise SystemExit(f"v7: no user with email {email}")
        subscription = Subscription(
            tier=Tier(tier), status=SubscriptionStatus.ACTIVE, provider="operator"
        )
        await users.set_subscription(user.id, subscription)
    return f"{user.email} is now on the {tier} tier"


async def _token(settings: Settings, email: str) -> str:
    """Create the user if needed and mint an access token with the server's own key."""
    from server.auth.local_issuer import LocalIssuer
    from store import open_table
    from store.records.user import UserIn
    from store.repos.users import UserRepo

    if settings.auth != "local":
        raise SystemExit("v7 token works in local auth mode only (V7_AUTH=local)")
    issuer = await asyncio.to_thread(
        LocalIssuer.load_or_create,
        settings.data_dir,
        issuer=settings.local_issuer,
        client_id=settings.local_client_id,
    )
    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
        users = UserRepo(table)
        user = await users.find_by_email(email)
        if user is None:
            user = await users.create(uuid.uuid4().hex, UserIn(email=email))
    return issuer.issue(user.id, user.email, "access", settings.token_ttl_seconds)


async def _finish_erasures(settings: Settings) -> tuple[str, bool]:
    """Run `finish_erasures` once, with clients of its own: the store, Redis (the server's
    embedded one through its socket, never starting one) and, in Cognito mode, the pool.
    Takes no lock: the steps are idempotent, so running beside a server's periodic run only
    repeats work, and an operator must be able to run it while Redis is down (the Redis step
    then fails and those erasures stay pending). `v7 jobs run finish-erasures` is the same run
    under the job's lock. The message, and whether all finished."""
    from server.cli_redis import command_line_redis
    from server.erasures import finish_erasures
    from store import open_table

    async with AsyncExitStack() as stack:
        table = await stack.enter_async_context(
            open_table(settings.resolved_store_url, data_dir=settings.data_dir)
        )
        # No write hook for the context caches: an erasure removes the climber's generation
        # with their other Redis keys, which is what tells every cache.
        redis = await command_line_redis(stack, settings, embedded_must_run=True)
        assert redis is not None
        eraser, _ = await _upkeep_clients(stack, settings, table, redis)
        result = await finish_erasures(eraser)
    return f"{result.finished} finished, {result.pending} pending", not result.pending


def _serve(
    settings: Settings,
    host: str | None,
    port: int | None,
    demo: bool = False,
    workers: int | None = None,
) -> int:
    """Serve until a signal; the exit status. One worker: this process serves; more: it
    supervises them (`server.workers`)."""
    if demo and settings.auth != "local":
        raise SystemExit("v7 serve --demo works in local auth mode only (V7_AUTH=local)")
    given = (("host", host), ("port", port), ("workers", workers))
    overrides = {key: value for key, value in given if value}
    if overrides:
        settings = settings.model_copy(update=overrides)
    if settings.workers > 1:
        from server.workers import check_before_workers, serve_workers

        check_before_workers(settings)
        return serve_workers(settings, demo=demo)
    from server.app import create_app
    from server.run import serve

    serve(create_app(settings, demo=demo), settings)
    return 0


async def _store_init(settings: Settings) -> str:
    from store import init_table
    from store.backfill import backfill_account_index

    url, data_dir = settings.resolved_store_url, settings.data_dir
    state = await init_table(url, data_dir=data_dir)
    added = await backfill_account_index(url, data_dir=data_dir)
    return f"{state}; {added} earlier profiles added to the account index"


async def _store_seed(settings: Settings) -> str:
    from store import open_table
    from store.seed import seed_reference

    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
        counts = await seed_reference(table)
    return ", ".join(f"{count} {kind}" for kind, count in counts.items())


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    from store.errors import StoreError

    try:
        if args.command == "serve":
            return _serve(settings, args.host, args.port, args.demo, args.workers)
        elif args.command == "users" and args.users_command == "set-tier":
            print(asyncio.run(_set_tier(settings, args.email, args.tier)))
        elif args.command == "users" and args.users_command == "finish-erasures":
            message, all_done = asyncio.run(_finish_erasures(settings))
            print(f"erasures: {message}")
            return 0 if all_done else 1
        elif args.command == "jobs" and args.jobs_command == "list":
            print(_jobs_list(settings))
        elif args.command == "jobs" and args.jobs_command == "run":
            return asyncio.run(_jobs_run(settings, args.name, args.user, args.dry_run))
        elif args.command == "import":
            from server.import_cli import import_file

            outcome, imported = asyncio.run(
                import_file(settings, system_clock, args.file, args.user, args.format)
            )
            print(outcome)
            return 0 if imported else 1
        elif args.command == "token":
            print(asyncio.run(_token(settings, args.email)))
        elif args.command == "store" and args.store_command == "init":
            print(asyncio.run(_store_init(settings)))
        elif args.command == "store" and args.store_command == "seed":
            print("seeded " + asyncio.run(_store_seed(settings)))
    except (StoreError, ValueError, OSError) as error:
        # Bad settings (an unknown store URL scheme) and store faults both get one clear line.
        print(f"v7: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
