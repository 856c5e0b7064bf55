"""The undo log: one item per journaling write, saying how to revert it.

Stored at `USER#{id}` / `UNDO#{token}` with a `ttl` (epoch seconds) so DynamoDB expires it; an
expired entry is treated as absent even before the table deletes it. Tokens are url-safe and
random, prefixed by the wall-clock time of the write in fixed-width hex so that the user's
newest write is the last `UNDO#` key (`/undo` without a token is one descending query).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from store.errors import ConditionFailed
from store.repos.base import user_pk
from store.table import VERSION, Absent, Exists, Item, Table

UNDO_PREFIX = "UNDO#"
UNDO_TTL_S = 24 * 3600
"""How long a write stays undoable."""

_TOKEN = re.compile(r"^[0-9a-f]{16}[A-Za-z0-9_-]{16}$")

Entity = Literal["journal", "send", "goal", "injury", "nutrition", "athlete"]


@dataclass(frozen=True)
class UndoAction:
    """How to revert one write.

    `op` "delete" removes the created record `item_id` of `entity`; "restore" puts `previous`
    (the record's wire dict before the write, None if there was none) back. Either happens only
    while the record is still as the write left it: its content matches `after` (a
    `fingerprint`), and the revert is conditioned on the version read, so a concurrent change
    makes it fail. Content, not just `version`, is compared so that undoing several writes of
    the same item in turn works (each restore moves the version on). `version` is the version
    the write produced; `kind` is the `saved` frame's kind.
    """

    kind: str
    entity: Entity
    item_id: str
    op: Literal["delete", "restore"]
    version: int
    previous: dict[str, Any] | None = None
    after: str = ""


SERVER_FIELDS = frozenset({"version", "updatedAt"})
"""Fields every write refreshes; they are not part of what the climber sees as the content."""


def fingerprint(wire: dict[str, Any]) -> str:
    """A digest of a record's wire dict without its server-maintained fields."""
    content = {key: value for key, value in wire.items() if key not in SERVER_FIELDS}
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def new_token() -> str:
    """A url-safe token whose first 16 characters sort by the moment of the write.

    The wall clock in nanoseconds (not the injected clock, which tests freeze) orders writes;
    the random part makes the token unguessable.
    """
    return f"{time.time_ns():016x}{secrets.token_urlsafe(12)}"


class UndoLog:
    """Reads and writes undo entries of one table. Never reads another user's partition."""

    def __init__(self, table: Table) -> None:
        self._table = table

    async def remember(self, user_id: str, action: UndoAction, now: datetime) -> str:
        """Store `action` and return its token."""
        token = new_token()
        item = {
            "pk": user_pk(user_id),
            "sk": UNDO_PREFIX + token,
            "kind": action.kind,
            "entity": action.entity,
            "itemId": action.item_id,
            "op": action.op,
            "targetVersion": action.version,
            "after": action.after,
            "createdAt": now.isoformat(),
            "ttl": int(now.timestamp()) + UNDO_TTL_S,
        }
        if action.previous is not None:
            item["previous"] = action.previous
        await self._table.put(item, condition=Absent())
        return token

    async def find(self, user_id: str, token: str | None, now: datetime) -> UndoEntry:
        """The entry of `token`, or the user's newest when None. Raises `LookupError` when
        there is none (unknown, expired, already undone, or another user's)."""
        pk = user_pk(user_id)
        if token is None:
            page = await self._table.query(pk, sk_prefix=UNDO_PREFIX, descending=True, limit=1)
            item = page.items[0] if page.items else None
        elif _TOKEN.match(token):
            item = await self._table.get(pk, UNDO_PREFIX + token)
        else:
            item = None
        if item is None or int(item.get("ttl", 0)) <= now.timestamp():
            raise LookupError("nothing to undo")
        action = UndoAction(
            kind=str(item["kind"]),
            entity=item["entity"],
            item_id=str(item["itemId"]),
            op=item["op"],
            version=int(item["targetVersion"]),
            previous=item.get("previous"),
            after=str(item.get("after", "")),
        )
        return UndoEntry(str(item["sk"])[len(UNDO_PREFIX) :], action, item)

    async def claim(self, user_id: str, entry: UndoEntry) -> bool:
        """Delete the entry if it still exists; False when a concurrent undo took it first."""
        try:
            await self._table.delete(
                user_pk(user_id), UNDO_PREFIX + entry.token, condition=Exists()
            )
        except ConditionFailed:
            return False
        return True

    async def give_back(self, entry: UndoEntry) -> None:
        """Put a claimed entry back (its revert failed, so the write stays undoable)."""
        item = {key: value for key, value in entry.item.items() if key != VERSION}
        await self._table.put(item, condition=Absent())


@dataclass(frozen=True)
class UndoEntry:
    token: str
    action: UndoAction
    item: Item
