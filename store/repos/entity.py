"""Generic repositories for the entities that have an id: keyed by id, or dated with a pointer.

`KeyedRepo` stores `{KIND}#{id}` (goals, plans). `DatedRepo` stores `{KIND}#{date}#{id}` so that
every "last N days" read is one range query, and writes a pointer item `REF#{KIND}#{id}` holding
the real sort key in the same transaction, so get/update/delete by id never scan. A date change
moves the entry and rewrites its pointer in one transaction; a delete removes both in one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Generic

from store.errors import ConditionFailed, NotFound, TransactionCancelled
from store.records.base import Record
from store.records.common import stamps
from store.repos.base import (
    MAX_ATTEMPTS,
    I,
    Listing,
    R,
    backoff,
    check_id,
    day_range,
    from_item,
    merge_changes,
    to_item,
    touch,
    user_pk,
)
from store.table import Absent, Delete, Exists, Item, Operation, Put, VersionIs

if TYPE_CHECKING:
    from store.table import Table


class EntityRepo(Generic[R, I]):
    """Create, get, update (optimistic), delete for records with an `id`."""

    def __init__(self, table: Table, *, record: type[R], input: type[I], kind: str) -> None:
        self.table = table
        self.record = record
        self.input = input
        self.kind = kind

    # --- what subclasses decide -------------------------------------------------------------

    def sort_key(self, record: R) -> str:
        return f"{self.kind}#{id_of(record)}"

    def index_keys(self, user_id: str, record: R) -> dict[str, str]:
        """Secondary-index attributes of `record` (none by default)."""
        return {}

    async def _locate(self, pk: str, record_id: str) -> str:
        """The sort key of the item with `record_id`; raises `NotFound`."""
        return f"{self.kind}#{record_id}"

    def _extra_ops(
        self, pk: str, record_id: str, old_sk: str | None, new_sk: str | None
    ) -> list[Operation]:
        """Operations that keep auxiliary items in step with a write (none by default)."""
        return []

    # --- the operations -----------------------------------------------------------------------

    def build(self, data: I) -> R:
        """A new record from client input: fresh id and timestamps, computed fields derived."""
        body = {**data.model_dump(by_alias=True), **stamps(self.record, self.table.clock())}
        return self.record.model_validate(body)

    async def create(self, user_id: str, data: I) -> R:
        """Store a new record made from `data`; returns it with version 1."""
        return await self.insert(user_id, self.build(data))

    async def insert(self, user_id: str, record: R) -> R:
        """Store `record` as it is (id and timestamps included: imports, demo data).

        Raises `ConditionFailed` if an item with its id already exists.
        """
        pk = user_pk(user_id)
        check_id(id_of(record))
        sk = self.sort_key(record)
        item = to_item(record, pk, sk, **self.index_keys(user_id, record))
        extra = self._extra_ops(pk, id_of(record), None, sk)
        if extra:
            ops: list[Operation] = [Put(item, Absent()), *extra]
            try:
                await self.table.transact(ops)
            except TransactionCancelled:
                raise ConditionFailed(pk, sk, "an item with this id already exists") from None
        else:
            await self.table.put(item, condition=Absent())
        return record.model_copy(update={"version": 1})

    def insert_operations(self, user_id: str, record: R) -> list[Operation]:
        """The puts that store `record` as it is, if no item has its id (`Absent`), with their
        auxiliary items (a dated record's pointer): what `insert` writes, for a caller that
        writes many records in one transaction (imports). The record's own put is first."""
        pk = user_pk(user_id)
        check_id(id_of(record))
        sk = self.sort_key(record)
        item = to_item(record, pk, sk, **self.index_keys(user_id, record))
        return [Put(item, Absent()), *self._extra_ops(pk, id_of(record), None, sk)]

    async def get(self, user_id: str, record_id: str) -> R:
        """The record; raises `NotFound` if this user has none with that id."""
        pk = user_pk(user_id)
        check_id(record_id)
        _, item = await self._load(pk, record_id)
        return from_item(self.record, item)

    async def _load(self, pk: str, record_id: str) -> tuple[str, Item]:
        """The sort key and item of `record_id`; raises `NotFound`.

        A move (a date change) rewrites the item and its pointer atomically, but our two reads
        are not: if the item vanished between them, look once more before calling it missing.
        """
        for _ in range(3):
            sk = await self._locate(pk, record_id)
            item = await self.table.get(pk, sk)
            if item is not None:
                return sk, item
        raise NotFound(f"no {self.kind.lower()} {record_id}")

    async def update(
        self,
        user_id: str,
        record_id: str,
        changes: Mapping[str, Any] | Record,
        *,
        expected_version: int | None = None,
    ) -> R:
        """Apply client `changes` (a whole input model, or a partial mapping by wire names).

        With `expected_version`, raises `ConditionFailed` (and changes nothing) unless the item
        is still at that version; without, retries on concurrent writes. Raises `NotFound` and
        `pydantic.ValidationError` (nothing written).
        """

        def apply(current: R) -> R:
            return self._rebuild(current, merge_changes(self.input, current, changes))

        return await self.modify(user_id, record_id, apply, expected_version=expected_version)

    def _rebuild(self, current: R, data: Record) -> R:
        body = {**current.model_dump(by_alias=True), **data.model_dump(by_alias=True)}
        return self.record.model_validate(body)

    async def modify(
        self,
        user_id: str,
        record_id: str,
        change: Callable[[R], R],
        *,
        expected_version: int | None = None,
    ) -> R:
        """Replace the record with `change(current)` (server-side edits such as marking a goal
        achieved). `change` may run more than once. Errors as `update`."""
        pk = user_pk(user_id)
        check_id(record_id)
        for attempt in range(MAX_ATTEMPTS):
            sk, item = await self._load(pk, record_id)
            current = from_item(self.record, item)
            if expected_version is not None and current.version != expected_version:
                raise ConditionFailed(
                    pk, sk, f"version is {current.version}, not {expected_version}"
                )
            new = change(current)
            new = new.model_copy(update={**touch(new, self.table.clock()), "id": record_id})
            try:
                return await self._write(user_id, pk, sk, current.version, new)
            except (ConditionFailed, TransactionCancelled):
                if expected_version is not None:
                    raise ConditionFailed(pk, sk, "changed by another writer") from None
                await backoff(attempt)
        raise ConditionFailed(pk, record_id, "too much contention; gave up")

    async def _write(self, user_id: str, pk: str, old_sk: str, version: int, new: R) -> R:
        new_sk = self.sort_key(new)
        keys = self.index_keys(user_id, new)
        if new_sk == old_sk:
            stored = await self.table.put(
                to_item(new, pk, new_sk, **keys), condition=VersionIs(version)
            )
            return from_item(self.record, stored)
        # The sort key changed (a new date): move the item and its pointer in one transaction.
        # The new copy carries version+1 explicitly, as an in-place update would.
        moved = to_item(new, pk, new_sk, **keys, version=version + 1)
        ops: list[Operation] = [
            Delete(pk, old_sk, VersionIs(version)),
            Put(moved),
            *self._extra_ops(pk, id_of(new), old_sk, new_sk),
        ]
        await self.table.transact(ops)
        return new.model_copy(update={"version": version + 1})

    async def delete(
        self, user_id: str, record_id: str, *, expected_version: int | None = None
    ) -> None:
        """Delete the record (and its pointer). Raises `NotFound`, and `ConditionFailed` when
        `expected_version` is given and no longer current (nothing deleted)."""
        pk = user_pk(user_id)
        check_id(record_id)
        for attempt in range(MAX_ATTEMPTS):
            sk, _ = await self._load(pk, record_id)
            condition = Exists() if expected_version is None else VersionIs(expected_version)
            ops: list[Operation] = [
                Delete(pk, sk, condition),
                *self._extra_ops(pk, record_id, sk, None),
            ]
            try:
                if len(ops) == 1:
                    await self.table.delete(pk, sk, condition=condition)
                else:
                    await self.table.transact(ops)
                return
            except (ConditionFailed, TransactionCancelled):
                if expected_version is not None:
                    raise ConditionFailed(pk, sk, "changed by another writer") from None
                await backoff(attempt)
        raise NotFound(f"no {self.kind.lower()} {record_id}")

    async def _page(self, pk: str, **query: Any) -> Listing[R]:
        page = await self.table.query(pk, **query)
        return Listing([from_item(self.record, item) for item in page.items], page.cursor)


class KeyedRepo(EntityRepo[R, I]):
    """Records stored at `{KIND}#{id}`."""

    async def list(
        self, user_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Listing[R]:
        """The user's records in id order (ids are random: callers sort by what they need)."""
        return await self._page(
            user_pk(user_id), sk_prefix=f"{self.kind}#", limit=limit, cursor=cursor
        )


POINTER_PREFIX = "REF#"
"""Sort-key prefix of the pointer items that map an id to its dated key."""


class DatedRepo(EntityRepo[R, I]):
    """Records stored at `{KIND}#{date}#{id}` with a pointer `REF#{KIND}#{id}`."""

    def sort_key(self, record: R) -> str:
        day = getattr(record, "date", None)
        if not isinstance(day, date):
            raise TypeError(f"{type(record).__name__} has no date")
        return f"{self.kind}#{day.isoformat()}#{id_of(record)}"

    def pointer_key(self, record_id: str) -> str:
        return f"{POINTER_PREFIX}{self.kind}#{record_id}"

    async def _locate(self, pk: str, record_id: str) -> str:
        pointer = await self.table.get(pk, self.pointer_key(record_id))
        target = None if pointer is None else pointer.get("target")
        if not isinstance(target, str):
            raise NotFound(f"no {self.kind.lower()} {record_id}")
        return target

    def _extra_ops(
        self, pk: str, record_id: str, old_sk: str | None, new_sk: str | None
    ) -> list[Operation]:
        ref = self.pointer_key(record_id)
        if new_sk is None:
            return [Delete(pk, ref)]
        return [Put(pointer_item(pk, ref, new_sk), Absent() if old_sk is None else None)]

    async def list(
        self,
        user_id: str,
        *,
        start: date | None = None,
        end: date | None = None,
        newest_first: bool = True,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Listing[R]:
        """Records dated `start`..`end` (inclusive, either open), newest or oldest first.

        Pass the returned cursor back with the same arguments for the next page.
        Raises `store.errors.InvalidCursor` for a cursor of another query.
        """
        low, high = day_range(self.kind, start, end)
        return await self._page(
            user_pk(user_id),
            sk_from=low,
            sk_to=high,
            descending=newest_first,
            limit=limit,
            cursor=cursor,
        )


def pointer_item(pk: str, sk: str, target: str) -> Item:
    """An item that only says where the real one is; it carries no user data."""
    return {"pk": pk, "sk": sk, "target": target}


def id_of(record: Record) -> str:
    value = getattr(record, "id", None)
    if not isinstance(value, str):
        raise TypeError(f"{type(record).__name__} has no id")
    return value
