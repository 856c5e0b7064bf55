"""Answers that need no training data: grade comparisons (from the grade tables), how to use
the app (from the command catalogue), and an honest reply to what the coach cannot place."""

from __future__ import annotations

import re

from coaching.analytics.summary import ClimberAnalytics
from coaching.answers.shared import Answer, max_grade_text
from coaching.intent import GRADE_TOKEN
from grammar.catalogue import CATALOGUE, CommandSpec, find
from store.grades import Grade, GradeError, GradeSystem, convert, parse_grade, system_name

# ---- grades ---------------------------------------------------------------------------------

_SYSTEM_WORDS = (
    (r"font(?:ainebleau)?|fb", GradeSystem.FONT),
    (r"v[- ]?scale|v grades?|hueco", GradeSystem.V),
    (r"yds|american", GradeSystem.YDS),
    (r"french|sport grades?", GradeSystem.FRENCH),
    (r"uiaa", GradeSystem.UIAA),
    (r"ewbank|australian", GradeSystem.EWBANK),
    (r"saxon", GradeSystem.SAXON),
    (r"norwegian", GradeSystem.NORWEGIAN),
    (r"brazilian", GradeSystem.BRAZILIAN),
)
_OTHER = {
    GradeSystem.V: GradeSystem.FONT,
    GradeSystem.FONT: GradeSystem.V,
    GradeSystem.FRENCH: GradeSystem.YDS,
    GradeSystem.YDS: GradeSystem.FRENCH,
}
"""The system a grade is converted to when the climber names none."""


def grades_in(message: str) -> list[Grade]:
    """The grades the message writes, in order (as `store.grades.parse_grade` reads each:
    "7a" is French, "7A" Font); words that are no grade are skipped."""
    found = []
    for token in GRADE_TOKEN.findall(message):
        try:
            found.append(parse_grade(token.replace(" ", "")))
        except GradeError:
            continue
    return found


def system_asked(message: str) -> GradeSystem | None:
    lowered = message.lower()
    for pattern, system in _SYSTEM_WORDS:
        if re.search(rf"\b(?:in|to|into|on the) (?:{pattern})\b", lowered):
            return system
    return None


def _named(grade: Grade) -> str:
    return f"{grade.text} ({system_name(grade.system)})"


def _approx(grade: Grade, to: GradeSystem) -> str:
    return f"{grade.text} is ≈{convert(grade, to).text} in {system_name(to)}"


def grades(message: str, analytics: ClimberAnalytics | None) -> Answer:
    """Two grades compared, or one converted, from the grade tables (conversions are
    approximate, so "≈"); a route grade and a boulder grade are not comparable."""
    found = grades_in(message)
    asked = system_asked(message)
    facts: list[str] = []
    if len(found) >= 2 and found[0] != found[1]:
        first, second = found[0], found[1]
        if first.discipline is not second.discipline:
            direct = (
                f"{first.text} and {second.text} don't compare directly: {_named(first)} is a "
                f"{first.discipline} grade and {_named(second)} a {second.discipline} grade."
            )
            for grade in (first, second):
                facts.append(_approx(grade, _OTHER.get(grade.system, grade.system)) + ".")
            if first.system is GradeSystem.FRENCH:
                font = parse_grade(first.text.upper())
                as_v = convert(font, GradeSystem.V).text
                facts.append(f"If you meant Font {font.text}, that is ≈{as_v}.")
        else:
            same = convert(second, first.system)
            if first.score > second.score_high:
                verdict = f"Yes — {first.text} is harder than {second.text}"
            elif first.score_high < second.score:
                verdict = f"No — {first.text} is easier than {second.text}"
            else:
                verdict = f"About the same — {first.text} and {second.text} overlap"
            direct = f"{verdict} (≈{same.text} in {system_name(first.system)} for {second.text})."
    elif found:
        grade = found[0]
        to = asked or _OTHER.get(grade.system)
        if to is None or to is grade.system:
            direct = f"{_named(grade)} is a {grade.discipline} grade: name a system to convert to."
        else:
            try:
                direct = _approx(grade, to) + " (conversions are approximate)."
            except GradeError:
                other = "routes" if grade.discipline == "boulder" else "boulders"
                direct = (
                    f"{_named(grade)} is a {grade.discipline} grade and {system_name(to)} "
                    f"grades {other}: they don't compare."
                )
    else:
        direct = "Name the grades and I'll compare them, e.g. “is 7a harder than V5?”."
    best = max_grade_text(analytics) if analytics is not None else None
    if best:
        facts.append(f"For scale, your max this period is {best}.")
    return Answer(
        direct=direct,
        facts=facts,
        step="Log in whatever system you climb: `/send 7A` and `/send V6` both count.",
    )


# ---- the app --------------------------------------------------------------------------------

_TOPICS = (
    (r"\bsend|tick", "send"),
    (r"\bgoal", "goal"),
    (r"\binjur", "injury"),
    (r"\bsupplement|\bcreatine|\bvitamin", "supplement"),
    (r"\bmeal|\bfood|\beat|\bate\b", "meal"),
    (r"\bwater|\bdrink", "water"),
    (r"\bnutrition|\btargets?\b|\bmacros?\b|\bcalorie|\bdiet\b", "nutrition"),
    (r"\bundo", "undo"),
    (r"\bedit|\bchange|\bfix|\bcorrect", "edit"),
    (r"\bdelete|\bremove", "delete"),
    (r"\bplan", "plan"),
    (r"\bstats|\bnumbers|\bprogress", "stats"),
    (r"\bhistory|\bpast", "history"),
    (r"\bprofile|\bweight|\btime ?zone", "profile"),
    (r"\blog|\bsession|\brecord", "log"),
)
SHOWN_COMMANDS = ("log", "send", "injury", "stats")


def command_asked(message: str) -> CommandSpec | None:
    lowered = message.lower()
    for pattern, name in _TOPICS:
        if re.search(pattern, lowered):
            return find(name)
    return None


def app(message: str) -> Answer:
    """One command's how-to when the message names what to do, else what the coach does."""
    spec = command_asked(message)
    if spec is not None:
        return Answer(
            direct=f"To {spec.summary}, type `/{spec.name}`: for example `{spec.example}`.",
            step=f"`/help {spec.name}` shows everything it takes; or tell me in plain words and "
            "I'll draft the entry for you to confirm.",
        )
    shown = [spec for spec in CATALOGUE if spec.name in SHOWN_COMMANDS]
    return Answer(
        direct=(
            "I'm your climbing coach: log sessions, sends, injuries and meals here, and ask me "
            "about your training; I answer from your own log."
        ),
        facts=[f"`/{spec.name}`: {spec.summary}." for spec in shown],
        step="`/help` lists every command; plain words work too (“did an hour at the gym, "
        "fingers a bit sore”).",
    )


# ---- anything else --------------------------------------------------------------------------


def unknown(message: str) -> Answer:
    """A short, honest answer and what the coach can answer instead."""
    return Answer(
        direct=(
            "I'm not sure what you're asking, and I'd rather not guess: I answer questions about "
            "your climbing from your own log."
        ),
        step=(
            "Try “how was my week?”, “should I rest tomorrow?”, “what should I train next?” or "
            "“is 7a harder than V5?”; `/help` lists the commands."
        ),
    )
