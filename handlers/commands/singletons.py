"""Records that are one item per user (`ATHLETE`) or per user and day (`NUTRITION#{date}`).

Writes are conditioned on the version read, so a concurrent change is a `ConditionFailed`
instead of a lost update; the callers re-read and re-apply, or report a conflict.
"""

from __future__ import annotations

from typing import Any, TypeVar

from handlers.undo import fingerprint
from store.errors import ConditionFailed
from store.records.common import Stored
from store.repos.base import from_item, to_item, user_pk
from store.table import VERSION, Absent, Table, VersionIs

R = TypeVar("R", bound=Stored)

ATHLETE_SK = "ATHLETE"


def nutrition_sk(day: str) -> str:
    return f"NUTRITION#{day}"


async def read(table: Table, user_id: str, sk: str, model: type[R]) -> R | None:
    item = await table.get(user_pk(user_id), sk)
    return None if item is None else from_item(model, item)


async def write(table: Table, user_id: str, sk: str, record: R, expected: int | None) -> R:
    """Store `record` if the item is still at version `expected` (absent when None).

    Returns the record with its new version. Raises `ConditionFailed` otherwise.
    """
    condition = Absent() if expected is None else VersionIs(expected)
    stored = await table.put(to_item(record, user_pk(user_id), sk), condition=condition)
    return record.model_copy(update={"version": stored[VERSION]})


async def restore(
    table: Table,
    user_id: str,
    sk: str,
    model: type[R],
    previous: dict[str, Any] | None,
    after: str,
) -> None:
    """Put `previous` back (delete the item when None) if the item's content still has the
    fingerprint `after`, conditioned on the version read.

    Raises `ConditionFailed` when it is missing, differs, or changes meanwhile; nothing is
    written then.
    """
    pk = user_pk(user_id)
    item = await table.get(pk, sk)
    if item is None or fingerprint(from_item(model, item).to_wire()) != after:
        raise ConditionFailed(pk, sk, "changed since the write")
    condition = VersionIs(int(item[VERSION]))
    if previous is None:
        await table.delete(pk, sk, condition=condition)
        return
    body = {key: value for key, value in previous.items() if key != VERSION}
    await table.put({**body, "pk": pk, "sk": sk}, condition=condition)
