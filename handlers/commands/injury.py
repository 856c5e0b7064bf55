"""`/injury`: record an injury, list the open ones, mark one recovered.

`/injury ring finger A2 pulley strain`: the body part is recognised from a list (fingers by
name, wrist, elbow, shoulder, knee, back, …), the rest is the injury type; optional side
(left/right), date word, `grade 1-4` (Schöffl pulley grade). Never a diagnosis: when the text
mentions a red flag (a pop, bowstringing, swelling, severe pain) the reply suggests seeing a
clinician.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ValidationError

from handlers.commands.context import Turn
from handlers.commands.dates import DateError, take_date
from handlers.commands.fields import in_range, invalid, take_keyword_number
from handlers.commands.picking import pick
from handlers.commands.tokens import Cursor, split_notes, tokenize
from handlers.errors import InvalidEntry
from handlers.undo import UndoAction
from store.records import Injury, InjuryIn

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
RED_FLAGS = re.compile(
    r"\b(pop|popped|popping|bowstring\w*|swell\w*|swollen|severe|sharp pain|numb\w*|"
    r"can'?t (?:bend|straighten|move))\b",
    re.IGNORECASE,
)
REFERRAL = (
    "What you describe (a pop, bowstringing, marked swelling or severe pain) is a reason to see "
    "a doctor or hand/sports physiotherapist within the next few days, before climbing on it. "
    "This is not a diagnosis."
)
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


def red_flag(text: str) -> bool:
    """Whether `text` mentions a sign that needs a clinician (coaching.md's red flags)."""
    return RED_FLAGS.search(text) is not None


async def open_injuries(turn: Turn) -> list[Injury]:
    """The user's unrecovered injuries, newest first: the numbering `/injury list` shows."""
    return await turn.repos.injuries.list_open(turn.user_id)


def describe(injury: Injury) -> str:
    side = f"{injury.side.value} " if injury.side else ""
    grade = f", grade {injury.severity}" if injury.severity else ""
    return f"{side}{injury.body_part}: {injury.type}{grade} (since {injury.date.isoformat()})"


async def run(turn: Turn, args: str) -> None:
    head, _, rest = args.partition(" ")
    verb = head.lower()
    if not args or verb in LIST:
        await _list(turn)
    elif verb in RECOVERED:
        await _recovered(turn, rest)
    else:
        injury = await turn.repos.injuries.create(turn.user_id, parse_injury(args, turn.today))
        await turn.saved(
            UndoAction("injury", "injury", injury.id, "delete", injury.version), injury.to_wire()
        )
        if red_flag(args):
            await turn.reply(REFERRAL, {"referral": True})


async def _list(turn: Turn) -> None:
    injuries = await open_injuries(turn)
    if not injuries:
        await turn.reply(f"No open injuries. Record one: {USAGE}", {"injuries": []})
        return
    lines = [f"{n}. {describe(injury)}" for n, injury in enumerate(injuries, start=1)]
    text = "Open injuries:\n" + "\n".join(lines) + "\nWhen one has healed: /injury recovered 1"
    await turn.reply(text, {"injuries": [injury.to_wire() for injury in injuries]})


async def _recovered(turn: Turn, ref: str) -> None:
    injury = pick(await open_injuries(turn), ref, what="injury", usage="/injury recovered 1")
    previous = injury.to_wire()
    recovered_on = max(turn.today, injury.date)

    def change(current: Injury) -> Injury:
        return current.model_copy(update={"recovered": True, "recovered_date": recovered_on})

    updated = await turn.repos.injuries.modify(
        turn.user_id, injury.id, change, expected_version=injury.version
    )
    await turn.saved(
        UndoAction("injury", "injury", injury.id, "restore", updated.version, previous),
        updated.to_wire(),
    )
