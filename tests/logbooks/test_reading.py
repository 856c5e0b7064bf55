"""The parsers on their own: what a climber's file can look like, and what each row becomes."""

from __future__ import annotations

import json
from datetime import date

import pytest

from logbooks import FormatName, WrongFormat, read_logbook
from store.records.sends import AscentStyle
from tests.clock import at

NOW = at("2026-04-01T09:00:00Z")
MP_HEADER = (
    "Date,Route,Rating,Notes,URL,Pitches,Location,Avg Stars,Your Stars,Style,Lead Style,"
    "Route Type,Your Rating,Length,Rating Code\n"
)


def mp_row(day: str, route: str, rating: str, style: str = "Lead", lead: str = "Redpoint") -> str:
    kind = "Boulder" if rating.startswith("V") else "Sport"
    return f"{day},{route},{rating},,,1,Land > Crag > Sector > Wall,3,3,{style},{lead},{kind},,,\n"


def test_a_bom_semicolons_and_quoted_newlines_are_read_and_lines_stay_true() -> None:
    data = (
        "\ufeffDate;Name;Grade;Type;Category;Crag;Country;Comment\n"
        '2026-01-10;First;6b;Redpoint;Route;Sample Gorge;Sampleland;"two\nlines; and a semicolon"\n'
        "2026-01-10;Second;6z;Onsight;Route;Sample Gorge;Sampleland;\n"
    ).encode()
    parsed = read_logbook(data, now=NOW)
    assert parsed.report.format is FormatName.EIGHT_A
    assert parsed.report.rows_read == 2
    # The quoted newline is inside line 2's row, so the next row starts on line 4.
    assert [(error.line, error.reason[:14]) for error in parsed.report.errors] == [
        (4, "unknown grade:")
    ]
    [(entry, rows)] = parsed.entries
    assert rows == 1
    assert entry.notes is not None
    assert "two lines; and a semicolon" in entry.notes
    assert [send.name for send in parsed.sends] == ["First"]


def test_three_date_formats_in_one_file_and_the_order_decided_once_per_file() -> None:
    rows = [
        mp_row("2026-03-14", "Iso", "5.10a"),
        mp_row("15.03.2026", "Dotted", "5.10b"),
        mp_row("16/03/2026", "Day first", "5.10c"),  # 16 > 12: this file is day first
        mp_row("02/03/2026", "Ambiguous", "5.10d"),  # read as 2 March, as the file is
    ]
    parsed = read_logbook((MP_HEADER + "".join(rows)).encode(), now=NOW)
    assert parsed.report.date_order == "d/m/y"
    assert {send.name: send.date for send in parsed.sends} == {
        "Iso": date(2026, 3, 14),
        "Dotted": date(2026, 3, 15),
        "Day first": date(2026, 3, 16),
        "Ambiguous": date(2026, 3, 2),
    }


def test_without_a_deciding_date_the_formats_convention_holds_and_contradictions_are_refused() -> (
    None
):
    us = read_logbook((MP_HEADER + mp_row("03/04/2026", "A", "5.9")).encode(), now=NOW)
    assert us.sends[0].date == date(2026, 3, 4)  # Mountain Project writes month first
    mixed = MP_HEADER + mp_row("03/13/2026", "A", "5.9") + mp_row("13/03/2026", "B", "5.9")
    parsed = read_logbook(mixed.encode(), now=NOW)
    assert parsed.report.date_order == "m/d/y"
    assert [error.line for error in parsed.report.errors] == [3]
    assert "13/03/2026" in parsed.report.errors[0].reason


def test_styles_map_to_sends_completed_climbs_and_attempts() -> None:
    rows = [
        mp_row("2026-03-01", "Os", "5.11a", lead="Onsight"),
        mp_row("2026-03-01", "Fl", "5.11b", lead="Flash"),
        mp_row("2026-03-01", "Pink", "5.11c", lead="Pinkpoint"),
        mp_row("2026-03-01", "Hung", "5.12a", lead="Fell/Hung"),
        mp_row("2026-03-01", "Rope", "5.10a", style="TR", lead=""),
        mp_row("2026-03-01", "Block", "V5", style="Send", lead=""),
        mp_row("2026-03-02", "Os", "5.11a", lead="Redpoint"),  # a later ascent: no new send
    ]
    parsed = read_logbook((MP_HEADER + "".join(rows)).encode(), now=NOW)
    styles = {send.name: send.ascent_style for send in parsed.sends}
    assert styles == {
        "Os": AscentStyle.ONSIGHT,
        "Fl": AscentStyle.FLASH,
        "Pink": AscentStyle.REDPOINT,
        "Block": AscentStyle.REDPOINT,
    }
    day = parsed.entries[0][0]
    assert day.discipline == "mixed"
    assert [grade.grade for grade in day.grades_attempted] == ["5.12a"]
    assert {grade.grade for grade in day.grades_completed} == {
        "5.10a", "5.11a", "5.11b", "5.11c", "V5"
    }  # fmt: skip


def test_empty_files_and_files_that_are_not_logbooks_say_so() -> None:
    for empty in (b"", b"  \n\n", "\ufeff".encode()):
        with pytest.raises(WrongFormat, match="The file is empty"):
            read_logbook(empty, now=NOW)
    with pytest.raises(WrongFormat, match="not a text file"):
        read_logbook(b"\x00\x01PK\x03\x04" * 10, now=NOW)
    with pytest.raises(WrongFormat, match="not those of any logbook"):
        read_logbook(b"a,b\n1,2\n", now=NOW)
    with pytest.raises(WrongFormat, match="This is not a KAYA logbook export: it has no column"):
        read_logbook(b"Date,Grade\n2026-01-01,V3\n", now=NOW, format=FormatName.KAYA)
    with pytest.raises(WrongFormat, match="looks like a V7 Coach export"):
        read_logbook(b'{"exportedAt": "2026-01-01T00:00:00Z"}', now=NOW, format=FormatName.KAYA)
    with pytest.raises(WrongFormat, match="not a V7 Coach export"):
        read_logbook(b'{"some": "json"}', now=NOW)


def test_a_header_alone_is_an_empty_logbook_and_a_future_date_is_refused() -> None:
    assert read_logbook(MP_HEADER.encode(), now=NOW).report.rows_read == 0
    parsed = read_logbook((MP_HEADER + mp_row("2026-05-01", "Later", "5.9")).encode(), now=NOW)
    assert parsed.report.errors[0].reason == "2026-05-01 is in the future"


def test_windows_1252_text_is_read() -> None:
    row = mp_row("2026-03-01", "Crème", "5.9").encode("cp1252")
    parsed = read_logbook(MP_HEADER.encode() + row, now=NOW)
    assert parsed.sends[0].name == "Crème"


def test_a_json_record_twice_in_the_file_is_read_once() -> None:
    entry = {
        "id": "a" * 32,
        "date": "2026-03-01",
        "sessionType": "gym",
        "duration": 60,
        "createdAt": "2026-03-01T10:00:00Z",
        "updatedAt": "2026-03-01T10:00:00Z",
    }
    document = {"exportedAt": "2026-04-01T00:00:00Z", "journalEntries": [entry, entry, {"x": 1}]}
    parsed = read_logbook(json.dumps(document).encode(), now=NOW)
    assert len(parsed.entries) == 1
    report = parsed.report
    assert (report.rows_read, report.duplicates, report.refused) == (3, 1, 1)
    assert report.errors[0].item == "journalEntries[2]"
