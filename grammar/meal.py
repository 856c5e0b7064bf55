"""`/meal` and `/water`: added to the day's nutrition log (one item per user and day).

`/meal lunch 650kcal protein 35 carbs 80 fat 20` (also `650 kcal`, `1,200 kcal`, `kcal 650`,
`35g protein`; the leftover words name the meal). Only what is typed is stored: a calorie count
or macro left out is "not logged" (None), never 0, so `/meal lunch pasta` is a meal with no
numbers. `/water 500ml` (also `0.5l`, `1.5 litres`, `2 glasses` of
250 ml, `1 bottle` of 500 ml; a bare number is millilitres). Both take a date word."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from pydantic import ValidationError

from core.errors import InvalidEntry
from grammar.dates import DateError, take_date
from grammar.fields import invalid, number
from grammar.tokens import Cursor, tokenize
from store.records import MealIn, MealType
from store.records.nutrition import MEAL_MOST_KCAL

USAGE = "/meal lunch 650kcal protein 35 carbs 80 fat 20"

GRAMMAR = (
    "/meal [breakfast|lunch|dinner|snack|pre-workout|post-workout] [NAME] [650kcal] "
    "[protein G] [carbs G] [fat G] [12:30] [DATE]"
)

WATER_USAGE = "/water 500ml"

WATER_GRAMMAR = "/water 500ml | 0.5l | 2 glasses (250 ml) | 1 bottle (500 ml) [DATE]"

MEAL_TYPES = {
    "breakfast": MealType.BREAKFAST,
    "lunch": MealType.LUNCH,
    "dinner": MealType.DINNER,
    "supper": MealType.DINNER,
    "snack": MealType.SNACK,
    "pre-workout": MealType.PRE_WORKOUT,
    "preworkout": MealType.PRE_WORKOUT,
    "pre": MealType.PRE_WORKOUT,
    "post-workout": MealType.POST_WORKOUT,
    "postworkout": MealType.POST_WORKOUT,
    "post": MealType.POST_WORKOUT,
}

MACROS = {
    "protein": "proteinG",
    "carbs": "carbsG",
    "carb": "carbsG",
    "carbohydrates": "carbsG",
    "fat": "fatG",
    "fats": "fatG",
}

CALORIES = frozenset({"kcal", "cal", "cals", "calories", "kcals"})

_KCAL_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
"""A calorie count: "1,200" is twelve hundred (a thousands comma), "650" or "650.5"."""

_GLUED_KCAL = re.compile(rf"^({_KCAL_NUMBER})(kcal|cal|cals|calories)$")

_GRAMS = re.compile(r"^(\d+(?:\.\d+)?)g$")

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")

_VOLUME = re.compile(r"^(\d+(?:[.,]\d+)?)(ml|l|litres?|liters?|glass|glasses|bottles?|cups?)?$")

UNIT_ML = {
    "ml": 1,
    "l": 1000,
    "litre": 1000,
    "litres": 1000,
    "liter": 1000,
    "liters": 1000,
    "glass": 250,
    "glasses": 250,
    "cup": 250,
    "cups": 250,
    "bottle": 500,
    "bottles": 500,
}


def parse_meal(args: str, today: date) -> tuple[MealIn, date]:
    """The meal `args` describes and the day it belongs to. Raises `InvalidEntry`."""
    cursor = Cursor(tokenize(args))
    data: dict[str, Any] = {}
    day = today
    name: list[str] = []
    while not cursor.done:
        word = cursor.word()
        following = cursor.word(1)
        if word in MEAL_TYPES:
            cursor.take()
            data["mealType"] = MEAL_TYPES[word]
        elif (match := _GLUED_KCAL.match(word)) is not None:
            cursor.take()
            data["calories"] = _kcal(match[1])
        elif _kcal(word) is not None and following in CALORIES:
            cursor.take(2)
            data["calories"] = _kcal(word)
        elif word in CALORIES and _kcal(following) is not None:
            cursor.take(2)
            data["calories"] = _kcal(following)
        elif word in MACROS:
            cursor.take()
            grams = _grams(cursor.word())
            if grams is None:
                raise InvalidEntry(f"'{word}' needs grams, e.g. {word} 35 — e.g. {USAGE}")
            cursor.take()
            data[MACROS[word]] = grams
        elif _grams(word) is not None and following in MACROS:
            cursor.take(2)
            data[MACROS[following]] = _grams(word)
        elif (clock := _CLOCK.match(word)) is not None:
            cursor.take()
            data["time"] = _time(int(clock[1]), int(clock[2]))
        elif (when := _take_date(cursor, today)) is not None:
            day = when
        else:
            name.append(cursor.take()[0].text)
    if not data and not name:
        raise InvalidEntry(f"/meal needs a meal and what it held — e.g. {USAGE}")
    data.setdefault("mealType", MealType.SNACK)
    if name:
        data["name"] = " ".join(name)
    if day > today:
        raise InvalidEntry(f"{day.isoformat()} is in the future")
    try:
        return MealIn.model_validate(data), day
    except ValidationError as error:
        raise meal_refused(error) from None


def meal_refused(error: ValidationError) -> InvalidEntry:
    """A meal the record refuses, as a climber reads it: too many calories for one meal, or
    macros that add up to more than its calories."""
    first = error.errors(include_url=False)[0]
    if first["loc"] == ("calories",) and first["type"] == "less_than_equal":
        return InvalidEntry(
            f"{first['input']:,.0f} kcal is more than one meal holds (at most "
            f"{MEAL_MOST_KCAL:,} kcal): check the number — e.g. {USAGE}"
        )
    if first["type"] == "value_error" and not first["loc"]:
        reason = str(first["ctx"]["error"])
        return InvalidEntry(f"{reason[:1].upper()}{reason[1:]} — e.g. {USAGE}")
    return invalid(error, USAGE)


def parse_water(args: str, today: date) -> tuple[float, date]:
    """Millilitres of water and the day. Raises `InvalidEntry`."""
    cursor = Cursor(tokenize(args))
    millilitres: float | None = None
    day = today
    while not cursor.done:
        word = cursor.word()
        match = _VOLUME.match(word)
        if match is not None and millilitres is None:
            cursor.take()
            unit = match[2]
            if unit is None and cursor.word() in UNIT_ML:
                unit = cursor.take()[0].word
            millilitres = float(match[1].replace(",", ".")) * UNIT_ML[unit or "ml"]
        elif (when := _take_date(cursor, today)) is not None:
            day = when
        elif word in ("water", "of", "a", "an"):
            cursor.take()
        else:
            raise InvalidEntry(f"/water did not understand {word!r}; it takes {WATER_GRAMMAR}")
    if millilitres is None or not 0 < millilitres <= 10_000:
        raise InvalidEntry(
            f"/water needs an amount like 500ml, 0.5l or 2 glasses — e.g. {WATER_USAGE}"
        )
    if day > today:
        raise InvalidEntry(f"{day.isoformat()} is in the future")
    return millilitres, day


def _kcal(word: str) -> float | None:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", word):
        return float(word.replace(",", ""))
    return number(word)


def _grams(word: str) -> float | None:
    match = _GRAMS.match(word)
    return float(match[1]) if match is not None else number(word)


def _time(hour: int, minute: int) -> time:
    try:
        return time(hour, minute)
    except ValueError:
        raise InvalidEntry(f"{hour}:{minute:02d} is not a time of day, e.g. 12:30") from None


def _take_date(cursor: Cursor, today: date) -> date | None:
    try:
        return take_date(cursor, today)
    except DateError as error:
        raise InvalidEntry(str(error)) from None
