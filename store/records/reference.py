"""Reference data shared by every climber: the exercise library and the coaching templates.

Both are read-only at runtime: `store/seed.py` loads them from `store/data/*.toml` through these
models, so a bad data file fails with the entry and field at fault. Ranges such as "2-5 sets" are
`Span`s, written in TOML as a number (`sets = 3`) or a pair (`sets = [2, 5]`) and stored as
`{"min": 2, "max": 5}`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Collection
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from store.grades import GradeError, parse_grade
from store.records.base import Record
from store.records.common import ShortText, ShortTextList

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=1, max_length=80)]
"""A stable id such as "max-hangs": lowercase letters, digits and single hyphens."""

LongText = Annotated[str, Field(min_length=1, max_length=8000)]


class ExerciseCategory(StrEnum):
    STRENGTH = "strength"
    POWER = "power"
    ENDURANCE = "endurance"
    TECHNIQUE = "technique"
    RECOVERY = "recovery"
    MOBILITY = "mobility"


class ExerciseLevel(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class ClimberLevel(StrEnum):
    """The ability bands of `store.grades.ability_band`, plus beginner."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    EXPERT = "expert"


class TemplateType(StrEnum):
    COACHING = "coaching"
    NUTRITION = "nutrition"
    TECHNIQUE = "technique"
    MOTIVATION = "motivation"
    ANALYSIS = "analysis"


class Span(Record):
    """An inclusive range of a quantity; `min == max` for a single value."""

    min: int | float
    max: int | float

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"min": data, "max": data}
        if isinstance(data, list | tuple) and len(data) == 2:
            return {"min": data[0], "max": data[1]}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.max < self.min:
            raise ValueError(f"max ({self.max:g}) is below min ({self.min:g})")
        return self

    def __str__(self) -> str:
        return f"{self.min:g}" if self.min == self.max else f"{self.min:g}–{self.max:g}"


def _bounded(
    what: str, low: float, high: float, *, above: bool = False, whole: bool = False
) -> Callable[[Span], Span]:
    """A check that a span lies within `low`..`high` (strictly above `low` when `above`)."""

    def check(span: Span) -> Span:
        too_low = span.min <= low if above else span.min < low
        if too_low or span.max > high:
            floor = f"greater than {low:g}" if above else f"at least {low:g}"
            raise ValueError(f"{what} must be {floor} and at most {high:g}")
        if whole and not (float(span.min).is_integer() and float(span.max).is_integer()):
            raise ValueError(f"{what} must be a whole number")
        return span

    return check


Count = Annotated[Span, AfterValidator(_bounded("a count", 1, 1000, whole=True))]
"""Sets, reps or sessions: whole numbers, at least 1."""

Seconds = Annotated[Span, AfterValidator(_bounded("a time in seconds", 0, 86400, above=True))]
"""A time in seconds, greater than 0."""

Hours = Annotated[Span, AfterValidator(_bounded("a time in hours", 0, 720, above=True))]

Weeks = Annotated[Span, AfterValidator(_bounded("a time in weeks", 0, 104, above=True))]

Percent = Annotated[Span, AfterValidator(_bounded("a percentage", 0, 200, above=True))]
"""Intensity as a percentage of the climber's tested maximum (may exceed 100)."""


def _grade(text: str) -> str:
    try:
        return parse_grade(text).text
    except GradeError as error:
        raise ValueError(str(error)) from None


class Prerequisites(Record):
    min_years_climbing: float | None = Field(default=None, ge=0, le=50)
    """Years of regular climbing before this exercise is appropriate."""
    min_grade: Annotated[str, AfterValidator(_grade)] | None = None
    """A grade the climber should climb first, e.g. "V4" (any system store.grades parses)."""
    notes: Annotated[str, Field(max_length=1000)] = ""


class Exercise(Record):
    """One exercise of the library (pk `EXERCISE`, sk = `id`).

    Dosage fields are optional because not every exercise has every dose (a stretch has no
    hang time); `hang_seconds`/`rep_rest_seconds` describe hangs and the pause between them,
    `rest_seconds` the rest between sets.
    """

    id: Slug
    name: ShortText
    category: ExerciseCategory
    level: ExerciseLevel
    description: LongText
    sets: Count | None = None
    reps: Count | None = None
    duration_seconds: Seconds | None = None
    hang_seconds: Seconds | None = None
    rep_rest_seconds: Seconds | None = None
    """Pause between reps (hangs) within a set, e.g. the 3 s off of intermittent hangs."""
    rest_seconds: Seconds | None = None
    """Rest between sets."""
    reserve_seconds: Seconds | None = None
    """How long the climber could still have held at the end of a hang."""
    intensity_percent: Percent | None = None
    edge_mm: Annotated[int, Field(ge=4, le=60)] | None = None
    grip: ShortText | None = None
    sessions_per_week: Count | None = None
    recovery_hours: Hours | None = None
    retest_weeks: Weeks | None = None
    load_guidance: LongText
    equipment: ShortTextList = Field(default_factory=list)
    focus: ShortTextList = Field(default_factory=list)
    """Muscles or qualities trained, e.g. "finger flexors", "core", "footwork"."""
    safety_notes: Annotated[list[ShortText], Field(min_length=1, max_length=20)]
    contraindications: Annotated[list[Slug], Field(max_length=20)] = Field(default_factory=list)
    """Conditions that rule the exercise out, as slugs such as "open-finger-injury"."""
    prerequisites: Prerequisites = Field(default_factory=Prerequisites)
    source: Annotated[str, Field(max_length=300)] = ""


_PLACEHOLDERS = frozenset(
    {"facts", "message", "profile", "injuries", "plan", "history", "level", "trigger", "goals"}
)
"""What `context/` can fill into a user prompt template."""


def _placeholders(template: str) -> str:
    try:
        names = {
            field for _, field, _, _ in string.Formatter().parse(template) if field is not None
        }
    except ValueError as error:
        raise ValueError(f"not a valid template: {error}") from None
    unknown = sorted(names - _PLACEHOLDERS)
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in sorted(_PLACEHOLDERS))
        raise ValueError(f"unknown placeholder(s) {unknown}; allowed: {allowed}")
    if "facts" not in names:
        # Numbers come from code: a template without the computed facts invites invented ones.
        raise ValueError("must include {facts}, the figures computed in code")
    return template


class TemplateConditions(Record):
    """When a template applies. Empty `levels` or `triggers` means any."""

    levels: Annotated[list[ClimberLevel], Field(max_length=4)] = Field(default_factory=list)
    min_data_age_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    """Applies only when the climber's latest logged data is at least this many days old."""
    max_data_age_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    """Applies only when the climber's latest logged data is at most this many days old."""
    triggers: Annotated[list[Slug], Field(max_length=30)] = Field(default_factory=list)
    """Keywords or events, e.g. "plateau", "finger-pain", "load-jump"."""

    @model_validator(mode="after")
    def _ages(self) -> TemplateConditions:
        low, high = self.min_data_age_days, self.max_data_age_days
        if low is not None and high is not None and high < low:
            raise ValueError(f"maxDataAgeDays ({high}) is below minDataAgeDays ({low})")
        return self

    def applies(
        self, *, level: str | None, data_age_days: int | None, triggers: Collection[str] = ()
    ) -> bool:
        """Whether a climber of `level` whose latest data is `data_age_days` old (None: no data
        at all, which counts as infinitely old) with these `triggers` matches the conditions."""
        if self.levels and level not in self.levels:
            return False
        if self.min_data_age_days is not None and (
            data_age_days is not None and data_age_days < self.min_data_age_days
        ):
            return False
        if self.max_data_age_days is not None and (
            data_age_days is None or data_age_days > self.max_data_age_days
        ):
            return False
        return not self.triggers or not set(self.triggers).isdisjoint(triggers)


class ChatTemplate(Record):
    """A coaching prompt (pk `TEMPLATE#{type}`, sk = `id`). Higher `priority` wins a tie."""

    id: Slug
    type: TemplateType
    name: ShortText
    system_prompt: LongText
    user_prompt_template: Annotated[
        str, Field(min_length=1, max_length=8000), AfterValidator(_placeholders)
    ]
    conditions: TemplateConditions = Field(default_factory=TemplateConditions)
    priority: Annotated[int, Field(ge=0, le=100)] = 50

    def render(self, **values: str) -> str:
        """The user prompt with `values` filled in; a placeholder without a value reads
        "(not available)". Raises `ValueError` for a name that is not a known placeholder.

        Values are data: they are inserted verbatim (never re-parsed as a template), and any
        `climber_message` tag inside them is defused so climber text cannot close the tag that
        marks it as data.
        """
        unknown = sorted(set(values) - _PLACEHOLDERS)
        if unknown:
            raise ValueError(f"unknown placeholder(s) {unknown}")
        filled = {name: _defuse(values.get(name, "(not available)")) for name in _PLACEHOLDERS}
        return self.user_prompt_template.format_map(filled)


_TAG = re.compile(r"<\s*(/?)\s*climber_message\s*>", re.IGNORECASE)


def _defuse(value: str) -> str:
    return _TAG.sub(r"<\1climber-message>", value)
