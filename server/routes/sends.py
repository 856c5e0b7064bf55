"""`/benchmarks/sends`: the climber's notable ascents, listed by date range a page at a time."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from server.api import Call, Endpoint
from server.routes.pages import DateRangeQuery, Page, Update, item_endpoints
from store.records.sends import BenchmarkSend, BenchmarkSendIn
from store.repos.sends import SendRepo

PATH = "/benchmarks/sends"


class BenchmarkSendUpdate(BenchmarkSendIn, Update):
    """A whole send plus the `version` it replaces."""


class SendPage(Page[BenchmarkSend]):
    """A page of sends, in the order asked for."""


async def list_sends(call: Call[Any]) -> JSONResponse:
    query: DateRangeQuery = call.query
    listing = await SendRepo(call.services.table).list(
        call.user.user_id,
        start=query.start,
        end=query.end,
        newest_first=query.newest_first,
        limit=query.limit,
        cursor=query.cursor,
    )
    return SendPage(items=listing.items, cursor=listing.cursor).response()


endpoints = [
    Endpoint("GET", PATH, list_sends,
             "Sends dated `from`..`to` (inclusive), newest first unless order=asc",
             query=DateRangeQuery, response=SendPage, tags=("sends",)),
    *item_endpoints(path=PATH, noun="benchmark send", tag="sends", repo=SendRepo,
                    record=BenchmarkSend, input=BenchmarkSendIn, update=BenchmarkSendUpdate),
]  # fmt: skip
