"""Translation between the store's items and DynamoDB's wire format, and its errors.

DynamoDB has one number type, carried as Decimal by boto3: floats go in as the Decimal of
their shortest repr (exact round trip) and numbers come out as int when integral, else float.
Expressions name every attribute through `#n` placeholders and every value through `:v`
placeholders, so no user text is ever spliced into an expression.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError

from store.errors import StoreUnavailable
from store.table import Absent, Exists, VersionIs

if TYPE_CHECKING:
    from store.table import Condition, Item

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

UNAVAILABLE_CODES = frozenset(
    {
        "ResourceNotFoundException",
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "UnrecognizedClientException",
        "AccessDeniedException",
        "InvalidSignatureException",
        "ExpiredTokenException",
    }
)


def to_dynamo(value: Any) -> Any:
    """`value` with floats as Decimal, recursively."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Mapping):
        return {key: to_dynamo(element) for key, element in value.items()}
    if isinstance(value, list | tuple):
        return [to_dynamo(element) for element in value]
    return value


def from_dynamo(value: Any) -> Any:
    """`value` with Decimals as int (when integral) or float, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: from_dynamo(element) for key, element in value.items()}
    if isinstance(value, list):
        return [from_dynamo(element) for element in value]
    return value


def serialize(value: Any) -> Any:
    """One attribute value in wire form; `ValueError` for a number DynamoDB cannot hold."""
    try:
        return _serializer.serialize(to_dynamo(value))
    except (decimal.DecimalException, TypeError) as error:
        raise ValueError(f"DynamoDB cannot store {value!r}: {error}") from error


def serialize_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: serialize(value) for name, value in item.items()}


def deserialize_item(wire: Mapping[str, Any]) -> Item:
    return {name: from_dynamo(_deserializer.deserialize(value)) for name, value in wire.items()}


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


class Expression:
    """Placeholders for one request: attribute names as `#nK`, values as `:vK`."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, attribute: str) -> str:
        for placeholder, known in self.names.items():
            if known == attribute:
                return placeholder
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = serialize(value)
        return placeholder

    def params(self) -> dict[str, Any]:
        """The placeholder maps as request parameters (DynamoDB refuses empty maps)."""
        params: dict[str, Any] = {}
        if self.names:
            params["ExpressionAttributeNames"] = self.names
        if self.values:
            params["ExpressionAttributeValues"] = self.values
        return params


def condition_expression(condition: Condition | None, expression: Expression) -> str | None:
    """The ConditionExpression of a store condition, or None for none."""
    if condition is None:
        return None
    if isinstance(condition, Absent):
        return f"attribute_not_exists({expression.name('pk')})"
    if isinstance(condition, Exists):
        return f"attribute_exists({expression.name('pk')})"
    assert isinstance(condition, VersionIs)
    return f"{expression.name('version')} = {expression.value(condition.version)}"


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def translate(error: Exception, table: str) -> Exception:
    """The store error for a botocore error that no caller handled more precisely."""
    if isinstance(error, ClientError):
        code = error_code(error)
        message = str(error.response.get("Error", {}).get("Message", error))
        if code == "ResourceNotFoundException":
            return StoreUnavailable(f"DynamoDB table {table!r} does not exist; run `v7 store init`")
        if code == "ValidationException":
            return ValueError(f"DynamoDB refused the request: {message}")
        if code in UNAVAILABLE_CODES:
            return StoreUnavailable(f"DynamoDB table {table!r} is unavailable: {code}: {message}")
        return StoreUnavailable(f"DynamoDB request on {table!r} failed: {code}: {message}")
    if isinstance(error, BotoCoreError | OSError):
        return StoreUnavailable(f"DynamoDB cannot be reached for table {table!r}: {error}")
    return error


_REASONS = re.compile(r"\[([^\]]*)\]")


def cancellation_codes(error: ClientError, count: int) -> list[str]:
    """The per-operation codes of a TransactionCanceledException ("None" where it held).

    Read from `CancellationReasons`, or from the bracketed list in the message when a server
    leaves that out.
    """
    reasons = error.response.get("CancellationReasons")
    if isinstance(reasons, list) and reasons:
        return [str(reason.get("Code", "None")) for reason in reasons]
    message = str(error.response.get("Error", {}).get("Message", ""))
    found = _REASONS.search(message)
    if found is None:
        return ["Unknown"] * count
    return [part.strip() for part in found.group(1).split(",")]
