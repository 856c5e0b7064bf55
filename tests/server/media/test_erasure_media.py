"""Erasure and the media store: a store that cannot be used keeps the erasure pending (the
objects must not outlive the account); one that can lets it finish with every object gone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from redis.asyncio import Redis

from server.erasures import Eraser
from server.media.local import LocalMediaStore
from server.media.s3 import open_s3_store
from server.media.store import object_key
from server.settings import Settings
from store.records import UserIn
from store.repos import UserRepo
from store.repos.erasures import ErasureRepo
from store.table import Table
from tests.clock import FrozenClock

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Access Denied</Message></Error>"
)


class _Refuse(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(403)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(DENIED)))
        self.end_headers()
        self.wfile.write(DENIED)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        return None


@contextmanager
def refusing_s3() -> Iterator[str]:
    """An endpoint on loopback answering every S3 call 403 AccessDenied."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_objects_never_outlive_the_account(
    sqlite_table: Table, redis: Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = sqlite_table  # SQLite only: the subject is the media step, not the engine
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    clock = FrozenClock(NOW)
    await UserRepo(table).create("ann", UserIn(email="ann@example.com"))
    tombstone = await ErasureRepo(table).begin("ann", username="ann", email="", now=NOW)
    local = LocalMediaStore(tmp_path / "media", b"k" * 32, clock)
    stored = local.root / object_key("ann", "m1")
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"\xff\xd8\xff")

    # A store that refuses every call (as S3 does with its own error format): the erasure
    # stays pending.
    with refusing_s3() as endpoint:
        refusing = Settings(
            data_dir=tmp_path,
            media_bucket="media",
            media_endpoint_url=endpoint,
            media_region="us-east-1",
        )
        async with open_s3_store(refusing, clock) as store:
            assert not await Eraser(table, redis, None, clock, store).run(tombstone)
    assert await ErasureRepo(table).pending("ann")

    assert await Eraser(table, redis, None, clock, local).run(tombstone)
    assert not stored.exists()
    assert not await ErasureRepo(table).pending("ann")
