"""The answer to pain (coaching.md, "Finger injury"): stop what hurts, ask about the red flags
and refer when any is reported (`coaching.safety`, their one home), say what is safe
meanwhile. Never a diagnosis."""

from __future__ import annotations

import re

from coaching.answers.prescribe import by_id, climber_of, doses
from coaching.answers.shared import Answer, Ask, injury_limit, number, soreness_of
from coaching.safety import PAIN_REFERRAL_AT, REFERRAL, needs_referral
from store.records.training import DayType

_PART = re.compile(
    r"\b(finger|pulley|thumb|hand|wrist|forearm|elbow|shoulder|neck|back|knee|ankle|hip|skin)s?\b",
    re.IGNORECASE,
)
_SORENESS_PARTS = {"finger": "fingers", "forearm": "forearms", "shoulder": "shoulders"}
SAFE_WHILE_IT_HURTS = ("easy-aerobic", "shoulder-mobility", "band-external-rotation")
"""Ways to keep moving that load neither fingers nor the climbing muscles hard."""
SAFE_AFTER_CHECK = ("active-recovery-climbing", "easy-aerobic", "shoulder-mobility")


def part_named(message: str) -> str | None:
    """The body part the message says hurts ("finger"), None if it names none."""
    found = _PART.search(message)
    if found is None:
        return None
    part = found[1].lower()
    return "finger" if part == "pulley" else part


def pain(ask: Ask) -> Answer:
    part = part_named(ask.message)
    where = f"your {part}" if part else "it"
    red = needs_referral(ask.message)
    if red:
        direct = f"Stop climbing on {where} and get it checked: what you describe is a red flag."
    else:
        direct = (
            f"Stop whatever makes {where} hurt and don't climb through the pain: back off to "
            "pain-free climbing."
        )
    facts = []
    if not red:
        facts.append(
            "Check for red flags: a pop when it started, marked swelling, pain of "
            f"{PAIN_REFERRAL_AT}/10 or more in daily life, or the tendon lifting away from the "
            "bone (bowstringing). Any of them: see a doctor or hand physio within days."
        )
    for status in ask.analytics.body.open_injuries:
        if part is None or part in status.body_part.lower() or part in status.type.lower():
            facts.append(injury_limit(status))
            break
    logged = soreness_of(ask.analytics, _SORENESS_PARTS.get(part or "", ""))
    if logged is not None and logged.last_7_days is not None:
        facts.append(f"You logged {part} soreness of {number(logged.last_7_days)}/10 this week.")
    facts.append(
        "I can't diagnose pain: if it isn't clearly better within a week or two, have a "
        "physio look at it."
    )
    climber = climber_of(ask, [part] if part else [])
    chosen = by_id(ask, SAFE_WHILE_IT_HURTS if red else SAFE_AFTER_CHECK, climber)
    safe = (
        "no climbing, hangboard or board work that loads it"
        if red
        else "only climbing that stays pain-free, on big holds, open-handed, no hard crimps"
    )
    step = f"Meanwhile: {safe}."
    if chosen:
        step += f" To keep moving: {doses(ask, chosen, climber, DayType.TECHNIQUE)}."
    return Answer(direct=direct, after_direct=[REFERRAL] if red else [], facts=facts, step=step)
