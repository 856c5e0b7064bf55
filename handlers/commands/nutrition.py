"""`/nutrition`: the daily targets with how each was reached, and today's intake against them;
or set parts of the nutrition profile they are computed from.

    /nutrition                      → a `reply`: the targets, the coach's notes, what to add,
                                      and today so far (its `data`: profile, daily, today)
    /nutrition weight 68kg goal cut → a `saved` frame of kind "nutrition_profile" (its item the
                                      profile with `daily`, as `GET /nutrition/profile` gives it),
                                      undoable, then the same `reply` without today

The profile is written on the version read (a concurrent change is merged into, never lost), and
undone by putting back the profile the write replaced (`restore`). The targets are computed by
`coaching.nutrition.targets` from the profile, the athlete profile and the last 28 days of
sessions; the coach never sets a cut below the BMR, and its `notes` say so.
"""

from __future__ import annotations

from typing import Any

from coaching.nutrition.targets import NUTRIENTS, DailyTargets, Source
from context.nutrition import nutrition_targets
from grammar.meal import USAGE as MEAL_USAGE
from grammar.nutrition import parse_changes, shows
from handlers.commands.context import Repos, Turn
from handlers.undo import UndoAction
from store.errors import ConditionFailed, NotFound
from store.records.nutrition import NutritionLog, NutritionProfile
from store.repos import NutritionLogRepo, NutritionProfileRepo
from store.repos.nutrition import KIND
from store.repos.versioned import VersionedRepo, fingerprint
from store.table import Table

KIND_SAVED = "nutrition_profile"
"""The `saved` frame's kind."""

NAMES = {
    "calories": "Calories",
    "protein_g": "Protein",
    "carbs_g": "Carbs",
    "fat_g": "Fat",
    "water_ml": "Water",
}

ADD = {
    "weight": ("weight", "weight 68kg"),
    "heightCm": ("height", "height 170cm"),
    "age": ("age", "age 30"),
    "sex": ("sex (for the BMR equation)", "sex female"),
}
"""A missing profile field (wire name) → how the reply names it, and how to set it."""


def profile_store(table: Table) -> VersionedRepo[NutritionProfile]:
    """The nutrition profile (`NUTRITION`) as a whole record, for putting one back."""
    return VersionedRepo(table, record=NutritionProfile, sk=KIND)


async def restore(repos: Repos, user_id: str, action: UndoAction) -> None:
    """Put back the profile a `/nutrition` write replaced (none: delete it), only while it is
    as that write left it. Raises `ConditionFailed` otherwise."""
    await profile_store(repos.table).restore(user_id, action.previous, action.after)


async def run(turn: Turn, args: str) -> None:
    if shows(args):
        await _show(turn)
        return
    changes = parse_changes(args)
    repo = NutritionProfileRepo(turn.repos.table)
    for _ in range(5):
        current = await repo.find(turn.user_id)
        profile_in = changes.applied_to(current)
        expected = 0 if current is None else current.version
        try:
            stored = await repo.put(turn.user_id, profile_in, expected_version=expected)
        except ConditionFailed:
            continue  # another tab wrote in between: apply the changes to the newer profile
        break
    else:
        raise ConditionFailed(KIND, turn.user_id, "the nutrition profile kept changing")
    previous = None if current is None else current.to_wire()
    wire = stored.to_wire()
    action = UndoAction(
        KIND_SAVED,
        "nutrition_profile",
        "profile",
        "restore",
        stored.version,
        previous,
        fingerprint(wire),
    )
    _, targets = await nutrition_targets(turn.repos.table, turn.user_id, turn.today)
    daily = targets.model_dump(by_alias=True, mode="json")
    await turn.saved(action, {**wire, "daily": daily})
    text = "\n".join([profile_line(stored), *target_lines(targets)])
    await turn.reply(text, {"profile": wire, "daily": daily})


async def _show(turn: Turn) -> None:
    profile, targets = await nutrition_targets(turn.repos.table, turn.user_id, turn.today)
    try:
        log: NutritionLog | None = await NutritionLogRepo(turn.repos.table).get(
            turn.user_id, turn.today
        )
    except NotFound:
        log = None
    head = profile_line(profile) if profile is not None else "Your nutrition profile is empty."
    text = "\n".join([head, *target_lines(targets), *today_lines(log, targets)])
    data: dict[str, Any] = {
        "profile": None if profile is None else profile.to_wire(),
        "daily": targets.model_dump(by_alias=True, mode="json"),
        "today": None if log is None else log.to_wire(),
    }
    await turn.reply(text, data)


def profile_line(profile: NutritionProfile) -> str:
    """What the profile says, in one line: "68 kg, 170 cm, 30, female · goal cut · …"."""
    body = [
        f"{profile.weight_kg:g} kg" if profile.weight_kg is not None else "",
        f"{profile.height_cm:g} cm" if profile.height_cm is not None else "",
        f"age {profile.age}" if profile.age is not None else "",
        profile.sex.value if profile.sex is not None else "",
    ]
    parts = [", ".join(part for part in body if part)]
    if profile.target_weight_kg is not None:
        parts.append(f"target weight {profile.target_weight_kg:g} kg")
    parts.append(f"goal {profile.goal.value}")
    parts.append(f"activity {profile.activity_level.value.replace('_', ' ')}")
    if profile.dietary_restrictions:
        parts.append(", ".join(profile.dietary_restrictions))
    return "Nutrition profile: " + " · ".join(part for part in parts if part)


def target_lines(targets: DailyTargets) -> list[str]:
    """Each daily target with its value, whose it is and how it was computed; the coach's
    notes; and, when fields are missing, which to add with an example."""
    shown = [targets.of(nutrient) for nutrient in NUTRIENTS]
    lines = ["Your daily targets:"]
    for target in shown:
        name = NAMES[target.nutrient]
        if target.value is None:
            lines.append(f"- {name}: not computed yet ({target.how})")
        elif target.source is Source.YOURS:
            lines.append(f"- {name}: {_amount(target.value, target.unit)}, yours")
        else:
            amount = _amount(target.value, target.unit)
            lines.append(f"- {name}: {amount}, computed: {target.how}")
    lines += targets.notes
    if targets.missing:
        names = [ADD[field][0] for field in targets.missing if field in ADD]
        example = " ".join(ADD[field][1] for field in targets.missing if field in ADD)
        lines.append(
            f"To compute every target, add your {_listed(names)}, e.g. /nutrition {example}"
        )
    return lines


def today_lines(log: NutritionLog | None, targets: DailyTargets) -> list[str]:
    """Today's intake so far against each target; a nutrient no meal gave is "not logged"."""
    if log is None or (not log.meals and not log.hydration_ml and not log.supplements):
        return [f"Today so far: nothing logged yet. Add a meal: {MEAL_USAGE}"]
    totals = log.totals
    eaten: dict[str, float | None] = {
        "calories": totals.calories,
        "protein_g": totals.protein_g,
        "carbs_g": totals.carbs_g,
        "fat_g": totals.fat_g,
        "water_ml": log.hydration_ml or None,
    }
    parts = []
    for nutrient in NUTRIENTS:
        name = NAMES[nutrient].lower()
        value, target = eaten[nutrient], targets.of(nutrient)
        if value is None:
            parts.append(f"{name} not logged")
        elif target.value is None:
            parts.append(f"{name} {_amount(value, target.unit)}")
        else:
            parts.append(f"{name} {value:,.0f} of {_amount(target.value, target.unit)}")
    meals = len(log.meals)
    lines = [f"Today so far ({meals} meal{'' if meals == 1 else 's'}): " + " · ".join(parts)]
    if log.supplements:
        lines.append("Supplements today: " + ", ".join(log.supplements))
    return lines


def _amount(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}"


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
