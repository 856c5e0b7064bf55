"""Concrete exercises for a planned day, chosen from the exercise library in code.

An exercise is a candidate only if it suits the day (its category), the climber (level, years
of climbing, grade prerequisites; novices never hangboard or campus) and every injury still
open that day (its contraindications). Among candidates, those that match the climber's
weaknesses or the plan's emphasis come first, then the library's order: the same inputs always
choose the same exercises. The dose comes from the library's ranges: the low end in easy and
deload weeks, the middle otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coaching.analytics.ladder import ladder, rung_at
from coaching.plans.inputs import Level
from store.grades import Discipline, GradeError, parse_grade
from store.records.reference import Exercise, ExerciseCategory, ExerciseLevel, Span
from store.records.training import DayType, Intensity, PlannedExercise

CATEGORIES: dict[DayType, tuple[ExerciseCategory, ...]] = {
    DayType.STRENGTH: (ExerciseCategory.STRENGTH,),
    DayType.POWER: (ExerciseCategory.POWER,),
    DayType.ENDURANCE: (ExerciseCategory.ENDURANCE,),
    DayType.TECHNIQUE: (ExerciseCategory.TECHNIQUE, ExerciseCategory.RECOVERY),
}
WARM_UP = "climbing-warm-up"
NOVICE_EQUIPMENT = ("hangboard", "campus")
"""Equipment a novice's plan never uses (tendons adapt slower than muscle)."""
FINGER_EQUIPMENT = ("hangboard", "campus", "board")
ROPE_EQUIPMENT = ("rope", "belay")
FINGER_DAYS = frozenset({DayType.STRENGTH, DayType.POWER, DayType.BOARD, DayType.HANGBOARD})


def finger_intensive(exercise: Exercise) -> bool:
    """Hangs, campusing, board and limit moves: only on finger days, 48 h apart."""
    gear = " ".join(exercise.equipment).lower()
    return any(word in gear for word in FINGER_EQUIPMENT) or "limit" in exercise.id


_LEVELS = {
    ExerciseLevel.BEGINNER: 0,
    ExerciseLevel.INTERMEDIATE: 1,
    ExerciseLevel.ADVANCED: 2,
}

# Words of a weakness (as climbers write them) → what the library calls the quality.
_WEAKNESS_FOCUS = {
    "crimp": "finger",
    "finger": "finger",
    "grip": "grip",
    "power": "power",
    "endurance": "endurance",
    "pump": "endurance",
    "stamina": "endurance",
    "slab": "slab",
    "footwork": "footwork",
    "feet": "footwork",
    "overhang": "overhang",
    "steep": "overhang",
    "body position": "body position",
    "core": "core",
    "pull": "pulling",
    "fear": "falling",
    "falling": "falling",
    "reading": "route reading",
    "sloper": "body position",
    "compression": "tension",
    "commit": "commitment",
    "highball": "commitment",
    "mantel": "mantl",
    "dyno": "coordination",
    "flexib": "mobility",
}


@dataclass(frozen=True)
class Climber:
    """What the choice depends on, for one day."""

    level: Level | None
    years: float
    novice: bool
    ruled_out: frozenset[str]
    """Contraindications of the injuries open on that day."""
    weaknesses: tuple[str, ...]
    emphasis: str | None


def climber_level(years: float, novice: bool) -> int:
    if novice:
        return 0
    return 2 if years >= 4 else 1


def needs_a_rope(exercise: Exercise) -> bool:
    """True when some piece of its equipment has no alternative without a rope ("top rope or
    auto-belay" needs one; "traverse wall or auto-belay" does not)."""
    return any(
        all(any(word in option for word in ROPE_EQUIPMENT) for option in item.lower().split(" or "))
        for item in exercise.equipment
    )


def suits(exercise: Exercise, climber: Climber) -> bool:
    # A test (it has a retest interval) measures, it does not train: never a session's set.
    if exercise.retest_weeks is not None:
        return False
    # A boulderer's plan (their best grade is a boulder grade) needs no rope or belayer.
    if climber.level and climber.level.discipline is Discipline.BOULDER and needs_a_rope(exercise):
        return False
    if not climber.ruled_out.isdisjoint(exercise.contraindications):
        return False
    if _LEVELS[exercise.level] > climber_level(climber.years, climber.novice):
        return False
    need = exercise.prerequisites
    if need.min_years_climbing is not None and climber.years < need.min_years_climbing:
        return False
    if need.min_grade is not None and not _reaches(climber.level, need.min_grade):
        return False
    gear = " ".join(exercise.equipment).lower()
    return not (climber.novice and any(word in gear for word in NOVICE_EQUIPMENT))


def _reaches(level: Level | None, grade: str) -> bool:
    if level is None:
        return False
    try:
        wanted = parse_grade(grade)
    except GradeError:
        return False
    rungs = ladder(level.system)
    return wanted.system is level.system and wanted.text in rungs[: level.rung + 1]


def _matches(exercise: Exercise, words: Iterable[str]) -> bool:
    text = " ".join([exercise.name, *exercise.focus, exercise.description]).lower()
    return any(word in text for word in words)


def worked_weaknesses(exercises: Iterable[Exercise], climber: Climber) -> list[str]:
    """The climber's weaknesses that one of `exercises` works on (in the climber's words)."""
    return [
        weakness
        for weakness in climber.weaknesses
        if any(
            key in weakness.lower() and _matches(exercise, [focus])
            for key, focus in _WEAKNESS_FOCUS.items()
            for exercise in exercises
        )
    ]


def _matches_focus(exercise: Exercise, words: Sequence[str]) -> bool:
    focus = " ".join(exercise.focus).lower()
    return any(word in focus for word in words)


def focus_words(climber: Climber) -> list[str]:
    words = [
        focus
        for weakness in climber.weaknesses
        for key, focus in _WEAKNESS_FOCUS.items()
        if key in weakness.lower()
    ]
    if climber.emphasis == "fingers":
        words.append("finger")
    elif climber.emphasis:
        words.append(climber.emphasis)
    return words


def choose(
    library: Sequence[Exercise],
    day: DayType,
    climber: Climber,
    *,
    prefer: Sequence[str] = (),
    avoid: Sequence[str] = (),
    recovery: bool = False,
    count: int = 2,
) -> list[Exercise]:
    """Up to `count` exercises for a day of `day`'s type, the best suited first: those that
    work on the climber's weaknesses or the emphasis, then those whose focus names a word of
    `prefer` (what the phase is for), then the library's order; none whose focus names a word
    of `avoid` (what the phase is not for) while another remains. `recovery` (rest and deload
    weeks, easy returns) puts recovery exercises before technique drills. A day whose type
    has no suitable exercise (a novice's bouldering day) gets technique drills."""
    categories = CATEGORIES.get(day, ())
    if recovery and day is DayType.TECHNIQUE:
        categories = (ExerciseCategory.RECOVERY, ExerciseCategory.TECHNIQUE)
    fingers = day in FINGER_DAYS

    def fits(exercise: Exercise, kinds: Sequence[ExerciseCategory]) -> bool:
        return (
            exercise.category in kinds
            and suits(exercise, climber)
            and (fingers or not finger_intensive(exercise))
        )

    candidates = [e for e in library if fits(e, categories)]
    kept = [e for e in candidates if not _matches_focus(e, avoid)]
    candidates = kept or candidates
    if not candidates:
        candidates = [e for e in library if fits(e, (ExerciseCategory.TECHNIQUE,))]
    words = focus_words(climber)
    phase_words = [word.lower() for word in prefer]

    def rank(pair: tuple[int, Exercise]) -> tuple[int, int, int, int]:
        index, exercise = pair
        category = categories.index(exercise.category) if exercise.category in categories else 9
        focus = " ".join(exercise.focus).lower()
        return (
            category,
            0 if _matches(exercise, words) else 1,
            0 if any(re.search(rf"\b{re.escape(w)}", focus) for w in phase_words) else 1,
            index,
        )

    ranked = sorted(enumerate(candidates), key=rank)
    return [exercise for _, exercise in ranked[:count]]


def _pick(span: Span | None, easy: bool) -> int | None:
    if span is None:
        return None
    value = span.min if easy else (span.min + span.max) / 2
    return max(1, round(value))


def grade_band(level: Level | None, day: DayType, intensity: Intensity) -> str | None:
    """The grades to climb at: mileage 1–2 grades below the max, limit work at it."""
    if level is None:
        return None
    if day is DayType.POWER and intensity in (Intensity.HIGH, Intensity.MAX):
        low, high = level.rung - 1, level.rung
    elif day is DayType.TECHNIQUE and intensity is Intensity.LOW:
        low, high = level.rung - 3, level.rung - 2
    else:
        low, high = level.rung - 2, level.rung - 1
    first, last = rung_at(low, level.system).text, rung_at(high, level.system).text
    return first if first == last else f"{first}–{last}"


def dose(exercise: Exercise, *, easy: bool, band: str | None) -> PlannedExercise:
    """The exercise with concrete numbers from its ranges."""
    climbs = exercise.category in (
        ExerciseCategory.POWER,
        ExerciseCategory.ENDURANCE,
        ExerciseCategory.TECHNIQUE,
    )
    minutes = _pick(exercise.duration_seconds, easy)
    return PlannedExercise(
        exercise_id=exercise.id,
        name=exercise.name,
        sets=_pick(exercise.sets, easy),
        reps=_pick(exercise.reps, easy),
        hang_seconds=_pick(exercise.hang_seconds, easy),
        rest_seconds=_pick(exercise.rest_seconds, easy),
        duration_minutes=None if minutes is None else max(1, round(minutes / 60)),
        edge_mm=exercise.edge_mm,
        intensity_percent=_pick(exercise.intensity_percent, True),
        grade_target=band if climbs and exercise.edge_mm is None else None,
    )
