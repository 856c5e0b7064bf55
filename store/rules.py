"""Rules every engine shares: what a valid request is, and what a condition means.

Kept apart from `store/table.py` so the contract module stays readable; `Table` calls these
before it hands a request to an engine, so both engines refuse exactly the same requests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from store.errors import ConditionFailed

if TYPE_CHECKING:
    from store.table import Condition, Index, Item

KEY_ATTRIBUTES = frozenset({"pk", "sk"})
INDEX_ATTRIBUTES = frozenset({"gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"})
MAX_DEPTH = 32
"""DynamoDB refuses documents nested deeper than this; so do we, on both engines."""


def check_key(pk: object, sk: object) -> None:
    """Raise `ValueError` unless both are non-empty strings (DynamoDB refuses empty keys)."""
    check_key_text(pk, "pk")
    check_key_text(sk, "sk")


def check_key_text(value: object, name: str) -> None:
    """Raise `ValueError` unless `value` is a non-empty string that UTF-8 can encode."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string")
    check_text(value, name)


def check_text(value: str, where: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"{where} is not valid Unicode text") from error


def check_attribute(name: str, value: Any) -> None:
    """Raise `ValueError` for a name or value no engine can store under that name."""
    check_name(name)
    if name in INDEX_ATTRIBUTES:
        # DynamoDB types index keys as strings and refuses anything else there, even null.
        check_key_text(value, name)
    check_value(value, name, 0)


def check_name(name: object) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError("attribute names must be non-empty strings")
    check_text(name, "an attribute name")


def check_value(value: Any, where: str, depth: int) -> None:
    """Raise `ValueError` unless `value` is JSON-like with finite numbers."""
    if depth > MAX_DEPTH:
        raise ValueError(f"{where} is nested too deeply")
    if isinstance(value, str):
        check_text(value, where)
        return
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} is not a finite number")
        return
    if isinstance(value, list | tuple):
        for element in value:
            check_value(element, where, depth + 1)
        return
    if isinstance(value, Mapping):
        for key, element in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where} has a non-string key")
            check_text(key, where)
            check_value(element, where, depth + 1)
        return
    raise ValueError(f"{where} holds a {type(value).__name__}, which the store cannot keep")


def check_item(item: Mapping[str, Any]) -> None:
    """Raise `ValueError` unless `item` has string keys and storable attributes."""
    if not isinstance(item, Mapping):
        raise ValueError("an item must be a mapping")
    check_key(item.get("pk"), item.get("sk"))
    for name, value in item.items():
        check_attribute(name, value)


def stored_version(item: Mapping[str, Any], condition: Condition | None) -> int:
    """The version a `Put` writes: 1 with `Absent`, n+1 with `VersionIs(n)`, else its own or 1."""
    from store.table import Absent, VersionIs

    if isinstance(condition, Absent):
        return 1
    if isinstance(condition, VersionIs):
        return condition.version + 1
    own = item.get("version", 1)
    if not isinstance(own, int) or isinstance(own, bool) or own < 1:
        raise ValueError("version must be a positive integer")
    return own


def check_condition(condition: Condition | None) -> None:
    from store.table import Absent, Exists, VersionIs

    if condition is None or isinstance(condition, Absent | Exists):
        return
    if not isinstance(condition, VersionIs):
        raise ValueError(f"unknown condition {condition!r}")
    if not isinstance(condition.version, int) or isinstance(condition.version, bool):
        raise ValueError("VersionIs needs an integer version")


def holds(condition: Condition | None, current: Item | None) -> bool:
    """Whether `condition` holds for the item as it is now (`None` when there is none)."""
    from store.table import Absent, Exists, VersionIs

    if condition is None:
        return True
    if isinstance(condition, Absent):
        return current is None
    if isinstance(condition, Exists):
        return current is not None
    assert isinstance(condition, VersionIs)
    return current is not None and current.get("version") == condition.version


def failure(pk: str, sk: str, condition: Condition | None) -> ConditionFailed:
    """The `ConditionFailed` to raise when `condition` did not hold for `pk`/`sk`."""
    from store.table import Absent, Exists, VersionIs

    if isinstance(condition, Absent):
        reason = "the item already exists"
    elif isinstance(condition, Exists):
        reason = "the item does not exist"
    elif isinstance(condition, VersionIs):
        reason = f"the item is missing or its version is not {condition.version}"
    else:
        reason = "the condition did not hold"
    return ConditionFailed(pk, sk, reason)


def update_failure(pk: str, sk: str, expected_version: int | None) -> ConditionFailed:
    if expected_version is None:
        return ConditionFailed(pk, sk, "the item does not exist")
    return ConditionFailed(pk, sk, f"the item is missing or its version is not {expected_version}")


def index_named(name: str | None, indexes: tuple[Index, ...]) -> Index | None:
    """The index called `name` (None for the table); `ValueError` for an unknown name."""
    if name is None:
        return None
    for index in indexes:
        if index.name == name:
            return index
    raise ValueError(f"unknown index {name!r}; known: {', '.join(i.name for i in indexes)}")


def check_update(
    set: Mapping[str, Any], remove: tuple[str, ...], add: Mapping[str, int | float]
) -> None:
    """Raise `ValueError` for an update that touches keys or `version`, or one attribute twice."""
    touched: list[str] = [*set, *remove, *add]
    for name in touched:
        if name in KEY_ATTRIBUTES or name == "version":
            raise ValueError(f"an update cannot change {name!r}")
    if len(touched) != len(frozenset(touched)):
        raise ValueError("an update names one attribute more than once")
    for name, value in set.items():
        check_attribute(name, value)
    for name in remove:
        check_name(name)
    for name, amount in add.items():
        check_attribute(name, amount)
        if name in INDEX_ATTRIBUTES:
            raise ValueError(f"cannot add to {name}")
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise ValueError(f"add needs a number for {name!r}")
