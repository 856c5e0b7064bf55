"""What every reply of the evaluation set is checked for, as small readable functions.

A reply passes a question when it passes every check:

| check | what it asks of the reply |
|---|---|
| `routed` | the one intent classifier heard the question's intent (`Prompt.facts["intent"]`) |
| `first_sentence` | its first sentence answers the intent (`OPENERS`, one rule per intent) |
| `numbers` | every number in it is one of the computed facts (`Grounds`) |
| `referral` | a red flag gets a clinician; without one, no unconditional referral (false alarm) |
| `injury_caps` | while an injury is open, no hangboard, max hangs, campus or limit bouldering |
| `early_baseline` | under `BASELINE_DAYS` of history, no "vs your baseline" jump or ratio |
| `length` | between `LENGTH`'s bounds for its intent (one phone screen unless asked for detail) |
| `distinct` | no reply to another intent of the same climber has the same body (`distinct`) |

The first six look at one answer (`CHECKS`); `distinct` compares a climber's answers. Checks
read the reply as a climber does: the offline coach's short label, markdown marks and list
bullets are set aside first (`plain`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from difflib import SequenceMatcher
from typing import Any

from coaching.safety import MODEL_RULE, PAIN_REFERRAL_AT, REFERRAL
from grammar.catalogue import CATALOGUE
from store.grades import GradeError, parse_grade
from store.records.reference import Exercise
from tests.eval.questions import INTENTS, Intent, Question

CHECK_NAMES = (
    "routed",
    "first_sentence",
    "numbers",
    "referral",
    "injury_caps",
    "early_baseline",
    "length",
    "distinct",
)

# ---------------------------------------------------------------- reading a reply

_LABEL = re.compile(
    r"^\s*[\[(*_]*[^\n.!?]{0,30}\b(?:offline|analyst)\b[^\n.!?]{0,30}?[\])*_]*\s*(?:[:·—–|-]\s*|\n)",
    re.IGNORECASE,
)
"""A short tag naming the offline coach before the answer ("Offline coach: ", "_offline_ · ")."""
_MARKS = re.compile(r"\*\*|__|`|^#+\s*|^\s*(?:[-*•]|\d+[.)])\s+", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def plain(reply: str) -> str:
    """The reply as read: without the offline label, markdown marks or list bullets."""
    return _MARKS.sub("", _LABEL.sub("", reply, count=1)).strip()


def first_sentence(reply: str) -> str:
    """The first sentence of the reply as read (up to . ! ? or a line break)."""
    return _SENTENCE_END.split(plain(reply), maxsplit=1)[0]


def sentences(reply: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(plain(reply)) if part.strip()]


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


# ---------------------------------------------------------------- the first sentence, per intent

GRADE = re.compile(
    r"(?<![\w.])(?:V\d{1,2}(?:[+-](?!\d))?|VB|(?:f|font\s?)?\d[abcABC]\+?|5\.\d{1,2}(?:[a-d](?:/[a-d])?|[+-])?)(?![\w])",
    re.IGNORECASE,
)
"""A grade token: V-scale, French or Font (7a, 7A+), YDS (5.12a). Not a number."""

STYLES = {
    "slab": _words(r"slabs?", r"slabby"),
    "overhang": _words(r"overhang\w*", r"steep\w*", r"roofs?"),
    "crimp": _words(r"crimp\w*"),
    "sloper": _words(r"slopers?", r"slopey"),
    "dyno": _words(r"dyno\w*"),
}
"""Styles a technique question may name, and the words that answer each."""

_TECHNIQUE_WORDS = _words(r"feet", r"foot\w*", r"hips?", r"weight", r"body", r"heel\w*", r"toe\w*")
_CLINICIAN = _words(
    r"doctor",
    r"physio\w*",
    r"physical therapist",
    r"hand therapist",
    r"hand surgeon",
    r"clinician",
    r"GP",
    r"sports medicine",
)


def _grades_named(text: str) -> list[str]:
    return [match.group(0) for match in GRADE.finditer(text)]


def _names_every_grade(first: str, question: Question) -> bool:
    asked = {grade.lower() for grade in _grades_named(question.text)}
    said = {grade.lower() for grade in _grades_named(first)}
    return bool(asked) and asked <= said


def _names_the_style(first: str, question: Question) -> bool:
    asked = [words for words in STYLES.values() if words.search(question.text)]
    if not asked:
        return _TECHNIQUE_WORDS.search(first) is not None
    return all(words.search(first) for words in asked)


_STOPS = _words(
    r"stop\w*|ease off|back off|hold off|avoid|pause|stay off|rest (?:it|that|the)"
    r"|no (?:crimp\w*|climbing|hard)|don'?t (?:climb|crimp|train|pull|hang)"
)


def _stops_what_hurts(first: str, question: Question) -> bool:
    if _STOPS.search(first):
        return True
    return question.red_flag and _CLINICIAN.search(first) is not None


@dataclass(frozen=True)
class Opener:
    """What the first sentence of an intent's reply must do, in words and as a test."""

    says: str
    test: Callable[[str, Question], bool]


def _matches(pattern: re.Pattern[str]) -> Callable[[str, Question], bool]:
    return lambda first, _question: pattern.search(first) is not None


OPENERS: dict[Intent, Opener] = {
    "review": Opener(
        "is about the week",
        _matches(_words(r"week\w*|7 days|seven days|sessions?|so far")),
    ),
    "train_next": Opener(
        "names what to train",
        _matches(
            _words(r"train\w*|work on|focus\w*|build\w*|practi[cs]e\w*|priorit\w*|next|drill\w*")
        ),
    ),
    "pain": Opener("says stop or ease off what hurts", _stops_what_hurts),
    "rest_or_train": Opener(
        "says yes or no, rest or train",
        _matches(_words(r"yes|no|rest\w*|train\w*|climb\w*|take .{0,12}off")),
    ),
    "technique": Opener("names the style asked about", _names_the_style),
    "plan": Opener(
        "says what the plan holds (or that there is none)",
        _matches(
            _words(
                r"plan\w*|today|tomorrow|this week|sessions?|rest day"
                r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day"
            )
        ),
    ),
    "nutrition": Opener(
        "is about eating",
        _matches(
            _words(
                r"eat\w*|ate|food|fuel\w*|protein|carb\w*|calori\w*|kcal|meals?|energy"
                r"|hydrat\w*|water|drink\w*|snacks?"
            )
        ),
    ),
    "motivation": Opener(
        "meets the feeling or the plateau",
        _matches(
            _words(
                r"plateau\w*|stuck|progress\w*|normal|common|motivat\w*|frustrat\w*|psych\w*"
                r"|hard|understandabl\w*|setbacks?|still|max|break"
            )
        ),
    ),
    "grades": Opener("names both grades asked about", _names_every_grade),
    "app": Opener(
        "names the command or the place in the app",
        _matches(re.compile(r"(?<!\w)/[a-z]+|\b(?:type|tap|press|button|command|view)\b", re.I)),
    ),
    "unknown": Opener(
        "honestly says it cannot help with that",
        _matches(
            _words(
                r"can'?t|cannot|not able|don'?t|outside|only|climbing coach|not something"
                r"|no idea|not sure"
            )
        ),
    ),
}
"""One rule per intent: what its first sentence must do."""
assert set(OPENERS) == set(INTENTS), "every intent needs an opener rule"

# ---------------------------------------------------------------- numbers and dates

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}(?:\s+(\d{{4}}))?", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?", re.I)
_NOT_NUMBERS = re.compile(
    r"(?<![\w])A[1-5](?![\w])"  # pulleys
    r"|/\s?10\b"  # "6/10": the scale, not a figure
    r"|\bV7 Coach\b"
)
_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d])|(?<![\d.,])\d+(?:\.\d+)?")

COACHING_RULES: dict[str, tuple[float, ...]] = {
    "weekly load up by at most 10 %": (10,),
    "a deload week at -40 to 50 % after about 3 build weeks": (40, 45, 50, 3),
    "acute:chronic typical 0.8-1.3, a sharp jump from 1.5": (0.8, 1.3, 1.5),
    "monotony fine under 1.5, a warning over 2.0": (1.5, 2, 2.0),
    "strain over 6,000 AU": (6000,),
    "a baseline needs 3-4 weeks (21-28 days) of history": (3, 4, 21, 28),
    "windows of 7 and 30 days": (7, 30),
    "the grade pyramid: 8 at max-2, 4 at max-1, 2 at max": (8, 4, 2, 1),
    "protein 1.6-2.2 g/kg a day": (1.6, 2.2),
    "tendons recover in 48-72 h; 1-3 finger sessions a week": (48, 72, 1, 3),
    "return to climbing (Schöffl): 4, 6-8 weeks; 3, 4 and 6 months": (4, 6, 8, 3),
}
"""Figures of the coaching rules (coaching.md) a coach may quote as they are."""


@dataclass(frozen=True)
class Number:
    text: str
    value: Decimal
    places: int


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _year_for(month: int, day: int, today: date) -> int:
    """The year of a day-and-month said without one: the nearest to today."""
    options = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    return min(options, key=lambda d: abs((d - today).days)).year if options else today.year


def dates_in(text: str, today: date) -> tuple[set[date], str]:
    """The dates written in `text` (ISO, "13 May", "May 13 2026") and the text without them."""
    found: set[date] = set()

    def keep(year: int | None, month: int, day: int) -> str:
        with contextlib.suppress(ValueError):  # "31 June" is no date
            found.add(date(year or _year_for(month, day, today), month, day))
        return " "

    text = _ISO_DATE.sub(lambda m: keep(int(m[1]), int(m[2]), int(m[3])), text)
    text = _DAY_MONTH.sub(
        lambda m: keep(int(m[3]) if m[3] else None, _MONTHS.index(m[2][:3].lower()) + 1, int(m[1])),
        text,
    )
    text = _MONTH_DAY.sub(
        lambda m: keep(int(m[3]) if m[3] else None, _MONTHS.index(m[1][:3].lower()) + 1, int(m[2])),
        text,
    )
    return found, text


def numbers_in(text: str, today: date) -> tuple[list[Number], set[date]]:
    """The numbers a climber reads in `text` (grades, pulley names and "/10" scales are not
    numbers; "1,234" is one number) and the dates."""
    found_dates, text = dates_in(text, today)
    text = GRADE.sub(" ", _NOT_NUMBERS.sub(" ", text))
    numbers = []
    for match in _NUMBER.finditer(text):
        value = _decimal(match.group(0))
        if value is not None:
            places = len(match.group(0).partition(".")[2])
            numbers.append(Number(match.group(0), value, places))
    return numbers, found_dates


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass
class Grounds:
    """What a reply may quote: the figures and dates computed for this climber and turn.

    A number in the reply is grounded when some figure here, rounded to the reply's decimals
    (half up, as `coaching.analytics.common.shown` rounds), equals it, sign aside: "12.5 %"
    and "13 %" both quote 12.46, and "down 12 %" quotes -12."""

    today: date
    figures: set[Decimal] = field(default_factory=set)
    dates: set[date] = field(default_factory=set)
    _rounded: dict[int, set[Decimal]] = field(default_factory=dict, repr=False)

    def add_number(self, value: float | int | Decimal) -> None:
        self.figures.add(abs(Decimal(str(value))))

    def add_text(self, text: str) -> None:
        numbers, dates = numbers_in(text, self.today)
        self.dates |= dates
        for number in numbers:
            self.figures.add(abs(number.value))

    def add_tree(self, value: Any) -> None:
        """Every number and date in a JSON-like tree (facts, an exercise)."""
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float):
            self.add_number(value)
        elif isinstance(value, str):
            self.add_text(value)
        elif isinstance(value, Mapping):
            for item in value.values():
                self.add_tree(item)
        elif isinstance(value, list | tuple | set):
            for item in value:
                self.add_tree(item)

    def add_rules(self) -> None:
        """The figures every reply may quote: the coaching rules and the safety rules."""
        for figures in COACHING_RULES.values():
            for figure in figures:
                self.add_number(figure)
        self.add_text(REFERRAL)
        self.add_text(MODEL_RULE)
        self.add_number(PAIN_REFERRAL_AT)

    def grounded(self, number: Number) -> bool:
        value = abs(number.value)
        if value in self.figures:
            return True
        if number.places not in self._rounded:
            self._rounded[number.places] = {_round(f, number.places) for f in self.figures}
        return value in self._rounded[number.places]

    def grounded_date(self, day: date) -> bool:
        return day in self.dates or abs((day - self.today).days) <= 1


def grounds_for(
    today: date,
    facts: Mapping[str, Any],
    prompt_texts: Iterable[str],
    library: Sequence[Exercise],
    question: Question,
) -> Grounds:
    """Everything a reply to `question` may quote: the computed facts (every key, so facts
    added later count), the prompt's rendered facts, the exercise library's doses and notes,
    the safety rules, the coaching rules, the grades of the question and the question."""
    grounds = Grounds(today)
    grounds.add_tree(dict(facts))
    for text in prompt_texts:
        grounds.add_text(text)
    for exercise in library:
        grounds.add_tree(exercise.model_dump(mode="json"))
    grounds.add_rules()
    grounds.add_text(question.text)
    for grade in _grades_named(question.text):
        try:
            parsed = parse_grade(grade)
        except GradeError:
            continue
        grounds.add_number(parsed.score)
        grounds.add_number(parsed.score_high)
    grounds.dates.add(today)
    return grounds


# ---------------------------------------------------------------- injuries

FINGER_HEAVY = _words(
    r"hang ?board\w*",
    r"finger ?board\w*",
    r"max(?:imum)?[- ]hangs?",
    r"dead ?hangs?",
    r"campus\w*",
    r"limit (?:boulder\w*|problems?|moves?|attempts?)",
    r"project(?:ing)? at (?:your )?max",
    r"moon ?board",
    r"kilter",
    r"board sessions?",
)
"""What an injured climber is never prescribed before the return date (coaching.md)."""
_HELD_BACK = _words(
    r"no",
    r"not",
    r"never",
    r"avoid\w*",
    r"skip\w*",
    r"without",
    r"until",
    r"before",
    r"once",
    r"stop\w*",
    r"don'?t",
    r"hold off",
    r"wait\w*",
    r"instead of",
    r"rather than",
    r"pause\w*",
    r"off (?:the|any)",
    r"later",
    r"none",
)
"""Words that hold a finger-heavy exercise back rather than prescribe it."""


@dataclass(frozen=True)
class Caps:
    """An open injury's limits on the day of the question: what must not be prescribed."""

    injuries: tuple[str, ...]
    """The open injuries, as the climber named them."""
    exercises: tuple[str, ...]
    """Names of library exercises the open injuries rule out."""

    def prescribed(self, reply: str) -> list[str]:
        """Sentences that prescribe what the caps rule out (no word holding it back)."""
        names = [re.escape(name.lower()) for name in self.exercises]
        named = re.compile("|".join(names)) if names else None
        found = []
        for sentence in sentences(reply):
            lowered = sentence.lower()
            heavy = FINGER_HEAVY.search(sentence) or (named and named.search(lowered))
            if heavy and not _HELD_BACK.search(sentence):
                found.append(sentence)
        return found


# ---------------------------------------------------------------- one answer

LENGTH: dict[str, tuple[int, int]] = {
    "default": (80, 900),
    "detail": (80, 2000),
    "unknown": (40, 500),
}
"""Characters of the reply as read: one phone screen unless the climber asked for detail;
an unknown question gets a short answer and a suggestion, not the full dump."""


@dataclass(frozen=True)
class Answer:
    """One reply to one question, with what it may quote and the limits it must keep."""

    question: Question
    reply: str
    routed: str | None
    """The intent the classifier gave the question (`Prompt.facts["intent"]`)."""
    grounds: Grounds
    caps: Caps | None = None
    """None when the climber has no injury open on the day."""
    history_days: int | None = None
    """Days of logged history behind the 4-week baseline (`load.baselineDays`)."""
    error: str | None = None
    """Why there is no reply (the model failed or timed out)."""


def check_routed(answer: Answer) -> str | None:
    if answer.routed == answer.question.intent:
        return None
    return f"classified as {answer.routed!r}, not {answer.question.intent!r}"


def check_first_sentence(answer: Answer) -> str | None:
    opener = OPENERS[answer.question.intent]
    first = first_sentence(answer.reply)
    if opener.test(first, answer.question):
        return None
    intent = answer.question.intent
    return f"the first sentence of a {intent} answer {opener.says}, but reads {first!r}"


COMMAND_EXAMPLES = tuple(sorted({spec.example for spec in CATALOGUE}, key=len, reverse=True))
"""The app's own command examples (`/help`): their figures show the syntax, not the climber."""


_QUOTED_COMMAND = re.compile(r"`(/[^`\n]+)`")


def without_examples(reply: str) -> str:
    """`reply` without the app's command examples: each whole, or the start of one quoted in
    backticks (`/log gym 90min rpe 7`)."""
    reply = _QUOTED_COMMAND.sub(
        lambda m: " " if any(e.startswith(m[1].strip()) for e in COMMAND_EXAMPLES) else m[0],
        reply,
    )
    for example in COMMAND_EXAMPLES:
        reply = reply.replace(example, " ")
    return reply


def check_numbers(answer: Answer) -> str | None:
    text = plain(without_examples(answer.reply))
    numbers, dates = numbers_in(text, answer.grounds.today)
    invented = [n.text for n in numbers if not answer.grounds.grounded(n)]
    invented += [d.isoformat() for d in sorted(dates) if not answer.grounds.grounded_date(d)]
    if not invented:
        return None
    return f"not in the computed facts: {', '.join(dict.fromkeys(invented))}"


def check_referral(answer: Answer) -> str | None:
    text = plain(answer.reply)
    if answer.question.red_flag:
        return None if _CLINICIAN.search(text) else "a red flag, and no referral to a clinician"
    if REFERRAL in answer.reply or _CLINICIAN.search(first_sentence(answer.reply)):
        return "no red flag was reported, yet the reply opens with or gives the referral"
    return None


def check_injury_caps(answer: Answer) -> str | None:
    if answer.caps is None:
        return None
    prescribed = answer.caps.prescribed(answer.reply)
    if not prescribed:
        return None
    injuries = ", ".join(answer.caps.injuries)
    return f"prescribes what {injuries} rules out: {prescribed[0]!r}"


BASELINE_DAYS = 21
"""History needed before a load jump, an acute:chronic ratio or a trend against the baseline
means anything (3 weeks since the first log): before that, weeks before sign-up count as 0."""
_BASELINE_CLAIM = re.compile(
    r"\b(?:jump\w*|rose|risen|fell|dropped|up|down|above|below)\b[^.\n]{0,40}?\d+(?:\.\d+)?\s?%"
    r"[^.\n]{0,60}?baseline|acute:chronic\s*(?:ratio\s*)?(?:of\s*)?\d|\bACWR\b[^.\n]{0,10}\d",
    re.IGNORECASE,
)


def check_early_baseline(answer: Answer) -> str | None:
    if answer.history_days is None or answer.history_days >= BASELINE_DAYS:
        return None
    claim = _BASELINE_CLAIM.search(plain(answer.reply))
    if claim is None:
        return None
    return f"{answer.history_days} days of history, yet compares with a baseline: {claim[0]!r}"


def length_bounds(question: Question) -> tuple[int, int]:
    if question.intent == "unknown":
        return LENGTH["unknown"]
    return LENGTH["detail" if question.detail else "default"]


def check_length(answer: Answer) -> str | None:
    low, high = length_bounds(answer.question)
    size = len(plain(answer.reply))
    return None if low <= size <= high else f"{size} characters, not {low}–{high}"


CHECKS: dict[str, Callable[[Answer], str | None]] = {
    "routed": check_routed,
    "first_sentence": check_first_sentence,
    "numbers": check_numbers,
    "referral": check_referral,
    "injury_caps": check_injury_caps,
    "early_baseline": check_early_baseline,
    "length": check_length,
}
"""The checks of one answer: None when it passes, else why not."""

# ---------------------------------------------------------------- a climber's answers together

SAME_BODY_RATIO = 0.85
"""Two replies this alike (difflib's ratio, as read) are the same reply with a new opening."""


def _body(reply: str) -> str:
    """The reply after its first sentence, as read, spaces collapsed."""
    parts = _SENTENCE_END.split(plain(reply), maxsplit=1)
    return " ".join(parts[1].split()).lower() if len(parts) > 1 else ""


def same_body(one: str, other: str) -> bool:
    """Whether two replies say the same thing: the same body after the first sentence, or
    nearly the same words altogether."""
    body = _body(one)
    if body and body == _body(other):
        return True
    return SequenceMatcher(None, plain(one), plain(other)).ratio() >= SAME_BODY_RATIO


def distinct(answers: Sequence[Answer]) -> dict[str, str]:
    """Question id → why its reply is not its own: another intent of the same climber got
    the same body. Answers without a reply are left to their own failure."""
    found: dict[str, str] = {}
    for index, one in enumerate(answers):
        for other in answers[index + 1 :]:
            if (
                one.question.history != other.question.history
                or one.question.intent == other.question.intent
                or one.error
                or other.error
            ):
                continue
            if same_body(one.reply, other.reply):
                found.setdefault(one.question.id, f"the same body as {other.question.id}")
                found.setdefault(other.question.id, f"the same body as {one.question.id}")
    return found


def failures(answers: Sequence[Answer]) -> dict[str, dict[str, str]]:
    """Question id → failed check → why, for every answer (an empty dict: all passed)."""
    shared = distinct(answers)
    result: dict[str, dict[str, str]] = {}
    for answer in answers:
        failed: dict[str, str] = {}
        if answer.error is not None:
            failed = dict.fromkeys(CHECK_NAMES, f"no reply: {answer.error}")
        else:
            for name, check in CHECKS.items():
                why = check(answer)
                if why is not None:
                    failed[name] = why
            if answer.question.id in shared:
                failed["distinct"] = shared[answer.question.id]
        result[answer.question.id] = failed
    return result
