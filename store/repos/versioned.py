"""Whole records written on the version read, and put back only while unchanged since.

For records a user has one of per sort key (the athlete profile, each day's nutrition log) that
a caller reads, changes and writes back itself: an undo must know which version a write produced
and which record it replaced. A concurrent change is a `ConditionFailed`, never a lost update;
the callers re-read and re-apply, or report a conflict.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import TYPE_CHECKING, Any, Generic

from store.errors import ConditionFailed
from store.records.athlete import AthleteProfile
from store.records.nutrition import NutritionLog
from store.repos.athlete import KIND as ATHLETE
from store.repos.base import R, from_item, to_item, user_pk
from store.repos.nutrition import log_key
from store.table import VERSION, Absent, VersionIs

if TYPE_CHECKING:
    from store.table import Table

SERVER_FIELDS = frozenset({"version", "updatedAt"})
"""Fields every write refreshes; they are not part of what the climber sees as the content."""


def fingerprint(wire: dict[str, Any]) -> str:
    """A digest of a record's wire dict without its server-maintained fields."""
    content = {key: value for key, value in wire.items() if key not in SERVER_FIELDS}
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


class VersionedRepo(Generic[R]):
    """`USER#{id}` / `{sk}`, holding a `record`: read, write on a version, restore."""

    def __init__(self, table: Table, *, record: type[R], sk: str) -> None:
        self.table = table
        self.record = record
        self.sk = sk

    async def read(self, user_id: str) -> R | None:
        """The record, or None."""
        item = await self.table.get(user_pk(user_id), self.sk)
        return None if item is None else from_item(self.record, item)

    async def write(self, user_id: str, record: R, expected: int | None) -> R:
        """Store `record` if the item is still at version `expected` (absent when None).

        Returns the record with its new version. Raises `ConditionFailed` otherwise.
        """
        condition = Absent() if expected is None else VersionIs(expected)
        stored = await self.table.put(
            to_item(record, user_pk(user_id), self.sk), condition=condition
        )
        return record.model_copy(update={"version": stored[VERSION]})

    async def restore(self, user_id: str, previous: dict[str, Any] | None, after: str) -> None:
        """Put `previous` (a wire dict) back, or delete the item when None, if the record's
        `fingerprint` is still `after`, conditioned on the version read.

        Raises `ConditionFailed` when it is missing, differs, or changes meanwhile; nothing is
        written then.
        """
        pk = user_pk(user_id)
        item = await self.table.get(pk, self.sk)
        if item is None or fingerprint(from_item(self.record, item).to_wire()) != after:
            raise ConditionFailed(pk, self.sk, "changed since the write")
        condition = VersionIs(int(item[VERSION]))
        if previous is None:
            await self.table.delete(pk, self.sk, condition=condition)
            return
        body = {key: value for key, value in previous.items() if key != VERSION}
        await self.table.put({**body, "pk": pk, "sk": self.sk}, condition=condition)


def athlete_profile(table: Table) -> VersionedRepo[AthleteProfile]:
    """The athlete profile (`ATHLETE`)."""
    return VersionedRepo(table, record=AthleteProfile, sk=ATHLETE)


def nutrition_log(table: Table, day: date) -> VersionedRepo[NutritionLog]:
    """The nutrition log of `day` (`NUTRITION#{date}`)."""
    return VersionedRepo(table, record=NutritionLog, sk=log_key(day))
