"""`/injury`: record an injury, list the open ones, mark one recovered.

`/injury ring finger A2 pulley strain`: the body part is recognised from a list (fingers by
name, wrist, elbow, shoulder, knee, back, …), the rest is the injury type; optional side
(left/right), date word, `grade 1-4` (Schöffl pulley grade). Never a diagnosis: when the text
mentions a red flag (a pop, bowstringing, swelling, severe pain) the reply suggests seeing a
clinician."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ValidationError

from core.errors import InvalidEntry
from grammar.dates import DateError, take_date
from grammar.fields import in_range, invalid, take_keyword_number
from grammar.tokens import Cursor, split_notes, tokenize
from store.records import InjuryIn

USAGE = "/injury ring finger A2 pulley strain"

GRAMMAR = (
    "/injury [left|right] BODY PART TYPE [grade 1-4] [DATE] [notes: TEXT] · /injury list · "
    "/injury recovered N"
)

FINGERS = {
    "thumb": "thumb",
    "index": "index finger",
    "middle": "middle finger",
    "ring": "ring finger",
    "pinky": "little finger",
    "little": "little finger",
    "pinkie": "little finger",
}

BODY_PARTS = {
    "finger": "finger",
    "fingers": "fingers",
    "thumb": "thumb",
    "hand": "hand",
    "wrist": "wrist",
    "forearm": "forearm",
    "elbow": "elbow",
    "bicep": "biceps",
    "biceps": "biceps",
    "shoulder": "shoulder",
    "neck": "neck",
    "back": "back",
    "hip": "hip",
    "hamstring": "hamstring",
    "knee": "knee",
    "ankle": "ankle",
    "foot": "foot",
    "heel": "heel",
    "toe": "toe",
    "chest": "chest",
    "rib": "rib",
    "ribs": "ribs",
}

SIDES = {"left": "left", "right": "right", "both": "both", "l": "left", "r": "right"}

SEVERITY = {"grade": "severity", "severity": "severity"}

LIST = frozenset({"list", "ls", "show", "open", "active"})

RECOVERED = frozenset({"recovered", "healed", "better", "done", "closed"})


def parse_injury(args: str, today: date) -> InjuryIn:
    """The injury `args` describes. Raises `InvalidEntry` saying what was expected."""
    text, notes = split_notes(args)
    cursor = Cursor(tokenize(text))
    data: dict[str, Any] = {"notes": notes or ""}
    body_part: str | None = None
    words: list[str] = []
    while not cursor.done:
        word = cursor.word().strip(",.")
        following = cursor.word(1).strip(",.")
        if word in SIDES and (following in BODY_PARTS or following in FINGERS or word[0] != word):
            cursor.take()
            data["side"] = SIDES[word]
        elif body_part is None and word in FINGERS and following in ("finger", "fingers"):
            cursor.take(2)
            body_part = FINGERS[word]
        elif body_part is None and word in FINGERS and word == "thumb":
            cursor.take()
            body_part = "thumb"
        elif body_part is None and word in BODY_PARTS:
            cursor.take()
            body_part = BODY_PARTS[word]
        elif (level := take_keyword_number(cursor, SEVERITY, example="grade 2")) is not None:
            data["severity"] = int(in_range("grade", level[1], 1, 4, "grade 2"))
        elif (day := _take_date(cursor, today)) is not None:
            data["date"] = day
        else:
            words.append(cursor.take()[0].text)
    if body_part is None and any(re.match(r"^a[1-5]$", w, re.IGNORECASE) for w in words):
        body_part = "finger"  # "A2 pulley" without a finger named
    if body_part is None:
        raise InvalidEntry(
            f"/injury needs a body part (a finger by name, wrist, elbow, shoulder, knee, back, "
            f"…) and what happened — e.g. {USAGE}"
        )
    kind = " ".join(words).strip(" ,.")
    if not kind:
        raise InvalidEntry(f"/injury needs what happened after the body part — e.g. {USAGE}")
    day = data.setdefault("date", today)
    if day > today:
        raise InvalidEntry(f"{day.isoformat()} is in the future")
    data.update(type=kind, bodyPart=body_part)
    try:
        return InjuryIn.model_validate(data)
    except ValidationError as error:
        raise invalid(error, USAGE) from None


def _take_date(cursor: Cursor, today: date) -> date | None:
    try:
        return take_date(cursor, today)
    except DateError as error:
        raise InvalidEntry(str(error)) from None
