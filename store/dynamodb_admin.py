"""DynamoDB connection settings from a `dynamodb://` URL, one client per table, and init.

`dynamodb://TABLE?region=REGION&endpoint_url=URL`: the region falls back to the AWS
environment; `endpoint_url` points at DynamoDB Local or moto. Credentials come from the usual
AWS chain and are never part of the URL.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import aioboto3
from aiobotocore.config import AioConfig
from botocore.exceptions import BotoCoreError, ClientError

from store.dynamodb_codec import error_code, translate
from store.errors import StoreUnavailable
from store.table import INDEXES

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient

# Fail fast when the endpoint does not answer; the standard retry mode still rides out the odd
# throttle or dropped connection.
_CLIENT_CONFIG = AioConfig(
    connect_timeout=2,
    read_timeout=10,
    retries={"max_attempts": 3, "mode": "standard"},
)
TTL_ATTRIBUTE = "ttl"
"""The attribute DynamoDB's TTL reads on expiring items (`update_time_to_live`)."""
POINT_IN_TIME_RECOVERY = True
"""`init_dynamodb` turns point-in-time recovery on for a table it creates."""


@dataclass(frozen=True)
class DynamoLocation:
    table: str
    region: str | None
    endpoint_url: str | None


def parse_url(url: str) -> DynamoLocation:
    """The table, region and endpoint of a `dynamodb://` URL; `ValueError` if malformed."""
    parts = urlsplit(url)
    if parts.scheme != "dynamodb" or not parts.netloc or parts.path not in ("", "/"):
        raise ValueError(f"not a DynamoDB URL: {url!r}; use dynamodb://TABLE?region=…")
    options = parse_qs(parts.query)
    unknown = set(options) - {"region", "endpoint_url"}
    if unknown:
        raise ValueError(f"unknown DynamoDB URL options: {', '.join(sorted(unknown))}")
    region = options.get("region", [None])[-1]
    endpoint = options.get("endpoint_url", [None])[-1]
    return DynamoLocation(parts.netloc, region, endpoint)


async def open_client(location: DynamoLocation, stack: AsyncExitStack) -> DynamoDBClient:
    """One client for `location`, closed when `stack` closes."""
    session = aioboto3.Session()
    client: DynamoDBClient = await stack.enter_async_context(
        session.client(
            "dynamodb",
            region_name=location.region,
            endpoint_url=location.endpoint_url,
            config=_CLIENT_CONFIG,
        )
    )
    return client


def create_table_request(table: str) -> dict[str, Any]:
    """The CreateTable parameters `v7 store init` sends: the one definition of the table's
    keys, attribute types, billing mode and indexes (each projecting ALL). With `TTL_ATTRIBUTE`
    and `POINT_IN_TIME_RECOVERY` it is what the Pulumi table must equal
    (pulumi/tests/test_contract.py)."""
    attributes = ["pk", "sk", *(name for index in INDEXES for name in (index.pk, index.sk))]
    return {
        "TableName": table,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in attributes
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.pk, "KeyType": "HASH"},
                    {"AttributeName": index.sk, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in INDEXES
        ],
    }


async def _wait_active(client: DynamoDBClient, table: str, timeout_s: float = 300) -> None:
    """Poll until the table and its indexes are ACTIVE; `StoreUnavailable` past `timeout_s`."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        description = (await client.describe_table(TableName=table))["Table"]
        statuses = [description.get("TableStatus")] + [
            index.get("IndexStatus") for index in description.get("GlobalSecondaryIndexes", [])
        ]
        if all(status == "ACTIVE" for status in statuses):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise StoreUnavailable(f"DynamoDB table {table!r} did not become ACTIVE in time")
        await asyncio.sleep(1)


async def init_dynamodb(url: str) -> str:
    """Create the table (PAY_PER_REQUEST, gsi1 and gsi2 projecting all), wait until it is
    ACTIVE, enable TTL on `ttl`, and on a table it created enable point-in-time recovery (the
    Pulumi table has it too). Idempotent; returns a one-line account, which says whether
    point-in-time recovery is on. An existing table's recovery setting is reported, not changed:
    it is a cost the table's owner chose.

    Raises `StoreUnavailable` when DynamoDB cannot be reached, or when an existing table of
    that name lacks one of the indexes.
    """
    location = parse_url(url)
    table = location.table
    async with AsyncExitStack() as stack:
        try:
            client = await open_client(location, stack)
            try:
                await client.create_table(**create_table_request(table))
                created = True
            except ClientError as error:
                if error_code(error) != "ResourceInUseException":
                    raise
                created = False
            await _wait_active(client, table)
            description = (await client.describe_table(TableName=table))["Table"]
            present = {
                index["IndexName"] for index in description.get("GlobalSecondaryIndexes", [])
            }
            missing = [index.name for index in INDEXES if index.name not in present]
            if missing:
                raise StoreUnavailable(
                    f"DynamoDB table {table!r} exists without index(es) {', '.join(missing)}"
                )
            ttl = await client.describe_time_to_live(TableName=table)
            status = ttl.get("TimeToLiveDescription", {}).get("TimeToLiveStatus")
            if status not in ("ENABLED", "ENABLING"):
                await client.update_time_to_live(
                    TableName=table,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
                )
            if created and POINT_IN_TIME_RECOVERY:
                await client.update_continuous_backups(
                    TableName=table,
                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
                )
            recovery = await _point_in_time_recovery(client, table)
        except (ClientError, BotoCoreError, OSError) as error:
            raise translate(error, table) from error
    state = "created" if created else "already exists"
    if recovery:
        backups = "point-in-time recovery on"
    else:
        backups = (
            "point-in-time recovery OFF: turn it on with `aws dynamodb update-continuous-backups "
            f"--table-name {table} --point-in-time-recovery-specification "
            "PointInTimeRecoveryEnabled=true`"
        )
    return (
        f"DynamoDB table {table} {state} (indexes gsi1 and gsi2, TTL on {TTL_ATTRIBUTE}, {backups})"
    )


async def _point_in_time_recovery(client: DynamoDBClient, table: str) -> bool:
    """Whether the table's point-in-time recovery is on."""
    answer = await client.describe_continuous_backups(TableName=table)
    description = answer["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
    return description.get("PointInTimeRecoveryStatus") == "ENABLED"
