"""Grades on one ladder per discipline: the climber's own grading system, rung by rung.

Scores order grades within a discipline only, and a grade's step ("max−1") is a step of one
system's table, so every climb of a discipline is placed on the ladder of that discipline's
display system: the system the climber logs most (V-scale and YDS when tied or unknown).
Climbs logged in another system of the same discipline are converted (`store.grades.convert`,
approximate: shown with "≈"). Boulder and route grades never share a ladder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from store.grades import (
    Discipline,
    GradeSystem,
    convert,
    discipline_of,
    grade_for_score,
    grades_of,
)

DEFAULT_SYSTEMS: Mapping[Discipline, GradeSystem] = {
    Discipline.BOULDER: GradeSystem.V,
    Discipline.ROUTE: GradeSystem.YDS,
}


@dataclass(frozen=True)
class Rung:
    """A grade of the display system: its position on the ladder (0 = easiest)."""

    index: int
    text: str
    score: int
    system: GradeSystem


@cache
def ladder(system: GradeSystem) -> tuple[str, ...]:
    """The grades of `system`, easiest first."""
    return tuple(grade.text for grade in grades_of(system))


@cache
def rung_of(score: int, system: GradeSystem, display: GradeSystem) -> Rung:
    """The display-system rung of the grade of `system` whose lowest row is `score`.

    The same system maps the score to its own grade; another system converts through the
    grade's midpoint. Raises `GradeError` for a score off the scale or systems of different
    disciplines.
    """
    grade = grade_for_score(score, system)
    target = grade if system is display else convert(grade, display)
    return Rung(ladder(display).index(target.text), target.text, target.score, display)


def rung_at(index: int, display: GradeSystem) -> Rung:
    """The rung at `index` of `display`'s ladder (clamped to the ladder)."""
    grades = grades_of(display)
    grade = grades[min(max(index, 0), len(grades) - 1)]
    return Rung(ladder(display).index(grade.text), grade.text, grade.score, display)


def display_systems(systems: Iterable[tuple[GradeSystem, int]]) -> dict[Discipline, GradeSystem]:
    """The display system of each discipline from `(system, climbs)` pairs: the most climbed,
    the default on a tie or with no climbs."""
    tally: Counter[GradeSystem] = Counter()
    for system, count in systems:
        tally[system] += count
    chosen: dict[Discipline, GradeSystem] = {}
    for discipline, default in DEFAULT_SYSTEMS.items():
        counts = {s: n for s, n in tally.items() if discipline_of(s) is discipline}
        best = max(counts.values(), default=0)
        leaders = [s for s, n in counts.items() if n == best]
        chosen[discipline] = default if default in leaders or not leaders else sorted(leaders)[0]
    return chosen
