"""Intent routing: what the climber is asking about, decided by rules anyone can read.

`classify` scores the message against each intent's phrases (2 points each) and keywords
(1 point each) and returns the best-scoring intent; a tie goes to the earlier intent in
`INTENTS`, and a message that matches nothing is a `coaching` question. Deterministic and pure:
the same words always route the same way, and nothing the climber writes can choose anything
but one of the five intents.

It is the one classifier: context assembly calls `classify` and hands the result to the model
as `Prompt.facts["intent"]`; the offline coach takes that (`intent_of`), and classifies the
message itself, with the same `classify`, only when a prompt carries none.

`asks_the_coach` tells a message that asks for something (a question, a request for advice)
from one that only reports what the climber did: the chat serves the latter as journaling, with
no AI message (`handlers/plain_log.py`).

The intent picks the template type (`store.records.reference.TemplateType`) and the slices of
context in priority order (`slices_for`); `message_triggers` names the template triggers
(`plateau`, `finger-pain`, …) the message mentions.
"""

from __future__ import annotations

import re
from typing import Literal, TypeGuard, get_args

from grammar.phrases import QUESTION_START

Intent = Literal["coaching", "nutrition", "technique", "motivation", "analysis"]
INTENTS: tuple[Intent, ...] = get_args(Intent)

Slice = Literal["performance", "goals", "health", "nutrition", "adherence", "profile"]
SLICES: tuple[Slice, ...] = get_args(Slice)


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


# Phrases are specific (2 points), keywords broad (1 point): "I'm not progressing" is a
# motivation phrase and outweighs the analysis keyword "progress".
_PHRASES: dict[Intent, re.Pattern[str]] = {
    "coaching": _words(
        r"what should i (?:do|train|climb)",
        r"training plan",
        r"should i (?:train|climb|rest)",
        r"rest days?",
        r"warm[ -]?up",
        r"how (?:often|much) should i (?:train|climb)",
        r"get stronger",
    ),
    "nutrition": _words(
        r"what (?:should|can|do) i eat",
        r"eat(?:ing)? enough",
        r"under[- ]?fuel\w*",
        r"weight loss",
        r"lose weight",
        r"how much (?:protein|water)",
    ),
    "technique": _words(
        r"heel[- ]?hooks?",
        r"toe[- ]?hooks?",
        r"drop[- ]?knees?",
        r"body position\w*",
        r"read(?:ing)? (?:routes|problems|the route)",
        r"how do i (?:climb|do|get up|send)",
        r"my feet",
        r"dead[- ]?points?",
    ),
    "motivation": _words(
        r"give up",
        r"giving up",
        r"burn(?:ed|t)? out",
        r"not (?:progressing|improving)",
        r"no progress",
        r"lost (?:my )?(?:motivation|mojo|psych)",
        r"can'?t be bothered",
        r"fear of falling",
        r"head ?game",
        r"feel like a failure",
    ),
    "analysis": _words(
        r"how was my",
        r"how did (?:i|my)",
        r"how am i doing",
        r"how(?:'s| is) my",
        r"my stats",
        r"grade pyramid",
        r"max grade",
        r"am i (?:progressing|improving)",
        r"this (?:week|month)'?s? (?:load|numbers|training)",
    ),
}
_KEYWORDS: dict[Intent, re.Pattern[str]] = {
    "coaching": _words(
        r"plan\w*",
        r"train\w*",
        r"workouts?",
        r"program\w*",
        r"schedule\w*",
        r"hangboard\w*",
        r"deload\w*",
        r"sessions?",
        r"tomorrow",
        r"next week",
        r"periodi[sz]\w*",
        r"campus\w*",
        r"strength",
        r"endurance",
        r"power",
    ),
    "nutrition": _words(
        r"eat\w*",
        r"ate",
        r"food\w*",
        r"nutrition\w*",
        r"diet\w*",
        r"protein",
        r"carb\w*",
        r"calori\w*",
        r"kcal",
        r"fuel\w*",
        r"meal\w*",
        r"hydrat\w*",
        r"water",
        r"drink\w*",
        r"snack\w*",
        r"breakfast",
        r"lunch",
        r"dinner",
        r"supplements?",
        r"creatine",
        r"macros?",
        r"hungry",
        r"iron",
        r"weight",
    ),
    "technique": _words(
        r"technique\w*",
        r"footwork",
        r"feet",
        r"foot",
        r"beta",
        r"crimp\w*",
        r"slab\w*",
        r"overhang\w*",
        r"flag\w*",
        r"dyno\w*",
        r"smear\w*",
        r"sloper\w*",
        r"pinch\w*",
        r"mantle\w*",
        r"move\w*",  # moves, moved, movement
        r"sequence\w*",
        r"crux\w*",
        r"hips?",
        r"drill\w*",
        r"balance",
        # Outside the heel- and toe-hook phrases, which already score them.
        r"heel(?![- ]?hooks?\b)",
        r"toe(?![- ]?hooks?\b)",
        r"(?<!heel )(?<!heel-)(?<!toe )(?<!toe-)hook\w*",
    ),
    "motivation": _words(
        r"motivat\w*",
        r"unmotivated",
        r"demotivat\w*",
        r"plateau\w*",
        r"stuck",
        r"frustrat\w*",
        r"bored",
        r"boring",
        r"confiden\w*",
        r"scared",
        r"fear\w*",
        r"afraid",
        r"nervous",
        r"anxi\w*",
        r"quit\w*",
        r"mental\w*",
        r"discourag\w*",
        r"setbacks?",
        r"psych\w*",
        r"enjoy\w*",
        r"burnout",
    ),
    "analysis": _words(
        r"stats?",
        r"statistics",
        r"progress\w*",
        r"analy\w*",
        r"numbers",
        r"trend\w*",
        r"summary",
        r"summari[sz]e",
        r"overview",
        r"pyramid",
        r"review",
        r"compar\w*",
        r"recap",
        r"report",
        r"breakdown",
        r"load",
        r"monotony",
        r"strain",
        # Outside the "how was my" and "how did i/my" phrases, which already score them.
        r"how was(?! my\b)",
        r"how did(?! (?:i|my)\b)",
    ),
}

INTENT_TRIGGERS: dict[Intent, tuple[str, ...]] = {
    "coaching": (),
    "nutrition": ("nutrition",),
    "technique": ("technique",),
    "motivation": ("motivation",),
    "analysis": ("summary",),
}
"""Triggers every message of the intent carries, so the type's general template applies."""

_TRIGGERS: dict[str, re.Pattern[str]] = {
    "plateau": _words(r"plateau\w*"),
    "stuck": _words(r"stuck"),
    "no-progress": _words(r"no progress", r"not (?:progressing|improving)"),
    "finger-pain": re.compile(
        r"\b(?:finger|pulley|a[1-5])\w*\b.{0,40}\b(?:pain\w*|hurt\w*|sore\w*|ache\w*|tweak\w*)"
        r"|\b(?:pain\w*|hurt\w*|sore\w*|ache\w*|tweak\w*)\b.{0,40}\bfinger"
    ),
    "injury": _words(r"injur\w*", r"tweak\w*", r"strain(?:ed)? (?:my|a)"),
    "pop": _words(r"pop", r"popped", r"popping"),
    "pulley": _words(r"pulleys?", r"a[1-5]"),
    "nutrition": _words(r"nutrition\w*", r"eat\w*", r"food\w*", r"meals?"),
    "fuel": _words(r"fuel\w*"),
    "protein": _words(r"protein"),
    "diet": _words(r"diet\w*"),
    "under-fuelling": _words(r"under[- ]?fuel\w*", r"not eating enough", r"eat(?:ing)? enough"),
    "low-energy": _words(r"low energy", r"no energy", r"drained"),
    "fatigue": _words(r"fatigu\w*", r"exhausted", r"tired"),
    "technique": _words(r"technique\w*"),
    "footwork": _words(r"footwork", r"feet", r"foot"),
    "beta": _words(r"beta"),
    "movement": _words(r"movement", r"moves?"),
    "project": _words(r"project\w*"),
    "redpoint": _words(r"redpoint\w*"),
    "crux": _words(r"crux\w*"),
    "frustrated": _words(r"frustrat\w*"),
    "setback": _words(r"setbacks?"),
    "fear": _words(r"fear\w*", r"scared", r"afraid"),
    "motivation": _words(r"motivat\w*", r"unmotivated"),
    "weekly-review": _words(r"my week", r"this week", r"last week", r"weekly"),
    "progress": _words(r"progress\w*"),
    "summary": _words(r"summary", r"summari[sz]e", r"overview", r"recap", r"stats?"),
    "pyramid": _words(r"pyramid"),
    "max-grade": _words(r"max grade", r"hardest"),
    "grades": _words(r"grades?"),
}

SLICE_ORDER: dict[Intent, tuple[Slice, ...]] = {
    "coaching": ("performance", "health", "goals", "adherence", "profile"),
    "nutrition": ("nutrition", "health", "profile", "goals", "performance"),
    "technique": ("performance", "profile", "goals"),
    "motivation": ("goals", "performance", "profile", "adherence"),
    "analysis": ("performance", "adherence", "goals", "health", "nutrition", "profile"),
}
"""The slices each intent needs, most important first (the budget drops from the end)."""


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def scores(text: str) -> dict[Intent, int]:
    """Each intent's score for `text`: 2 per phrase match, 1 per keyword match."""
    lowered = _normal(text)
    return {
        intent: 2 * len(_PHRASES[intent].findall(lowered)) + len(_KEYWORDS[intent].findall(lowered))
        for intent in INTENTS
    }


def classify(text: str) -> Intent:
    """The intent of a message: the highest score, ties to the earlier of `INTENTS`, and
    `coaching` when nothing matches. Pure."""
    tally = scores(text)
    best = max(tally.values())
    if best == 0:
        return "coaching"
    return next(intent for intent in INTENTS if tally[intent] == best)


_CLAUSES = re.compile(r"[.!;:,\n]|\b(?:and|but|so|then|also)\b")
_REQUESTS = _words(
    r"should i",
    r"can you",
    r"could you",
    r"would you",
    r"tell me",
    r"help me",
    r"give me",
    r"show me",
    r"let me know",
    r"advi[cs]e",
    r"tips?",
    r"suggest\w*",
    r"recommend\w*",
    r"explain\w*",
    r"ideas?",
    r"thoughts",
    r"what do you think",
    r"wonder(?:ing)?",
    r"please",
)
"""Words that ask the coach for something even without a question mark."""


def asks_the_coach(text: str) -> bool:
    """Whether the message asks the coach for something rather than only reporting what the
    climber did: a "?", a clause that opens like a question ("…, how was that", "should I
    rest"), a request ("tell me", "any tips", "please"), or a motivation concern voiced without
    a question ("stuck on a plateau", "scared of falling"). Errs towards asking: a message it
    cannot tell goes to the coach. Pure."""
    lowered = _normal(text)
    if "?" in lowered or _REQUESTS.search(lowered) or scores(text)["motivation"] > 0:
        return True
    return any(QUESTION_START.match(clause) for clause in _CLAUSES.split(lowered))


def is_intent(value: object) -> TypeGuard[Intent]:
    """Whether `value` names one of `INTENTS`."""
    return isinstance(value, str) and value in INTENTS


def intent_of(text: str, given: object = None) -> Intent:
    """The intent `given` names (the one context assembly computed, `Prompt.facts["intent"]`)
    when it is one, else `classify(text)`. Pure."""
    return given if is_intent(given) else classify(text)


def message_triggers(text: str, intent: Intent) -> set[str]:
    """The template triggers the message mentions, plus the intent's own."""
    lowered = _normal(text)
    found = {name for name, pattern in _TRIGGERS.items() if pattern.search(lowered)}
    return found | set(INTENT_TRIGGERS[intent])


_TODAY = _words(
    r"what should i (?:do|train|climb|work on)",
    r"should i (?:train|climb|rest|go)",
    r"rest days?",
    r"(?:train|training|climb|climbing|session|workout) (?:today|tonight|this evening)",
    r"today'?s (?:session|training|workout|plan)",
    r"(?:my|the) plan",
    r"what(?:'s| is) (?:on )?(?:for )?today",
)


def asks_about_today(text: str) -> bool:
    """Whether the message asks what to do today: train or rest, what to train, today's
    session or the plan. The offline coach then says what the plan holds today."""
    return _TODAY.search(_normal(text)) is not None


def slices_for(intent: Intent, *, open_injury: bool) -> tuple[Slice, ...]:
    """The slices to offer, most important first. An open injury puts health first for every
    intent, so advice always sees it and the budget drops it last."""
    order = SLICE_ORDER[intent]
    if not open_injury:
        return order
    return ("health", *(name for name in order if name != "health"))
