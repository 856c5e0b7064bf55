"""The base of every record: the seed's names on the wire and in the table, snake_case in Python,
and input that is clean before it is stored.

Wire names are camelCase of the Python names, except the fields `SEED_NAMES` renames to the
seed documents' names (`duration_minutes` is `duration`, `weight_kg` is `weight`, …). A record
emits only those names; on input it also accepts the name an earlier version of the wire used
(`durationMinutes`, `weightKg`, …) and the Python name, so older clients and items stored under
the old names keep working. Sending two spellings of one field is refused as an unknown field.

A `Record` (what a client or the store hands in) is also cleaned and checked strictly, for
every field of every subclass, in one place (`Record.__pydantic_init_subclass__`):

* every string has its invisible characters removed (`store.records.text.visible`) before its
  length and pattern are checked;
* numbers and booleans are strict: an integer field takes a JSON integer only (not `true`,
  `"60"` or `60.5`), a number field an integer or a float, a boolean field `true` or `false`;
* `READ_ONLY` fields that the model does not have are ignored, not refused: a client may `PUT`
  the very body its `GET` returned; the server never reads them from input.

`Wire` is the same naming without the input rules, for what the server computes and only ever
sends (analytics, targets, insights).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import (
    AliasChoices,
    AliasGenerator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    model_validator,
)
from pydantic.alias_generators import to_camel

from store.records.text import visible

SEED_NAMES: Mapping[str, tuple[str, ...]] = {
    "duration_minutes": ("duration", "durationMinutes"),
    "weight_kg": ("weight", "weightKg"),
    "target_weight_kg": ("targetWeight", "targetWeightKg"),
    "numeric_grade": ("gradeNumeric", "numericGrade"),
    "grade_system": ("gradeType", "system"),
    "setting": ("type", "setting"),
}
"""Python field → (the seed's name, which the wire emits; the names earlier wires used, which
input still accepts). Durations are minutes and weights kilograms wherever they appear."""

READ_ONLY = frozenset(
    {
        "id",
        "userId",
        "version",
        "createdAt",
        "updatedAt",
        "achievedAt",
        "gradeNumeric",
        "numericGrade",
        "totals",
        "daily",
        "subscription",
        "usage",
        "features",
    }
)
"""Wire names the server owns or computes (ids, stamps, versions, computed figures, the
subscription, usage and tier features shown beside a profile). A model that has no such field
ignores it on input; a model that has it (a stored record, an update's expected `version`)
reads it."""


def wire_name(field: str) -> str:
    """The name field `field` (a Python name) has on the wire."""
    seed = SEED_NAMES.get(field)
    return seed[0] if seed else to_camel(field)


def spellings(field: str) -> tuple[str, ...]:
    """Every key input may use for field `field`: its wire name first, then the names earlier
    wires used, then the Python name."""
    names = SEED_NAMES.get(field, (to_camel(field),))
    return tuple(dict.fromkeys((*names, field)))


def _validation_alias(field: str) -> str | AliasChoices:
    names = SEED_NAMES.get(field)
    return AliasChoices(*names) if names else to_camel(field)


def by_wire_name(model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with every key that names a field of `model` (in any spelling it accepts)
    written as the wire writes it; other keys unchanged."""
    names = {
        spelling: wire_name(field) for field in model.model_fields for spelling in spellings(field)
    }
    return {names.get(key, key): value for key, value in data.items()}


class Wire(BaseModel):
    """camelCase on the wire (the seed's names where `SEED_NAMES` says), snake_case in Python.

    `model_dump(by_alias=True, mode="json")` gives the wire and storage form.
    """

    model_config = ConfigDict(
        alias_generator=AliasGenerator(
            alias=wire_name, validation_alias=_validation_alias, serialization_alias=wire_name
        ),
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
        validate_assignment=True,
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        seen: dict[str, str] = {}
        for field in cls.model_fields:
            for spelling in spellings(field):
                other = seen.setdefault(spelling, field)
                if other != field:
                    raise TypeError(
                        f"{cls.__name__}: {other} and {field} would both be {spelling!r}"
                    )

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json", exclude_none=True)


_STRICT = Strict()
_VISIBLE = BeforeValidator(lambda value: visible(value) if isinstance(value, str) else value)


class Record(Wire):
    """A typed entity, or a part of one, or a request body. Unknown fields are refused so a typo
    never silently drops data; read-only ones are ignored (see the module docstring)."""

    __accepted__: ClassVar[frozenset[str]] = frozenset()
    """Every key this model reads, in every spelling."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__accepted__ = frozenset(
            spelling for field in cls.model_fields for spelling in spellings(field)
        )
        changed = False
        for info in cls.model_fields.values():
            marker = _marker(info.annotation)
            if marker is not None:
                if marker not in info.metadata:
                    # After the field's own constraints, so they see the cleaned value.
                    info.metadata.append(marker)
                    changed = True
            elif info.annotation is not None:
                annotation = _marked(info.annotation)
                if annotation != info.annotation:
                    info.annotation = annotation
                    changed = True
        if changed:
            cls.model_rebuild(force=True)

    @model_validator(mode="before")
    @classmethod
    def _ignore_read_only(cls, data: Any) -> Any:
        if isinstance(data, dict) and not READ_ONLY.isdisjoint(data):
            return {
                key: value
                for key, value in data.items()
                if key not in READ_ONLY or key in cls.__accepted__
            }
        return data


def _marker(annotation: Any) -> Any:
    """What a leaf type gets: strictness for numbers and booleans, cleaning for strings."""
    if annotation is int or annotation is float or annotation is bool:
        return _STRICT
    if annotation is str:
        return _VISIBLE
    return None


def _marked(annotation: Any) -> Any:
    """`annotation` with every int, float, bool and str inside it marked (see `_marker`)."""
    marker = _marker(annotation)
    if marker is not None:
        return Annotated[annotation, marker]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        inner, metadata = args[0], annotation.__metadata__
        marker = _marker(inner)
        if marker is not None:
            return Annotated[(inner, *metadata, marker)] if marker not in metadata else annotation
        return Annotated[(_marked(inner), *metadata)]
    if origin is Union or origin is types.UnionType:
        return Union[tuple(_marked(arg) for arg in args)]  # noqa: UP007 - built from a tuple
    if origin in (list, set, frozenset) and len(args) == 1:
        return origin[_marked(args[0])]
    if origin is dict and len(args) == 2:
        return dict[_marked(args[0]), _marked(args[1])]  # type: ignore[misc]
    if origin is tuple and args:
        return tuple[tuple(_marked(arg) for arg in args)]  # type: ignore[misc]
    return annotation
