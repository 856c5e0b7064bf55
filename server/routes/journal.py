"""`/journal/entries`: the climber's sessions, listed by date range a page at a time."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from server.api import Call, Endpoint
from server.routes.pages import DateRangeQuery, Page, Update, item_endpoints
from store.records.journal import JournalEntry, JournalEntryIn
from store.repos.journal import JournalRepo

PATH = "/journal/entries"


class JournalEntryUpdate(JournalEntryIn, Update):
    """A whole journal entry plus the `version` it replaces."""


class JournalPage(Page[JournalEntry]):
    """A page of journal entries, in the order asked for."""


async def list_entries(call: Call[Any]) -> JSONResponse:
    query: DateRangeQuery = call.query
    listing = await JournalRepo(call.services.table).list(
        call.user.user_id,
        start=query.start,
        end=query.end,
        newest_first=query.newest_first,
        limit=query.limit,
        cursor=query.cursor,
    )
    return JournalPage(items=listing.items, cursor=listing.cursor).response()


endpoints = [
    Endpoint("GET", PATH, list_entries,
             "Journal entries dated `from`..`to` (inclusive), newest first unless order=asc",
             query=DateRangeQuery, response=JournalPage, tags=("journal",)),
    *item_endpoints(path=PATH, noun="journal entry", tag="journal", repo=JournalRepo,
                    record=JournalEntry, input=JournalEntryIn, update=JournalEntryUpdate,
                    journal_entry=True),
]  # fmt: skip
