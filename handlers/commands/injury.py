"""`/injury`: record an injury, list the open ones, mark one recovered.

`/injury ring finger A2 pulley strain`: the body part is recognised from a list (fingers by
name, wrist, elbow, shoulder, knee, back, …), the rest is the injury type; optional side
(left/right), date word, `grade 1-4` (Schöffl pulley grade). Never a diagnosis: when the text
mentions a red flag (a pop, bowstringing, swelling, severe pain) the reply suggests seeing a
clinician."""

from __future__ import annotations

from coaching.safety import REFERRAL, needs_referral
from core.text import sentence
from grammar.injury import LIST, RECOVERED, USAGE, parse_injury
from grammar.picking import pick
from handlers.commands.context import Turn
from handlers.undo import UndoAction
from store.records import Injury


async def open_injuries(turn: Turn) -> list[Injury]:
    """The user's unrecovered injuries, newest first: the numbering `/injury list` shows."""
    return await turn.repos.injuries.list_open(turn.user_id)


def describe(injury: Injury) -> str:
    side = f"{injury.side.value} " if injury.side else ""
    grade = f", grade {injury.severity}" if injury.severity else ""
    text = f"{side}{injury.body_part}: {injury.type}{grade} (since {injury.date.isoformat()})"
    return sentence(text)


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
        if needs_referral(args):
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
