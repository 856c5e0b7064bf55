"""`/profile` shows or sets the athlete profile."""

from __future__ import annotations

import pytest

from store.repos import AthleteRepo
from tests.handlers.conftest import Harness


async def test_set_then_show(chat: Harness) -> None:
    empty = await chat.reply("/profile")
    assert "empty" in empty.text
    saved = await chat.saved(
        "/profile weight 68kg height 175cm age 31 years 6 boulder V6 sport 7a+"
    )
    item = saved.item
    assert saved.kind == "profile"
    assert (item["weight"], item["heightCm"], item["age"], item["yearsClimbing"]) == (
        68,
        175,
        31,
        6,
    )
    assert item["currentGrades"]["indoor"] == {"boulder": "V6", "sport": "7a+"}
    stored = await AthleteRepo(chat.table).get("alice")
    assert stored.to_wire() == item
    shown = await chat.reply("/PROFILE")
    assert "Weight: 68 kg" in shown.text
    assert "boulder V6" in shown.text


async def test_later_changes_merge_into_the_profile(chat: Harness) -> None:
    await chat.saved("/profile weight 68kg boulder V6")
    saved = await chat.saved("/profile outdoor boulder 7A trad 5.10a weight 150lb height 1.8m")
    grades = saved.item["currentGrades"]
    assert grades["indoor"]["boulder"] == "V6"
    assert grades["outdoor"] == {"boulder": "7A", "trad": "5.10a"}
    assert saved.item["weight"] == pytest.approx(68.0, abs=0.1)
    assert saved.item["heightCm"] == 180


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/profile boulder 5.12a", "not a boulder grade"),
        ("/profile sport V6", "not a route grade"),
        ("/profile weight heavy", "'weight' needs a number"),
        ("/profile age 5", "age"),
        ("/profile shoe size 42", "did not understand 'shoe'"),
    ],
)
async def test_wrong_profile_is_refused(chat: Harness, text: str, expected: str) -> None:
    error = await chat.error(text)
    assert error.code == "invalid_entry"
    assert expected in error.message
    assert await chat.user_items() == []


async def test_an_out_of_range_value_names_the_field_then_the_usage(chat: Harness) -> None:
    error = await chat.error("/profile weight 900")
    assert error.message == (
        "weight: Input should be less than or equal to 250 — "
        "e.g. /profile weight 68kg height 175cm age 31 years 6 boulder V6 sport 7a+"
    )
    assert await chat.user_items() == []
