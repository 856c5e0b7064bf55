from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aioboto3
import pytest

from store import init_table, open_table
from store.dynamodb_admin import parse_url
from store.table import Table
from tests.clock import FrozenClock, at
from tests.conftest import ENGINES, store_url

NOW = at("2026-12-07T09:30:00")
"""Monday 7 December 2026, 09:30 UTC: the week 2026-W49 (30 Nov to 6 Dec) has just ended."""


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture(params=ENGINES)
async def frozen_table(
    request: pytest.FixtureRequest, tmp_path: Path, moto_endpoint: str, clock: FrozenClock
) -> AsyncIterator[Table]:
    """A fresh table on each engine, stamping records with the test's frozen clock."""
    url = store_url(str(request.param), tmp_path, moto_endpoint)
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path, clock=clock) as opened:
        yield opened
    if request.param == "dynamodb":
        location = parse_url(url)  # moto keeps every table in memory: drop it
        async with aioboto3.Session().client(
            "dynamodb", region_name=location.region, endpoint_url=location.endpoint_url
        ) as client:
            await client.delete_table(TableName=location.table)
