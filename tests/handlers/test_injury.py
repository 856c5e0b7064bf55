"""`/injury`: add (with a referral on red flags, never a diagnosis), list, recovered."""

from __future__ import annotations

from datetime import date

import pytest

from grammar.injury import parse_injury
from handlers.frames import Reply, Saved
from store.repos import InjuryRepo
from tests.handlers.conftest import Harness

TODAY = date(2026, 3, 11)


async def test_injury_example(chat: Harness) -> None:
    out = await chat.say("/injury ring finger A2 pulley strain")
    assert len(out) == 1  # no red flag, no referral
    saved = out[0].frame
    assert isinstance(saved, Saved)
    assert saved.kind == "injury"
    assert saved.item["bodyPart"] == "ring finger"
    assert saved.item["type"] == "A2 pulley strain"
    assert saved.item["date"] == "2026-03-11"
    assert saved.item["recovered"] is False
    stored = await InjuryRepo(chat.table).get("alice", saved.item["id"])
    assert stored.to_wire() == saved.item


@pytest.mark.parametrize(
    "text",
    [
        "/injury middle finger felt a pop at the crimp",
        "/injury ring finger visible bowstringing",
        "/injury wrist swelling after the fall",
        "/injury elbow severe pain",
    ],
)
async def test_red_flags_add_a_referral_not_a_diagnosis(chat: Harness, text: str) -> None:
    out = await chat.say(text)
    assert isinstance(out[0].frame, Saved)
    referral = out[1].frame
    assert isinstance(referral, Reply)
    assert not out[1].to_all
    assert "see a doctor" in referral.text
    assert "not a diagnosis" in referral.text


def test_side_grade_and_date() -> None:
    injury = parse_injury("left ring finger A2 pulley strain grade 2 yesterday", TODAY)
    assert (injury.side, injury.body_part, injury.type) == (
        "left",
        "ring finger",
        "A2 pulley strain",
    )
    assert injury.severity == 2
    assert injury.date == date(2026, 3, 10)
    assert parse_injury("A4 pulley tweak", TODAY).body_part == "finger"
    assert parse_injury("shoulder impingement", TODAY).body_part == "shoulder"


async def test_list_then_recovered(chat: Harness) -> None:
    older = await chat.saved("/injury knee tweak 2026-03-01")
    newer = await chat.saved("/injury ring finger A2 pulley strain")
    listed = await chat.reply("/injury list")
    assert listed.text.splitlines()[1:3] == [
        "1. Ring finger: A2 pulley strain (since 2026-03-11)",
        "2. Knee: tweak (since 2026-03-01)",
    ]
    recovered = await chat.saved("/injury recovered 2")
    assert recovered.item["id"] == older.item["id"]
    assert recovered.item["recovered"] is True
    assert recovered.item["recoveredDate"] == "2026-03-11"
    stored = await InjuryRepo(chat.table).get("alice", older.item["id"])
    assert stored.recovered
    after = await chat.reply("/injuries")
    assert "knee" not in after.text
    assert f"1. {newer.item['bodyPart'].capitalize()}: A2 pulley strain" in after.text


@pytest.mark.parametrize(
    ("text", "expected", "code"),
    [
        ("/injury feels bad", "needs a body part", "invalid_entry"),
        ("/injury wrist", "needs what happened", "invalid_entry"),
        ("/injury wrist sprain grade 7", "Grade must be 1 to 4", "invalid_entry"),
        ("/injury recovered 1", "no injury number 1", "not_found"),
    ],
)
async def test_wrong_injury_is_refused(chat: Harness, text: str, expected: str, code: str) -> None:
    error = await chat.error(text)
    assert error.code == code
    assert expected in error.message
    assert await chat.user_items() == []
