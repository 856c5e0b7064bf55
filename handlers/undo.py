"""The undo log: one entry per journaling write, saying how to revert it.

Entries live for `UNDO_TTL_S` in the user's partition (`store.repos.undo`: keys, `ttl`, tokens
that sort by the time of the write); an expired entry is treated as absent. This module says
what an entry means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from store.repos.undo import UndoItem, UndoRepo
from store.table import Table

UNDO_TTL_S = 24 * 3600
"""How long a write stays undoable."""

GONE = "gone"
"""The `after` of a write that deleted its record (no fingerprint is ever this word)."""

Entity = Literal[
    "journal",
    "send",
    "goal",
    "injury",
    "nutrition",
    "nutrition_profile",
    "athlete",
    "preferences",
    "plan",
]


@dataclass(frozen=True)
class UndoAction:
    """How to revert one write.

    `op` "delete" removes the created record `item_id` of `entity`; "restore" puts `previous`
    (the record's wire dict before the write, None if there was none) back. Either happens only
    while the record is still as the write left it: its content matches `after` (its
    `store.repos.versioned.fingerprint`), and the revert is conditioned on the version read, so
    a concurrent change makes it fail. Content, not just `version`, is compared so that undoing
    several writes of the same item in turn works (each restore moves the version on).
    A write that deleted a record (`/delete`) has `after` `GONE`: its "restore" puts `previous`
    back only while no record has that id. `version` is the version the write produced (0 when
    it deleted); `kind` is the `saved` frame's kind. A new training plan (`/plan new`) is
    undone by deleting it; its `previous` is `{"reactivate": [ids]}`, the plans it made
    inactive, which become active again. The nutrition profile (`/nutrition`, entity
    "nutrition_profile") and a day's nutrition log ("nutrition", `item_id` the ISO day) are
    restored whole, like the athlete profile.
    """

    kind: str
    entity: Entity
    item_id: str
    op: Literal["delete", "restore"]
    version: int
    previous: dict[str, Any] | None = None
    after: str = ""


class UndoLog:
    """Reads and writes undo entries of one table. Never reads another user's partition."""

    def __init__(self, table: Table) -> None:
        self._entries = UndoRepo(table)

    async def remember(self, user_id: str, action: UndoAction, now: datetime) -> str:
        """Store `action` and return its token."""
        attributes: dict[str, Any] = {
            "kind": action.kind,
            "entity": action.entity,
            "itemId": action.item_id,
            "op": action.op,
            "targetVersion": action.version,
            "after": action.after,
            "createdAt": now.isoformat(),
        }
        if action.previous is not None:
            attributes["previous"] = action.previous
        return await self._entries.add(user_id, attributes, now + timedelta(seconds=UNDO_TTL_S))

    async def find(self, user_id: str, token: str | None, now: datetime) -> UndoEntry:
        """The entry of `token`, or the user's newest when None. Raises `LookupError` when
        there is none (unknown, expired, already undone, or another user's)."""
        if token is None:
            stored = await self._entries.newest(user_id, now)
        else:
            stored = await self._entries.get(user_id, token, now)
        if stored is None:
            raise LookupError("nothing to undo")
        item = stored.attributes
        action = UndoAction(
            kind=str(item["kind"]),
            entity=item["entity"],
            item_id=str(item["itemId"]),
            op=item["op"],
            version=int(item["targetVersion"]),
            previous=item.get("previous"),
            after=str(item.get("after", "")),
        )
        return UndoEntry(stored.token, action, stored)

    async def claim(self, user_id: str, entry: UndoEntry) -> bool:
        """Delete the entry if it still exists; False when a concurrent undo took it first."""
        return await self._entries.remove(user_id, entry.token)

    async def give_back(self, user_id: str, entry: UndoEntry) -> None:
        """Put a claimed entry back (its revert failed, so the write stays undoable)."""
        await self._entries.put_back(user_id, entry.stored)


@dataclass(frozen=True)
class UndoEntry:
    """An entry found: its token, what it reverts, and the item as stored (to put back)."""

    token: str
    action: UndoAction
    stored: UndoItem
