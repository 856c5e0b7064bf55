"""Chat messages: `USER#{id}` / `CHAT#{ts}#{id}`, `ts` fixed-width UTC so keys sort by time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from store.errors import ConditionFailed, NotFound
from store.records.chat import ChatMessage, ChatMessageIn
from store.records.common import as_utc
from store.repos.base import Listing, check_id, from_item, to_item, user_pk
from store.table import MAX_TRANSACTION_OPS, Absent, Delete, Put, VersionIs

if TYPE_CHECKING:
    from store.table import Table

KIND = "CHAT"
SCAN_PAGE = 50
MAX_SCANNED = 400
"""How far back `recent_spoken` looks past commands and cards for the conversation's words."""


def chat_key(ts: datetime, message_id: str) -> str:
    """`CHAT#2026-11-22T04:05:06.123456Z#{id}`: microseconds, always UTC, fixed width."""
    return f"{KIND}#{ts:%Y-%m-%dT%H:%M:%S.%f}Z#{message_id}"


class ChatRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def append(
        self,
        user_id: str,
        message: ChatMessageIn,
        *,
        ts: datetime | None = None,
        message_id: str | None = None,
    ) -> ChatMessage:
        """Store a new message at `ts` (now, by the table's clock, by default). Raises
        `ConditionFailed` if a message with that id and time already exists."""
        body = {
            **message.model_dump(by_alias=True),
            "ts": ts or self.table.clock(),
            "id": message_id,
        }
        record = ChatMessage.model_validate({k: v for k, v in body.items() if v is not None})
        check_id(record.id)
        pk = user_pk(user_id)
        await self.table.put(
            to_item(record, pk, chat_key(record.ts, record.id)), condition=Absent()
        )
        return record.model_copy(update={"version": 1})

    async def append_all(
        self, user_id: str, messages: Sequence[tuple[ChatMessageIn, datetime]]
    ) -> list[ChatMessage]:
        """Store new messages, each at its own time, all or none (one transaction of at most
        `MAX_TRANSACTION_OPS`). Raises `TransactionCancelled` if one already exists."""
        pk = user_pk(user_id)
        records = [
            ChatMessage.model_validate(
                {**message.model_dump(by_alias=True, exclude_none=True), "ts": ts}
            )
            for message, ts in messages
        ]
        await self.table.transact(
            [
                Put(to_item(record, pk, chat_key(record.ts, record.id)), condition=Absent())
                for record in records
            ]
        )
        return [record.model_copy(update={"version": 1}) for record in records]

    async def get(self, user_id: str, ts: datetime, message_id: str) -> ChatMessage:
        """One message by its time and id; raises `NotFound`."""
        check_id(message_id)
        item = await self.table.get(user_pk(user_id), chat_key(as_utc(ts), message_id))
        if item is None:
            raise NotFound(f"no message {message_id}")
        return from_item(ChatMessage, item)

    async def replace(self, user_id: str, message: ChatMessage) -> ChatMessage:
        """Overwrite a stored message (e.g. a streamed reply once it is complete), provided it
        is still at `message.version`; raises `ConditionFailed` otherwise (nothing written)."""
        pk, sk = user_pk(user_id), chat_key(message.ts, message.id)
        if message.version < 1:
            raise ConditionFailed(pk, sk, "the message was never stored")
        stored = await self.table.put(
            to_item(message, pk, sk), condition=VersionIs(message.version)
        )
        return from_item(ChatMessage, stored)

    async def history(
        self,
        user_id: str,
        *,
        before: datetime | None = None,
        limit: int | None = 50,
        cursor: str | None = None,
    ) -> Listing[ChatMessage]:
        """Messages newest first (strictly before `before` if given), a page at a time."""
        high = f"{KIND}$"
        if before is not None:
            high = chat_key(as_utc(before), "")  # "#" + "" sorts below any id at that instant
        page = await self.table.query(
            user_pk(user_id),
            sk_from=f"{KIND}#",
            sk_to=high,
            descending=True,
            limit=limit,
            cursor=cursor,
        )
        return Listing([from_item(ChatMessage, item) for item in page.items], page.cursor)

    async def recent(self, user_id: str, count: int = 20) -> list[ChatMessage]:
        """The last `count` messages in conversation order (oldest first)."""
        page = await self.history(user_id, limit=count)
        return list(reversed(page.items))

    async def recent_spoken(self, user_id: str, count: int = 20) -> list[ChatMessage]:
        """The last `count` messages that are words between the climber and the coach
        (`ChatMessage.spoken`), oldest first. Commands and cards in between are skipped, looking
        back over at most `MAX_SCANNED` messages: words from before a longer run of commands
        are left out rather than read without end."""
        spoken: list[ChatMessage] = []
        scanned = 0
        cursor: str | None = None
        while len(spoken) < count and scanned < MAX_SCANNED:
            page = await self.history(user_id, limit=SCAN_PAGE, cursor=cursor)
            scanned += len(page.items)
            spoken.extend(message for message in page.items if message.spoken)
            cursor = page.cursor
            if cursor is None:
                break
        return list(reversed(spoken[:count]))

    async def clear(self, user_id: str) -> int:
        """Delete every message of the user's conversation (nothing else); returns how many.
        A message written meanwhile by a turn still running may remain."""
        pk = user_pk(user_id)
        deleted = 0
        while True:
            page = await self.table.query(pk, sk_prefix=f"{KIND}#", limit=MAX_TRANSACTION_OPS)
            if not page.items:
                return deleted
            await self.table.transact([Delete(pk, str(item["sk"])) for item in page.items])
            deleted += len(page.items)
