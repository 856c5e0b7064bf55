"""What the REST resources share: list queries, pages, the expected-version convention, and
the create/get/update/delete endpoints of a kind of item (`item_endpoints`).

Lists answer `{"items": [...], "cursor": "…" | null}`; pass `cursor` back with the same query
for the next page (null: nothing follows; a cursor may lead to an empty last page). A cursor of
another query is refused by the store (`InvalidCursor` → 400 bad_request).

Updates carry the version the client last read in the body's `version` field. A stale version is
a 409 conflict and nothing changes; a missing one is 428 Precondition Required (code
`bad_request`), so a client can never overwrite a change it has not seen by forgetting it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel
from starlette.responses import JSONResponse

from handlers.journaling import journal_write, session_removed
from server.api import Call, Endpoint
from server.errors import ApiError
from store.records.base import Record
from store.records.media import EntryKind
from store.repos.base import I, R
from store.repos.entity import DatedRepo, EntityRepo
from store.table import Table

T = TypeVar("T", bound=Record)

MAX_LIMIT = 200
DEFAULT_LIMIT = 50

Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description="items per page, 1–200")]
Cursor = Annotated[
    str,
    Field(min_length=1, max_length=2048, description="the `cursor` of the previous page"),
]

VERSION_HELP = (
    "the `version` of the item as last read; a stale version → 409 conflict (nothing changes), "
    "none → 428"
)


class Query(BaseModel):
    """Query-string parameters. Unknown parameters are refused (a typo such as `?form=` would
    otherwise silently list everything)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class DateRangeQuery(Query):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD&limit=50&cursor=…&order=desc|asc` (dates inclusive)."""

    start: date | None = Field(default=None, alias="from", description="first day, inclusive")
    end: date | None = Field(default=None, alias="to", description="last day, inclusive")
    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor | None = None
    order: Literal["desc", "asc"] = Field(default="desc", description="desc: newest first")

    @field_validator("end")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start")
        if value is not None and isinstance(start, date) and value < start:
            raise ValueError("must not be before `from`")
        return value

    @property
    def newest_first(self) -> bool:
        return self.order == "desc"


class HistoryQuery(Query):
    """`?limit=50&cursor=…`, newest first."""

    limit: Limit = DEFAULT_LIMIT
    cursor: Cursor | None = None


class Page(BaseModel, Generic[T]):
    """One page of a listing. `cursor` is always present: null when nothing follows."""

    items: list[T]
    cursor: str | None

    def response(self) -> JSONResponse:
        """The page as JSON. Built here rather than by the generic renderer, which leaves out
        null fields: a client must see `"cursor": null` to know the listing is complete."""
        return JSONResponse(
            {"items": [item.to_wire() for item in self.items], "cursor": self.cursor}
        )


class Update(BaseModel):
    """Mixin of every update body: the expected version beside the input fields."""

    version: Annotated[int, Field(ge=0, description=VERSION_HELP)] | None = None


def expected_version(body: Update) -> int:
    """The body's expected version; raises `ApiError` 428 when the client sent none."""
    if body.version is None:
        raise ApiError(
            428,
            "bad_request",
            "Send the item's `version` as you last read it, so a change made meanwhile is "
            "not overwritten",
        )
    return body.version


def input_of(body: Update, model: type[I]) -> I:
    """The input-model part of an update body (everything but `version`)."""
    # Validated again as `model` on purpose: the input model alone decides what is stored.
    return model.model_validate(body.model_dump(by_alias=True, exclude={"version"}))


class CamelModel(BaseModel):
    """A response envelope of this package: camelCase on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


def dated_list_endpoint(
    *,
    path: str,
    what: str,
    tag: str,
    repo: Callable[[Table], DatedRepo[R, Any]],
    page: type[Page[R]],
) -> Endpoint:
    """`GET path`: the caller's dated items from `from` to `to`, a page at a time."""

    async def list_items(call: Call[Any]) -> JSONResponse:
        query: DateRangeQuery = call.query
        listing = await repo(call.services.table).list(
            call.user.user_id,
            start=query.start,
            end=query.end,
            newest_first=query.newest_first,
            limit=query.limit,
            cursor=query.cursor,
        )
        return page(items=listing.items, cursor=listing.cursor).response()

    summary = f"{what} dated `from`..`to` (inclusive), newest first unless order=asc"
    return Endpoint(
        "GET", path, list_items, summary, query=DateRangeQuery, response=page, tags=(tag,)
    )


def item_endpoints(
    *,
    path: str,
    noun: str,
    tag: str,
    repo: Callable[[Table], EntityRepo[R, I]],
    record: type[R],
    input: type[I],
    update: type[Update],
    journal_entry: bool = False,
    check: Callable[[Table, I], Awaitable[None]] | None = None,
    media: EntryKind | None = None,
) -> list[Endpoint]:
    """Create, get, update and delete of one kind of item with an id, at `path` and
    `path/{id}`. Every call acts on the caller's own items only: another user's id is a 404,
    exactly like a missing one (the repositories cannot address another partition).

    With `journal_entry`, creating counts against the tier's weekly journal entries and the
    journal-write rate (429 when either is used up), and deleting an entry logged this ISO week
    gives its weekly entry back.

    `check`, when given, sees every created or replacing input before it is written and raises
    to refuse it (e.g. a `pydantic.ValidationError` → 422): checks that need the store, which
    the input model cannot make on its own.

    With `media`, deleting an item deletes its photos and videos and gives their storage back
    (`server.media.library`); a REST delete has no undo, so nothing waits."""

    async def create_item(call: Call[I]) -> R:
        if check is not None:
            await check(call.services.table, call.body)
        create = repo(call.services.table).create
        if not journal_entry:
            return await create(call.user.user_id, call.body)
        async with journal_write(call.services.allowances, call.user, session=True):
            return await create(call.user.user_id, call.body)

    async def get_item(call: Call[Any]) -> R:
        return await repo(call.services.table).get(call.user.user_id, call.path("id"))

    async def update_item(call: Call[Any]) -> R:
        body: Update = call.body
        version = expected_version(body)
        data = input_of(body, input)
        if check is not None:
            await check(call.services.table, data)
        return await repo(call.services.table).update(
            call.user.user_id, call.path("id"), data, expected_version=version
        )

    async def delete_item(call: Call[Any]) -> None:
        await remove_item(call)
        if media is not None:
            # After the entry, so a refused delete keeps its media; `sweep_orphans` catches
            # what a crash between the two leaves.
            await call.services.media.entry_deleted(call.user.user_id, media, call.path("id"))

    async def remove_item(call: Call[Any]) -> None:
        items = repo(call.services.table)
        if not journal_entry:
            await items.delete(call.user.user_id, call.path("id"))
            return
        # When it was logged decides which week's entry it gives back; `createdAt` never
        # changes, so reading it before the delete is safe.
        current = await items.get(call.user.user_id, call.path("id"))
        await items.delete(call.user.user_id, call.path("id"))
        logged_at = getattr(current, "created_at", None)
        if isinstance(logged_at, datetime):
            await session_removed(call.services.allowances, call.user, logged_at)

    one = f"{path}/{{id}}"
    tags = (tag,)
    return [
        Endpoint("POST", path, create_item, f"Create a {noun}; answers it with its id and version",
                 body=input, response=record, status=201, tags=tags,
                 errors=(429,) if journal_entry else ()),
        Endpoint("GET", one, get_item, f"One {noun}", response=record, tags=tags),
        Endpoint("PUT", one, update_item,
                 f"Replace a {noun}; the body carries every field plus `version` as last read "
                 "(stale → 409, nothing changes; missing → 428)",
                 body=update, response=record, tags=tags, errors=(409, 428)),
        Endpoint("DELETE", one, delete_item, f"Delete a {noun} (a second delete → 404)",
                 tags=tags),
    ]  # fmt: skip
