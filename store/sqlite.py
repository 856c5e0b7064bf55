"""The SQLite engine: one file, WAL, `synchronous=FULL`, driven from its own threads.

Every write runs on a single dedicated thread that owns the writing connection, so the event
loop never waits on disk or on a lock, and writes never interleave. Reads (`get`, `query`,
`batch_get`) run on a small pool of reader threads, each with its own read-only connection:
WAL lets readers run beside each other and beside the writer, each statement on a snapshot of
everything committed when it began, so a read issued after a write returned sees that write (a
write commits before it returns). Cancelling a caller does not cancel its statement: the write
still completes (or rolls back) as one atomic step; only its result is dropped.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar
from urllib.parse import parse_qs, urlsplit

from store import sqlite_ops
from store.errors import StoreUnavailable
from store.table import Table
from store.threads import Workers

if TYPE_CHECKING:
    from collections.abc import Callable

    from store.table import Condition, Item, Key, Operation, QueryRequest, Update

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_BUSY_TIMEOUT_MS = 3000
"""How long a write waits for a lock another connection holds before `StoreUnavailable`."""
MAX_BUSY_TIMEOUT_MS = 10_000
READERS = 4
"""Reader threads (and connections) per table: a turn's wave of reads runs side by side."""


def parse_url(url: str, data_dir: Path) -> tuple[Path, int]:
    """The file and busy timeout (ms) of a `sqlite://` URL; `ValueError` if it is malformed.

    `sqlite://` is `data_dir/v7.db`; `sqlite:///rel/v7.db` is relative to the working
    directory; `sqlite:////abs/v7.db` is absolute.
    """
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc:
        raise ValueError(f"not a sqlite URL: {url!r}; use sqlite:///PATH")
    path = Path(parts.path[1:]) if parts.path not in ("", "/") else data_dir / "v7.db"
    options = parse_qs(parts.query)
    unknown = set(options) - {"busy_timeout_ms"}
    if unknown:
        raise ValueError(f"unknown sqlite URL options: {', '.join(sorted(unknown))}")
    timeout = DEFAULT_BUSY_TIMEOUT_MS
    if "busy_timeout_ms" in options:
        text = options["busy_timeout_ms"][-1]
        if not text.isdigit() or not 0 <= int(text) <= MAX_BUSY_TIMEOUT_MS:
            raise ValueError(f"busy_timeout_ms must be 0..{MAX_BUSY_TIMEOUT_MS}, not {text!r}")
        timeout = int(text)
    return path, timeout


class SqliteTable(Table):
    """The table in one SQLite file. Use `open` (or `store.open_table`), then `aclose`."""

    def __init__(
        self,
        path: Path,
        writer: Workers,
        connection: sqlite3.Connection,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    ) -> None:
        super().__init__()
        self._path = path
        self._writer = writer
        self._connection: sqlite3.Connection | None = connection
        self._closed = False
        self._busy_timeout_ms = busy_timeout_ms
        self._readers = Workers(READERS, "v7-sqlite-r")
        # Each reader thread opens its own connection on first use; all are closed by `aclose`.
        self._local = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._reader_lock = threading.Lock()

    @classmethod
    async def open(cls, url: str, *, data_dir: Path) -> SqliteTable:
        """Open the file at `url` (creating it and its schema if missing).

        Raises `StoreUnavailable` for a corrupt file or one locked past the busy timeout.
        """
        path, timeout = parse_url(url, data_dir)
        writer = Workers(1, "v7-sqlite")
        try:
            connection = await writer.run(lambda: sqlite_ops.connect(path, timeout))
        except BaseException:
            writer.shutdown(wait=False)
            raise
        return cls(path, writer, connection, timeout)

    async def _run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        # The connection is taken on the engine thread, so a call queued behind `aclose`
        # sees it gone instead of using a closed handle.
        def call() -> T:
            if self._connection is None:
                raise StoreUnavailable(f"the SQLite table {self._path} is closed")
            try:
                return function(*args, **kwargs)
            except sqlite3.Error as error:
                raise sqlite_ops.unavailable(error, self._path) from error

        if self._closed:
            raise StoreUnavailable(f"the SQLite table {self._path} is closed")
        return await self._writer.run(call)

    async def _read(self, function: Callable[[sqlite3.Connection], T]) -> T:
        """`function` on a reader thread's own connection (opened there on first use)."""

        def call() -> T:
            if self._closed:
                raise StoreUnavailable(f"the SQLite table {self._path} is closed")
            try:
                return function(self._reader())
            except sqlite3.Error as error:
                raise sqlite_ops.unavailable(error, self._path) from error

        if self._closed:
            raise StoreUnavailable(f"the SQLite table {self._path} is closed")
        return await self._readers.run(call)

    def _reader(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite_ops.connect_reader(self._path, self._busy_timeout_ms)
            with self._reader_lock:
                self._reader_connections.append(connection)
            self._local.connection = connection
        return connection

    @property
    def _db(self) -> sqlite3.Connection:
        # Read only on the engine thread, inside `_run`, after the closed check.
        assert self._connection is not None
        return self._connection

    async def _get(self, pk: str, sk: str) -> Item | None:
        return await self._read(lambda db: sqlite_ops.get(db, pk, sk))

    async def _put(self, item: Item, condition: Condition | None) -> None:
        await self._run(lambda: sqlite_ops.put(self._db, item, condition))

    async def _update(self, operation: Update) -> Item:
        return await self._run(lambda: sqlite_ops.update(self._db, operation))

    async def _delete(self, pk: str, sk: str, condition: Condition | None) -> Item | None:
        return await self._run(lambda: sqlite_ops.delete(self._db, pk, sk, condition))

    async def _query(self, request: QueryRequest) -> tuple[list[Item], bool]:
        return await self._read(lambda db: sqlite_ops.query(db, request))

    async def _batch_get(self, keys: list[Key]) -> dict[Key, Item]:
        return await self._read(lambda db: sqlite_ops.batch_get(db, keys))

    async def _transact(self, operations: list[Operation]) -> None:
        await self._run(lambda: sqlite_ops.transact(self._db, operations))

    async def ping(self) -> None:
        await self._run(lambda: self._db.execute("SELECT 1 FROM items LIMIT 1").fetchall())

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True

        def close() -> None:
            connection, self._connection = self._connection, None
            if connection is not None:
                connection.close()

        await self._writer.run(close)
        self._writer.shutdown(wait=False)
        # Readers already running finish first; those queued see the table closed.
        await asyncio.to_thread(self._readers.shutdown, wait=True)
        with self._reader_lock:
            readers, self._reader_connections = self._reader_connections, []
        for reader in readers:
            reader.close()


async def init_sqlite(url: str, *, data_dir: Path) -> str:
    """Create the file and its schema if missing; a one-line account of it."""
    path, timeout = parse_url(url, data_dir)
    existed = path.exists()

    def create() -> None:
        sqlite_ops.connect(path, timeout).close()

    await asyncio.to_thread(create)
    state = "ready" if existed else "created"
    return f"SQLite table {state} at {path} (WAL, indexes gsi1 and gsi2)"
