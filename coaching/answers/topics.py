"""Answers on a topic: technique for a style, and nutrition and fuelling."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coaching.analytics.common import shown
from coaching.analytics.render import pyramid_line
from coaching.answers.prescribe import by_day, by_id, climber_of, doses
from coaching.answers.shared import Answer, Ask, injury_limit, max_grade_text, week_sessions
from coaching.nutrition.insights import UNDER_FUELLED, NutritionInsights, hard_week
from coaching.nutrition.targets import Target
from core.text import plural, sentence
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


_ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "weight",
        re.compile(
            r"\b(?:lose|losing|lost|drop|shed|cut)\b.{0,20}\b(?:weight|kg|kilos?|fat|calories)\b"
            r"|\bweight[- ]loss\b|\b(?:lean(?:er)?|diet(?:ing)?|lighter|eat less|deficit)\b",
            re.I,
        ),
    ),
    ("protein", re.compile(r"\bprotein", re.I)),
    ("water", re.compile(r"\b(?:water|hydrat\w*|drink\w*|fluids?)\b", re.I)),
    ("timing", re.compile(r"\b(?:before|after|around|during|pre[- ]?\w+|post[- ]?\w+)\b", re.I)),
    (
        "enough",
        re.compile(r"\b(?:enough|too (?:little|much)|am i (?:eating|fuell?ing)|how am i)\b", re.I),
    ),
)
"""What a fuelling question asks, the first that matches; anything else is general advice."""
NO_WEIGHT_LOSS = "Fuel for the training you do: I won't set weight-loss targets."


def _asked(message: str) -> str:
    return next((kind for kind, words in _ASKS if words.search(message)), "general")


def _whose(target: Target) -> str:
    """Where a target came from, in words."""
    if target.source == "yours":
        return "your own target"
    if target.nutrient in ("calories", "protein_g"):
        return "computed from your profile"
    return "computed from your profile and training"


def _per_kg(grams: float, weight: float | None) -> str:
    return "" if not weight else f"{shown(grams / weight, 1)} g/kg × {shown(weight, 1)} kg, "


def _fuel_flags(food: NutritionInsights) -> list[tuple[str, str]]:
    """The flags of `coaching.nutrition.insights` in words: what was seen, and the possibility
    it raises (never a diagnosis)."""
    out = []
    calories = food.targets.calories.value
    if food.under_fuelled_training_days and calories:
        were = "was" if food.training_days_logged == 1 else "were"
        seen = (
            f"{food.under_fuelled_training_days} of "
            f"{plural(food.training_days_logged, 'logged training day')} {were} under "
            f"{shown(UNDER_FUELLED * 100)} % of your {shown(calories)} kcal target"
        )
        out.append((seen, "you may be under-eating for your training"))
    before, this = food.weeks
    if hard_week(before, this) and this.average_calories and before.average_calories:
        seen = (
            f"the last 7 days carried {shown(this.training_load)} AU of training against "
            f"{shown(before.training_load)} AU the 7 before, while you ate "
            f"{shown(this.average_calories)} kcal a day against {shown(before.average_calories)}"
        )
        out.append((seen, "you may be under-eating for a harder week"))
    return out


def _flag_facts(flags: list[tuple[str, str]]) -> list[str]:
    return [f"{sentence(seen)}: {maybe}." for seen, maybe in flags]


def nutrition(ask: Ask) -> Answer:
    """What was asked about eating (enough? protein? water? around a session? weight?) answered
    first from the daily targets and the days' intake (`coaching.nutrition`), then the flags as
    possibilities and the target's source; never a weight-loss target (a cut's floor is said)."""
    food = ask.analytics.nutrition
    asked = _asked(ask.message)
    targets = food.targets
    notes = targets.notes[:1]
    flags = _fuel_flags(food)
    meal = find("meal")
    log = f"`{meal.example}`" if meal else "`/meal`"
    if asked == "weight":
        direct = "I won't coach you to eat less or lose weight: I'll help you fuel your training."
        if notes:
            direct += " " + notes[0].split(". ")[0].removesuffix(".") + "."
        facts = _flag_facts(flags)
        calories = targets.calories
        if calories.value is not None:
            facts.append(
                f"Your {shown(calories.value)} kcal target is {_whose(calories)}, to fuel the "
                "training you log."
            )
        return Answer(direct=direct, facts=facts, step=_fuel_step(ask, asked, log))
    if asked == "protein":
        return Answer(
            direct=_protein_direct(food),
            facts=_protein_facts(food),
            step=_fuel_step(ask, asked, log),
        )
    if asked == "water":
        facts = _flag_facts(flags)
        return Answer(direct=_water_direct(food), facts=facts, step=_fuel_step(ask, asked, log))
    if asked == "general" and food.days_logged:
        direct = "Nothing special: eat enough for the training you do."
        if flags:
            direct = (
                f"Nothing special, but you may be under-eating for your training: {flags[0][0]}."
            )
        facts = _enough_facts(food, ask, flags)
        return Answer(direct=direct, facts=facts, step=_fuel_step(ask, asked, log))
    if asked == "timing" or asked == "general":
        direct = (
            "Before a hard session, eat a carbohydrate-based meal a few hours ahead, or a light "
            "carb snack if it is closer; after it, protein and carbohydrate together."
            if asked == "timing"
            else "Nothing special: eat enough for the training you do, with carbohydrate "
            "around sessions and protein spread over the day."
        )
        carbs = targets.carbs_g
        facts = _flag_facts(flags)
        if carbs.value is not None:
            facts.append(f"Your carbs target is {shown(carbs.value)} g a day, {_whose(carbs)}.")
        facts += [NO_WEIGHT_LOSS] if flags else _protein_facts(food)[:1]
        sessions = week_sessions(ask.analytics)
        if food.days_logged == 0 and sessions:
            facts.append(f"You trained {plural(sessions, 'session')} this week: fuel those first.")
        return Answer(direct=direct, facts=facts, step=_fuel_step(ask, asked, log))
    return Answer(direct=_enough_direct(food, flags), facts=_enough_facts(food, ask, flags),
                  step=_fuel_step(ask, asked, log))  # fmt: skip


def _protein_direct(food: NutritionInsights) -> str:
    target = food.targets.protein_g
    if target.value is None:
        return "Aim for 1.6–2.2 g of protein per kg of body weight a day, spread over your meals."
    how = _whose(target)
    if target.source == "computed" and food.weight_kg:
        per_kg = shown(target.value / food.weight_kg, 1)
        how = f"{per_kg} g/kg × {food.weight_kg:g} kg, {how}"
    return (
        f"Aim for about {shown(target.value)} g of protein a day ({how}), spread over your meals."
    )


def _protein_facts(food: NutritionInsights) -> list[str]:
    row = next(row for row in food.rows if row.nutrient == "protein_g")
    facts = []
    if row.average is not None and food.protein_g_per_kg is not None:
        share = f", {shown(row.percent)} % of your target" if row.percent is not None else ""
        facts.append(
            f"You're eating about {shown(row.average)} g of protein a day "
            f"({food.protein_g_per_kg:.2f} g/kg){share}."
        )
    if food.protein_range_g is not None:
        low, high = food.protein_range_g
        facts.append(
            f"1.6–2.2 g/kg a day supports recovery from climbing: {shown(low)}–{shown(high)} g "
            "for you."
        )
    return facts


def _water_direct(food: NutritionInsights) -> str:
    row = next(row for row in food.rows if row.nutrient == "water_ml")
    target = food.targets.water_ml
    if target.value is None:
        return (
            "Drink through the day and more around sessions; with your weight in your nutrition "
            "profile I can put a number on it."
        )
    if row.average is not None and row.percent is not None:
        return (
            f"You're drinking about {shown(row.average)} ml of water a day, "
            f"{shown(row.percent)} % of your {shown(target.value)} ml target ({_whose(target)})."
        )
    return (
        f"Aim for about {shown(target.value)} ml of water a day ({_whose(target)}), more on "
        "long or hot training days."
    )


def _enough_direct(food: NutritionInsights, flags: list[tuple[str, str]]) -> str:
    calories = next(row for row in food.rows if row.nutrient == "calories")
    target = food.targets.calories.value
    if food.days_logged == 0:
        return (
            f"I can't judge your eating yet: no meals are logged from {food.start} to {food.end}."
        )
    if flags:
        return f"You may be under-eating for your training: {flags[0][0]}."
    if calories.average is not None and calories.percent is not None and target:
        verdict = (
            "Yes" if calories.percent >= 95 else "Close" if calories.percent >= 80 else "Not yet"
        )
        return (
            f"{verdict}: you're eating about {shown(calories.average)} kcal a day, "
            f"{shown(calories.percent)} % of your {shown(target)} kcal target."
        )
    if calories.average is not None:
        return (
            f"You're eating about {shown(calories.average)} kcal a day; with a calorie target I "
            "can tell you whether that's enough."
        )
    return "Your meals are logged, but without calories I can't say whether you're eating enough."


def _enough_facts(food: NutritionInsights, ask: Ask, flags: list[tuple[str, str]]) -> list[str]:
    """The cut's floor (or another note on the targets), the calorie target and where it came
    from, the flags not already said, protein per kg and the days logged."""
    targets = food.targets
    calories, protein, carbs = targets.calories, targets.protein_g, targets.carbs_g
    facts = [note.split(". ")[0].removesuffix(".") + "." for note in targets.notes[:1]]
    eaten = next(row for row in food.rows if row.nutrient == "calories")
    if _asked(ask.message) == "general" and not flags and eaten.average is not None:
        share = f", {shown(eaten.percent)} % of your target" if eaten.percent is not None else ""
        facts.append(f"You're eating about {shown(eaten.average)} kcal a day{share}.")
    if food.days_logged == 0:
        if calories.value is not None and protein.value is not None and carbs.value is not None:
            facts.append(
                f"Your daily targets: {shown(calories.value)} kcal ({_whose(calories)}), "
                f"{shown(protein.value)} g protein and {shown(carbs.value)} g carbs."
            )
        sessions = week_sessions(ask.analytics)
        if sessions:
            facts.append(f"You trained {plural(sessions, 'session')} this week: fuel those first.")
        return [*facts, NO_WEIGHT_LOSS]
    if calories.value is not None and calories.source == "yours":
        facts.append(f"The {shown(calories.value)} kcal target is your own.")
    elif calories.value is not None:
        more = ""
        if targets.maintenance is not None and targets.maintenance != calories.value:
            more = f" (maintenance {shown(targets.maintenance)} kcal)"
        facts.append(f"Your {shown(calories.value)} kcal target is {_whose(calories)}{more}.")
    if flags:
        facts += [*_flag_facts(flags[1:]), NO_WEIGHT_LOSS]
    if food.protein_g_per_kg is not None:
        facts.append(
            f"Protein: {food.protein_g_per_kg:.2f} g/kg a day (1.6–2.2 g/kg supports recovery)."
        )
    days = plural(food.days_logged, "day")
    return [*facts, f"That is over {days} logged from {food.start} to {food.end}."]


def _fuel_step(ask: Ask, asked: str, log: str) -> str:
    food = ask.analytics.nutrition
    targets = food.targets
    if targets.calories.value is None and targets.missing:
        fields = {"weight": "weight", "heightCm": "height", "age": "age", "sex": "sex"}
        named = [fields.get(name, name) for name in targets.missing]
        listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
        return (
            f"Next: add your {listed} to your nutrition profile (`/nutrition`) and I'll compute "
            "your daily targets."
        )
    if food.days_logged == 0:
        return (
            f"Next: log what you eat for a few days ({log}) and I'll compare it with your targets."
        )
    if asked == "water":
        water = find("water")
        example = f"`{water.example}`" if water else "`/water`"
        return f"Next: log your water through the day ({example})."
    if asked == "timing":
        return (
            "Next: on your next session day, eat carbohydrate before it and protein after, and "
            "log both."
        )
    protein = targets.protein_g.value
    if asked == "protein" and protein is not None:
        return f"Next: add a protein source to each meal to reach {shown(protein)} g a day."
    if food.under_fuelled_training_days or food.flags:
        return (
            "Next: on training days, add a carbohydrate snack before the session and a full meal "
            "after it."
        )
    if food.protein_range_g is not None:
        low, high = food.protein_range_g
        return (
            f"Next: aim for {shown(low)}–{shown(high)} g of protein a day, spread over meals, "
            "and eat carbohydrate before sessions."
        )
    return "Next: eat carbohydrate before sessions and protein after, on every training day."
