"""Concrete exercises for an answer's next step, chosen from the exercise library in code.

The choice reuses the plan generator's rules (`coaching.plans.exercises.suits`/`choose`): the
climber's level and years (novices never hangboard or campus), and the contraindications of
every open injury and of any body part the message says hurts. The dose is the library's low
end (`dose(easy=True)`): a suggestion made in a chat, outside a periodised plan, starts
conservative. The grades to climb them at are two or three below the climber's max (none
while an injury caps intensity: then it is easy terrain).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from coaching.analytics.ladder import ladder
from coaching.analytics.summary import ClimberAnalytics
from coaching.answers.shared import Ask, capped
from coaching.plans.exercises import Climber, choose, dose, grade_band, suits
from coaching.plans.inputs import Level, rules_out
from coaching.plans.rules import NOVICE_YEARS
from coaching.plans.view import exercise_text
from store.grades import Discipline
from store.records.reference import Exercise
from store.records.training import DayType, Intensity
from store.seed import load_reference

SHOWN = 2
"""Exercises one next step names."""


@cache
def packaged_library() -> tuple[Exercise, ...]:
    """The exercise library shipped with the app (`store/data/exercises.toml`), read once."""
    return load_reference().exercises


def level_of(analytics: ClimberAnalytics) -> Level | None:
    """The climber's best grade of the period, boulder first (as a plan reads it)."""
    for wanted in (Discipline.BOULDER, Discipline.ROUTE):
        best = [m for m in analytics.grades.max_grades if m.discipline is wanted]
        if best:
            top = max(best, key=lambda m: (m.score, m.setting or ""))
            return Level(wanted, top.grade, top.system, ladder(top.system).index(top.grade))
    return None


def climber_of(ask: Ask, sore_parts: Iterable[str] = ()) -> Climber:
    """Who the exercises must suit: level, years (unknown years count as a novice's, as a
    plan assumes), open injuries and the body parts named as hurting."""
    analytics = ask.analytics
    years = ask.profile.years_climbing if ask.profile and ask.profile.years_climbing else 0.0
    ruled_out: frozenset[str] = frozenset()
    for status in analytics.body.open_injuries:
        ruled_out |= rules_out(status.body_part, status.type)
    for part in sore_parts:
        ruled_out |= rules_out(part)
    return Climber(
        level=level_of(analytics),
        years=years,
        novice=years < NOVICE_YEARS,
        ruled_out=ruled_out,
        weaknesses=tuple(ask.profile.weaknesses) if ask.profile else (),
        emphasis=None,
    )


def by_id(ask: Ask, ids: Sequence[str], climber: Climber, count: int = SHOWN) -> list[Exercise]:
    """The first `count` of the exercises named by `ids` (in that order) that suit."""
    known = {exercise.id: exercise for exercise in ask.library}
    chosen = [known[i] for i in ids if i in known and suits(known[i], climber)]
    return chosen[:count]


def by_day(ask: Ask, day: DayType, climber: Climber, count: int = SHOWN) -> list[Exercise]:
    """Up to `count` exercises for a day of `day`'s type, as a plan would choose them."""
    return choose(ask.library, day, climber, count=count)


def doses(ask: Ask, exercises: Sequence[Exercise], climber: Climber, day: DayType) -> str:
    """ "Silent feet: 3 × 5, 60 s rest, at V3–V4; …": each exercise with its dose."""
    band = None
    if not capped(ask.analytics):
        intensity = Intensity.LOW if day is DayType.TECHNIQUE else Intensity.MODERATE
        band = grade_band(climber.level, day, intensity)
    return "; ".join(exercise_text(dose(e, easy=True, band=band)) for e in exercises)
