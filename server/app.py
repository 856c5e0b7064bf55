"""The application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from functools import partial
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from context.assembly import CoachContext
from context.cache import ContextCache
from context.generations import RedisGenerations
from context.reference import REFERENCE_TTL_S, SharedReference
from core.clock import Clock, system_clock
from handlers.analytics import shown as shown_analytics
from handlers.chat import Chat
from handlers.coach import Coach
from handlers.idempotency import Idempotency
from handlers.proposals import PROPOSE_TOOL, ProposalStore
from quotas import Quotas, RateLimiter, load_policy
from quotas.unavailable import RedisGate
from server import freshness, health, ws
from server.allowances import RedisAllowances
from server.api import Endpoint
from server.backends import check_backend_urls
from server.erasures import Eraser
from server.errors import EXCEPTION_HANDLERS
from server.fanout import Fanout
from server.freshness import FreshChat
from server.hub import Hub
from server.imports import Importer
from server.jobs.job import JobEnv
from server.jobs.registry import in_server
from server.jobs.scheduler import LocalScheduler, planned
from server.lifecycle import Lifecycle
from server.limits import BodyLimit
from server.mailers import open_mailer
from server.media.library import MediaLibrary
from server.media.local import UPLOAD_PATH
from server.media.store import open_media_store
from server.middleware import CorrelationMiddleware
from server.models import open_models
from server.openapi import openapi
from server.redis_io import patient_client
from server.redis_url import CHECK_SLOTS, open_redis
from server.routes import (
    analytics,
    athlete,
    auth,
    chat,
    commands,
    imports,
    insights,
    journal,
    media,
    nutrition,
    oauth,
    reports,
    sends,
    static,
    tokens,
    training,
    users,
)
from server.runs import CONTROL_STOP, RunRegistry
from server.say_ledger import SayLedger
from server.security import build_auth
from server.services import Services
from server.settings import Settings
from server.socket_cap import SocketLeases
from server.streams import StreamBuffer
from store import open_table
from store.repos.chat import ChatRepo
from store.repos.users import UserRepo

VERSION = "0.1.0"


def endpoints() -> list[Endpoint]:
    """Every REST endpoint, in the order the OpenAPI document lists them."""
    return [
        *auth.endpoints,
        *oauth.endpoints,
        *users.endpoints,
        *tokens.endpoints,
        *athlete.endpoints,
        *journal.endpoints,
        *sends.endpoints,
        *training.endpoints,
        *nutrition.endpoints,
        *chat.endpoints,
        *insights.endpoints,
        *commands.endpoints,
        *analytics.endpoints,
        *reports.endpoints,
        *media.endpoints,
        *imports.endpoints,
    ]


def create_app(settings: Settings, *, demo: bool = False, clock: Clock = system_clock) -> Starlette:
    """Build the app. Clients (table, HTTP, Cognito) are created once, when the lifespan starts,
    and closed when it ends; nothing is opened at import or per request. With `demo`, the
    lifespan seeds the demo climber (server.demo) before serving; local auth only. `clock` is
    the one clock every part reads "now" from."""
    lifecycle = Lifecycle()
    policy = load_policy(settings.tiers_file)  # a bad tiers.toml fails here, before anything starts
    check_backend_urls(settings, policy)  # and so does an unknown option in a backend URL
    plan = planned(in_server(settings.scheduler), settings)  # and a job whose code is missing
    api = endpoints()
    spec = openapi(api, title="V7 Coach", version=VERSION)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            table = await stack.enter_async_context(
                open_table(settings.resolved_store_url, data_dir=settings.data_dir, clock=clock)
            )
            http = await stack.enter_async_context(httpx.AsyncClient(timeout=5.0))
            redis = await stack.enter_async_context(
                open_redis(settings.redis_url, settings.data_dir)
            )
            gate = RedisGate(CHECK_SLOTS)  # one queue for every check of this process
            allowances = RedisAllowances(
                Quotas(redis, policy, table, clock=clock, gate=gate),
                RateLimiter(redis, policy, gate=gate),
            )
            # Cross-process parts: blocking reads (pub/sub, XREAD BLOCK) get their own client.
            patient = await stack.enter_async_context(patient_client(redis))
            hub = Hub()
            hub.relay = await stack.enter_async_context(
                Fanout(redis, patient, hub.deliver_local, hub.deliver_control)
            )
            hub.leases = await stack.enter_async_context(
                SocketLeases(redis, settings.max_sockets_per_user)
            )
            users_repo = UserRepo(table)
            streams = await stack.enter_async_context(StreamBuffer(redis, patient))
            runs = RunRegistry(redis, hub, grace_s=settings.resume_grace_seconds)
            hub.on_control(CONTROL_STOP, runs.on_stop_message)
            freshness.register(hub, runs.local.stop_user)
            lifecycle.on_drain(runs.stop_all)
            models, fallback = await open_models(settings.named_models, policy, stack)
            # Every write to a climber's records, from any part of this process, replaces their
            # generation in Redis, so no process serves a context computed before it.
            context_cache = ContextCache(
                max_users=settings.context_cache_users,
                max_age=timedelta(seconds=settings.context_cache_max_age_seconds),
            )
            generations = RedisGenerations(redis, forget=context_cache.forget)
            table.on_write(generations.bump)
            stack.callback(table.on_write, None)
            coach = Coach(
                models=models,
                assembler=CoachContext(
                    table,
                    clock=clock,
                    tools=[PROPOSE_TOOL],
                    shown=partial(shown_analytics, policy),  # what the tier shows, no more
                    generations=generations,
                    cache=context_cache,
                    reference=SharedReference(table, ttl_s=REFERENCE_TTL_S),
                ),
                chat=ChatRepo(table),
                proposals=ProposalStore(table),
                clock=clock,
                allowances=allowances,
                fallback=fallback,
                runs=runs,
            )
            auth = await build_auth(settings, table, http, stack, clock, redis, gate)
            media_store = await stack.enter_async_context(open_media_store(settings, clock))
            media_library = MediaLibrary(
                table,
                media_store,
                policy,
                clock,
                settings.media_upload_seconds,
                settings.media_download_seconds,
            )
            # One scheduler for all periodic work: the in-server upkeep (finishing erasures,
            # media) always, the per-climber jobs only on a laptop (AWS: EventBridge starts
            # them as tasks). The rule is the registry's (`server.jobs.registry`).
            mailer = await stack.enter_async_context(open_mailer(settings, clock))
            env = JobEnv(
                table,
                redis,
                clock,
                settings,
                policy,
                mailer,
                eraser=Eraser(table, redis, auth.admin, clock, media_store),
                media=media_library,
            )
            app.state.scheduler = await stack.enter_async_context(LocalScheduler(plan, env))
            importer = Importer(table, clock)
            stack.push_async_callback(importer.aclose)
            app.state.services = Services(
                settings=settings,
                clock=clock,
                table=table,
                http=http,
                lifecycle=lifecycle,
                auth=auth,
                users=users_repo,
                hub=hub,
                says=Idempotency(SayLedger(redis)),
                runs=runs,
                chat=FreshChat(
                    Chat(table, clock=clock, allowances=allowances, coach=coach, policy=policy),
                    users_repo,
                    hub,
                    clock,
                ),
                allowances=allowances,
                redis=redis,
                streams=streams,
                policy=policy,
                media=media_library,
                imports=importer,
            )
            if demo:
                from server.demo import seed_for_app

                await seed_for_app(app.state.services)
            # Everything built so far lives as long as the process: keep the collector from
            # walking it again at every full collection. Unfrozen, a full collection of this
            # heap paused the event loop for 100-300 ms, longer than a Redis command's 100 ms
            # timeout, so a burst of quota checks on a healthy Redis read as an outage.
            gc.freeze()
            yield

    async def openapi_json(request: Request) -> JSONResponse:
        return JSONResponse(spec)

    routes: list[BaseRoute] = [
        *health.routes,
        *auth.routes,
        *oauth.routes,
        Route("/openapi.json", openapi_json),
        *(endpoint.route() for endpoint in api),
        *media.routes,
        *static.routes,
    ]
    handlers: Any = EXCEPTION_HANDLERS
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(ws.SocketsFirst),
            Middleware(CorrelationMiddleware),
            # The local store's upload route bounds its body by the signed size instead, and an
            # import by V7_IMPORT_MAX_BYTES (server/routes/imports.py).
            Middleware(
                BodyLimit,
                max_bytes=settings.max_body_bytes,
                own_limit=(UPLOAD_PATH, imports.IMPORT_PATH),
            ),
        ],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.lifecycle = lifecycle
    app.state.settings = settings
    return app
