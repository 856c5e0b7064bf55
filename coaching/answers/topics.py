"""Answers on a topic: technique for a style, and nutrition and fuelling."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coaching.analytics.common import shown
from coaching.analytics.render import pyramid_line
from coaching.answers.prescribe import by_day, by_id, climber_of, doses
from coaching.answers.shared import Answer, Ask, injury_limit, max_grade_text, week_sessions
from core.text import plural
from grammar.catalogue import find
from store.records.training import DayType


@dataclass(frozen=True)
class Style:
    """A style or move the climber may ask about: how to recognise it, the one piece of
    technique that matters most, and the library's drills for it (best first)."""

    words: re.Pattern[str]
    advice: str
    drills: tuple[str, ...]


def _style(pattern: str, advice: str, *drills: str) -> Style:
    return Style(re.compile(rf"\b(?:{pattern})", re.IGNORECASE), advice, drills)


STYLES = (
    _style(
        r"slab",
        "On slab, trust your feet: weight over your toes, hips away from the wall, small "
        "precise steps.",
        "slab-footwork",
        "silent-feet",
    ),
    _style(
        r"heel|toe[- ]?hook",
        "For hooks, set the heel or toe high and pull with the leg, keeping your hips close to "
        "the wall.",
        "flagging-drill",
        "drop-knee-drill",
        "hip-openers",
    ),
    _style(
        r"overhang|steep|roof|drop[- ]?knee",
        "On overhangs, keep your arms straight and your hips close to the wall: turn them in, "
        "flag and drop-knee instead of pulling.",
        "drop-knee-drill",
        "flagging-drill",
    ),
    _style(
        r"crimp",
        "On crimps, half crimp rather than full crimp, and let your feet take every bit of "
        "weight they can.",
        "silent-feet",
        "hover-hands",
    ),
    _style(
        r"sloper|pinch|compression",
        "On slopers and pinches, keep your arms straight and your hips low under the hold: "
        "grip comes from body position.",
        "hover-hands",
        "flagging-drill",
    ),
    _style(
        r"dyno|dead[- ]?point|jump",
        "For dynamic moves, drive from your legs, look at the target hold and commit: "
        "hesitation is what fails.",
        "coordination-dynos",
    ),
    _style(
        r"read|beta|onsight|sequence",
        "Read the whole climb from the ground first: find the rests, the clips and the crux, "
        "and mime the moves.",
        "route-reading",
    ),
    _style(
        r"feet|foot|footwork",
        "Better footwork starts with watching each foothold until your foot is on it, and "
        "placing it silently.",
        "silent-feet",
        "downclimbing",
    ),
)
GENERAL = Style(
    re.compile("$^"),
    "Technique sticks when you repeat climbs you have sent, cleaner each time, with one focus "
    "at a time.",
    ("silent-feet", "hover-hands"),
)


def style_of(message: str) -> Style:
    """The style the message asks about (the first that matches), else general technique."""
    return next((style for style in STYLES if style.words.search(message)), GENERAL)


def technique(ask: Ask) -> Answer:
    analytics = ask.analytics
    style = style_of(ask.message)
    climber = climber_of(ask)
    drills = by_id(ask, style.drills, climber) or by_day(ask, DayType.TECHNIQUE, climber)
    facts = [injury_limit(status) for status in analytics.body.open_injuries[:1]]
    best = max_grade_text(analytics)
    if best:
        facts.append(f"Your max this period is {best}: drill well below it, where moves are easy.")
    facts += [pyramid_line(p) + "." for p in analytics.grades.pyramids[:1]]
    step = ""
    if drills:
        step = f"Next session: {doses(ask, drills, climber, DayType.TECHNIQUE)}."
    return Answer(direct=style.advice, facts=facts, step=step)


def nutrition(ask: Ask) -> Answer:
    """How the logged eating compares with the targets, the under-fuelled training days, and
    one concrete change; never a weight-loss target."""
    food = ask.analytics.nutrition
    meal = find("meal")
    example = f"`{meal.example}`" if meal else "`/meal`"
    calories = next((row for row in food.rows if row.nutrient == "calories"), None)
    facts = []
    if food.days_logged == 0:
        direct = (
            f"I can't judge your eating yet: no meals are logged from {food.start} to {food.end}."
        )
        if food.protein_range_g is not None:
            low, high = food.protein_range_g
            facts.append(
                f"For your weight, protein of {shown(low)}–{shown(high)} g a day supports "
                "recovery from climbing."
            )
        sessions = week_sessions(ask.analytics)
        if sessions:
            facts.append(f"You trained {plural(sessions, 'session')} this week: fuel those first.")
        step = f"Next: log what you eat for a few days ({example}) and I'll compare it."
        return Answer(direct=direct, facts=facts, step=step)
    if food.under_fuelled_training_days:
        direct = (
            f"You're under-eating for your training: {food.under_fuelled_training_days} of "
            f"{plural(food.training_days_logged, 'logged training day')} were under 80 % of "
            "your calorie target."
        )
    elif calories is not None and calories.average is not None and calories.percent is not None:
        direct = (
            f"You're eating about {shown(calories.average)} kcal a day, "
            f"{shown(calories.percent)} % of your target."
        )
    elif calories is not None and calories.average is not None:
        direct = (
            f"You're eating about {shown(calories.average)} kcal a day; set a target and I can "
            "tell you whether that's enough."
        )
    else:
        direct = "Your meals are logged, but without calories I can't say if it's enough."
    days = plural(food.days_logged, "day")
    facts.append(f"That is over {days} logged from {food.start} to {food.end}.")
    if food.protein_g_per_kg is not None:
        facts.append(
            f"Protein: {food.protein_g_per_kg:.2f} g/kg a day (1.6–2.2 g/kg supports recovery)."
        )
    facts.append("Fuel for the training you do: I won't set weight-loss targets.")
    if food.protein_range_g is not None:
        low, high = food.protein_range_g
        step = (
            f"Next: aim for {shown(low)}–{shown(high)} g of protein a day, spread over meals, "
            "and eat carbohydrate before sessions."
        )
    else:
        step = "Next: eat carbohydrate before sessions and protein after, on every training day."
    return Answer(direct=direct, facts=facts, step=step)
