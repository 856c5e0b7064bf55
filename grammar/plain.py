"""Plain words to a journal proposal, for the offline coach (the analyst's `propose_entry`).

    propose("did 2 hours at the gym, sent two V5s, fingers a bit sore", today)
    → [{"kind": "session", "entry": {"sessionType": "gym", "duration": 120, …}}]

The slash-command grammar does the real work: the climber's sentence is normalised into the
words `/log`, `/send`, `/injury` or `/goal` understand and handed to their parsers, so the
offline coach and the commands can never disagree about a grade, a duration or a date. Only
what the climber said becomes a field (a session without a stated RPE has none).

What is recognised (sentences that are questions are ignored):
- a goal: "want to", "goal", "aiming to", "hoping to", "would like to", "plan to" with a grade;
  a date from "by 2027-06-30", "by next summer" (the next 21 June), "by the end of the year",
  "by June" (the last day of the next June);
- a session: anything with a duration ("2 hours", "90 minutes", "an hour and a half"), with its
  type (gym, crag/outdoors, board, hangboard, training), a date word ("yesterday", "on
  monday", "3 days ago"), a location ("at Stanage", "in Fontainebleau": capitalised words),
  grades sent and tried ("sent two V5s", "flashed a 7a", "tried V6"), `rpe N` and soreness;
- an injury: "tweaked", "hurt", "strained", "pulled", "tore", "popped", "sprained", … with a
  body part ("my ring finger", "left shoulder");
- a send, without a duration: "flashed a 7a", "finally sent V6 at the crag" (the first grade);
- a meal: a meal word (breakfast, lunch, dinner, snack, …) or an eating verb ("ate", "had")
  with calories or grams of a macro ("about 800 kcal", "~900kcal", "20g protein"): "had a big
  pasta lunch, about 800 kcal", "dinner was a burrito ~900kcal yesterday". The words left in
  the meal's clauses name it; without a number nothing is proposed ("had lunch late" is for the
  coach), nor for calories burned. Its entry is `/meal`'s meal with the day it was eaten.

Soreness words map to the journal's 0–10 scale as `grammar.phrases` documents ("a bit" 3,
plain "sore" 5, "very" 6, "really" 8).

Pure functions; nothing here raises (a sentence the grammar refuses gives no proposal).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel

from core.errors import InvalidEntry
from grammar.durations import take_duration
from grammar.goal import parse_goal
from grammar.grading import Climbed
from grammar.injury import BODY_PARTS, FINGERS, parse_injury
from grammar.log import SESSION_TYPES, parse_log
from grammar.meal import parse_meal
from grammar.phrases import (
    date_at,
    first_date,
    grade_at,
    grade_word,
    normalise,
    place_named,
    soreness,
    statements,
    target_date,
    tokens_of,
)
from grammar.send import parse_send
from grammar.tokens import Cursor, Token

Proposal = dict[str, Any]

SENT_VERBS = frozenset(
    {"sent", "send", "sends", "topped", "flashed", "onsighted", "onsight", "redpointed"}
    | {"ticked", "climbed", "completed", "did", "got", "finished"}
)
TRIED_VERBS = frozenset({"tried", "attempted", "projected", "worked", "fell", "failed"})
SEND_STYLES = {"flashed": "flash", "onsighted": "onsight", "redpointed": "redpoint"}
EXTRA_SESSION_TYPES = {
    "wall": "gym",
    "outside": "outdoor",
    "outdoors": "outdoor",
    "rock": "outdoor",
    "weights": "training",
    "gym": "gym",
}
OUTDOOR_WORDS = frozenset({"crag", "outdoor", "outdoors", "outside", "rock"})
INJURY_VERBS = frozenset(
    {"tweaked", "tweak", "hurt", "injured", "strained", "pulled", "tore", "torn", "popped"}
    | {"pop", "sprained", "jammed", "twisted", "rolled", "bruised", "cut", "split", "tweaking"}
)
GOAL_CUES = re.compile(
    r"\b(want(?:s|ed)? to|wanna|goal|aim(?:ing)? (?:to|for)|hop(?:e|ing) to|"
    r"would like to|i'?d like to|plan(?:ning)? to|dream (?:is|of)|target)\b",
    re.IGNORECASE,
)
_INJURY_CLAUSES = re.compile(r"[,;]|\b(?:and|but|while|so)\b", re.IGNORECASE)
FILLER = frozenset({"i", "my", "i've", "ive", "just", "think", "have", "had", "got", "it", "me"})
MEAL_WORDS = {
    "breakfast": "breakfast",
    "brunch": "lunch",
    "lunch": "lunch",
    "dinner": "dinner",
    "supper": "dinner",
    "snack": "snack",
    "snacks": "snack",
    "pre-workout": "pre-workout",
    "post-workout": "post-workout",
    "meal": "",
}
"""A meal word → the `/meal` type it names ("" for none)."""
EATING_VERBS = frozenset({"ate", "eaten", "eat", "eating", "had", "having", "grabbed"})
MEAL_FILLER = frozenset(
    {"i", "i've", "ive", "just", "have", "a", "an", "the", "some", "my", "for", "was", "were"}
    | {"is", "about", "around", "roughly", "approx", "approximately", "big", "small", "huge"}
    | {"large", "quick", "light", "late", "early", "this", "morning", "tonight", "earlier"}
    | {"today", "then", "~"}
)
"""Words of a meal's clause that do not name the food."""
_KCAL = re.compile(
    r"[~≈]?\s*(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?:kcals?|calories|cals?)\b", re.IGNORECASE
)
_GRAMS_OF = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:g|grams?)\s+(?:of\s+)?(protein|carbs?|carbohydrates|fats?)\b",
    re.IGNORECASE,
)
_MACRO_GRAMS = re.compile(
    r"\b(protein|carbs?|carbohydrates|fats?)\s*:?\s*(\d+(?:\.\d+)?)\s*(?:g|grams?)\b",
    re.IGNORECASE,
)
_MACRO_NAMES = {"pro": "protein", "car": "carbs", "fat": "fat"}
"""A macro's first three letters (as the patterns above find it) → `/meal`'s word for it."""
_BURNED = re.compile(r"\bburn(?:ed|t|ing|s)?\b", re.IGNORECASE)
_MEAL_CLAUSES = re.compile(r"[,;]|\bthen\b|\bbut\b|\bafter\b|\bbefore\b", re.IGNORECASE)


# A full stop inside a word ("5.12a", "1.5h") does not end a sentence.
def propose(text: str, today: date) -> list[Proposal]:
    """The `propose_entry` arguments (`{"kind", "entry"}`) for what `text` says the climber
    did or wants, each valid for its input model; empty for a question or small talk."""
    statement = " ".join(statements(text))
    if not statement.strip():
        return []
    if GOAL_CUES.search(statement):
        goal = _goal(statement, today)
        return [goal] if goal is not None else []
    proposals: list[Proposal] = []
    session = _session(statement, today)
    if session is not None:
        proposals.append(session)
    injury = _injury(statement, today)
    if injury is not None:
        proposals.append(injury)
    if session is None and injury is None:
        send = _send(statement, today)
        if send is not None:
            proposals.append(send)
    meal = _meal(statement, today)
    if meal is not None:
        proposals.append(meal)
    return proposals


def _entry(kind: str, model: BaseModel) -> Proposal:
    entry = model.model_dump(by_alias=True, mode="json", exclude_none=True, exclude_defaults=True)
    # A grade's system and score are recomputed from the grade by the records: leave them out.
    for key in ("gradesCompleted", "gradesAttempted"):
        for ref in entry.get(key, []):
            ref.pop("score", None)
    entry.pop("score", None)
    return {"kind": kind, "entry": entry}


# ---- words -------------------------------------------------------------------------------


# ---- kinds -------------------------------------------------------------------------------


def _session(statement: str, today: date) -> Proposal | None:
    text = normalise(statement)
    location = place_named(text)
    cursor = Cursor(tokens_of(text))
    minutes: int | None = None
    day: date | None = None
    session_type: str | None = None
    rpe: str | None = None
    sent: list[Climbed] = []
    tried: list[Climbed] = []
    mode = sent
    while not cursor.done:
        word = cursor.word()
        if minutes is None and (found := take_duration(cursor, bare_minutes=False)) is not None:
            minutes = found
        elif day is None and (when := date_at(cursor, today)) is not None:
            day = when
        elif word in ("rpe", "effort") and re.fullmatch(r"\d+(?:\.\d+)?", cursor.word(1)):
            rpe = cursor.word(1)
            cursor.take(2)
        elif word in SESSION_TYPES or word in EXTRA_SESSION_TYPES:
            cursor.take()
            kind = EXTRA_SESSION_TYPES.get(word) or SESSION_TYPES[word].value
            # "the crag" outranks "the gym" it may be compared with; a board outranks a gym.
            if session_type in (None, "gym") or kind == "outdoor":
                session_type = kind
        elif word in TRIED_VERBS:
            cursor.take()
            mode = tried
        elif word in SENT_VERBS:
            cursor.take()
            mode = sent
        elif (climbed := grade_at(cursor)) is not None:
            mode.append(climbed)
        else:
            cursor.take()
    if minutes is None or not 0 < minutes <= 1440:
        return None
    if session_type is None and location is not None:
        session_type = "outdoor"
    args = [session_type or "gym", f"{minutes}min"]
    if day is not None:
        args.append(day.isoformat())
    if rpe is not None:
        args.append(f"rpe {rpe}")
    if sent:
        args.append("sent " + " ".join(grade_word(c) for c in sent))
    if tried:
        args.append("tried " + " ".join(grade_word(c) for c in tried))
    args.extend(f"{part} {level}" for part, level in soreness(statement).items())
    if location is not None:
        args.append(f'@"{location}"')
    try:
        return _entry("session", parse_log(" ".join(args), today))
    except InvalidEntry:
        return None


def _injury(statement: str, today: date) -> Proposal | None:
    text = normalise(statement)
    for clause in _INJURY_CLAUSES.split(text):
        tokens = [t for t in tokens_of(clause) if t.word not in FILLER]
        words = [token.word for token in tokens]
        if not INJURY_VERBS.intersection(words):
            continue
        if not any(word in BODY_PARTS or word in FINGERS for word in words):
            continue
        args = [token.text for token in tokens]
        if first_date(tokens, today) is None and (day := first_date(tokens_of(text), today)):
            args.append(day.isoformat())
        try:
            return _entry("injury", parse_injury(" ".join(args), today))
        except InvalidEntry:
            return None
    return None


def _send(statement: str, today: date) -> Proposal | None:
    text = normalise(statement)
    tokens = tokens_of(text)
    words = [token.word for token in tokens]
    verbs = [w for w in words if w in SENT_VERBS - {"and", "plus", "also", "did", "got"}]
    if not verbs:
        return None
    cursor = Cursor(tokens)
    grade: Climbed | None = None
    day: date | None = None
    while not cursor.done and grade is None:
        if day is None and (when := date_at(cursor, today)) is not None:
            day = when
        elif (found := grade_at(cursor)) is not None:
            grade = found
        else:
            cursor.take()
    if day is None:
        day = first_date(tokens, today)
    if grade is None:
        return None
    args = [grade_word(Climbed(grade.text, grade.grade, 1))]
    style = next((SEND_STYLES[w] for w in words if w in SEND_STYLES), None)
    if style is not None:
        args.append(style)
    attempts = re.search(r"\b(\d{1,4}) (?:attempts|tries|goes|sessions)\b", text, re.IGNORECASE)
    if attempts is not None and int(attempts[1]) >= 1:
        args.append(f"attempts {attempts[1]}")
    location = place_named(text)
    if OUTDOOR_WORDS.intersection(words) or (location is not None and "gym" not in words):
        args.append("outdoor")
    if day is not None:
        args.append(day.isoformat())
    if location is not None:
        args.append(f'@"{location}"')
    try:
        return _entry("send", parse_send(" ".join(args), today))
    except InvalidEntry:
        return None


def _goal(statement: str, today: date) -> Proposal | None:
    text = normalise(statement)
    cursor = Cursor(tokens_of(text))
    grade: Climbed | None = None
    while not cursor.done and grade is None:
        grade = grade_at(cursor)
        if grade is None:
            cursor.take()
    if grade is None:
        return None
    target = target_date(text, today)
    args = [grade.text]
    if target is not None:
        args.append(f"by {target.isoformat()}")
    described = re.sub(
        r"^.*?\b(?:want(?:s|ed)? to|wanna|aim(?:ing)? (?:to|for)|hop(?:e|ing) to|"
        r"would like to|i'?d like to|plan(?:ning)? to|goal is to|goal is|goal:?)\s*",
        "",
        statement.strip().rstrip(".!"),
        count=1,
        flags=re.IGNORECASE,
    )
    try:
        goal = parse_goal(" ".join(args), today)
    except InvalidEntry:
        return None
    description = (described[:1].upper() + described[1:]).strip()
    if description:
        goal = goal.model_copy(update={"description": description[:1000]})
    return _entry("goal", goal)


def _meal(statement: str, today: date) -> Proposal | None:
    text = normalise(statement)
    if _BURNED.search(text):
        return None
    args: list[str] = []
    if (kcal := _KCAL.search(text)) is not None:
        args.append(f"{kcal[1]}kcal")
    macros = {m[2].lower()[:3]: m[1] for m in _GRAMS_OF.finditer(text)}
    macros |= {m[1].lower()[:3]: m[2] for m in _MACRO_GRAMS.finditer(text)}
    args += [f"{_MACRO_NAMES[short]} {grams}" for short, grams in macros.items()]
    if not args:
        return None
    rest = _MACRO_GRAMS.sub(" ", _GRAMS_OF.sub(" ", _KCAL.sub(" ", text)))
    clauses = [tokens_of(clause) for clause in _MEAL_CLAUSES.split(rest)]
    eaten = [
        tokens
        for tokens in clauses
        if any(t.word in MEAL_WORDS or t.word in EATING_VERBS for t in tokens)
    ]
    if not eaten:
        return None
    kind, day, name = _meal_words([token for tokens in eaten for token in tokens], today)
    day = day or first_date(tokens_of(text), today)
    if kind:
        args.insert(0, kind)
    if name:
        args.append(f'"{name}"')
    if day is not None:
        args.append(day.isoformat())
    try:
        meal, when = parse_meal(" ".join(args), today)
    except InvalidEntry:
        return None
    entry = meal.model_dump(by_alias=True, mode="json", exclude_none=True)
    return {"kind": "meal", "entry": {"date": when.isoformat(), **entry}}


def _meal_words(tokens: list[Token], today: date) -> tuple[str, date | None, str]:
    """The meal type, the day and the food named in a meal's clauses."""
    kind, day = "", None
    name: list[str] = []
    cursor = Cursor(tokens)
    while not cursor.done:
        word = cursor.word()
        if day is None and (when := date_at(cursor, today)) is not None:
            day = when
        elif word in MEAL_WORDS:
            cursor.take()
            kind = kind or MEAL_WORDS[word]
        elif word in EATING_VERBS or word in MEAL_FILLER:
            cursor.take()
        else:
            name.append(cursor.take()[0].text.replace('"', ""))
    while name and name[-1].lower() in ("and", "with", "of"):
        name.pop()
    while name and name[0].lower() in ("and", "with", "of"):
        name.pop(0)
    return kind, day, " ".join(name)
