"""The undo log's storage: `USER#{id}` / `UNDO#{token}`, one item per entry, with a `ttl`.

`ttl` (epoch seconds) lets DynamoDB expire an entry; an expired one is absent here even before
the table deletes it. Tokens are url-safe and random, prefixed by the wall-clock time of the
write in fixed-width hex, so that the user's newest entry is the last `UNDO#` key (one descending
query). What an entry means is `handlers.undo`'s business; this module stores its attributes.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from store.errors import ConditionFailed
from store.repos.base import user_pk
from store.table import VERSION, Absent, Exists, Item

if TYPE_CHECKING:
    from store.table import Table

PREFIX = "UNDO#"

_TOKEN = re.compile(r"^[0-9a-f]{16}[A-Za-z0-9_-]{16}$")
_OWN = frozenset({"pk", "sk", "ttl", VERSION})
"""The attributes this module and the store maintain; an entry's own attributes are the rest."""


def new_token() -> str:
    """A url-safe token whose first 16 characters sort by the moment of the write.

    The wall clock in nanoseconds (not the injected clock, which tests freeze) orders writes;
    the random part makes the token unguessable.
    """
    return f"{time.time_ns():016x}{secrets.token_urlsafe(12)}"


@dataclass(frozen=True)
class UndoItem:
    """One stored entry: its `token`, its own `attributes`, and its `ttl` (epoch seconds)."""

    token: str
    attributes: Item
    ttl: int


class UndoRepo:
    """Never reads another user's partition."""

    def __init__(self, table: Table) -> None:
        self.table = table

    async def add(self, user_id: str, attributes: Mapping[str, Any], expires: datetime) -> str:
        """Store a new entry with `attributes`, absent after `expires`; return its token.
        Raises `ValueError` if `attributes` names `pk`, `sk`, `ttl` or `version`."""
        if _OWN.intersection(attributes):
            raise ValueError(f"an undo entry's attributes may not name {sorted(_OWN)}")
        token = new_token()
        item = {"pk": user_pk(user_id), "sk": PREFIX + token, **attributes}
        await self.table.put({**item, "ttl": int(expires.timestamp())}, condition=Absent())
        return token

    async def get(self, user_id: str, token: str, now: datetime) -> UndoItem | None:
        """The entry of `token`; None when there is none: a token this module never issues,
        an unknown or removed one, another user's, or one expired at `now`."""
        pk = user_pk(user_id)
        if not _TOKEN.match(token):
            return None
        return _live(await self.table.get(pk, PREFIX + token), now)

    async def newest(self, user_id: str, now: datetime) -> UndoItem | None:
        """The user's newest entry; None when there is none or it is expired at `now` (older
        entries are not looked at: they expire first)."""
        page = await self.table.query(user_pk(user_id), sk_prefix=PREFIX, descending=True, limit=1)
        return _live(page.items[0] if page.items else None, now)

    async def remove(self, user_id: str, token: str) -> bool:
        """Delete the entry if it still exists; False when it did not (a concurrent `remove`
        took it first)."""
        try:
            await self.table.delete(user_pk(user_id), PREFIX + token, condition=Exists())
        except ConditionFailed:
            return False
        return True

    async def put_back(self, user_id: str, entry: UndoItem) -> None:
        """Store a removed entry again as it was (same token, attributes and `ttl`). Raises
        `ConditionFailed` if its token is present."""
        key = {"pk": user_pk(user_id), "sk": PREFIX + entry.token}
        await self.table.put({**entry.attributes, **key, "ttl": entry.ttl}, condition=Absent())


def _live(item: Item | None, now: datetime) -> UndoItem | None:
    if item is None or int(item.get("ttl", 0)) <= now.timestamp():
        return None
    attributes = {name: value for name, value in item.items() if name not in _OWN}
    return UndoItem(str(item["sk"])[len(PREFIX) :], attributes, int(item["ttl"]))
