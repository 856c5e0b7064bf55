"""Words as climbers say them, turned into what the slash-command grammar reads: number words,
spoken durations, plural grades, places, date words, soreness levels and goal dates.

Soreness words map to the journal's 0–10 scale: "a bit", "slightly", "a little", "mildly" → 3;
plain "sore" → 5; "quite", "very", "pretty" → 6; "really", "extremely", "super", "so" → 8; an
explicit number ("fingers 4", "fingers 4/10") wins. Pure functions; none raises.
"""

from __future__ import annotations

import re
from datetime import date

from core.errors import InvalidEntry
from grammar.dates import WEEKDAYS, DateError, parse_iso, take_date
from grammar.grading import Climbed, grade_or_none, take_grade
from grammar.tokens import Cursor, Token, tokenize

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
}
SORENESS_WORDS = {
    "a bit": 3,
    "a little": 3,
    "slightly": 3,
    "mildly": 3,
    "quite": 6,
    "very": 6,
    "pretty": 6,
    "really": 8,
    "extremely": 8,
    "super": 8,
    "so": 8,
}
PLAIN_SORE = 5
SORE_PARTS = {
    "finger": "fingers",
    "fingers": "fingers",
    "forearm": "forearms",
    "forearms": "forearms",
    "shoulder": "shoulders",
    "shoulders": "shoulders",
    "back": "back",
    "leg": "legs",
    "legs": "legs",
}
MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
QUESTION_START = re.compile(
    r"^\s*(how|what|why|should|can|could|when|where|which|is|are|do|does|will|would|am)\b",
    re.IGNORECASE,
)
_SENTENCES = re.compile(r"(?:[^.!?\n]|\.(?=\S))+[.!?]*")
_ROMAN = re.compile(r"^[IVXLivxl]+[+-]?$")
_PART_NUMBER = re.compile(
    # "back" is left to sore clauses: "got back 2 days ago" is not a sore back.
    r"\b(fingers?|forearms?|shoulders?|legs?)\s*[:=]?\s*(\d{1,2})(?:/10)?\b",
    re.IGNORECASE,
)
_LOCATION = re.compile(
    r"\b(?:at|in|on)\s+(?:the\s+)?((?:[A-Z][\w'’-]*)(?:\s+(?:[A-Z][\w'’-]*|of|de|la|du|des))*)"
)
_CLAUSES = re.compile(r"[,;]|\band\b|\bbut\b|\bwith\b", re.IGNORECASE)
_EXPLICIT_SORE = re.compile(r"^(\d{1,2})(?:/10)?$")


def statements(text: str) -> list[str]:
    """The sentences of `text` that are not questions."""
    return [
        sentence.strip()
        for sentence in _SENTENCES.findall(text)
        if not sentence.strip().endswith("?") and not QUESTION_START.match(sentence)
    ]


def normalise(text: str) -> str:
    """Number words as digits, spoken durations as `/log` durations, plural grades singular."""
    text = re.sub(r"\b(?:an|one|1) hour and a half\b", "90min", text, flags=re.IGNORECASE)
    text = re.sub(r"\bhalf an hour\b", "30min", text, flags=re.IGNORECASE)
    text = re.sub(r"\ba couple of\b", "2", text, flags=re.IGNORECASE)

    def number(match: re.Match[str]) -> str:
        return str(NUMBER_WORDS[match[0].lower()])

    names = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    text = re.sub(rf"\b(?:{names})\b", number, text, flags=re.IGNORECASE)
    text = re.sub(
        r"\b(\d+) and a half hours?\b",
        lambda m: f"{int(m[1]) * 60 + 30}min",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"\ban hour\b", "1h", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(\d+)-(hours?|minutes?|mins?)\b", r"\1 \2", text, flags=re.IGNORECASE)
    words = []
    for word in text.split():
        bare = word.rstrip(",.;:!")
        tail = word[len(bare) :]
        for suffix in ("'s", "’s", "s"):
            if bare.endswith(suffix) and grade_or_none(bare[: -len(suffix)]) is not None:
                bare = bare[: -len(suffix)]
                break
        words.append(bare + tail)
    return " ".join(words)


def tokens_of(text: str) -> list[Token]:
    """Words without the punctuation around them (a grade's own "+" and "." are kept)."""
    out = []
    for token in tokenize(text):
        word = token.text if token.quoted else token.text.strip(",;:!()").rstrip(".")
        if word:
            out.append(Token(word, token.quoted))
    return out


def place_named(text: str) -> str | None:
    """A place named with capitals after "at"/"in"/"on" ("at Stanage", "in Fontainebleau")."""
    for match in _LOCATION.finditer(text):
        place = match[1].strip()
        first = place.split()[0].lower()
        if first in WEEKDAYS or first in ("i", "today", "yesterday") or grade_or_none(place):
            continue
        return place
    return None


def date_at(cursor: Cursor, today: date) -> date | None:
    """At a date phrase (`/log`'s: "yesterday", "on monday", "3 days ago", ISO), take it and
    return its date; else None, nothing taken."""
    word = cursor.word()
    # "sat", "sun", "wed" are ordinary words too ("in the sun"): weekdays only by full name.
    if word in WEEKDAYS and len(word) < 6:
        return None
    try:
        return take_date(cursor, today)
    except DateError:  # an impossible ISO date: left for the caller to skip as a word
        return None


def soreness(text: str) -> dict[str, int]:
    """Body part → 0–10 from clauses that say something is sore."""
    levels: dict[str, int] = {}
    for match in _PART_NUMBER.finditer(text):
        if int(match[2]) <= 10:
            levels[SORE_PARTS[match[1].lower()]] = int(match[2])
    for clause in _CLAUSES.split(text):
        lowered = clause.lower()
        if not re.search(r"\b(sore\w*|ach(?:y|ing)|stiff|tender)\b", lowered):
            continue
        words = re.findall(r"[\w/]+", lowered)
        level = PLAIN_SORE
        for phrase, value in SORENESS_WORDS.items():
            if re.search(rf"\b{phrase}\b", lowered):
                level = value
                break
        for index, word in enumerate(words):
            part = SORE_PARTS.get(word)
            if part is None:
                continue
            following = words[index + 1] if index + 1 < len(words) else ""
            explicit = _EXPLICIT_SORE.match(following)
            value = int(explicit[1]) if explicit else level
            if 0 <= value <= 10:
                levels.setdefault(part, value)
    return levels


def grade_at(cursor: Cursor) -> Climbed | None:
    """A grade with an optional count in front ("2 V5", "2xV5"); None (nothing taken) if the
    cursor is not at one."""
    start = cursor.pos
    count = 1
    if (
        cursor.word().isdigit()
        and not cursor.word(1).isdigit()
        and 0 < int(cursor.word()) <= 100
        and cursor.peek(1) is not None
    ):
        count = int(cursor.word())
        cursor.take()
    if _ROMAN.match(cursor.word()) and cursor.word() != "vb":
        # "I want to…": a lone "I" (or "V") is a pronoun here, not a UIAA grade.
        cursor.pos = start
        return None
    try:
        climbed = take_grade(cursor)
    except InvalidEntry:
        climbed = None
    if climbed is None:
        cursor.pos = start
        return None
    return Climbed(climbed.text, climbed.grade, climbed.count * count)


def grade_word(climbed: Climbed) -> str:
    """The grade as `/log` writes it: "V5", "2xV5", "font 7A x2"."""
    if climbed.count == 1:
        return climbed.text
    if " " in climbed.text:
        return f"{climbed.text} x{climbed.count}"
    return f"{climbed.count}x{climbed.text}"


def first_date(tokens: list[Token], today: date) -> date | None:
    """The first date phrase among `tokens`, if any."""
    cursor = Cursor(tokens)
    while not cursor.done:
        start = cursor.pos
        day = date_at(cursor, today)
        if day is not None:
            return day
        if cursor.pos == start:
            cursor.take()
    return None


def target_date(text: str, today: date) -> date | None:
    """The date a goal names: "by 2027-06-30", "by next summer", "by june", "by the end of
    the year"; None without one (or for one already past)."""
    lowered = text.lower()
    iso = re.search(r"\bby (\d{4}-\d{1,2}-\d{1,2})\b", lowered)
    target: date | None = None
    if iso is not None:
        try:
            target = parse_iso(iso[1])
        except DateError:
            return None
    elif re.search(r"\bby (?:next |this )?summer\b", lowered):
        target = date(today.year, 6, 21)
        if target <= today:
            target = date(today.year + 1, 6, 21)
    elif re.search(r"\bby (?:the )?end of (?:the |this )?year\b", lowered):
        target = date(today.year, 12, 31)
    elif re.search(r"\bby next year\b", lowered):
        target = date(today.year + 1, 12, 31)
    elif (month := re.search(r"\bby (?:next )?([a-z]+)\b", lowered)) and month[1] in MONTHS:
        number = MONTHS[month[1]]
        year = today.year if number > today.month else today.year + 1
        following = date(year + (number == 12), number % 12 + 1, 1)
        target = date.fromordinal(following.toordinal() - 1)
    if target is None or target <= today:
        return None
    return target
