"""The exercises a model is shown for one question, chosen in code from the exercise library.

A model may only suggest what it is shown, so the choice is made here with the plan
generator's own rules (`coaching.plans.exercises.choose`, which applies `suits`): nothing above
the climber's level or years, no hangboard or campus for a novice (under
`coaching.plans.rules.NOVICE_YEARS` of climbing, or years unknown), nothing an open injury
rules out, and no finger-intensive exercise outside a finger day. A message that reports pain
in a body part ("my finger hurts") rules out what an injury there would, logged or not, and
puts recovery first.

What is chosen depends on the question (`Prompt.facts["intent"]`, read as a plain string so
any classifier's names work; a name not in `CHOICES` gets `DEFAULT`, technique drills):

- what to train next, a review, a plan question without an active plan: exercises for the
  climber's weakest area (their profile's weaknesses, else their goal's discipline);
- technique: drills for the style the message names (slab, overhang, crimps, heel hooks…);
  the message's words rank the drills as a climber's weaknesses rank a plan's;
- pain, and rest or train: recovery first, at the low end of every dose;
- motivation: low-stakes drills, again ranked by the message's words (fear → falling);
- nutrition, grades, how to use the app, unknown: none (the answer needs no exercise).

Each exercise carries a concrete dose from the library's ranges (`coaching.plans.exercises.dose`):
the low end when the climber is injured, in pain or asking about rest, the middle otherwise.
Pure: the same inputs always choose the same exercises.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from coaching.plans.exercises import Climber, choose, dose, focus_words, grade_band
from coaching.plans.inputs import PlanInputs, rules_out
from coaching.plans.rules import NOVICE_YEARS
from coaching.plans.view import exercise_text
from store.grades import Discipline
from store.records.reference import Exercise
from store.records.training import DayType, Intensity, PlannedExercise

_PAIN = re.compile(r"\b(?:pain\w*|hurt\w*|sore\w*|ache\w*|aching|injur\w*|tweak\w*|strain\w*)")


@dataclass(frozen=True)
class Choice:
    """How one kind of question picks exercises."""

    day: DayType | None
    """The kind of day the exercises are for; None: the climber's weakest area decides."""
    count: int
    recovery: bool = False
    """Recovery before drills, and the low end of every dose."""
    by_message: bool = False
    """The message's words rank the exercises (a technique style, a fear)."""


NONE = Choice(day=None, count=0)
TRAIN_NEXT = Choice(day=None, count=3)
DEFAULT = Choice(day=DayType.TECHNIQUE, count=2)
"""For an intent this module does not know: drills that load no finger."""

CHOICES: dict[str, Choice] = {
    "train_next": TRAIN_NEXT,
    "coaching": TRAIN_NEXT,
    "review": Choice(day=None, count=2),
    "analysis": Choice(day=None, count=2),
    "plan": Choice(day=None, count=2),
    "technique": Choice(day=DayType.TECHNIQUE, count=3, by_message=True),
    "motivation": Choice(day=DayType.TECHNIQUE, count=2, by_message=True),
    "pain": Choice(day=DayType.TECHNIQUE, count=2, recovery=True),
    "rest_or_train": Choice(day=DayType.TECHNIQUE, count=2, recovery=True),
    "nutrition": NONE,
    "grades": NONE,
    "app": NONE,
    "unknown": NONE,
}

# A weakness's library focus word (coaching.plans.exercises' mapping) → the day that trains it.
_AREA_DAYS: tuple[tuple[tuple[str, ...], DayType], ...] = (
    (("finger", "grip", "pulling"), DayType.STRENGTH),
    (("power", "coordination", "tension", "core"), DayType.POWER),
    (("endurance",), DayType.ENDURANCE),
)


@dataclass(frozen=True)
class Chosen:
    """The exercises for one question, each with its dose."""

    intent: str
    exercises: tuple[PlannedExercise, ...]
    library: tuple[Exercise, ...]
    """The library entries of `exercises`, in the same order."""

    def lines(self) -> list[str]:
        """One line an exercise: its dose, what it trains, and its first safety note."""
        return [
            f"- {exercise_text(planned)}. Trains: {', '.join(entry.focus)}. "
            f"Safety: {entry.safety_notes[0]}"
            for planned, entry in zip(self.exercises, self.library, strict=True)
        ]


def choose_for(
    intent: str,
    message: str,
    library: Sequence[Exercise],
    inputs: PlanInputs,
    *,
    plan_active: bool = False,
) -> Chosen:
    """The exercises to show a model answering `message`, asked with `intent`, for the climber
    whose plan inputs are `inputs` (level, years, weaknesses, goal, open injuries). A plan
    question with an active plan gets none: today's session is its next step."""
    choice = CHOICES.get(intent, DEFAULT)
    if choice.count == 0 or (intent == "plan" and plan_active):
        return Chosen(intent, (), ())
    lowered = message.lower()
    climber = _climber(inputs, lowered)
    in_pain = _PAIN.search(lowered) is not None
    if in_pain:
        # Whatever else the message asks, something hurts: recovery first, nothing it rules out.
        choice = replace(choice, day=choice.day or DayType.TECHNIQUE, recovery=True)
    easy = choice.recovery or bool(inputs.injuries)
    day = choice.day or _weakest_area(inputs, climber)
    if choice.by_message:
        # The style the message names ranks the drills first; the climber's own weaknesses
        # still rank among the rest.
        climber = replace(climber, weaknesses=(lowered, *climber.weaknesses))
    picked = choose(library, day, climber, recovery=choice.recovery, count=choice.count)
    intensity = Intensity.LOW if easy else Intensity.MODERATE
    band = grade_band(inputs.level, day, intensity)
    planned = tuple(dose(exercise, easy=easy, band=band) for exercise in picked)
    return Chosen(intent, planned, tuple(picked))


def _climber(inputs: PlanInputs, message: str) -> Climber:
    years = inputs.years_climbing if inputs.years_climbing is not None else 0.0
    ruled_out = frozenset().union(*(injury.rules_out for injury in inputs.injuries))
    if _PAIN.search(message):
        ruled_out |= rules_out(message)
    return Climber(
        level=inputs.level,
        years=years,
        novice=years < NOVICE_YEARS,
        ruled_out=ruled_out,
        weaknesses=inputs.weaknesses,
        emphasis=None,
    )


def _weakest_area(inputs: PlanInputs, climber: Climber) -> DayType:
    """The day that trains the climber's first weakness the library knows; without one, what
    their goal's discipline needs most (routes: endurance; boulders: strength), and technique
    for a novice, whose weakest area is movement."""
    if climber.novice:
        return DayType.TECHNIQUE
    for weakness in inputs.weaknesses:
        words = _focus_of(weakness)
        for focus, day in _AREA_DAYS:
            if any(word in words for word in focus):
                return day
        if words:
            return DayType.TECHNIQUE
    discipline = inputs.goal.discipline if inputs.goal else None
    if discipline is None and inputs.level is not None:
        discipline = inputs.level.discipline
    if discipline is Discipline.ROUTE:
        return DayType.ENDURANCE
    if discipline is Discipline.BOULDER:
        return DayType.STRENGTH
    return DayType.TECHNIQUE


def _focus_of(weakness: str) -> list[str]:
    probe = Climber(None, 0.0, False, frozenset(), (weakness,), None)
    return focus_words(probe)
