"""The SQLite engine's blocking half: schema and statements on a `sqlite3.Connection`.

Every function here runs on one of the engine's own threads (see `store/sqlite.py`), never on
the event loop: writes on the writer's connection, reads on a reader's. Writes that read
before they write take `BEGIN IMMEDIATE`, so the read and the write are one atomic step against
every other connection to the file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store import rules
from store.errors import StoreUnavailable, TransactionCancelled
from store.table import Check, Delete, Put, Update

if TYPE_CHECKING:
    from store.table import Condition, Item, Key, Operation, QueryRequest

# The items keep their whole JSON in `data`; the key columns are copies so SQLite can index
# them. SQLite compares TEXT with memcmp over UTF-8, which is DynamoDB's binary order.
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS items ("
    " pk TEXT NOT NULL, sk TEXT NOT NULL, version INTEGER NOT NULL,"
    " gsi1pk TEXT, gsi1sk TEXT, gsi2pk TEXT, gsi2sk TEXT, data TEXT NOT NULL,"
    " PRIMARY KEY (pk, sk)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk)",
    "CREATE INDEX IF NOT EXISTS items_gsi2 ON items (gsi2pk, gsi2sk, pk, sk)",
)
_COLUMNS = ("pk", "sk", "version", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "data")
# SQL text is built only from the fixed column and index names here; values are always bound.
_UPSERT = f"INSERT OR REPLACE INTO items ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * 8)})"  # noqa: S608
_BATCH = 200
"""Keys per SELECT in `batch_get`: well under SQLite's limit on bound parameters."""


def connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """A connection in WAL mode with `synchronous=FULL`, creating the schema if it is missing.

    Raises `StoreUnavailable` if the file is not a database or stays locked past the timeout.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
        )
    except (OSError, sqlite3.Error) as error:
        raise StoreUnavailable(f"cannot open the SQLite file {path}: {error}") from error
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreUnavailable(f"the SQLite file {path} cannot use WAL (mode {mode})")
        connection.execute("PRAGMA synchronous = FULL")
        if not _has_schema(connection):
            with transaction(connection):
                for statement in SCHEMA:
                    connection.execute(statement)
    except sqlite3.Error as error:
        connection.close()
        raise unavailable(error, path) from error
    except BaseException:
        connection.close()
        raise
    return connection


def connect_reader(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """A read-only connection to the file `connect` opened (WAL is kept in the file), for one
    reader thread. Raises `sqlite3.Error` if the file cannot be opened."""
    connection = sqlite3.connect(
        path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        # A reader never writes: a bug that tried would fail here instead of racing the writer.
        connection.execute("PRAGMA query_only = ON")
    except BaseException:
        connection.close()
        raise
    return connection


def _has_schema(connection: sqlite3.Connection) -> bool:
    names = {
        row[0]
        for row in connection.execute("SELECT name FROM sqlite_master WHERE name LIKE 'items%'")
    }
    return {"items", "items_gsi1", "items_gsi2"} <= names


def unavailable(error: sqlite3.Error, path: Path | str) -> StoreUnavailable:
    """The `StoreUnavailable` for a SQLite error, saying plainly what is wrong."""
    text = str(error)
    if "locked" in text or "busy" in text:
        return StoreUnavailable(f"the SQLite file {path} is locked by another connection: {text}")
    if "not a database" in text or "malformed" in text:
        return StoreUnavailable(f"the SQLite file {path} is not a usable database: {text}")
    return StoreUnavailable(f"the SQLite file {path} cannot be used: {text}")


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """A write transaction taken up front, committed on success and rolled back otherwise."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _row(item: Item) -> tuple[Any, ...]:
    data = json.dumps(item, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        item["pk"],
        item["sk"],
        item["version"],
        item.get("gsi1pk"),
        item.get("gsi1sk"),
        item.get("gsi2pk"),
        item.get("gsi2sk"),
        data,
    )


def _load(data: str) -> Item:
    item: Item = json.loads(data)
    return item


def get(connection: sqlite3.Connection, pk: str, sk: str) -> Item | None:
    row = connection.execute("SELECT data FROM items WHERE pk = ? AND sk = ?", (pk, sk)).fetchone()
    return None if row is None else _load(row[0])


def put(connection: sqlite3.Connection, item: Item, condition: Condition | None) -> None:
    if condition is None:
        connection.execute(_UPSERT, _row(item))
        return
    with transaction(connection):
        if not rules.holds(condition, get(connection, item["pk"], item["sk"])):
            raise rules.failure(item["pk"], item["sk"], condition)
        connection.execute(_UPSERT, _row(item))


def _updated(current: Item | None, operation: Update) -> Item:
    """The item after `operation`; `ValueError` when `add` meets a value that is not a number."""
    item: Item = dict(current) if current else {"pk": operation.pk, "sk": operation.sk}
    item.update(operation.set)
    for name in operation.remove:
        item.pop(name, None)
    for name, amount in operation.add.items():
        value = item.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"cannot add to {name!r}: it is not a number")
        item[name] = value + amount
    item["version"] = (current["version"] + 1) if current else 1
    return item


def _update_holds(operation: Update, current: Item | None) -> bool:
    if current is None:
        return operation.create and operation.expected_version is None
    expected = operation.expected_version
    return expected is None or current.get("version") == expected


def update(connection: sqlite3.Connection, operation: Update) -> Item:
    with transaction(connection):
        current = get(connection, operation.pk, operation.sk)
        if not _update_holds(operation, current):
            raise rules.update_failure(operation.pk, operation.sk, operation.expected_version)
        item = _updated(current, operation)
        connection.execute(_UPSERT, _row(item))
    return item


def delete(
    connection: sqlite3.Connection, pk: str, sk: str, condition: Condition | None
) -> Item | None:
    with transaction(connection):
        current = get(connection, pk, sk)
        if not rules.holds(condition, current):
            raise rules.failure(pk, sk, condition)
        if current is not None:
            connection.execute("DELETE FROM items WHERE pk = ? AND sk = ?", (pk, sk))
    return current


def query(connection: sqlite3.Connection, request: QueryRequest) -> tuple[list[Item], bool]:
    index = request.index
    partition, sort = ("pk", "sk") if index is None else (index.pk, index.sk)
    order = ("sk",) if index is None else (sort, "pk", "sk")
    where = [f"{partition} = ?", f"{sort} IS NOT NULL"]
    params: list[Any] = [request.pk]
    if request.sk_from is not None:
        where.append(f"{sort} >= ?")
        params.append(request.sk_from)
    if request.sk_to is not None:
        where.append(f"{sort} <= ?")
        params.append(request.sk_to)
    if request.sk_prefix is not None:
        # The range term lets SQLite seek in the index; substr() makes the match exact.
        where.append(f"{sort} >= ? AND substr({sort}, 1, ?) = ?")
        params += [request.sk_prefix, len(request.sk_prefix), request.sk_prefix]
    if request.start is not None:
        tuple_sql = f"({', '.join(order)})"
        where.append(
            f"{tuple_sql} {'<' if request.descending else '>'} ({', '.join('?' * len(order))})"
        )
        params += [request.start[name] for name in order]
    direction = "DESC" if request.descending else "ASC"
    sql = (
        f"SELECT data FROM items WHERE {' AND '.join(where)} "  # noqa: S608
        f"ORDER BY {', '.join(f'{column} {direction}' for column in order)}"
    )
    if request.limit is not None:
        sql += " LIMIT ?"
        params.append(request.limit + 1)
    rows = connection.execute(sql, params).fetchall()
    items = [_load(row[0]) for row in rows]
    if request.limit is not None and len(items) > request.limit:
        return items[: request.limit], True
    return items, False


def batch_get(connection: sqlite3.Connection, keys: list[Key]) -> dict[Key, Item]:
    found: dict[Key, Item] = {}
    # One read transaction, so every chunk sees the same snapshot.
    connection.execute("BEGIN")
    try:
        for start in range(0, len(keys), _BATCH):
            chunk = keys[start : start + _BATCH]
            values = ", ".join("(?, ?)" for _ in chunk)
            params = [part for key in chunk for part in key]
            sql = f"SELECT data FROM items WHERE (pk, sk) IN (VALUES {values})"  # noqa: S608
            for (data,) in connection.execute(sql, params):
                item = _load(data)
                found[(item["pk"], item["sk"])] = item
    finally:
        connection.execute("COMMIT")
    return found


def _operation_holds(operation: Operation, current: Item | None) -> bool:
    if isinstance(operation, Update):
        return _update_holds(operation, current)
    return rules.holds(operation.condition, current)


def transact(connection: sqlite3.Connection, operations: list[Operation]) -> None:
    with transaction(connection):
        currents: list[Item | None] = []
        for operation in operations:
            pk, sk = (
                (operation.item["pk"], operation.item["sk"])
                if isinstance(operation, Put)
                else (operation.pk, operation.sk)
            )
            currents.append(get(connection, pk, sk))
        failed = [
            position
            for position, (operation, current) in enumerate(zip(operations, currents, strict=True))
            if not _operation_holds(operation, current)
        ]
        if failed:
            raise TransactionCancelled(failed)
        for operation, current in zip(operations, currents, strict=True):
            if isinstance(operation, Put):
                connection.execute(_UPSERT, _row(operation.item))
            elif isinstance(operation, Update):
                connection.execute(_UPSERT, _row(_updated(current, operation)))
            elif isinstance(operation, Delete):
                connection.execute(
                    "DELETE FROM items WHERE pk = ? AND sk = ?", (operation.pk, operation.sk)
                )
            else:
                assert isinstance(operation, Check)
