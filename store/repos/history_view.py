"""What the user's last numbered listing showed: `USER#{id}` / `VIEW#HISTORY`, one item.

The item holds the listed entries in the order they were numbered (1 first), each as its kind
and id, the instant it was listed (`listedAt`) and a `ttl` (epoch seconds) so DynamoDB removes it;
an expired view is absent here even before the table deletes it. Each listing replaces the one
before. What the kinds mean, and what a number refers to, is `handlers`' business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from store.repos.base import user_pk

if TYPE_CHECKING:
    from store.table import Table

KEY = "VIEW#HISTORY"


@dataclass(frozen=True)
class Listed:
    """One entry of a listing: its kind (e.g. "session") and its id."""

    kind: str
    id: str


@dataclass(frozen=True)
class HistoryView:
    """A listing as it was shown: `entries[0]` was numbered 1."""

    entries: tuple[Listed, ...]
    listed_at: datetime


class HistoryViewRepo:
    """Never reads another user's partition."""

    def __init__(self, table: Table) -> None:
        self.table = table

    async def put(
        self, user_id: str, entries: Sequence[Listed], now: datetime, expires: datetime
    ) -> None:
        """Store `entries` as the user's last listing (replacing any), shown at `now`, absent
        after `expires`."""
        item = {
            "pk": user_pk(user_id),
            "sk": KEY,
            "entries": [{"kind": entry.kind, "id": entry.id} for entry in entries],
            "listedAt": now.isoformat(),
            "ttl": int(expires.timestamp()),
        }
        await self.table.put(item)

    async def get(self, user_id: str, now: datetime) -> HistoryView | None:
        """The user's last listing; None when there is none or it expired at `now`."""
        item = await self.table.get(user_pk(user_id), KEY)
        if item is None or int(item.get("ttl", 0)) <= now.timestamp():
            return None
        entries = tuple(Listed(str(e["kind"]), str(e["id"])) for e in item.get("entries", []))
        return HistoryView(entries, datetime.fromisoformat(str(item["listedAt"])))
