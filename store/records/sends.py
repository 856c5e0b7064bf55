"""A benchmark send: one notable ascent, the data points of the climber's grade curve."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from store.grades import Discipline, GradeError, GradeSystem, parse_grade
from store.records.base import Record, spellings, wire_name
from store.records.common import (
    MediaList,
    Notes,
    PastDate,
    Setting,
    Stored,
    UtcDateTime,
    new_id,
)
from store.records.text import visible


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
    """What a send meant to the climber, as they said it.

    routine: a send like any other (the default); milestone: a grade or climb they had long
    aimed for; breakthrough: clearly harder than they had climbed before; personal-best: their
    hardest send so far (of its discipline); project-send: the send of a project, a climb they
    worked over several sessions.
    """

    ROUTINE = "routine"
    MILESTONE = "milestone"
    BREAKTHROUGH = "breakthrough"
    PERSONAL_BEST = "personal-best"
    PROJECT_SEND = "project-send"

    @property
    def words(self) -> str:
        """How a sentence says it before "send": "personal best", "project"."""
        return _SIGNIFICANCE_WORDS.get(self, self.value)


_SIGNIFICANCE_WORDS = {
    Significance.PERSONAL_BEST: "personal best",
    Significance.PROJECT_SEND: "project",
}


class BenchmarkSendIn(Record):
    """A send as a client sends it. `gradeType` (the grade system) and `discipline` are optional
    hints that only disambiguate the spelling of `grade`; the stored send always derives them
    from the grade.

    Only what the climber gave is recorded: `type` (indoor or outdoor) and `attempts` stay None
    ("not logged") unless given, so nothing downstream mistakes a default for a fact. Sends
    stored earlier with the old defaults (indoor, 1 attempt) read back as those values."""

    discipline: Discipline | None = None
    grade_system: GradeSystem | None = None
    grade: Annotated[str, Field(min_length=1, max_length=20)]
    name: Annotated[str, Field(max_length=200)] | None = None
    location: Annotated[str, Field(max_length=200)] | None = None
    date: PastDate
    setting: Setting | None = None
    """Indoor or outdoor (`type` on the wire) when the climber said so; None when they did
    not."""
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
        """Recompute the grade system, discipline (and on the stored record the score) from
        `grade`, under their wire names whichever spelling came in.

        A score in the input is never trusted: the client model ignores it, the stored model
        overwrites it. An unparsable grade is left for `_canonical_grade` to report.
        """
        if not isinstance(data, dict) or not isinstance(data.get("grade"), str):
            return data
        hints = [data[key] for key in spellings("grade_system") if key in data]
        if len(hints) > 1:
            return data  # two spellings of one field: refused as any such pair is
        hint = hints[0] if hints else None
        try:
            grade = parse_grade(
                visible(data["grade"]).strip(),
                system=_hint(GradeSystem, hint),
                discipline=_hint(Discipline, data.get("discipline")),
            )
        except (GradeError, ValueError):
            return data
        derived = {*spellings("grade_system"), *spellings("numeric_grade")}
        result = {key: value for key, value in data.items() if key not in derived}
        result |= {
            "grade": grade.text,
            wire_name("grade_system"): grade.system,
            "discipline": grade.discipline,
        }
        if "numeric_grade" in cls.model_fields:
            result[wire_name("numeric_grade")] = grade.score
        return result

    @field_validator("grade")
    @classmethod
    def _canonical_grade(cls, value: str, info: ValidationInfo) -> str:
        system = info.data.get("grade_system")
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
    """A stored send. `gradeNumeric` is the reference score of store.grades (0-107, comparable
    within a discipline only), always recomputed from `grade`."""

    id: str = Field(default_factory=new_id)
    numeric_grade: int
    grade_system: GradeSystem
    discipline: Discipline
    created_at: UtcDateTime
    updated_at: UtcDateTime
