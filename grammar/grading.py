"""Grades inside command text: "V5", "5.11a", "7a+", "font 7A", "uiaa 7+", with counts
("2xV5", "V5x2", "V5 x2"). Validation only; the records canonicalise the spelling."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import InvalidEntry
from grammar.tokens import Cursor
from store.grades import Discipline, Grade, GradeError, parse_grade

_SYSTEM_WORDS = frozenset(
    {"font", "fb", "french", "fr", "yds", "uiaa", "ewbank", "ewb", "saxon", "norwegian", "nor"}
)
_COUNT_BEFORE = re.compile(r"^(\d{1,3})\s*[x×*](.+)$", re.IGNORECASE)
_COUNT_AFTER = re.compile(r"^(.+?)\s*[x×*](\d{1,3})$", re.IGNORECASE)
_COUNT_ALONE = re.compile(r"^[x×*](\d{1,3})$|^(\d{1,3})[x×*]$", re.IGNORECASE)
_GRADE_LIKE = re.compile(r"^(v\s*\d|vb|5\.\d|\d+[a-c]\+?$)", re.IGNORECASE)


@dataclass(frozen=True)
class Climbed:
    """A grade as written (for the record to canonicalise) and how many climbs of it."""

    text: str
    grade: Grade
    count: int = 1


def grade_or_none(text: str, discipline: Discipline | None = None) -> Grade | None:
    try:
        return parse_grade(text, discipline=discipline)
    except GradeError:
        return None


def take_grade(cursor: Cursor, discipline: Discipline | None = None) -> Climbed | None:
    """If the cursor is at a grade (with an optional count), take it; else None.

    Raises `InvalidEntry` with store.grades' message for a word that looks like a grade but is
    not one ("V25", "5.16z"), so a typo is reported instead of silently dropped.
    """
    token = cursor.peek()
    if token is None or token.quoted:
        return None
    word = token.text.rstrip(",;")  # "sent V4, V5"
    if token.word in _SYSTEM_WORDS and cursor.peek(1) is not None:
        pair = f"{word} {cursor.tokens[cursor.pos + 1].text}"
        grade = grade_or_none(pair, discipline)
        if grade is not None:
            cursor.take(2)
            return Climbed(pair, grade, _take_count_after(cursor))
    count = 1
    body = word
    prefix = _COUNT_BEFORE.match(word)
    suffix = _COUNT_AFTER.match(word)
    lone = _COUNT_ALONE.match(word)
    if lone is not None and lone[2] is not None and cursor.peek(1) is not None:
        # "2x V5": the count, then the grade as the next word.
        following = cursor.tokens[cursor.pos + 1].text
        grade = grade_or_none(following, discipline)
        if grade is not None:
            cursor.take(2)
            return Climbed(following, grade, int(lone[2]))
    grade = grade_or_none(word, discipline)
    if grade is None and prefix is not None:
        body, count = prefix[2], int(prefix[1])
        grade = grade_or_none(body, discipline)
    if grade is None and suffix is not None:
        body, count = suffix[1], int(suffix[2])
        grade = grade_or_none(body, discipline)
    if grade is None:
        if _GRADE_LIKE.match(body) and not word.isdigit():
            try:
                parse_grade(body, discipline=discipline)
            except GradeError as error:
                raise InvalidEntry(str(error)) from None
        return None
    cursor.take()
    if count == 1:
        count = _take_count_after(cursor)
    if count < 1:
        raise InvalidEntry(f"{word}: a count must be at least 1, e.g. 2xV5")
    return Climbed(body, grade, count)


def take_grades(cursor: Cursor, discipline: Discipline | None = None) -> list[Climbed]:
    """Every grade from the cursor on, until the first word that is not one."""
    grades: list[Climbed] = []
    while (climbed := take_grade(cursor, discipline)) is not None:
        grades.append(climbed)
    return grades


def _take_count_after(cursor: Cursor) -> int:
    # "V5 x2"
    match = _COUNT_ALONE.match(cursor.word())
    if match is not None and match[1] is not None:
        cursor.take()
        return int(match[1])
    return 1
