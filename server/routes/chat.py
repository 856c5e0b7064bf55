"""`/chat/history`: the conversation, newest first, a page at a time."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from server.api import Call, Endpoint
from server.routes.pages import HistoryQuery, Page
from store.records.chat import ChatMessage
from store.repos.chat import ChatRepo


class ChatPage(Page[ChatMessage]):
    """A page of chat messages, newest first."""


async def history(call: Call[Any]) -> JSONResponse:
    query: HistoryQuery = call.query
    listing = await ChatRepo(call.services.table).history(
        call.user.user_id, limit=query.limit, cursor=query.cursor
    )
    return ChatPage(items=listing.items, cursor=listing.cursor).response()


endpoints = [
    Endpoint("GET", "/chat/history", history, "Chat messages, newest first",
             query=HistoryQuery, response=ChatPage, tags=("chat",)),
]  # fmt: skip
