"""How counted things and sentences read in every message a climber sees, written once.

`plural(1, "session")` is "1 session", `plural(2, "finger day")` "2 finger days",
`plural(3, "entry")` "3 entries"; `sentence("rpe must be 0 to 10")` starts it with a capital.
Pure functions, English only.
"""

from __future__ import annotations

from datetime import date

_SIBILANTS = ("s", "x", "z", "ch", "sh")


def plural_of(noun: str) -> str:
    """The plural of a regular English noun (or of the last word of a phrase): "session" →
    "sessions", "entry" → "entries", "day" → "days", "box" → "boxes"."""
    if len(noun) > 1 and noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(_SIBILANTS):
        return noun + "es"
    return noun + "s"


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """`count` and `noun`, the noun in the plural unless the count is exactly one: "1 session",
    "0 sessions", "2 finger days". `plural_form` spells an irregular plural."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural_form or plural_of(noun)}"


def sentence(text: str) -> str:
    """`text` beginning with a capital letter when it begins with a lower-case one (a field
    name, an error of another layer). Text that begins with a command ("/log …"), a number, a
    quote or a symbol is left as it is."""
    if text[:1].islower():
        return text[0].upper() + text[1:]
    return text


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
"""Month names in English whatever the machine's locale (`strftime("%B")` follows it)."""
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_and_month(day: date) -> str:
    """ "24 December"."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def weekday_day_and_month(day: date) -> str:
    """ "Thursday 24 December"."""
    return f"{WEEKDAYS[day.weekday()]} {day_and_month(day)}"
