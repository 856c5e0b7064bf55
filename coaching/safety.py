"""The safety rules of the coach, in one place (coaching.md, "Finger injury"): the red flags
that need a clinician, the referral the climber reads, and the rule every model is given.

The coach never diagnoses. A red flag is a pop, bowstringing, marked swelling, severe or sharp
pain, numbness, a finger that cannot bend or straighten, pain in daily life (it hurts to hold a
cup, at rest, at night), or pain of `PAIN_REFERRAL_AT`/10 or more; any of them gets `REFERRAL`,
wherever it was written (an `/injury`, a chat message).
"""

from __future__ import annotations

import re

PAIN_REFERRAL_AT = 5
"""Pain (out of 10) from which a clinician should look at it."""

_SIGNS = re.compile(
    r"\b(pop|popped|popping|bowstring\w*|swell\w*|swollen|severe|sharp pain|numb(?:ness|ed)?|"
    r"can'?t (?:bend|straighten|move))\b",
    re.IGNORECASE,
)
_EVERYDAY = (
    r"(?:hold|open|carry|lift|grip|pick up|use)\w* (?:a |an |my |the )?(?:cup|mug|glass|jar|"
    r"bag|pen|phone|door|kettle|fork|knife|bottle|shopping|toothbrush|keys?)"
    r"|type|typing|write|writing|make a fist|shake hands|button"
)
_DAILY_LIFE = re.compile(
    rf"\b(?:hurts?|hurting|pain\w*|aches?|aching)\b[^.?!]{{0,30}}?\b(?:{_EVERYDAY})"
    r"|\b(?:hurts?|hurting|pain\w*|aches?|aching)\b[^.?!]{0,20}?\b(?:all day|at rest|"
    r"at night|when resting|in daily life|doing nothing)\b"
    rf"|\bcan'?t (?:{_EVERYDAY})",
    re.IGNORECASE,
)
"""Pain in daily life (holding a cup, at rest, at night): a red flag whatever its score."""
_PAIN_SCORE = re.compile(r"\bpain\w*\D{0,20}?\b(\d{1,2})\s*(?:/|out of)\s*10\b", re.IGNORECASE)

REFERRAL = (
    "What you describe (a pop, bowstringing, marked swelling or severe pain) is a reason to see "
    "a doctor or hand/sports physiotherapist within the next few days, before climbing on it. "
    "This is not a diagnosis."
)

MODEL_RULE = (
    "Never diagnose. On red flags (a pop with sharp pain at the finger base, marked swelling, "
    f"pain in daily life of {PAIN_REFERRAL_AT}/10 or more, visible bowstringing) tell the "
    "climber to see a clinician within days."
)
"""The rule every model's system prompt carries."""


def needs_referral(text: str) -> bool:
    """Whether `text` reports a red flag (see the module doc)."""
    if _SIGNS.search(text) is not None or _DAILY_LIFE.search(text) is not None:
        return True
    return any(PAIN_REFERRAL_AT <= int(score) <= 10 for score in _PAIN_SCORE.findall(text))
