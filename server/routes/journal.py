"""`/journal/entries`: the climber's sessions, listed by date range a page at a time."""

from __future__ import annotations

from server.routes.pages import Page, Update, dated_list_endpoint, item_endpoints
from store.records.journal import JournalEntry, JournalEntryIn
from store.records.media import EntryKind
from store.repos.journal import JournalRepo

PATH = "/journal/entries"


class JournalEntryUpdate(JournalEntryIn, Update):
    """A whole journal entry plus the `version` it replaces."""


class JournalPage(Page[JournalEntry]):
    """A page of journal entries, in the order asked for."""


endpoints = [
    dated_list_endpoint(path=PATH, what="Journal entries", tag="journal", repo=JournalRepo,
                        page=JournalPage),
    *item_endpoints(path=PATH, noun="journal entry", tag="journal", repo=JournalRepo,
                    record=JournalEntry, input=JournalEntryIn, update=JournalEntryUpdate,
                    journal_entry=True, media=EntryKind.SESSION),
]  # fmt: skip
