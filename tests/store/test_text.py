"""What the store keeps of a text: `store.records.text.visible`, and the record base applying it
to every string field."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from store.records import JournalEntryIn
from store.records.text import visible

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧
RUNNER = "\U0001f3c3\u200d\u2640\ufe0f"  # 🏃‍♀️
CODER = "\U0001f469\U0001f3fd\u200d\U0001f4bb"  # 👩🏽‍💻
RAINBOW = "\U0001f3f3\ufe0f\u200d\U0001f308"  # 🏳️‍🌈


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Fontaine\u200bbleau", "Fontainebleau"),
        ("\u202eevil\u202c", "evil"),
        ("\u2066isolated\u2069", "isolated"),
        ("\ufeffBOM", "BOM"),
        ("zero\u200cwidth\u200djoin", "zerowidthjoin"),
        ("word\u2060joiner", "wordjoiner"),
        ("tag\U000e0041\U000e0069\U000e007f", "tag"),
        ("soft\u00adhyphen", "softhyphen"),
        ("bell\x07 and nul\x00", "bell and nul"),
        ("filler\u3164", "filler"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("two\r\nlines\rand\tkept\n", "two\nlines\nand\tkept\n"),
        (FAMILY, FAMILY),
        (RUNNER, RUNNER),
        (CODER, CODER),
        (RAINBOW, RAINBOW),
        (f"sent it {FAMILY}!", f"sent it {FAMILY}!"),
        ("\u200d\U0001f468", "\U0001f468"),  # a joiner with nothing before it joins nothing
        ("a\u200d\U0001f468", "a\U0001f468"),  # nor one after a letter
        ("\U0001f468\u200d", "\U0001f468"),
        ("\u2764\ufe0f Céüse 7a+ — 🧗", "\u2764\ufe0f Céüse 7a+ — 🧗"),
        ("plain ascii", "plain ascii"),
    ],
)
def test_invisible_characters_go_and_everything_a_reader_sees_stays(given: str, kept: str) -> None:
    assert visible(given) == kept
    assert visible(kept) == kept


def test_every_format_and_control_character_is_removed() -> None:
    # The module lists its characters by hand (a scan of Unicode at import would cost a third
    # of a second); this holds the list to the Unicode database of the running Python.
    missed = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cf", "Cc", "Cs")
        and chr(code) not in "\t\n\r"
        and visible(f"a{chr(code)}b") != "ab"
    ]
    assert missed == []


def test_every_string_field_of_a_record_is_cleaned_before_its_limits_are_checked() -> None:
    entry = JournalEntryIn.model_validate(
        {
            "date": "2026-01-05",
            "sessionType": "gym",
            "duration": 60,
            "location": "Block\u200bHelden\u202e",
            "notes": "crimps\u2066 felt\ufeff good\nnext: slopers",
            "technicalFocus": ["heel\u200b hooks", "\U000e0041footwork"],
            "physicalCondition": {"injuries": ["A2\u200d pulley"]},
        }
    )
    assert entry.location == "BlockHelden"
    assert entry.notes == "crimps felt good\nnext: slopers"
    assert entry.technical_focus == ["heel hooks", "footwork"]
    assert entry.physical_condition.injuries == ["A2 pulley"]
