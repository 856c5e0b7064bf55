"""`/nutrition` and `/supplement`: the nutrition profile that daily targets are computed from,
and the supplements of a day.

`/nutrition weight 68kg target 66kg activity moderate goal maintain vegetarian` sets parts of
the profile; the fields not named stay as they were. It takes `weight 68kg` (or `150lb`),
`target 66kg` (or `target weight 66kg`: a target body weight), `height 170cm` (or `1.7m`),
`age 30`, `sex female|male`, `goal maintain|cut|bulk|recomp` (the goal alone, `cut`, too),
`activity sedentary|light|
moderate|active|very active`, the climber's own daily targets `calories 2400`, `protein 130g`,
`carbs 300g`, `fat 70g`, `water 3l` (or `3000ml`; a bare number under 20 is litres), `auto`
after one of them to drop it (`protein auto`), `targets auto` to drop them all, and dietary
words (vegetarian, vegan, pescatarian, gluten-free, dairy-free, lactose-free, nut-free, halal,
kosher; `diet none` clears them), which are added to the dietary restrictions.

`/supplement creatine 5g`, `/supplement vitamin D yesterday`: a supplement by name (the words
that are not a date), for a day. Pure functions; "today" is passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from core.errors import InvalidEntry
from grammar.dates import DateError, take_date
from grammar.fields import whole
from grammar.meal import MACROS
from grammar.tokens import Cursor, tokenize
from store.records.nutrition import NutritionProfile, NutritionProfileIn, Targets

USAGE = "/nutrition weight 68kg target 66kg activity moderate goal maintain vegetarian"

GRAMMAR = (
    "/nutrition (your targets and today so far) · /nutrition [weight 68kg] [target 66kg] "
    "[height 170cm] [age 30] [sex female|male] [goal maintain|cut|bulk|recomp] "
    "[activity sedentary|light|moderate|active|very active] [calories 2400] [protein 130g] "
    "[carbs 300g] [fat 70g] [water 3l] [targets auto] [vegetarian|vegan|gluten-free|…]"
)

SUPPLEMENT_USAGE = "/supplement creatine 5g"

SUPPLEMENT_GRAMMAR = "/supplement NAME [DATE]"

SHOW_WORDS = frozenset({"", "show", "view", "targets", "today"})
"""Arguments of `/nutrition` that only show it."""

GOALS = {
    "maintain": "maintain",
    "maintenance": "maintain",
    "performance": "maintain",
    "cut": "cut",
    "lose": "cut",
    "bulk": "bulk",
    "gain": "bulk",
    "recomp": "recomp",
    "recomposition": "recomp",
}

BARE_GOALS = frozenset({"maintain", "cut", "bulk", "recomp"})
"""Goals that may be typed without `goal` in front."""

ACTIVITIES = {
    "sedentary": "sedentary",
    "light": "light",
    "lightly": "light",
    "moderate": "moderate",
    "moderately": "moderate",
    "active": "active",
    "very-active": "very_active",
    "very_active": "very_active",
    "veryactive": "very_active",
}

SEXES = {"female": "female", "f": "female", "woman": "female", "male": "male", "m": "male"}
SEXES |= {"man": "male"}

DIETS = {
    "vegetarian": "vegetarian",
    "veggie": "vegetarian",
    "vegan": "vegan",
    "pescatarian": "pescatarian",
    "pescetarian": "pescatarian",
    "halal": "halal",
    "kosher": "kosher",
    "gluten-free": "gluten-free",
    "dairy-free": "dairy-free",
    "lactose-free": "lactose-free",
    "nut-free": "nut-free",
}
"""Dietary words, as typed → as stored. "gluten free" (two words) is read as "gluten-free"."""

MEASURES = {
    "weight": "weight",
    "target": "targetWeight",
    "height": "heightCm",
    "age": "age",
}

OWN_TARGETS = {
    "calories": "calories",
    "kcal": "calories",
    "energy": "calories",
    **MACROS,  # the same words as /meal's
    "water": "waterMl",
    "hydration": "waterMl",
}

WORDS = {
    "weight": "weight",
    "targetWeight": "target weight",
    "heightCm": "height",
    "age": "age",
    "calories": "calories",
    "proteinG": "protein",
    "carbsG": "carbs",
    "fatG": "fat",
    "waterMl": "water",
}
"""Wire name → the word a climber types for it (for messages)."""

UNITS = {
    "weight": {"": 1.0, "kg": 1.0, "kgs": 1.0, "lb": 0.45359237, "lbs": 0.45359237},
    "targetWeight": {"": 1.0, "kg": 1.0, "kgs": 1.0, "lb": 0.45359237, "lbs": 0.45359237},
    "heightCm": {"": 1.0, "cm": 1.0, "m": 100.0, "in": 2.54},
    "age": {"": 1.0, "y": 1.0, "yrs": 1.0, "years": 1.0},
    "calories": {"": 1.0, "kcal": 1.0, "cal": 1.0, "cals": 1.0, "calories": 1.0},
    "proteinG": {"": 1.0, "g": 1.0},
    "carbsG": {"": 1.0, "g": 1.0},
    "fatG": {"": 1.0, "g": 1.0},
    "waterMl": {"ml": 1.0, "l": 1000.0, "litre": 1000.0, "litres": 1000.0, "liter": 1000.0}
    | {"liters": 1000.0},
}
"""Each number's units → the factor to the stored unit (kg, cm, years, kcal, g, ml)."""

STORED_UNITS = {"weight": "kg", "targetWeight": "kg", "heightCm": "cm", "age": "years"}
STORED_UNITS |= {"calories": "kcal", "proteinG": "g", "carbsG": "g", "fatG": "g", "waterMl": "ml"}
"""The unit each value is stored in, for messages."""

BARE_LITRES = 20
"""`water 3` is 3 litres and `water 3000` 3000 ml: no one drinks 20 l or 20 ml a day."""

_MEASURE = re.compile(r"^(\d+(?:[.,]\d+)?)([a-z]*)$")


@dataclass(frozen=True)
class ProfileChanges:
    """What one `/nutrition …` sets: profile fields by wire name, own targets (None drops one),
    whether every own target is dropped first, and dietary words to add (or clear)."""

    fields: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, float | None] = field(default_factory=dict)
    drop_targets: bool = False
    diet: tuple[str, ...] = ()
    clear_diet: bool = False

    def applied_to(self, current: NutritionProfile | None) -> NutritionProfileIn:
        """The profile after these changes; every field they do not name stays as it was."""
        fields = set(NutritionProfileIn.model_fields)
        base = current.model_dump(by_alias=True, include=fields) if current else {}
        own = {} if self.drop_targets else dict(base.get("targets") or {})
        own = {name: value for name, value in own.items() if value is not None}
        for name, value in self.targets.items():
            if value is None:
                own.pop(name, None)
            else:
                own[name] = value
        diet = [] if self.clear_diet else list(base.get("dietaryRestrictions") or [])
        known = {word.lower() for word in diet}
        diet += [word for word in self.diet if word not in known]
        body = {**base, **self.fields, "targets": own or None, "dietaryRestrictions": diet}
        try:
            return NutritionProfileIn.model_validate(body)
        except ValidationError as error:
            raise _invalid(error, {}) from None


def shows(args: str) -> bool:
    """Whether `/nutrition args` only shows the profile and targets."""
    return args.strip().lower() in SHOW_WORDS


def parse_changes(args: str) -> ProfileChanges:
    """What `args` sets. Raises `InvalidEntry` naming the field and the usage for a value out
    of range, an unknown goal or activity, or a word it does not understand."""
    cursor = Cursor(tokenize(args))
    fields: dict[str, Any] = {}
    targets: dict[str, float | None] = {}
    shown: dict[str, str] = {}
    drop_targets = clear_diet = False
    diet: list[str] = []
    while not cursor.done:
        word = cursor.word().strip(":=")
        following = cursor.word(1).strip(":=")
        if word in ("target", "targets") and following == "auto":
            cursor.take(2)
            drop_targets = True
            targets.clear()
        elif word in ("target", "goal") and following == "weight":
            cursor.take(2)
            fields["targetWeight"] = _measure(cursor, "targetWeight", shown)
        elif word in MEASURES:
            cursor.take()
            fields[MEASURES[word]] = _measure(cursor, MEASURES[word], shown)
        elif word in OWN_TARGETS:
            cursor.take()
            name = OWN_TARGETS[word]
            if cursor.word() == "auto":
                cursor.take()
                targets[name] = None
            else:
                targets[name] = _measure(cursor, name, shown)
        elif word == "sex":
            cursor.take()
            fields["sex"] = _choice(cursor, "sex", SEXES)
        elif word == "goal":
            cursor.take()
            fields["goal"] = _choice(cursor, "goal", GOALS)
        elif word == "activity":
            cursor.take()
            fields["activityLevel"] = _activity(cursor)
        elif word in BARE_GOALS:
            cursor.take()
            fields["goal"] = word
        elif word == "diet" and following == "none":
            cursor.take(2)
            clear_diet, diet = True, []
        elif word == "diet":
            cursor.take()
        elif (found := _diet_word(cursor)) is not None:
            if found not in diet:
                diet.append(found)
        else:
            unknown = cursor.take()[0].text
            raise InvalidEntry(
                f"/nutrition did not understand {unknown!r}; it takes {GRAMMAR} — e.g. {USAGE}"
            )
    _check(fields, targets, shown)
    return ProfileChanges(fields, targets, drop_targets, tuple(diet), clear_diet)


def parse_supplement(args: str, today: date) -> tuple[str, date]:
    """The supplement `args` names and its day. Raises `InvalidEntry`."""
    cursor = Cursor(tokenize(args))
    name: list[str] = []
    day = today
    while not cursor.done:
        try:
            when = take_date(cursor, today)
        except DateError as error:
            raise InvalidEntry(str(error)) from None
        if when is not None:
            day = when
        else:
            name.append(cursor.take()[0].text)
    text = " ".join(name)
    if not text:
        raise InvalidEntry(f"/supplement needs a name — e.g. {SUPPLEMENT_USAGE}")
    if len(text) > 200:
        raise InvalidEntry(
            f"a supplement's name is at most 200 characters — e.g. {SUPPLEMENT_USAGE}"
        )
    if day > today:
        raise InvalidEntry(f"{day.isoformat()} is in the future")
    return text, day


def _measure(cursor: Cursor, name: str, shown: dict[str, str]) -> int | float:
    """The number at the cursor (with its unit glued on or as the next word), in the stored
    unit of `name`."""
    word = WORDS[name]
    text = cursor.take()[0].text if not cursor.done else ""
    match = _MEASURE.match(text.lower())
    if match is None:
        raise InvalidEntry(f"'{word}' needs a number, e.g. {USAGE}")
    units = UNITS[name]
    unit = match[2]
    if not unit and cursor.word() in units and cursor.word():
        unit = cursor.take()[0].word
    value = float(match[1].replace(",", "."))
    shown[name] = f"{match[1]}{' ' + unit if unit else ''}"
    if name == "waterMl" and not unit:
        unit = "l" if value < BARE_LITRES else "ml"
    if unit not in units:
        known = ", ".join(sorted(u for u in units if u))
        raise InvalidEntry(f"{_capital(word)} {text}: unknown unit {unit!r} (use {known})")
    return whole(round(value * units[unit], 1))


def _choice(cursor: Cursor, word: str, choices: dict[str, str]) -> str:
    typed = cursor.take()[0].text if not cursor.done else ""
    chosen = choices.get(typed.lower())
    if chosen is None:
        listed = ", ".join(dict.fromkeys(v.replace("_", " ") for v in choices.values()))
        what = f"{typed!r} is not one" if typed else "needs one"
        raise InvalidEntry(f"{_capital(word)}: {what} of {listed} — e.g. {USAGE}")
    return chosen


def _activity(cursor: Cursor) -> str:
    typed = cursor.word()
    if typed == "very" and cursor.word(1) == "active":
        cursor.take(2)
        return "very_active"
    level = _choice(cursor, "activity", ACTIVITIES | {"very active": "very_active"})
    if level in ("light", "moderate") and cursor.word() == "active":
        cursor.take()  # "lightly active", "moderately active"
    return level


def _diet_word(cursor: Cursor) -> str | None:
    word = cursor.word().strip(",")
    if word in ("gluten", "dairy", "lactose", "nut") and cursor.word(1).strip(",") == "free":
        cursor.take(2)
        return f"{word}-free"
    if word in DIETS:
        cursor.take()
        return DIETS[word]
    return None


def _check(fields: dict[str, Any], targets: dict[str, float | None], shown: dict[str, str]) -> None:
    """Each value named, against the record's own limits (one home for them)."""
    try:
        NutritionProfileIn.model_validate(fields)
        Targets.model_validate({n: value for n, value in targets.items() if value is not None})
    except ValidationError as error:
        raise _invalid(error, shown) from None


def _invalid(error: ValidationError, shown: dict[str, str]) -> InvalidEntry:
    first = error.errors(include_url=False, include_input=False)[0]
    name = str(first["loc"][-1]) if first["loc"] else ""
    word = WORDS.get(name, name)
    given = f" {shown[name]}" if name in shown else ""
    limits = first.get("ctx") or {}
    unit = f" {STORED_UNITS[name]}" if STORED_UNITS.get(name) else ""
    if first["type"] == "greater_than_equal":
        problem = f"must be at least {limits['ge']:g}{unit}"
    elif first["type"] == "less_than_equal":
        problem = f"must be at most {limits['le']:g}{unit}"
    else:
        message = str(first["msg"])
        problem = message[:1].lower() + message[1:]
    return InvalidEntry(f"{_capital(word)}{given}: {problem} — e.g. {USAGE}")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
