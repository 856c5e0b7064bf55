"""The single-table API that every repository uses, and the operations it takes.

One table keyed by `pk` (partition) and `sk` (sort key), both strings, plus two overloaded
secondary indexes (`gsi1`, `gsi2`) whose keys are the string attributes `gsi1pk`/`gsi1sk` and
`gsi2pk`/`gsi2sk`. An item is a JSON-like dict (str, int, float, bool, None, list, dict); every
item carries an integer `version` that the store maintains.

Engines (`store/sqlite.py`, `store/dynamodb.py`) implement the same contract; the conformance
suite in `tests/conformance/` holds them to it.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from core.clock import Clock, system_clock
from store import rules
from store.cursor import StartKey, decode_cursor, encode_cursor

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, Sequence

Item: TypeAlias = dict[str, Any]
Key: TypeAlias = tuple[str, str]

T = TypeVar("T")

WriteHook: TypeAlias = "Callable[[Sequence[Key]], Awaitable[None]]"
"""Told the keys of every write once it has settled (see `Table.on_write`)."""

log = logging.getLogger("v7.store")

VERSION = "version"
"""The attribute that optimistic locking compares and the store increments on every update."""

MAX_TRANSACTION_OPS = 100
"""DynamoDB's limit on one transaction; both engines enforce it so code behaves the same."""


@dataclass(frozen=True)
class Index:
    name: str
    pk: str
    sk: str


INDEXES: tuple[Index, ...] = (Index("gsi1", "gsi1pk", "gsi1sk"), Index("gsi2", "gsi2pk", "gsi2sk"))


# Conditions on the item as it is before the write.
@dataclass(frozen=True)
class Absent:
    """The item must not exist."""


@dataclass(frozen=True)
class Exists:
    """The item must exist."""


@dataclass(frozen=True)
class VersionIs:
    """The item must exist and its `version` must equal this."""

    version: int


Condition: TypeAlias = Absent | Exists | VersionIs


# Operations of a transactional write.
@dataclass(frozen=True)
class Put:
    """Write the whole item. With `Absent` it gets version 1; with `VersionIs(n)` version n+1;
    unconditionally, the `version` it carries (1 if none)."""

    item: Item
    condition: Condition | None = None


@dataclass(frozen=True)
class Update:
    """Change top-level attributes of one item and increment its version.

    `set` assigns, `remove` deletes, `add` increments numbers (missing counts as 0). Unless
    `create` is true the item must exist. `expected_version` adds optimistic locking.
    """

    pk: str
    sk: str
    set: Mapping[str, Any] = field(default_factory=dict)
    remove: Sequence[str] = ()
    add: Mapping[str, int | float] = field(default_factory=dict)
    expected_version: int | None = None
    create: bool = False


@dataclass(frozen=True)
class Delete:
    pk: str
    sk: str
    condition: Condition | None = None


@dataclass(frozen=True)
class Check:
    """Write nothing; the transaction fails unless `condition` holds for this item."""

    pk: str
    sk: str
    condition: Condition


Operation: TypeAlias = Put | Update | Delete | Check


@dataclass(frozen=True)
class Page:
    """One page of a query. `cursor` is None when there is nothing after this page; otherwise it
    is an opaque string that continues the same query (it may lead to an empty last page)."""

    items: list[Item]
    cursor: str | None


@dataclass(frozen=True)
class QueryRequest:
    """A validated query as an engine receives it: `start` is the key to continue after."""

    pk: str
    index: Index | None
    sk_prefix: str | None
    sk_from: str | None
    sk_to: str | None
    descending: bool
    limit: int | None
    start: StartKey | None

    @property
    def key_names(self) -> tuple[str, ...]:
        """The attributes of a start key, the partition attribute first."""
        if self.index is None:
            return ("pk", "sk")
        return (self.index.pk, self.index.sk, "pk", "sk")

    @property
    def sort_attribute(self) -> str:
        return "sk" if self.index is None else self.index.sk


def operation_key(operation: Operation) -> Key:
    if isinstance(operation, Put):
        return (operation.item["pk"], operation.item["sk"])
    return (operation.pk, operation.sk)


class Table(ABC):
    """The table. Every method is a coroutine; none blocks the event loop.

    Raises `ConditionFailed` when a condition does not hold (nothing written),
    `TransactionCancelled` when a transaction is refused (nothing written), `InvalidCursor` for a
    bad cursor, `StoreUnavailable` when the storage cannot be reached, and `ValueError` for a
    request that no engine could serve (bad key, too many operations, an item twice in one
    transaction, an unknown index).

    The public methods validate requests, apply the version rules and handle cursors here, once;
    an engine implements only the underscored primitives, which receive valid requests.

    `clock` is the clock the repositories stamp records with (`createdAt`, `updatedAt`, ledger
    times); `open_table` sets it from the composition root's clock.
    """

    def __init__(self) -> None:
        self.clock: Clock = system_clock
        self._on_write: WriteHook | None = None
        self._telling: set[asyncio.Task[None]] = set()

    def on_write(self, hook: WriteHook | None) -> None:
        """Have `hook` told the keys of every write (put, update, delete, transact; a
        transaction's checks write nothing and are left out) once the write has settled:
        after the engine has answered, whatever the answer (a refused write wrote nothing,
        and telling it costs the hook only a needless invalidation), and even when the caller
        was cancelled meanwhile (the engine still finishes the write; the hook is told after
        it). The write returns only after the hook, so whoever sees the write done also sees
        the hook's effect. The hook must not raise (what it raises is logged and dropped).
        None removes it. Used by the composition root to invalidate caches of a user's data
        on every process (`context.generations`)."""
        self._on_write = hook

    async def _written(self, keys: Sequence[Key], write: Awaitable[T]) -> T:
        hook = self._on_write
        if hook is None:
            return await write
        # Shielded, so a cancelled caller leaves the write to finish and the hook to be told
        # after it, never before (a reader that saw the hook's effect must see the write).
        task = asyncio.ensure_future(write)
        try:
            return await asyncio.shield(task)
        finally:
            telling = asyncio.ensure_future(_tell(hook, keys, task))
            if task.done():
                await telling
            else:
                self._telling.add(telling)
                telling.add_done_callback(self._telling.discard)

    async def get(self, pk: str, sk: str) -> Item | None:
        """The item, or None."""
        rules.check_key(pk, sk)
        return await self._get(pk, sk)

    async def put(self, item: Item, *, condition: Condition | None = None) -> Item:
        """Write the whole item (it must hold `pk` and `sk`); returns it as stored."""
        stored = _prepared_put(Put(item, condition)).item
        await self._written([(stored["pk"], stored["sk"])], self._put(stored, condition))
        return stored

    async def update(
        self,
        pk: str,
        sk: str,
        *,
        set: Mapping[str, Any] | None = None,
        remove: Sequence[str] = (),
        add: Mapping[str, int | float] | None = None,
        expected_version: int | None = None,
        create: bool = False,
    ) -> Item:
        """Apply an `Update` and return the item as it is afterwards."""
        operation = Update(
            pk, sk, dict(set or {}), tuple(remove), dict(add or {}), expected_version, create
        )
        _check_update(operation)
        return await self._written([(pk, sk)], self._update(operation))

    async def delete(self, pk: str, sk: str, *, condition: Condition | None = None) -> Item | None:
        """Delete the item; returns what was deleted, or None if there was nothing."""
        rules.check_key(pk, sk)
        rules.check_condition(condition)
        return await self._written([(pk, sk)], self._delete(pk, sk, condition))

    async def query(
        self,
        pk: str,
        *,
        index: str | None = None,
        sk_prefix: str | None = None,
        sk_from: str | None = None,
        sk_to: str | None = None,
        descending: bool = False,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Items of one partition (of the table, or of `index`) in sort-key order.

        `sk_prefix` and the inclusive range `sk_from`..`sk_to` may be combined; `descending`
        gives newest first when sort keys begin with a date. Without `limit`, every match.
        """
        rules.check_key_text(pk, "pk")
        for bound in (sk_prefix, sk_from, sk_to):
            if bound is not None:
                rules.check_key_text(bound, "a sort-key bound")
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise ValueError("limit must be a positive integer")
        request = QueryRequest(
            pk,
            rules.index_named(index, INDEXES),
            sk_prefix,
            sk_from,
            sk_to,
            descending,
            limit,
            None,
        )
        if cursor is not None:
            start = decode_cursor(cursor, index, pk, request.key_names)
            request = replace(request, start=start)
        if sk_from is not None and sk_to is not None and _utf8(sk_from) > _utf8(sk_to):
            return Page([], None)
        items, more = await self._query(request)
        if not (more and items and limit is not None):
            return Page(items, None)
        last = items[-1]
        return Page(
            items, encode_cursor(index, pk, {name: last[name] for name in request.key_names})
        )

    async def batch_get(self, keys: Sequence[Key]) -> list[Item | None]:
        """The items of `keys`, in the same order; None where there is none."""
        for pk, sk in keys:
            rules.check_key(pk, sk)
        unique = list(dict.fromkeys((pk, sk) for pk, sk in keys))
        found = await self._batch_get(unique) if unique else {}
        return [found.get((pk, sk)) for pk, sk in keys]

    async def transact(self, operations: Sequence[Operation]) -> None:
        """Apply every operation or none (at most `MAX_TRANSACTION_OPS`, each item once)."""
        if len(operations) > MAX_TRANSACTION_OPS:
            raise ValueError(f"a transaction takes at most {MAX_TRANSACTION_OPS} operations")
        prepared: list[Operation] = []
        for operation in operations:
            if isinstance(operation, Put):
                prepared.append(_prepared_put(operation))
            elif isinstance(operation, Update):
                _check_update(operation)
                prepared.append(operation)
            elif isinstance(operation, Delete | Check):
                rules.check_key(operation.pk, operation.sk)
                rules.check_condition(operation.condition)
                prepared.append(operation)
            else:
                raise ValueError(f"unknown operation {operation!r}")
        keys = [operation_key(operation) for operation in prepared]
        if len(frozenset(keys)) != len(keys):
            raise ValueError("a transaction names one item more than once")
        if prepared:
            written = [operation_key(op) for op in prepared if not isinstance(op, Check)]
            await self._written(written, self._transact(prepared))

    @abstractmethod
    async def ping(self) -> None:
        """Raise `StoreUnavailable` unless the table can be read (used by `/readyz`)."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release connections and threads. Idempotent."""

    # The primitives an engine implements. They receive requests that have passed validation.

    @abstractmethod
    async def _get(self, pk: str, sk: str) -> Item | None:
        """The item, read consistently."""

    @abstractmethod
    async def _put(self, item: Item, condition: Condition | None) -> None:
        """Write `item` (its final version already set) if `condition` holds for the stored one;
        else raise `ConditionFailed`."""

    @abstractmethod
    async def _update(self, operation: Update) -> Item:
        """Apply `operation` atomically; `ConditionFailed` if the item is missing (and not
        `create`) or its version is not `expected_version`."""

    @abstractmethod
    async def _delete(self, pk: str, sk: str, condition: Condition | None) -> Item | None:
        """Delete atomically if `condition` holds; return the deleted item."""

    @abstractmethod
    async def _query(self, request: QueryRequest) -> tuple[list[Item], bool]:
        """At most `request.limit` matching items after `request.start`, in order, and whether
        more may follow. With no limit, every match and False."""

    @abstractmethod
    async def _batch_get(self, keys: list[Key]) -> dict[Key, Item]:
        """The items that exist among `keys` (distinct, non-empty), read consistently."""

    @abstractmethod
    async def _transact(self, operations: list[Operation]) -> None:
        """Apply all or none; `TransactionCancelled(failed=[...])` naming every operation whose
        condition does not hold. Puts already carry their final version."""


async def _tell(hook: WriteHook, keys: Sequence[Key], write: asyncio.Future[Any]) -> None:
    """Tell `hook` of the write's `keys` once `write` has settled."""
    if not keys:
        return
    await asyncio.wait([write])
    try:
        await hook(keys)
    except Exception:
        log.exception("a write hook failed")


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _prepared_put(operation: Put) -> Put:
    """The `Put` with its item copied and its final version set."""
    rules.check_item(operation.item)
    rules.check_condition(operation.condition)
    version = rules.stored_version(operation.item, operation.condition)
    return Put({**operation.item, VERSION: version}, operation.condition)


def _check_update(operation: Update) -> None:
    rules.check_key(operation.pk, operation.sk)
    rules.check_update(operation.set, tuple(operation.remove), operation.add)
    expected = operation.expected_version
    if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)):
        raise ValueError("expected_version must be an integer")
