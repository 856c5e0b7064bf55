"""A generic repository for a record the user has at most one of, at a fixed sort key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic

from store.errors import ConditionFailed, NotFound
from store.records.base import Record
from store.records.common import stamps
from store.repos.base import I, R, from_item, merge_changes, read_modify_write, to_item
from store.repos.base import user_pk as _user_pk
from store.table import Absent, Item, VersionIs

if TYPE_CHECKING:
    from store.table import Table


class SingletonRepo(Generic[R, I]):
    """`USER#{id}` / `{sk}`: get, put (create or replace), update (partial), delete."""

    def __init__(self, table: Table, *, record: type[R], input: type[I], sk: str) -> None:
        self.table = table
        self.record = record
        self.input = input
        self.sk = sk

    async def get(self, user_id: str) -> R:
        """The record; raises `NotFound` if the user has none yet."""
        item = await self.table.get(_user_pk(user_id), self.sk)
        if item is None:
            raise NotFound(f"no {self.sk.lower()} yet")
        return from_item(self.record, item)

    async def find(self, user_id: str) -> R | None:
        """The record, or None."""
        try:
            return await self.get(user_id)
        except NotFound:
            return None

    async def put(
        self, user_id: str, data: I | Mapping[str, Any], *, expected_version: int | None = None
    ) -> R:
        """Create the record or replace every client field of it with `data` (an input model,
        or a partial mapping by wire names merged into what is stored).

        `expected_version` 0 means "must not exist yet"; another number must match the stored
        version; otherwise `ConditionFailed` and nothing changes. Without it, concurrent writers
        are retried. Raises `pydantic.ValidationError` for invalid data.
        """
        pk = _user_pk(user_id)
        now = self.table.clock()

        def change(current: Item | None) -> Item:
            existing = None if current is None else from_item(self.record, current)
            if existing is not None:
                merged = merge_changes(self.input, existing, data)
            elif isinstance(data, Record):
                merged = self.input.model_validate(data.model_dump(by_alias=True))
            else:
                merged = self.input.model_validate(dict(data))
            body = {} if existing is None else existing.model_dump(by_alias=True)
            record = self.record.model_validate(
                {**body, **merged.model_dump(by_alias=True), **stamps(self.record, now)}
            )
            return to_item(record, pk, self.sk)

        if expected_version is None:
            stored = await read_modify_write(self.table, pk, self.sk, change)
        else:
            current = await self.table.get(pk, self.sk)
            found = 0 if current is None else int(current["version"])
            if found != expected_version:
                raise ConditionFailed(pk, self.sk, f"version is {found}, not {expected_version}")
            condition = Absent() if current is None else VersionIs(found)
            stored = await self.table.put(change(current), condition=condition)
        return from_item(self.record, stored)

    async def delete(self, user_id: str) -> None:
        """Delete the record; raises `NotFound` if there is none."""
        if await self.table.delete(_user_pk(user_id), self.sk) is None:
            raise NotFound(f"no {self.sk.lower()}")
