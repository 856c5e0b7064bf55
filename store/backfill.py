"""The account index for profiles stored before it (`store.repos.users`): `v7 store init` runs
this after creating or checking the table (run it once after upgrading; then it finds none).

Finding them is the one place that reads the whole table (a DynamoDB Scan, filtered to the
profiles without the entry; on SQLite one SELECT), which is why it is an operator's command
and not something a job does. Each profile then gets its entry by a conditional update on the
version read: a profile rewritten meanwhile carries the entry already (every profile write adds
it), so the update losing that race is fine. Idempotent; a second run finds nothing.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from store import open_table
from store.errors import ConditionFailed
from store.repos.base import user_pk
from store.repos.users import PROFILE, account_index_keys
from store.table import VERSION

if TYPE_CHECKING:
    from pathlib import Path


async def backfill_account_index(url: str, *, data_dir: Path) -> int:
    """Add the account index entry to every profile that lacks it; how many got one."""
    if urlsplit(url).scheme == "sqlite":
        ids = await _sqlite_profiles(url, data_dir)
    else:
        ids = await _dynamodb_profiles(url)
    added = 0
    async with open_table(url, data_dir=data_dir) as table:
        for user_id in ids:
            item = await table.get(user_pk(user_id), PROFILE)
            if item is None or item.get("gsi1pk"):
                continue
            try:
                await table.update(
                    user_pk(user_id),
                    PROFILE,
                    set=account_index_keys(user_id),
                    expected_version=int(item[VERSION]),
                )
            except ConditionFailed:
                continue  # rewritten meanwhile, and so given its entry by that write
            added += 1
    return added


async def _sqlite_profiles(url: str, data_dir: Path) -> list[str]:
    from store import sqlite_ops
    from store.sqlite import parse_url

    path, timeout = parse_url(url, data_dir)

    def select() -> list[str]:
        connection = sqlite_ops.connect(path, timeout)
        try:
            rows = connection.execute(
                "SELECT pk FROM items WHERE sk = ? AND gsi1pk IS NULL", (PROFILE,)
            ).fetchall()
        finally:
            connection.close()
        return [str(row[0]).removeprefix("USER#") for row in rows]

    return await asyncio.to_thread(select)


async def _dynamodb_profiles(url: str) -> list[str]:
    from store.dynamodb_admin import open_client, parse_url

    location = parse_url(url)
    ids: list[str] = []
    async with AsyncExitStack() as stack:
        client = await open_client(location, stack)
        pages = client.get_paginator("scan").paginate(
            TableName=location.table,
            FilterExpression="sk = :profile AND attribute_not_exists(gsi1pk)",
            ExpressionAttributeValues={":profile": {"S": PROFILE}},
            ProjectionExpression="pk",
        )
        async for page in pages:
            ids += [str(item["pk"]["S"]).removeprefix("USER#") for item in page.get("Items", [])]
    return ids
