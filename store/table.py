"""The single-table API that every repository uses, and the operations it takes.

One table keyed by `pk` (partition) and `sk` (sort key), both strings, plus two overloaded
secondary indexes (`gsi1`, `gsi2`) whose keys are the string attributes `gsi1pk`/`gsi1sk` and
`gsi2pk`/`gsi2sk`. An item is a JSON-like dict (str, int, float, bool, None, list, dict); every
item carries an integer `version` that the store maintains.

Engines (`store/sqlite.py`, `store/dynamodb.py`) implement the same contract; the conformance
suite in `tests/conformance/` holds them to it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

Item: TypeAlias = dict[str, Any]
Key: TypeAlias = tuple[str, str]

VERSION = "version"
"""The attribute that optimistic locking compares and the store increments on every update."""

MAX_TRANSACTION_OPS = 100
"""DynamoDB's limit on one transaction; both engines enforce it so code behaves the same."""


@dataclass(frozen=True)
class Index:
    name: str
    pk: str
    sk: str


INDEXES: tuple[Index, ...] = (Index("gsi1", "gsi1pk", "gsi1sk"), Index("gsi2", "gsi2pk", "gsi2sk"))


# Conditions on the item as it is before the write.
@dataclass(frozen=True)
class Absent:
    """The item must not exist."""


@dataclass(frozen=True)
class Exists:
    """The item must exist."""


@dataclass(frozen=True)
class VersionIs:
    """The item must exist and its `version` must equal this."""

    version: int


Condition: TypeAlias = Absent | Exists | VersionIs


# Operations of a transactional write.
@dataclass(frozen=True)
class Put:
    """Write the whole item. With `Absent` it gets version 1; with `VersionIs(n)` version n+1;
    unconditionally, the `version` it carries (1 if none)."""

    item: Item
    condition: Condition | None = None


@dataclass(frozen=True)
class Update:
    """Change top-level attributes of one item and increment its version.

    `set` assigns, `remove` deletes, `add` increments numbers (missing counts as 0). Unless
    `create` is true the item must exist. `expected_version` adds optimistic locking.
    """

    pk: str
    sk: str
    set: Mapping[str, Any] = field(default_factory=dict)
    remove: Sequence[str] = ()
    add: Mapping[str, int | float] = field(default_factory=dict)
    expected_version: int | None = None
    create: bool = False


@dataclass(frozen=True)
class Delete:
    pk: str
    sk: str
    condition: Condition | None = None


@dataclass(frozen=True)
class Check:
    """Write nothing; the transaction fails unless `condition` holds for this item."""

    pk: str
    sk: str
    condition: Condition


Operation: TypeAlias = Put | Update | Delete | Check


@dataclass(frozen=True)
class Page:
    """One page of a query. `cursor` is None when there is nothing after this page; otherwise it
    is an opaque string that continues the same query (it may lead to an empty last page)."""

    items: list[Item]
    cursor: str | None


class Table(ABC):
    """The table. Every method is a coroutine; none blocks the event loop.

    Raises `ConditionFailed` when a condition does not hold (nothing written),
    `TransactionCancelled` when a transaction is refused (nothing written), `InvalidCursor` for a
    bad cursor, `StoreUnavailable` when the storage cannot be reached, and `ValueError` for a
    request that no engine could serve (bad key, too many operations, an item twice in one
    transaction, an unknown index).
    """

    @abstractmethod
    async def get(self, pk: str, sk: str) -> Item | None:
        """The item, or None."""

    @abstractmethod
    async def put(self, item: Item, *, condition: Condition | None = None) -> Item:
        """Write the whole item (it must hold `pk` and `sk`); returns it as stored."""

    @abstractmethod
    async def update(
        self,
        pk: str,
        sk: str,
        *,
        set: Mapping[str, Any] | None = None,
        remove: Sequence[str] = (),
        add: Mapping[str, int | float] | None = None,
        expected_version: int | None = None,
        create: bool = False,
    ) -> Item:
        """Apply an `Update` and return the item as it is afterwards."""

    @abstractmethod
    async def delete(self, pk: str, sk: str, *, condition: Condition | None = None) -> Item | None:
        """Delete the item; returns what was deleted, or None if there was nothing."""

    @abstractmethod
    async def query(
        self,
        pk: str,
        *,
        index: str | None = None,
        sk_prefix: str | None = None,
        sk_from: str | None = None,
        sk_to: str | None = None,
        descending: bool = False,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """Items of one partition (of the table, or of `index`) in sort-key order.

        `sk_prefix` and the inclusive range `sk_from`..`sk_to` may be combined; `descending`
        gives newest first when sort keys begin with a date. Without `limit`, every match.
        """

    @abstractmethod
    async def batch_get(self, keys: Sequence[Key]) -> list[Item | None]:
        """The items of `keys`, in the same order; None where there is none."""

    @abstractmethod
    async def transact(self, operations: Sequence[Operation]) -> None:
        """Apply every operation or none (at most `MAX_TRANSACTION_OPS`, each item once)."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise `StoreUnavailable` unless the table can be read (used by `/readyz`)."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release connections and threads. Idempotent."""
