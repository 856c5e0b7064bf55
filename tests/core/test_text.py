"""`core.text`: counted nouns and sentence starts, as every message writes them."""

from __future__ import annotations

import pytest

from core.text import plural, plural_of, sentence


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "session", "1 session"),
        (2, "session", "2 sessions"),
        (0, "session", "0 sessions"),
        (1, "finger day", "1 finger day"),
        (4, "finger day", "4 finger days"),
        (1, "entry", "1 entry"),
        (3, "entry", "3 entries"),
        (2, "journal entry", "2 journal entries"),
        (2, "day", "2 days"),
        (2, "box", "2 boxes"),
        (-1, "day", "-1 days"),
    ],
)
def test_plural_agrees_with_the_count(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected


def test_an_irregular_plural_is_spelled_by_the_caller() -> None:
    assert plural(2, "person", "people") == "2 people"
    assert plural(1, "person", "people") == "1 person"
    assert plural_of("key") == "keys"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rpe must be 0 to 10", "Rpe must be 0 to 10"),
        ("There's no /lgo", "There's no /lgo"),
        ("/log needs a duration", "/log needs a duration"),
        ("'rpe' needs a number", "'rpe' needs a number"),
        ("2026-03-20 is in the future", "2026-03-20 is in the future"),
        ("élan", "Élan"),
        ("", ""),
    ],
)
def test_sentence_capitalises_a_lower_case_start_only(text: str, expected: str) -> None:
    assert sentence(text) == expected
