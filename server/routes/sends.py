"""`/benchmarks/sends`: the climber's notable ascents, listed by date range a page at a time."""

from __future__ import annotations

from server.routes.pages import Page, Update, dated_list_endpoint, item_endpoints
from store.records.media import EntryKind
from store.records.sends import BenchmarkSend, BenchmarkSendIn
from store.repos.sends import SendRepo

PATH = "/benchmarks/sends"


class BenchmarkSendUpdate(BenchmarkSendIn, Update):
    """A whole send plus the `version` it replaces."""


class SendPage(Page[BenchmarkSend]):
    """A page of sends, in the order asked for."""


endpoints = [
    dated_list_endpoint(path=PATH, what="Sends", tag="sends", repo=SendRepo,
                        page=SendPage),
    *item_endpoints(path=PATH, noun="benchmark send", tag="sends", repo=SendRepo,
                    record=BenchmarkSend, input=BenchmarkSendIn, update=BenchmarkSendUpdate,
                    media=EntryKind.SEND),
]  # fmt: skip
