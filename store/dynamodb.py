"""The DynamoDB engine: one aioboto3 client for the life of the table.

Reads of the table are strongly consistent (index reads cannot be, in DynamoDB). Every write
with a condition is one conditional request, so it is atomic on the server. Cancelling a
caller may leave a request in flight: a write then either happened whole or not at all.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from store import rules
from store.dynamodb_admin import open_client, parse_url
from store.dynamodb_codec import (
    Expression,
    cancellation_codes,
    condition_expression,
    deserialize_item,
    error_code,
    key,
    serialize_item,
    translate,
)
from store.errors import StoreUnavailable, TransactionCancelled
from store.table import Check, Delete, Put, Table, Update

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient

    from store.table import Condition, Item, Key, Operation, QueryRequest

_BATCH_GET = 100
_UNPROCESSED_RETRIES = 8
_CALL_ERRORS = (ClientError, BotoCoreError, OSError)


class DynamoTable(Table):
    """A DynamoDB table. Use `open` (or `store.open_table`), then `aclose`."""

    def __init__(self, name: str, client: DynamoDBClient, stack: AsyncExitStack) -> None:
        super().__init__()
        self._name = name
        self._client = client
        self._stack = stack
        self._closed = False

    @classmethod
    async def open(cls, url: str) -> DynamoTable:
        """Connect and check that the table exists; `StoreUnavailable` if it cannot be read."""
        location = parse_url(url)
        stack = AsyncExitStack()
        try:
            client = await open_client(location, stack)
            await client.describe_table(TableName=location.table)
        except _CALL_ERRORS as error:
            await stack.aclose()
            raise translate(error, location.table) from error
        except BaseException:
            await stack.aclose()
            raise
        return cls(location.table, client, stack)

    def _failed(self, error: Exception) -> Exception:
        if self._closed:
            return StoreUnavailable(f"the DynamoDB table {self._name!r} is closed")
        return translate(error, self._name)

    async def _get(self, pk: str, sk: str) -> Item | None:
        try:
            response = await self._client.get_item(
                TableName=self._name, Key=key(pk, sk), ConsistentRead=True
            )
        except _CALL_ERRORS as error:
            raise self._failed(error) from error
        wire = response.get("Item")
        return None if wire is None else deserialize_item(wire)

    async def _put(self, item: Item, condition: Condition | None) -> None:
        expression = Expression()
        request: dict[str, Any] = {"TableName": self._name, "Item": serialize_item(item)}
        text = condition_expression(condition, expression)
        if text is not None:
            request["ConditionExpression"] = text
        try:
            await self._client.put_item(**request, **expression.params())
        except _CALL_ERRORS as error:
            if isinstance(error, ClientError) and _condition_failed(error):
                raise rules.failure(item["pk"], item["sk"], condition) from error
            raise self._failed(error) from error

    def _update_request(self, operation: Update) -> dict[str, Any]:
        expression = Expression()
        sets = [f"{expression.name(n)} = {expression.value(v)}" for n, v in operation.set.items()]
        adds = [f"{expression.name(n)} {expression.value(v)}" for n, v in operation.add.items()]
        adds.append(f"{expression.name('version')} {expression.value(1)}")
        clauses = [f"ADD {', '.join(adds)}"]
        if sets:
            clauses.append(f"SET {', '.join(sets)}")
        if operation.remove:
            clauses.append(f"REMOVE {', '.join(expression.name(n) for n in operation.remove)}")
        conditions = []
        if not operation.create:
            conditions.append(f"attribute_exists({expression.name('pk')})")
        if operation.expected_version is not None:
            version = expression.value(operation.expected_version)
            conditions.append(f"{expression.name('version')} = {version}")
        request: dict[str, Any] = {
            "TableName": self._name,
            "Key": key(operation.pk, operation.sk),
            "UpdateExpression": " ".join(clauses),
            **expression.params(),
        }
        if conditions:
            request["ConditionExpression"] = " AND ".join(conditions)
        return request

    async def _update(self, operation: Update) -> Item:
        try:
            response = await self._client.update_item(
                **self._update_request(operation), ReturnValues="ALL_NEW"
            )
        except _CALL_ERRORS as error:
            if isinstance(error, ClientError) and _condition_failed(error):
                raise rules.update_failure(
                    operation.pk, operation.sk, operation.expected_version
                ) from error
            raise self._failed(error) from error
        return deserialize_item(response.get("Attributes", {}))

    def _delete_request(self, pk: str, sk: str, condition: Condition | None) -> dict[str, Any]:
        expression = Expression()
        request: dict[str, Any] = {"TableName": self._name, "Key": key(pk, sk)}
        text = condition_expression(condition, expression)
        if text is not None:
            request["ConditionExpression"] = text
        return {**request, **expression.params()}

    async def _delete(self, pk: str, sk: str, condition: Condition | None) -> Item | None:
        try:
            response = await self._client.delete_item(
                **self._delete_request(pk, sk, condition), ReturnValues="ALL_OLD"
            )
        except _CALL_ERRORS as error:
            if isinstance(error, ClientError) and _condition_failed(error):
                raise rules.failure(pk, sk, condition) from error
            raise self._failed(error) from error
        wire = response.get("Attributes")
        return deserialize_item(wire) if wire else None

    async def _query(self, request: QueryRequest) -> tuple[list[Item], bool]:
        params = _query_params(self._name, request)
        if params is None:
            return [], False
        items: list[Item] = []
        while True:
            if request.limit is not None:
                params["Limit"] = request.limit - len(items)
            try:
                response = await self._client.query(**params)
            except _CALL_ERRORS as error:
                raise self._failed(error) from error
            items += [deserialize_item(wire) for wire in response.get("Items", [])]
            last = response.get("LastEvaluatedKey")
            if not last:
                return items, False
            if request.limit is not None and len(items) >= request.limit:
                return items, True
            params["ExclusiveStartKey"] = last

    async def _batch_get(self, keys: list[Key]) -> dict[Key, Item]:
        found: dict[Key, Item] = {}
        for start in range(0, len(keys), _BATCH_GET):
            pending: Any = {
                self._name: {
                    "Keys": [key(pk, sk) for pk, sk in keys[start : start + _BATCH_GET]],
                    "ConsistentRead": True,
                }
            }
            for attempt in range(_UNPROCESSED_RETRIES + 1):
                try:
                    response = await self._client.batch_get_item(RequestItems=pending)
                except _CALL_ERRORS as error:
                    raise self._failed(error) from error
                for wire in response.get("Responses", {}).get(self._name, []):
                    item = deserialize_item(wire)
                    found[(item["pk"], item["sk"])] = item
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
                # DynamoDB returns unprocessed keys under load; back off before asking again.
                await asyncio.sleep(min(0.05 * 2**attempt, 2.0))
            if pending:
                raise StoreUnavailable(f"DynamoDB table {self._name!r} kept throttling batch_get")
        return found

    async def _transact(self, operations: list[Operation]) -> None:
        items = [self._transact_item(operation) for operation in operations]
        try:
            await self._client.transact_write_items(TransactItems=items)
        except _CALL_ERRORS as error:
            if (
                isinstance(error, ClientError)
                and error_code(error) == "TransactionCanceledException"
            ):
                raise _cancelled(error, len(operations)) from error
            raise self._failed(error) from error

    def _transact_item(self, operation: Operation) -> Any:
        if isinstance(operation, Put):
            expression = Expression()
            request: dict[str, Any] = {
                "TableName": self._name,
                "Item": serialize_item(operation.item),
            }
            text = condition_expression(operation.condition, expression)
            if text is not None:
                request["ConditionExpression"] = text
            return {"Put": {**request, **expression.params()}}
        if isinstance(operation, Update):
            return {"Update": self._update_request(operation)}
        if isinstance(operation, Delete):
            return {"Delete": self._delete_request(operation.pk, operation.sk, operation.condition)}
        assert isinstance(operation, Check)
        return {
            "ConditionCheck": self._delete_request(operation.pk, operation.sk, operation.condition)
        }

    async def ping(self) -> None:
        try:
            await self._client.get_item(TableName=self._name, Key=key("~ping", "~ping"))
        except _CALL_ERRORS as error:
            raise self._failed(error) from error

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._stack.aclose()


def _condition_failed(error: ClientError) -> bool:
    return error_code(error) == "ConditionalCheckFailedException"


def _cancelled(error: ClientError, count: int) -> Exception:
    codes = cancellation_codes(error, count)
    if "ValidationError" in codes:
        return ValueError(f"DynamoDB refused an operation of the transaction: {codes}")
    failed = [position for position, code in enumerate(codes) if code not in ("None", "")]
    if failed and all(codes[position] == "ConditionalCheckFailed" for position in failed):
        return TransactionCancelled(failed)
    return TransactionCancelled(failed, reason=f"DynamoDB cancelled it ({', '.join(codes)})")


def _query_params(table: str, request: QueryRequest) -> dict[str, Any] | None:
    """The Query request, or None when the sort-key bounds admit nothing."""
    expression = Expression()
    index = request.index
    partition = "pk" if index is None else index.pk
    conditions = [f"{expression.name(partition)} = {expression.value(request.pk)}"]
    # Named only when a sort-key condition uses it: DynamoDB refuses unused names.
    sort = "#s"
    params: dict[str, Any] = {"TableName": table, "ScanIndexForward": not request.descending}
    prefix, lower, upper = request.sk_prefix, request.sk_from, request.sk_to
    if prefix is not None and lower is None and upper is None:
        conditions.append(f"begins_with({sort}, {expression.value(prefix)})")
    else:
        if prefix is not None:
            # One key condition only: narrow the range to the prefix's span, and filter out
            # the one key the span's inclusive upper end may add.
            lower = max(lower or prefix, prefix)
            after = _successor(prefix)
            upper = after if upper is None else (upper if after is None else min(upper, after))
            if not lower.startswith(prefix) or (upper is not None and lower > upper):
                return None
            params["FilterExpression"] = f"begins_with({sort}, {expression.value(prefix)})"
        if lower is not None and upper is not None:
            conditions.append(
                f"{sort} BETWEEN {expression.value(lower)} AND {expression.value(upper)}"
            )
        elif lower is not None:
            conditions.append(f"{sort} >= {expression.value(lower)}")
        elif upper is not None:
            conditions.append(f"{sort} <= {expression.value(upper)}")
    if index is None:
        params["ConsistentRead"] = True
    else:
        params["IndexName"] = index.name
    if request.start is not None:
        params["ExclusiveStartKey"] = {name: {"S": value} for name, value in request.start.items()}
    params["KeyConditionExpression"] = " AND ".join(conditions)
    params.update(expression.params())
    if len(conditions) > 1:
        params["ExpressionAttributeNames"] = {
            **params["ExpressionAttributeNames"],
            sort: request.sort_attribute,
        }
    return params


def _successor(prefix: str) -> str | None:
    """The least string above every string that begins with `prefix` (None if there is none).

    Code-point order is UTF-8 byte order, so this holds for DynamoDB's binary comparison.
    """
    text = prefix
    while text:
        point = ord(text[-1]) + 1
        if 0xD800 <= point <= 0xDFFF:
            point = 0xE000
        if point <= 0x10FFFF:
            return text[:-1] + chr(point)
        text = text[:-1]
    return None
