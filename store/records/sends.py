"""A benchmark send: one notable ascent, the data points of the climber's grade curve."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from store.grades import Discipline, GradeError, GradeSystem, parse_grade
from store.records.base import Record
from store.records.common import (
    MediaList,
    Notes,
    PastDate,
    Setting,
    Stored,
    UtcDateTime,
    new_id,
)


class Terrain(StrEnum):
    SLAB = "slab"
    VERTICAL = "vertical"
    OVERHANG = "overhang"
    ROOF = "roof"
    ARETE = "arete"
    DIHEDRAL = "dihedral"
    CRACK = "crack"
    MIXED = "mixed"


class AscentStyle(StrEnum):
    ONSIGHT = "onsight"
    FLASH = "flash"
    REDPOINT = "redpoint"
    REPEAT = "repeat"


class Significance(StrEnum):
    ROUTINE = "routine"
    MILESTONE = "milestone"
    BREAKTHROUGH = "breakthrough"


class BenchmarkSendIn(Record):
    """A send as a client sends it. `system` and `discipline` are optional hints that only
    disambiguate the spelling of `grade`; the stored send always derives them from the grade.

    Only what the climber gave is recorded: `setting` and `attempts` stay None ("not logged")
    unless given, so nothing downstream mistakes a default for a fact. Sends stored earlier with
    the old defaults (indoor, 1 attempt) read back as those values."""

    discipline: Discipline | None = None
    system: GradeSystem | None = None
    grade: Annotated[str, Field(min_length=1, max_length=20)]
    name: Annotated[str, Field(max_length=200)] | None = None
    location: Annotated[str, Field(max_length=200)] | None = None
    date: PastDate
    setting: Setting | None = None
    """Indoor or outdoor when the climber said so; None when they did not."""
    style: Terrain | None = None
    ascent_style: AscentStyle | None = None
    attempts: Annotated[int, Field(ge=1, le=10000)] | None = None
    """How many goes the send took, when the climber counted them; None when not logged."""
    notes: Notes | None = None
    media: MediaList = Field(default_factory=list)
    significance: Significance = Significance.ROUTINE

    @model_validator(mode="before")
    @classmethod
    def _derive_grade_fields(cls, data: Any) -> Any:
        """Recompute system, discipline (and on the stored record the score) from `grade`.

        A score in the input is never trusted: the client model refuses the field, the stored
        model overwrites it. An unparsable grade is left for `_canonical_grade` to report.
        """
        if not isinstance(data, dict) or not isinstance(data.get("grade"), str):
            return data
        try:
            grade = parse_grade(
                data["grade"].strip(),
                system=_hint(GradeSystem, data.get("system")),
                discipline=_hint(Discipline, data.get("discipline")),
            )
        except (GradeError, ValueError):
            return data
        result = {
            **data,
            "grade": grade.text,
            "system": grade.system,
            "discipline": grade.discipline,
        }
        if "numeric_grade" in cls.model_fields:
            result.pop("numeric_grade", None)
            result["numericGrade"] = grade.score
        return result

    @field_validator("grade")
    @classmethod
    def _canonical_grade(cls, value: str, info: ValidationInfo) -> str:
        system = info.data.get("system")
        discipline = info.data.get("discipline")
        return parse_grade(
            value,
            system=system if isinstance(system, GradeSystem) else None,
            discipline=discipline if isinstance(discipline, Discipline) else None,
        ).text


_E = TypeVar("_E", GradeSystem, Discipline)


def _hint(kind: type[_E], value: Any) -> _E | None:
    """`value` as a member of `kind` when it is one (any case), else None (pydantic reports)."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind(value.lower())
        except ValueError:
            return None
    return None


class BenchmarkSend(BenchmarkSendIn, Stored):
    """A stored send. `numericGrade` is the reference score of store.grades (0-107, comparable
    within a discipline only), always recomputed from `grade`."""

    id: str = Field(default_factory=new_id)
    numeric_grade: int
    system: GradeSystem
    discipline: Discipline
    created_at: UtcDateTime
    updated_at: UtcDateTime
