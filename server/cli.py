"""The `v7` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Sequence

from core.clock import system_clock
from server.settings import Settings

REDIS_TIMEOUT_S = 2.0
"""Command timeout of the command line's own Redis client (the server's is 100 ms)."""


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
    return parser


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
    then fails and those erasures stay pending). The message, and whether all finished."""
    from contextlib import AsyncExitStack
    from urllib.parse import urlsplit

    import aioboto3

    from server.auth.cognito_admin import CognitoAdmin
    from server.embedded_redis import EmbeddedRedis
    from server.erasures import Eraser, finish_erasures
    from server.redis_url import check_url, unix_client, url_client
    from store import open_table

    check_url(settings.redis_url)
    async with AsyncExitStack() as stack:
        table = await stack.enter_async_context(
            open_table(settings.resolved_store_url, data_dir=settings.data_dir)
        )
        if urlsplit(settings.redis_url).scheme == "embedded":
            redis = unix_client(EmbeddedRedis(settings.data_dir).socket_path, REDIS_TIMEOUT_S)
        else:
            redis = url_client(settings.redis_url, REDIS_TIMEOUT_S)
        stack.push_async_callback(redis.aclose)
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
        from server.media.store import open_media_store

        media = await stack.enter_async_context(open_media_store(settings, system_clock))
        result = await finish_erasures(Eraser(table, redis, admin, system_clock, media))
    return f"{result.finished} finished, {result.pending} pending", not result.pending


def _serve(settings: Settings, host: str | None, port: int | None, demo: bool = False) -> None:
    from server.app import create_app
    from server.run import serve

    if demo and settings.auth != "local":
        raise SystemExit("v7 serve --demo works in local auth mode only (V7_AUTH=local)")
    overrides = {key: value for key, value in (("host", host), ("port", port)) if value}
    if overrides:
        settings = settings.model_copy(update=overrides)
    serve(create_app(settings, demo=demo), settings)


async def _store_init(settings: Settings) -> str:
    from store import init_table

    return await init_table(settings.resolved_store_url, data_dir=settings.data_dir)


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
            _serve(settings, args.host, args.port, args.demo)
        elif args.command == "users" and args.users_command == "set-tier":
            print(asyncio.run(_set_tier(settings, args.email, args.tier)))
        elif args.command == "users" and args.users_command == "finish-erasures":
            message, all_done = asyncio.run(_finish_erasures(settings))
            print(f"erasures: {message}")
            return 0 if all_done else 1
        elif args.command == "token":
            print(asyncio.run(_token(settings, args.email)))
        elif args.command == "store" and args.store_command == "init":
            print(asyncio.run(_store_init(settings)))
        elif args.command == "store" and args.store_command == "seed":
            print("seeded " + asyncio.run(_store_seed(settings)))
    except (StoreError, ValueError) as error:
        # Bad settings (an unknown store URL scheme) and store faults both get one clear line.
        print(f"v7: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
