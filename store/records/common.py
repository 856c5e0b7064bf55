"""Building blocks shared by the records: ids, clocks, date rules, grade references, media.

Conventions of every entity module:

* `XIn` is what a client may send: no id, no user id, no version, no timestamps, no computed
  field. It forbids unknown fields, so a typo is a field error instead of silently dropped
  data; the read-only fields a `GET` shows (`id`, `version`, `createdAt`, `gradeNumeric`,
  `totals`, …; `store.records.base.READ_ONLY`) are ignored, never set from input.
* `X` (a subclass of `XIn`) is the stored record as the repositories return it: it adds the
  server-side fields and recomputes every derived field from the others on validation, so a
  value read back from storage or forged in a dict is never trusted.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, model_validator

from store.grades import Discipline, GradeError, GradeSystem, parse_grade
from store.records.base import Record

ShortText = Annotated[str, Field(min_length=1, max_length=200)]
"""A label such as a strength, a weakness, a focus or a supplement."""

ShortTextList = Annotated[list[ShortText], Field(max_length=50)]

Notes = Annotated[str, Field(max_length=5000)]


def new_id() -> str:
    """A fresh random record id (32 hex characters, never containing the key separator `#`)."""
    return uuid.uuid4().hex


def latest_allowed_date(now: datetime) -> date:
    """The latest calendar date a climber can honestly call "today" at instant `now`.

    The server runs in UTC but the climber lives somewhere: the earliest timezones (UTC+14) are
    already on tomorrow's UTC date, so "not in the future" tolerates one day.
    """
    return as_utc(now).date() + timedelta(days=1)


_INGEST_NOW = "ingest_now"


def at_ingest(now: datetime) -> dict[str, Any]:
    """The validation context for input arriving at instant `now` (from the injected clock):
    `model_validate(data, context=at_ingest(now))` applies the rules that depend on the time,
    such as "not in the future"."""
    return {_INGEST_NOW: now}


def is_ingest(info: ValidationInfo) -> bool:
    """Whether this validation is of input arriving now (see `at_ingest`), not a stored
    record read back: rules added later apply to new input without making old data unreadable."""
    context = info.context
    return isinstance(context, dict) and isinstance(context.get(_INGEST_NOW), datetime)


def _not_future(value: date, info: ValidationInfo) -> date:
    # Only input is checked: a stored record is read back whatever the clock says now (a
    # record validated yesterday must not become unreadable), and the instant comes from the
    # caller's clock, never from the wall clock here.
    context = info.context
    now = context.get(_INGEST_NOW) if isinstance(context, dict) else None
    if isinstance(now, datetime) and value > latest_allowed_date(now):
        raise ValueError(f"{value.isoformat()} is in the future")
    return value


PastDate = Annotated[date, AfterValidator(_not_future)]
"""A calendar date no later than today in the earliest timezone (checked on input validated
with `at_ingest`)."""


def stamps(model: type[BaseModel], now: datetime) -> dict[str, datetime]:
    """The server timestamps a new record of `model` gets at `now`: `createdAt` and
    `updatedAt`, for whichever of them the model has (wire names)."""
    return {
        info.alias or name: now
        for name, info in model.model_fields.items()
        if name in ("created_at", "updated_at")
    }


def as_utc(value: datetime) -> datetime:
    """`value` as an aware UTC datetime."""
    # Naive datetimes are taken as UTC so stored timestamps always sort and compare correctly.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]
"""A timezone-aware UTC instant (naive input is taken as UTC)."""


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
"""A day of the week as the wire spells it."""


class Setting(StrEnum):
    INDOOR = "indoor"
    OUTDOOR = "outdoor"


def canonical_grade(text: str, discipline: Discipline | None = None) -> str:
    """The canonical spelling of `text`, a grade of `discipline` (any discipline when None).

    The result is stored as a bare string, so it must parse back to the same grade: when the
    canonical spelling alone is ambiguous or names another system (a bare UIAA "7", Saxon "7a"
    that reads as French), the system name is prefixed ("saxon 7a") if store.grades accepts it.
    Raises `ValueError` (a `GradeError`) with store.grades' message when `text` is not a grade.
    """
    grade = parse_grade(text, discipline=discipline)
    for candidate in (grade.text, f"{grade.system.value} {grade.text}"):
        try:
            again = parse_grade(candidate, discipline=discipline)
        except GradeError:
            continue
        if (again.system, again.score) == (grade.system, grade.score):
            return candidate
    return grade.text


def _boulder_grade(text: str) -> str:
    return canonical_grade(text, Discipline.BOULDER)


def _route_grade(text: str) -> str:
    return canonical_grade(text, Discipline.ROUTE)


BoulderGrade = Annotated[str, AfterValidator(_boulder_grade)]
"""A boulder grade (V or Font), stored in its canonical spelling."""

RouteGrade = Annotated[str, AfterValidator(_route_grade)]
"""A route grade (YDS, French, UIAA, Ewbank, …), stored in its canonical spelling."""


class GradeRef(Record):
    """One grade of a session and how many climbs of it: `{"grade": "V5", "count": 2}`.

    A plain string (`"V5"`, `"5.11a"`) is accepted as one climb. `system` and `score` are always
    recomputed from `grade` by store.grades (a given `system` only disambiguates the spelling),
    so they can never disagree with the grade.
    """

    grade: str
    system: GradeSystem
    score: int
    count: int = Field(default=1, ge=1, le=1000)

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        return normalise_grade_ref(data, None)


def normalise_grade_ref(data: Any, discipline: Discipline | None) -> Any:
    """`data` (a string or a mapping) with `grade`, `system` and `score` recomputed.

    Raises `GradeError` when the grade is not one of `discipline`. Anything that is neither a
    string nor a mapping is returned unchanged for pydantic to refuse.
    """
    if isinstance(data, str):
        data = {"grade": data}
    elif isinstance(data, GradeRef):
        data = data.model_dump()
    if not isinstance(data, dict) or not isinstance(data.get("grade"), str):
        return data
    hint = data.get("system")
    system = None
    if isinstance(hint, str):
        try:
            system = GradeSystem(hint.lower())
        except ValueError:
            raise GradeError(f"unknown grade system {hint!r}") from None
    grade = parse_grade(data["grade"].strip(), system=system, discipline=discipline)
    return {**data, "grade": grade.text, "system": grade.system.value, "score": grade.score}


class MediaType(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


_MEDIA_KEY = re.compile(r"^(https://\S+|[A-Za-z0-9][A-Za-z0-9/_.\-]*)$")


def _media_key(value: str) -> str:
    if not _MEDIA_KEY.match(value) or ".." in value:
        raise ValueError("must be an https URL or a storage key (letters, digits, / _ . -)")
    return value


class MediaRef(Record):
    """A photo or video attached to an entry: an object-storage key or an https URL."""

    key: Annotated[str, Field(min_length=1, max_length=1024), AfterValidator(_media_key)]
    type: MediaType


MediaList = Annotated[list[MediaRef], Field(max_length=20)]


class Stored(Record):
    """Fields the server owns on every stored record.

    `version` is maintained by the store (1 after creation, +1 on every write) and is what a
    client sends back as the expected version of an update.
    """

    version: int = Field(default=0, ge=0)
