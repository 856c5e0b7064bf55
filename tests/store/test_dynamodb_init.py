"""Creating the DynamoDB table: shape, TTL, idempotence; and an endpoint that does not answer."""

from __future__ import annotations

import socket
import time
import uuid
from typing import TYPE_CHECKING

import aioboto3
import pytest

from store import init_table, open_table
from store.errors import StoreUnavailable

if TYPE_CHECKING:
    from pathlib import Path


def _url(table: str, endpoint: str) -> str:
    return f"dynamodb://{table}?region=us-east-1&endpoint_url={endpoint}"


async def test_init_creates_table_with_indexes_and_ttl(moto_endpoint: str, tmp_path: Path) -> None:
    name = f"v7-init-{uuid.uuid4().hex[:8]}"
    message = await init_table(_url(name, moto_endpoint), data_dir=tmp_path)
    assert name in message
    assert "created" in message
    session = aioboto3.Session()
    async with session.client(
        "dynamodb", region_name="us-east-1", endpoint_url=moto_endpoint
    ) as client:
        table = (await client.describe_table(TableName=name))["Table"]
        ttl = (await client.describe_time_to_live(TableName=name))["TimeToLiveDescription"]
        backups = (await client.describe_continuous_backups(TableName=name))[
            "ContinuousBackupsDescription"
        ]
    assert table["TableStatus"] == "ACTIVE"
    # A table `v7 store init` creates can be restored to any second of the last 35 days.
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert "point-in-time recovery on" in message
    assert table.get("BillingModeSummary", {}).get("BillingMode") == "PAY_PER_REQUEST"
    assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == {
        ("pk", "HASH"),
        ("sk", "RANGE"),
    }
    indexes = {index["IndexName"]: index for index in table.get("GlobalSecondaryIndexes", [])}
    assert set(indexes) == {"gsi1", "gsi2"}
    for name_, index in indexes.items():
        assert {(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]} == {
            (f"{name_}pk", "HASH"),
            (f"{name_}sk", "RANGE"),
        }
        assert index["Projection"]["ProjectionType"] == "ALL"
    types = {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]}
    assert types == dict.fromkeys(("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"), "S")
    assert ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
    assert ttl.get("AttributeName") == "ttl"


async def test_init_is_idempotent_and_keeps_data(moto_endpoint: str, tmp_path: Path) -> None:
    url = _url(f"v7-init-{uuid.uuid4().hex[:8]}", moto_endpoint)
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path) as table:
        await table.put({"pk": "USER#u1", "sk": "A"})
    again = await init_table(url, data_dir=tmp_path)
    assert "already exists" in again
    async with open_table(url, data_dir=tmp_path) as table:
        assert await table.get("USER#u1", "A") == {"pk": "USER#u1", "sk": "A", "version": 1}


async def test_init_reports_an_existing_tables_recovery_and_leaves_it_as_its_owner_set_it(
    moto_endpoint: str, tmp_path: Path
) -> None:
    name = f"v7-init-{uuid.uuid4().hex[:8]}"
    url = _url(name, moto_endpoint)
    await init_table(url, data_dir=tmp_path)
    session = aioboto3.Session()
    async with session.client(
        "dynamodb", region_name="us-east-1", endpoint_url=moto_endpoint
    ) as client:
        await client.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False},
        )
        again = await init_table(url, data_dir=tmp_path)
        backups = (await client.describe_continuous_backups(TableName=name))[
            "ContinuousBackupsDescription"
        ]
    assert "already exists" in again
    assert "point-in-time recovery OFF" in again
    assert "update-continuous-backups" in again  # the command that turns it on
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"


async def test_open_missing_table_is_unavailable(moto_endpoint: str, tmp_path: Path) -> None:
    url = _url(f"v7-missing-{uuid.uuid4().hex[:8]}", moto_endpoint)
    with pytest.raises(StoreUnavailable, match="does not exist"):
        async with open_table(url, data_dir=tmp_path):
            pass


def _closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_unreachable_endpoint_is_unavailable(tmp_path: Path, moto_endpoint: str) -> None:
    # moto_endpoint sets the dummy credentials that any DynamoDB client needs before it connects.
    url = _url("v7", f"http://127.0.0.1:{_closed_port()}")
    started = time.perf_counter()
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        await init_table(url, data_dir=tmp_path)
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        async with open_table(url, data_dir=tmp_path):
            pass
    assert time.perf_counter() - started < 20
