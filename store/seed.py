"""Load the reference data (exercise library, coaching templates) into the table.

The data lives in `store/data/exercises.toml` (`[[exercise]]` entries) and
`store/data/templates.toml` (`[[template]]` entries) and is validated through
`store.records.reference` before anything is written: a bad file raises `ReferenceDataError`
naming the file, the entry id and the field, and the table is left untouched.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from store.errors import StoreError
from store.records.reference import ChatTemplate, Exercise, TemplateType
from store.repos.reference import (
    EXERCISE_PK,
    exercise_item,
    record_fields,
    template_item,
    template_pk,
)
from store.table import MAX_TRANSACTION_OPS, Absent, Delete, Put, VersionIs

if TYPE_CHECKING:
    from store.table import Item, Key, Operation, Table

EXERCISES_FILE = "exercises.toml"
TEMPLATES_FILE = "templates.toml"

_R = TypeVar("_R", Exercise, ChatTemplate)


class ReferenceDataError(StoreError):
    """A reference data file is not valid TOML or an entry does not validate. The message
    lists every problem as `FILE: KIND 'ID': FIELD: MESSAGE`, one per line."""


@dataclass(frozen=True)
class ReferenceData:
    exercises: tuple[Exercise, ...]
    templates: tuple[ChatTemplate, ...]


def parse_entries(text: str, model: type[_R], *, source: str) -> tuple[_R, ...]:
    """The entries of one data file (`[[exercise]]` or `[[template]]` by `model`), validated.

    Raises `ReferenceDataError` for bad TOML, a missing entry list, an invalid entry or a
    duplicate id; it reports every invalid entry at once.
    """
    kind = "exercise" if model is Exercise else "template"
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ReferenceDataError(f"{source}: not valid TOML: {error}") from error
    raw = document.get(kind)
    if not isinstance(raw, list) or not raw:
        raise ReferenceDataError(f"{source}: expected one or more [[{kind}]] entries")
    problems: list[str] = []
    records: list[_R] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        label = _label(kind, entry, index)
        try:
            record = model.model_validate(entry)
        except ValidationError as error:
            problems.extend(
                f"{source}: {label}: {_where(e)}: {_message(e)}" for e in error.errors()
            )
            continue
        if record.id in seen:
            problems.append(f"{source}: {label}: id: duplicate id")
            continue
        seen.add(record.id)
        records.append(record)
    if problems:
        raise ReferenceDataError("\n".join(problems))
    return tuple(records)


def load_reference() -> ReferenceData:
    """The packaged reference data, validated. Raises `ReferenceDataError`."""
    data = resources.files("store").joinpath("data")
    return ReferenceData(
        exercises=parse_entries(
            data.joinpath(EXERCISES_FILE).read_text(encoding="utf-8"),
            Exercise,
            source=f"store/data/{EXERCISES_FILE}",
        ),
        templates=parse_entries(
            data.joinpath(TEMPLATES_FILE).read_text(encoding="utf-8"),
            ChatTemplate,
            source=f"store/data/{TEMPLATES_FILE}",
        ),
    )


async def seed_reference(table: Table, data: ReferenceData | None = None) -> dict[str, int]:
    """Make the table's reference partitions hold exactly `data` (default: the packaged files).

    Idempotent: new entries are created, changed ones replaced in place (version + 1),
    unchanged ones left alone, and entries no longer in the data deleted, so re-running never
    duplicates anything. All writes go through conditional transactions of at most
    `MAX_TRANSACTION_OPS`; a concurrent seeder makes one fail with `TransactionCancelled`
    rather than interleave. Returns the counts now seeded, e.g.
    `{"exercises": 40, "templates": 15}`. Raises `ReferenceDataError` before writing anything
    if the data files are invalid, and the store's errors otherwise.
    """
    data = data if data is not None else load_reference()
    wanted: dict[Key, Item] = {}
    for item in [*map(exercise_item, data.exercises), *map(template_item, data.templates)]:
        wanted[(item["pk"], item["sk"])] = item
    existing: dict[Key, Item] = {}
    for pk in (EXERCISE_PK, *(template_pk(kind) for kind in TemplateType)):
        for item in await _partition(table, pk):
            existing[(item["pk"], item["sk"])] = item
    operations: list[Operation] = []
    for key, item in wanted.items():
        old = existing.get(key)
        if old is None:
            operations.append(Put(item, Absent()))
        elif record_fields(old) != record_fields(item):
            operations.append(Put(item, VersionIs(int(old["version"]))))
    for key, old in existing.items():
        if key not in wanted:
            operations.append(Delete(*key, condition=VersionIs(int(old["version"]))))
    for start in range(0, len(operations), MAX_TRANSACTION_OPS):
        await table.transact(operations[start : start + MAX_TRANSACTION_OPS])
    return {"exercises": len(data.exercises), "templates": len(data.templates)}


async def _partition(table: Table, pk: str) -> list[Item]:
    items: list[Item] = []
    cursor: str | None = None
    while True:
        page = await table.query(pk, cursor=cursor)
        items.extend(page.items)
        cursor = page.cursor
        if cursor is None:
            return items


def _label(kind: str, entry: Any, index: int) -> str:
    entry_id = entry.get("id") if isinstance(entry, dict) else None
    return f"{kind} {entry_id!r}" if isinstance(entry_id, str) else f"{kind} #{index + 1} (no id)"


def _where(error: ErrorDetails) -> str:
    return ".".join(str(part) for part in error["loc"]) or "(entry)"


def _message(error: ErrorDetails) -> str:
    # pydantic prefixes messages of custom validators; the field name already says enough.
    return error["msg"].removeprefix("Value error, ")
