"""The single table: open it by URL, or create it.

`sqlite:///relative/path.db` (relative to the working directory), `sqlite:////abs/path.db`
(an absolute path keeps its leading slash, so four in all), `sqlite://` (`data_dir/v7.db`);
`?busy_timeout_ms=N` bounds how long a write waits for a lock held elsewhere.
`dynamodb://TABLE?region=…&endpoint_url=…` for DynamoDB. Those are the only options: any other,
or one given twice, is refused (`check_url`) before anything is opened. Engines are imported on
first use so that importing `store` stays cheap.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from core.clock import Clock, system_clock

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from contextlib import AbstractAsyncContextManager
    from pathlib import Path

    from store.table import Table

__all__ = ["check_url", "init_table", "open_table"]

SCHEMES = ("sqlite", "dynamodb")


def _scheme(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise ValueError(
            f"unknown store URL scheme {scheme!r} in {url!r}; use sqlite:///PATH or "
            "dynamodb://TABLE?region=…"
        )
    return scheme


def check_url(url: str, *, data_dir: Path) -> None:
    """Raise `ValueError` if `url` names an unknown scheme, has an option its engine does not
    know (named in the message), an option given twice or without a value, or is otherwise
    malformed. Opens nothing."""
    scheme = _scheme(url)
    seen: set[str] = set()
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if name in seen:
            raise ValueError(f"{scheme} URL option {name} is given more than once")
        if not value:
            raise ValueError(f"{scheme} URL option {name} has no value")
        seen.add(name)
    if scheme == "sqlite":
        from store.sqlite import parse_url as parse_sqlite

        parse_sqlite(url, data_dir)
    else:
        from store.dynamodb_admin import parse_url as parse_dynamodb

        parse_dynamodb(url)


def open_table(
    url: str, *, data_dir: Path, clock: Clock = system_clock
) -> AbstractAsyncContextManager[Table]:
    """The table at `url`, open for the life of the `async with` block, stamping records with
    `clock`.

    Raises `ValueError` for an unknown scheme, an unknown or repeated option or an otherwise
    malformed URL (at call time, as `check_url`), and `StoreUnavailable` on entry when the
    storage cannot be opened or reached.
    """
    check_url(url, data_dir=data_dir)
    scheme = _scheme(url)

    @asynccontextmanager
    async def opened() -> AsyncIterator[Table]:
        table: Table
        if scheme == "sqlite":
            from store.sqlite import SqliteTable

            table = await SqliteTable.open(url, data_dir=data_dir)
        else:
            from store.dynamodb import DynamoTable

            table = await DynamoTable.open(url)
        table.clock = clock
        try:
            yield table
        finally:
            await table.aclose()

    return opened()


async def init_table(url: str, *, data_dir: Path) -> str:
    """Create the table and its indexes if missing (idempotent); a one-line account of it.

    Raises `ValueError` for a malformed URL (as `check_url`) and `StoreUnavailable` when the
    storage cannot be reached.
    """
    check_url(url, data_dir=data_dir)
    if _scheme(url) == "sqlite":
        from store.sqlite import init_sqlite

        return await init_sqlite(url, data_dir=data_dir)
    from store.dynamodb_admin import init_dynamodb

    return await init_dynamodb(url)
