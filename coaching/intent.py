"""Intent routing: what the climber is asking about, decided by rules anyone can read.

`classify` scores the message against each intent's phrases (2 points each) and keywords
(1 point each), plus a grade-comparison rule (two grades and a comparison word, or a grade and
a grading system: "is 7a harder than V5?", "what is V5 in Font?", 6 points), and returns the
best-scoring intent; a tie goes to the earlier intent in `INTENTS` (pain first: a message that
mentions pain is answered as one), and a message that matches nothing is `unknown`. Words that
deny pain ("no pain", "fingers fine", "doesn't hurt") are taken out before scoring, so "sent my
project, fingers fine" is no pain report. Deterministic and pure: the same words always route
the same way, and nothing the climber writes can choose anything but one of `INTENTS`.

The intents: `pain` (finger or other pain, an injury), `rest_or_train` (rest or train today or
tomorrow), `grades` (comparing or converting grades), `app` (how to use the app), `plan` (the
training plan), `review` (how a week or period went), `nutrition` (food and fuelling),
`technique` (a style or a move: slab, overhang, crimps, heel hooks…), `motivation` (plateau,
fear, lost motivation), `train_next` (what to train next, toward a goal) and `unknown`.

It is the one classifier: context assembly calls `classify` and hands the result to the model
as `Prompt.facts["intent"]`; the offline coach takes that (`intent_of`), and classifies the
message itself, with the same `classify`, only when a prompt carries none.

`asks_the_coach` tells a message that asks for something (a question, a request for advice)
from one that only reports what the climber did: the chat serves the latter as journaling, with
no AI message (`handlers/plain_log.py`).

The intent picks the template type (`template_type`) and the slices of context in priority
order (`slices_for`); `message_triggers` names the template triggers (`plateau`,
`finger-pain`, …) the message mentions.
"""

from __future__ import annotations

import re
from typing import Literal, TypeGuard, get_args

from grammar.phrases import QUESTION_START
from store.records.reference import TemplateType

Intent = Literal[
    "pain",
    "rest_or_train",
    "grades",
    "app",
    "plan",
    "review",
    "nutrition",
    "technique",
    "motivation",
    "train_next",
    "unknown",
]
INTENTS: tuple[Intent, ...] = get_args(Intent)

SHORT_INTENTS: frozenset[Intent] = frozenset({"grades", "app"})
"""Questions with a short answer: a grade conversion (one figure) and how to use the app (one
command). Each tier's lighter `quick_model` (`quotas/tiers.toml`) answers them; every other
intent is coaching and gets the tier's `model`."""
"""Every intent, in the order that breaks a tie of scores."""

Slice = Literal["performance", "goals", "health", "nutrition", "adherence", "profile"]
SLICES: tuple[Slice, ...] = get_args(Slice)


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


_BODY = (
    r"(?:fingers?|pulleys?|a[1-5]|thumbs?|hands?|wrists?|forearms?|elbows?|shoulders?|necks?|"
    r"back|knees?|ankles?|hips?|skin|tendons?)"
)
_HURT = r"(?:hurt\w*|pain\w*|ache\w*|aching|tweak\w*|swell\w*|swollen|injur\w*|popped)"

_NOT_PAIN = _words(
    r"no (?:pain|soreness|injur\w*)",
    r"pain[- ]free",
    r"without (?:pain|hurting)",
    r"(?:doesn'?t|does not|didn'?t|did not|don'?t|do not|not|never|nothing) (?:hurt|ache)\w*",
    rf"{_BODY} (?:feel |felt |are |is |were |was )?(?:fine|good|great|ok|okay|strong|solid)",
)
"""Words that deny pain: taken out before scoring ("fingers fine" is not a pain report)."""

# Phrases are specific (2 points), keywords broad (1 point): "I'm not progressing" is a
# motivation phrase and outweighs the review keyword "progress".
_PHRASES: dict[Intent, re.Pattern[str]] = {
    "pain": re.compile(
        rf"\b{_BODY}\b(?:\W+\w+){{0,4}}?\W+{_HURT}"
        rf"|\b{_HURT}\b(?:\W+\w+){{0,4}}?\W+{_BODY}\b"
        r"|\b(?:heard|felt) a pop\b|\bbowstring\w*|\bhurts? (?:to|when|if)\b"
        r"|\bpain (?:in|when|on)\b"
    ),
    "rest_or_train": _words(
        r"should i (?:rest|skip|take (?:a|the) (?:rest |day |break)?(?:day|off|break)?)",
        # "should I train?" and "should I climb tomorrow?", not "should I train on slab?"
        r"should i (?:train|climb|go climbing|go to the gym)(?: (?:today|tomorrow|tonight|"
        r"or \w+))?(?=\s*(?:[?.!,]|$))",
        r"rest (?:day|today|tomorrow|tonight)",
        r"(?:a |the )?(?:day|days) off",
        r"(?:train|climb|climbing|training|go) (?:today|tomorrow|tonight)",
        r"rest or (?:train|climb)\w*",
        r"(?:train|climb)\w* or rest",
        r"too (?:tired|sore) to",
        r"(?:is it )?(?:ok|okay|fine|safe) to (?:climb|train)",
        r"can i (?:climb|train)",
        r"recovered enough",
        r"how much rest",
    ),
    "grades": _words(
        r"grade conversion",
        r"convert(?:ing)? grades?",
        r"grading systems?",
        r"what grade is",
    ),
    "app": _words(
        r"how (?:do|can|should) i (?:log|record|add|track|undo|delete|edit|remove|see|view|"
        r"export|set|change|use|enter|fix|correct|sign)",
        r"how to (?:log|use|undo|record|export)",
        r"what can you do",
        r"what (?:can|do) you (?:help|know)",
        r"how (?:does|do) (?:this|the|it) (?:app |chat |coach )?work",
        r"(?:what|which) commands",
        r"list (?:of )?commands",
        r"is there a command",
        r"who are you",
        r"what are you",
    ),
    "plan": _words(
        r"(?:my|the|this|a) (?:training )?plan",
        r"on (?:my |the )?plan",
        r"plan (?:for )?(?:today|tomorrow|this week|next week)",
        r"what(?:'s| is) (?:on )?(?:for )?today",
        r"today'?s (?:session|training|workout)",
        r"(?:this|next) week'?s (?:sessions?|training|plan)",
        r"new plan",
        r"deload week",
        r"(?:which|what) phase",
    ),
    "review": _words(
        r"how was my",
        r"how did (?:i|my)",
        r"how am i doing",
        r"how(?:'s| is|s)? my (?:week|month|training|climbing)(?: been| going| gone)?",
        r"how(?:'s| is) my",
        r"my stats",
        r"(?:week|month)ly (?:review|recap|summary)",
        r"review (?:of )?my",
        r"sum (?:up|it up)",
        r"tell me about my (?:week|month|training)",
        r"grade pyramid",
        r"max grade",
        r"am i (?:progressing|improving)",
        r"this (?:week|month)'?s? (?:load|numbers|training)",
    ),
    "nutrition": _words(
        r"what (?:should|can|do) i eat",
        r"eat(?:ing)? enough",
        r"under[- ]?fuel\w*",
        r"weight loss",
        r"lose weight",
        r"how much (?:protein|water)",
        r"how (?:is|are|was|were|'?s) my (?:protein|carbs?|calori\w*|kcal|hydration|water|eating|"
        r"diet|nutrition|fuel\w*|intake|macros?|food)",
        r"(?:protein|calorie|carbs?|water|hydration|macro) (?:intake|targets?|goals?)",
        r"my daily targets",
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
        r"(?:tips|technique) (?:for|on)",
        r"(?:better at|improve|work on) (?:my )?(?:slab|overhang|crimp|sloper|pinch|roof|steep|"
        r"crack|footwork|feet|technique|heel|toe|dyno|mantle|balance)\w*",
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
        r"(?:so|really|super|very) frustrat\w*",
        r"losing (?:all )?(?:my )?(?:progress|strength|fitness|gains)",
        r"(?:sick|tired) of (?:being )?(?:injured|hurt)",
    ),
    "train_next": _words(
        r"what should i (?:train|work on|focus on|do|be training)",
        r"train(?:ing)? next",
        r"(?:to|for) (?:reach|get to|climb|send|break into|crack|hit) (?:v\d+|[3-9][a-c]\+?|"
        r"5\.\d+[a-d]?)",
        r"next grade",
        r"get stronger",
        r"how (?:do|can) i (?:improve|get better|progress|get to)",
        r"how (?:often|much) should i (?:train|climb|hangboard)",
        r"(?:add|added|more) weight",
        r"weight (?:should i|to) add",
        r"my weakness\w*",
        r"what (?:exercises|drills) should",
    ),
}
_KEYWORDS: dict[Intent, re.Pattern[str]] = {
    "pain": _words(
        r"hurt\w*",
        r"pain\w*",
        r"ache\w*",
        r"aching",
        r"sore\w*",
        r"injur\w*",
        r"tweak\w*",
        r"pop",
        r"popped",
        r"swell\w*",
        r"swollen",
        r"physio\w*",
        r"tendon\w*",
        r"pulleys?",
        r"numb",
        r"numbness",
        r"rehab\w*",
    ),
    "rest_or_train": _words(
        r"rest",
        r"resting",
        r"recover\w*",
        r"tired",
        r"fatigu\w*",
        r"exhausted",
    ),
    "grades": _words(r"grades?", r"grading"),
    "app": _words(r"app", r"commands?", r"slash", r"undo", r"export", r"help", r"features?"),
    "plan": _words(
        r"plan\w*",
        r"schedule\w*",
        r"program\w*",
        r"periodi[sz]\w*",
        r"deload\w*",
        r"phases?",
    ),
    "review": _words(
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
        r"roofs?",
        r"steep",
        r"cracks?",
        r"jamm\w*",
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
    "train_next": _words(
        r"train\w*",
        r"workouts?",
        r"exercis\w*",
        r"hangboard\w*",
        r"campus\w*",
        r"strength",
        r"stronger",
        r"endurance",
        r"power",
        r"improv\w*",
        r"goals?",
        r"weakness\w*",
        r"warm[ -]?up",
        r"sessions?",
        r"tomorrow",
        r"next week",
    ),
    "unknown": re.compile(r"(?!x)x"),  # nothing: `unknown` is what scores nothing
}

GRADE_TOKEN = re.compile(
    r"(?<![\w.])(?:v\s?(?:b|\d{1,2})|f(?:ont|b)?\s?[3-9][a-c]\+?|[3-9][a-c]\+?|"
    r"5\.\d{1,2}[a-d]?)(?![\w.])",
    re.IGNORECASE,
)
"""A grade as climbers write one in a sentence (V5, 7a+, 6C, f7A, 5.11a)."""
_COMPARES = _words(
    r"harder",
    r"easier",
    r"tougher",
    r"softer",
    r"than",
    r"same as",
    r"equal\w*",
    r"equivalent\w*",
    r"convert\w*",
    r"vs",
    r"versus",
    r"compare\w*",
    r"translate\w*",
)
_SYSTEM_NAMED = _words(
    r"(?:in|to|into|on the) (?:font|fontainebleau|french|yds|v[- ]?scale|v grades?|hueco|"
    r"uiaa|ewbank|saxon|norwegian|brazilian|sport grades?|boulder grades?)"
)
GRADE_QUESTION = 6
"""What a grade comparison or conversion scores: more than any phrase, so "is 7a harder than
V5?" is a grades question whatever else it mentions."""


def grade_score(text: str) -> int:
    """`GRADE_QUESTION` when `text` compares two grades or asks for a grade in another system,
    else 0."""
    lowered = _normal(text)
    grades = len(GRADE_TOKEN.findall(lowered))
    if grades >= 2 and _COMPARES.search(lowered):
        return GRADE_QUESTION
    if grades >= 1 and _SYSTEM_NAMED.search(lowered):
        return GRADE_QUESTION
    return 0


TEMPLATE_TYPES: dict[Intent, TemplateType] = {
    "pain": TemplateType.COACHING,
    "rest_or_train": TemplateType.COACHING,
    "grades": TemplateType.COACHING,
    "app": TemplateType.COACHING,
    "plan": TemplateType.COACHING,
    "review": TemplateType.ANALYSIS,
    "nutrition": TemplateType.NUTRITION,
    "technique": TemplateType.TECHNIQUE,
    "motivation": TemplateType.MOTIVATION,
    "train_next": TemplateType.COACHING,
    "unknown": TemplateType.COACHING,
}
"""The template type each intent is written with (`store.data/templates.toml`)."""

INTENT_TRIGGERS: dict[Intent, tuple[str, ...]] = {
    "pain": ("injury",),
    "rest_or_train": (),
    "grades": (),
    "app": (),
    "plan": (),
    "review": ("summary",),
    "nutrition": ("nutrition",),
    "technique": ("technique",),
    "motivation": ("motivation",),
    "train_next": (),
    "unknown": (),
}
"""Triggers every message of the intent carries, so the type's general template applies (a
pain question gets the injury template whatever body part it names)."""

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
    "pain": ("health", "performance", "profile", "adherence"),
    "rest_or_train": ("health", "performance", "adherence", "profile"),
    "grades": ("profile", "performance"),
    "app": ("profile", "adherence"),
    "plan": ("adherence", "health", "goals", "performance", "profile"),
    "review": ("performance", "adherence", "goals", "health", "nutrition", "profile"),
    "nutrition": ("nutrition", "health", "profile", "goals", "performance"),
    "technique": ("performance", "profile", "goals"),
    "motivation": ("goals", "performance", "profile", "adherence"),
    "train_next": ("goals", "performance", "health", "profile", "adherence"),
    "unknown": ("performance", "goals", "health", "profile"),
}
"""The slices each intent needs, most important first (the budget drops from the end)."""


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def scores(text: str) -> dict[Intent, int]:
    """Each intent's score for `text`: 2 per phrase match, 1 per keyword match, and
    `GRADE_QUESTION` for a grade comparison; words that deny pain are left out first."""
    lowered = _NOT_PAIN.sub(" ", _normal(text))
    tally: dict[Intent, int] = {
        intent: 2 * len(_PHRASES[intent].findall(lowered)) + len(_KEYWORDS[intent].findall(lowered))
        for intent in INTENTS
        if intent != "unknown"
    }
    tally["grades"] += grade_score(text)
    tally["unknown"] = 0
    return tally


def classify(text: str) -> Intent:
    """The intent of a message: the highest score, ties to the earlier of `INTENTS`, and
    `unknown` when nothing matches. Pure."""
    tally = scores(text)
    best = max(tally.values())
    if best == 0:
        return "unknown"
    return next(intent for intent in INTENTS if tally[intent] == best)


def template_type(intent: Intent) -> TemplateType:
    """The template type `intent` is written with."""
    return TEMPLATE_TYPES[intent]


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
    r"whats",  # "what's" typed without its apostrophe
    r"hows",
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


def slices_for(intent: Intent, *, open_injury: bool) -> tuple[Slice, ...]:
    """The slices to offer, most important first. An open injury puts health first for every
    intent, so advice always sees it and the budget drops it last."""
    order = SLICE_ORDER[intent]
    if not open_injury:
        return order
    return ("health", *(name for name in order if name != "health"))
