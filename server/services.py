"""The clients the app creates once, in its lifespan, and hands down to every route."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from redis.asyncio import Redis
from starlette.requests import HTTPConnection

from core.clock import Clock
from handlers.idempotency import Idempotency
from handlers.session import ChatHandler
from quotas.policy import Policy
from server.allowances import RedisAllowances
from server.hub import Hub
from server.imports import Importer
from server.lifecycle import Lifecycle
from server.media.library import MediaLibrary
from server.runs import RunRegistry
from server.security import Auth
from server.settings import Settings
from server.streams import StreamBuffer
from store.repos.users import UserRepo
from store.table import Table


@dataclass
class Services:
    settings: Settings
    clock: Clock
    """The one clock of the app: everything below reads "now" from it."""
    table: Table
    http: httpx.AsyncClient
    lifecycle: Lifecycle
    auth: Auth
    users: UserRepo
    hub: Hub
    says: Idempotency
    """Runs each `say` at most once per id, across processes (`handlers/idempotency.py`)."""
    runs: RunRegistry
    """The user's running streams on every process: `stop`, and the grace after a drop."""
    chat: ChatHandler
    allowances: RedisAllowances
    redis: Redis
    """The app's Redis client (100 ms command timeout; see `server.redis_url`)."""
    streams: StreamBuffer
    policy: Policy
    """The tier policy (`quotas/tiers.toml`), read once at start: what each tier includes."""
    media: MediaLibrary
    """Photos and videos: the media store (S3 or local) and the storage accounting."""
    imports: Importer
    """Logbook imports running in this process (their state is in the table)."""


def services_of(connection: HTTPConnection) -> Services:
    services: Services = connection.app.state.services
    return services
