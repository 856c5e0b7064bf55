"""`/chat/history` (the conversation, newest first, a page at a time; `DELETE` clears it) and
`POST /chat/message` (one coaching turn over HTTP as server-sent events, for clients that cannot
hold a WebSocket).

The history holds every turn (`handlers/transcript.py`): the climber's words and slash commands
(`command`), the coach's replies (`endReason`, `partial`), and the frames a turn showed them
(`frame`: a `reply`, a `saved` card, a `proposal`), so a client replays them as it renders live
ones."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, StreamingResponse

from handlers.frames import Say, ServerFrame, encode
from handlers.session import Outgoing
from server.api import Call, Endpoint
from server.errors import ApiError, error_frame
from server.routes.pages import HistoryQuery, Page
from store.records.chat import ChatMessage
from store.repos.chat import ChatRepo


class ChatPage(Page[ChatMessage]):
    """A page of chat messages, newest first."""


class ChatHistoryQuery(HistoryQuery):
    """`?limit=50&before=2026-11-22T04:05:06Z&cursor=…`, newest first."""

    before: AwareDatetime | None = Field(
        default=None,
        description="only messages strictly older than this instant (ISO 8601 with its offset, "
        "e.g. 2026-11-22T04:05:06Z)",
    )


class ChatMessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: Annotated[str, Field(min_length=1, max_length=16_000)]
    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")] | None = (
        None
    )


async def history(call: Call[Any]) -> JSONResponse:
    query: ChatHistoryQuery = call.query
    listing = await ChatRepo(call.services.table).history(
        call.user.user_id, before=query.before, limit=query.limit, cursor=query.cursor
    )
    return ChatPage(items=listing.items, cursor=listing.cursor).response()


async def clear_history(call: Call[Any]) -> None:
    await ChatRepo(call.services.table).clear(call.user.user_id)


def sse(frame: ServerFrame) -> bytes:
    return f"event: {frame.type}\ndata: {encode(frame)}\n\n".encode()


async def message(call: Call[ChatMessageIn]) -> StreamingResponse:
    """Run the turn; refusals that come before anything streams (quota, rate, a message that
    is a slash command …) are ordinary JSON errors, after that everything is an SSE event
    (`stream.start`, `stream.delta`, `proposal`, `stream.end`, `error`; words that only log
    something are answered `reply` and `proposal`, with no AI message). A client that goes
    away cancels the turn, which still settles its quota and saves the partial reply."""
    body: ChatMessageIn = call.body
    if body.message.lstrip().startswith("/"):
        raise ApiError(400, "bad_request", "Slash commands go over the WebSocket chat")
    frames: asyncio.Queue[ServerFrame | BaseException | None] = asyncio.Queue()
    say_id = body.id or uuid.uuid4().hex[:16]

    async def emit(outgoing: Outgoing) -> None:
        await frames.put(outgoing.frame)

    async def turn() -> None:
        try:
            async with call.services.lifecycle.busy():
                say = Say(type="say", id=say_id, text=body.message)
                await call.services.chat.on_say(call.user, say, emit)
        except Exception as error:  # reported below, as JSON or as an SSE error event
            await frames.put(error)
        finally:
            await frames.put(None)

    task = asyncio.create_task(turn())
    first = await frames.get()
    if isinstance(first, BaseException):
        await task
        raise first
    if first is None:
        await task
        return StreamingResponse(iter(()), media_type="text/event-stream")

    async def events(head: ServerFrame) -> AsyncIterator[bytes]:
        try:
            yield sse(head)
            while True:
                item = await frames.get()
                if item is None:
                    break
                if isinstance(item, BaseException):
                    yield sse(error_frame(item, say_id))
                    continue
                yield sse(item)
        finally:
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return StreamingResponse(
        events(first),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


endpoints = [
    Endpoint("GET", "/chat/history", history,
             "The conversation, newest first: the climber's messages and commands, the coach's "
             "replies, and the frames each turn showed (`frame`: reply, saved, proposal)",
             query=ChatHistoryQuery, response=ChatPage, tags=("chat",)),
    Endpoint("DELETE", "/chat/history", clear_history,
             "Clear the whole conversation; the journal and everything else stay",
             tags=("chat",)),
    Endpoint("POST", "/chat/message", message,
             "A coaching reply as server-sent events (stream.start, stream.delta, proposal, "
             "stream.end, error); the same turn as a `say` over the WebSocket",
             body=ChatMessageIn, tags=("chat",), errors=(429,)),
]  # fmt: skip
