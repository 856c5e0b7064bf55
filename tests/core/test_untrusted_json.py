"""The nesting rule for client JSON: the depth the pre-scan sees is the depth the value has,
whatever the strings hold, and text nested too deep is refused without being parsed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.untrusted_json import MAX_JSON_DEPTH, BadJSON, nesting_exceeds, parse_json

# Strings full of the characters the scan must look past: brackets, quotes, backslashes.
tricky = st.text(alphabet='[]{}"\\ ab\n\u2028', max_size=12)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | tricky,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(tricky, children, max_size=3),
    max_leaves=40,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(item) for item in value.values()), default=0)
    return 0


@given(values, st.integers(min_value=0, max_value=6))
def test_the_scan_measures_the_values_own_depth(value: Any, limit: int) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert nesting_exceeds(text, limit) == (depth(value) > limit)


def test_too_deep_is_refused_before_parsing() -> None:
    for levels in (MAX_JSON_DEPTH + 1, 1000, 100_000):
        with pytest.raises(BadJSON, match=f"at most {MAX_JSON_DEPTH}"):
            parse_json("[" * levels + "]" * levels)
    allowed = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert depth(parse_json(allowed)) == MAX_JSON_DEPTH


def test_brackets_in_strings_do_not_count() -> None:
    assert parse_json(json.dumps({"note": "[" * 500 + '\\"{'})) == {"note": "[" * 500 + '\\"{'}


@pytest.mark.parametrize("raw", [b"{nope", b"\xff\xfe{}", '"unterminated [[[[' + "[" * 100, b""])
def test_what_is_not_json_is_refused(raw: str | bytes) -> None:
    with pytest.raises(BadJSON):
        parse_json(raw)
