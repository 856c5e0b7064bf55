"""Proposed entries awaiting the climber's confirm: `USER#{id}` / `PROPOSAL#{proposal_id}`.

An item holds the proposal's `kind` and `entry` (a wire dict) and the epoch second it expires
at, as `expiresAt` and as its `ttl` (so DynamoDB deletes it); an expired proposal is absent even
before the table removes it. A proposal is taken (read and deleted) at most once; one taken for
a write that then failed can be put back as it was, to be confirmed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from store.repos.base import user_pk
from store.table import Absent

if TYPE_CHECKING:
    from store.table import Table

PREFIX = "PROPOSAL#"


@dataclass(frozen=True)
class StoredProposal:
    """A proposal as it was put: its `kind` and its `entry`, and when it stops existing (not
    part of what was proposed, so not compared)."""

    kind: str
    entry: dict[str, Any]
    expires: datetime | None = field(default=None, compare=False)


class ProposalRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def put(
        self,
        user_id: str,
        proposal_id: str,
        kind: str,
        entry: dict[str, Any],
        expires: datetime,
    ) -> None:
        """Store a new proposal, present until `expires`. Raises `ConditionFailed` if the user
        has one with this id already, `ValueError` for an empty id or one containing `#`."""
        if not proposal_id or "#" in proposal_id:
            raise ValueError("a proposal id must be non-empty and must not contain '#'")
        at = int(expires.timestamp())
        item = {"pk": user_pk(user_id), "sk": PREFIX + proposal_id, "kind": kind, "entry": entry}
        await self.table.put({**item, "ttl": at, "expiresAt": at}, condition=Absent())

    async def get(self, user_id: str, proposal_id: str, now: datetime) -> StoredProposal | None:
        """The proposal, left in place; None when `take` would find none at `now`."""
        if not proposal_id or "#" in proposal_id:
            return None
        return _live(await self.table.get(user_pk(user_id), PREFIX + proposal_id), now)

    async def take(self, user_id: str, proposal_id: str, now: datetime) -> StoredProposal | None:
        """Delete the proposal and return it; None when the user has none with this id (never
        put, taken already, or another user's) or it expired before `now` (it is deleted
        then too). Of concurrent takes of one proposal, one returns it."""
        if not proposal_id or "#" in proposal_id:
            return None
        return _live(await self.table.delete(user_pk(user_id), PREFIX + proposal_id), now)

    async def put_back(self, user_id: str, proposal_id: str, proposal: StoredProposal) -> None:
        """Store a taken proposal again as it was, with its expiry. Raises `ConditionFailed` if
        the id is present again, `ValueError` for a proposal without its expiry (one not
        returned by `take`)."""
        if proposal.expires is None:
            raise ValueError("only a proposal returned by take() can be put back")
        await self.put(user_id, proposal_id, proposal.kind, proposal.entry, proposal.expires)


def _live(item: dict[str, Any] | None, now: datetime) -> StoredProposal | None:
    if item is None or int(item.get("expiresAt", 0)) < now.timestamp():
        return None
    expires = datetime.fromtimestamp(int(item["expiresAt"]), UTC)
    return StoredProposal(str(item["kind"]), dict(item["entry"]), expires)
