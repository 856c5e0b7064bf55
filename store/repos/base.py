"""What every repository shares: keys, item <-> record conversion, listings, retried writes.

Every method takes the user id from its caller (the verified token), never from a record, and
only ever touches that user's partition `USER#{user_id}`; asking for another user's item is
indistinguishable from asking for a missing one (`NotFound`).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from store.errors import ConditionFailed, NotFound
from store.records.base import Record, by_wire_name
from store.records.common import Stored
from store.table import VERSION, Absent, Item, VersionIs

if TYPE_CHECKING:
    from store.table import Table

R = TypeVar("R", bound=Stored)
I = TypeVar("I", bound=Record)  # noqa: E741 - the input-model counterpart of R

KEY_ATTRIBUTES = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")

MAX_ATTEMPTS = 100
"""Read-modify-write attempts before giving up under contention (each backs off randomly)."""


def user_pk(user_id: str) -> str:
    """The partition of `user_id`. Raises `ValueError` for an id that could address another
    partition (empty, or containing the key separator)."""
    if not user_id or "#" in user_id:
        raise ValueError("a user id must be non-empty and must not contain '#'")
    return f"USER#{user_id}"


def check_id(record_id: str) -> None:
    """Raise `NotFound` for an id no repository ever issues (so it cannot splice a key)."""
    if not record_id or "#" in record_id:
        raise NotFound(f"no item with id {record_id!r}")


def day_range(prefix: str, start: date | None, end: date | None) -> tuple[str, str]:
    """Inclusive sort-key bounds of `{prefix}#{date}…` items dated `start`..`end`.

    `$` sorts right after `#`, so `PREFIX#2026-01-05$` is above every key of that day and below
    the next day's; open ends stay inside the prefix.
    """
    low = f"{prefix}#{start.isoformat()}" if start else f"{prefix}#"
    high = f"{prefix}#{end.isoformat()}$" if end else f"{prefix}$"
    return low, high


def to_item(record: Stored, pk: str, sk: str, **extra: str | int) -> Item:
    """The stored form of `record`: its camelCase dump (None left out) plus keys.

    `version` is left out unless passed in `extra`: the store maintains it.
    """
    body = record.model_dump(by_alias=True, mode="json", exclude_none=True, exclude={"version"})
    return {**body, "pk": pk, "sk": sk, **extra}


def from_item(model: type[R], item: Item) -> R:
    """The record of a stored item (keys dropped). Raises `pydantic.ValidationError` if the item
    no longer satisfies the record, which would be a bug or a manual edit."""
    body = {name: value for name, value in item.items() if name not in KEY_ATTRIBUTES}
    return model.model_validate(body)


def merge_changes(model: type[I], current: Record, changes: Mapping[str, Any] | Record) -> I:
    """`current`'s client-settable fields with `changes` applied, validated as `model`.

    `changes` is either a whole input model (replaces every client field) or a partial mapping
    keyed by wire names (or names an earlier wire used) or Python names. Raises
    `pydantic.ValidationError` for an invalid result or a field the client may not set.
    """
    fields = model.model_fields
    base = current.model_dump(by_alias=True, include=set(fields))
    if isinstance(changes, Record):
        patch = changes.model_dump(by_alias=True)
    else:
        # Any spelling the model accepts (an older wire name included) replaces the field.
        patch = by_wire_name(model, changes)
    return model.model_validate({**base, **patch})


def touch(record: R, now: datetime) -> dict[str, Any]:
    """The server fields to refresh on a write of `record`'s kind at `now` (its `updatedAt` if
    any)."""
    return {"updated_at": now} if "updated_at" in type(record).model_fields else {}


@dataclass(frozen=True)
class Listing(Generic[R]):
    """One page of records; `cursor` continues the same listing, None when nothing follows."""

    items: list[R]
    cursor: str | None


async def backoff(attempt: int) -> None:
    """Sleep a random, growing interval before retrying a conflicting write (jitter keeps
    concurrent writers from colliding again in lockstep)."""
    await asyncio.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 5)))


async def read_modify_write(
    table: Table,
    pk: str,
    sk: str,
    change: Callable[[Item | None], Item],
) -> Item:
    """Apply `change` to the item at `pk`/`sk` atomically and return the item as stored.

    `change` gets the current item (None if there is none) and returns the whole new item. The
    write is conditioned on the version that was read (or on absence); when another writer got
    there first, the item is read again and `change` re-applied, up to `MAX_ATTEMPTS` times,
    after which `ConditionFailed` is raised. `change` may therefore run more than once and must
    not have side effects. Exceptions from `change` propagate and nothing is written.
    """
    for attempt in range(MAX_ATTEMPTS):
        current = await table.get(pk, sk)
        new = {**change(current), "pk": pk, "sk": sk}
        new.pop(VERSION, None)
        condition = Absent() if current is None else VersionIs(int(current[VERSION]))
        try:
            return await table.put(new, condition=condition)
        except ConditionFailed:
            await backoff(attempt)
    raise ConditionFailed(pk, sk, "too much contention; gave up")
