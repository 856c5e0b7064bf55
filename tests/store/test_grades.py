"""Grades: every spelling climbers type, every table row, conversions and clear refusals.

Expectations are computed from the CSV tables themselves, read here independently of the module.
"""

from __future__ import annotations

import csv
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.grades import (
    Discipline,
    Grade,
    GradeError,
    GradeSystem,
    ability_band,
    convert,
    discipline_of,
    grade_for_score,
    grades_of,
    parse_grade,
    systems_of,
)

DATA = Path(__file__).resolve().parents[2] / "store" / "data" / "grades"
B, R = Discipline.BOULDER, Discipline.ROUTE
S = GradeSystem


def _rows(discipline: Discipline) -> list[dict[str, str]]:
    name = "boulder.csv" if discipline is B else "routes.csv"
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _column(system: GradeSystem) -> str:
    return "brazilian_crux" if system is S.BRAZILIAN else system.value


def _span(system: GradeSystem, *spellings: str) -> tuple[int, int]:
    """Lowest and highest score of the rows whose `system` cell is one of `spellings`."""
    scores = [
        int(row["score"])
        for row in _rows(discipline_of(system))
        if row[_column(system)] in spellings
    ]
    assert scores, f"no row of {system} spelled {spellings}"
    return min(scores), max(scores)


def _at(system: GradeSystem, score: int) -> str:
    return _rows(discipline_of(system))[score][_column(system)]


# text, keyword arguments, expected system, expected canonical text, table spellings covered
SPELLINGS: list[tuple[str, dict[str, Any], GradeSystem, str, tuple[str, ...]]] = [
    ("v5", {}, S.V, "V5", ("V5",)),
    ("V5", {}, S.V, "V5", ("V5",)),
    ("V 5", {}, S.V, "V5", ("V5",)),
    ("VB", {}, S.V, "VB", ("VB",)),
    ("V0-", {}, S.V, "V0-", ("V0-",)),
    ("V0+", {}, S.V, "V0+", ("V0+",)),
    ("V5+", {}, S.V, "V5", ("V5",)),
    ("5.10a", {}, S.YDS, "5.10a", ("5.10a",)),
    ("5.10A", {}, S.YDS, "5.10a", ("5.10a",)),
    ("5.10-", {}, S.YDS, "5.10a/b", ("5.10a", "5.10b")),
    ("5.10+", {}, S.YDS, "5.10c/d", ("5.10c", "5.10d")),
    ("5.10", {}, S.YDS, "5.10", ("5.10a", "5.10b", "5.10c", "5.10d")),
    ("5.10b/c", {}, S.YDS, "5.10b/c", ("5.10b", "5.10c")),
    ("5.9+", {}, S.YDS, "5.9", ("5.9",)),
    ("5.0", {}, S.YDS, "5.0", ("5.0", "5")),
    ("yds 5.12d", {}, S.YDS, "5.12d", ("5.12d",)),
    ("6b+", {}, S.FRENCH, "6b+", ("6b+",)),
    ("french 7a", {}, S.FRENCH, "7a", ("7a",)),
    ("7A", {}, S.FONT, "7A", ("7a",)),
    ("6B+", {}, S.FONT, "6B+", ("6b+",)),
    ("7a+", {}, S.FRENCH, "7a+", ("7a+",)),
    ("f7a", {}, S.FONT, "7A", ("7a",)),
    ("F7A", {}, S.FONT, "7A", ("7a",)),
    ("font 7a", {}, S.FONT, "7A", ("7a",)),
    ("fb 7a", {}, S.FONT, "7A", ("7a",)),
    ("7a font", {}, S.FONT, "7A", ("7a",)),
    ("7a", {"discipline": B}, S.FONT, "7A", ("7a",)),
    ("7A", {"discipline": R}, S.FRENCH, "7a", ("7a",)),
    ("7a", {"system": S.SAXON}, S.SAXON, "7a", ("7a",)),
    ("uiaa 7+", {}, S.UIAA, "7+", ("7+",)),
    ("7+", {"system": S.UIAA}, S.UIAA, "7+", ("7+",)),
    ("VII+", {}, S.UIAA, "7+", ("7+",)),
    ("uiaa VIII-", {}, S.UIAA, "8-", ("8-",)),
    ("uiaa 7+/8-", {}, S.UIAA, "7+/8-", ("7+/8-",)),
    ("ewbank 24", {}, S.EWBANK, "24", ("24",)),
    ("24", {"system": S.EWBANK}, S.EWBANK, "24", ("24",)),
    ("saxon 7a", {}, S.SAXON, "7a", ("7a",)),
    ("saxon VIIa", {}, S.SAXON, "7a", ("7a",)),
    ("norwegian 7-", {}, S.NORWEGIAN, "7-", ("7-",)),
    ("brazilian VIIa", {}, S.BRAZILIAN, "VIIa", ("VIIa",)),
    ("VIIa", {}, S.BRAZILIAN, "VIIa", ("VIIa",)),
    ("IVsup", {}, S.BRAZILIAN, "IVsup", ("IVsup",)),
    ("brazilian 7a", {}, S.BRAZILIAN, "VIIa", ("VIIa",)),
    ("  v5  ", {}, S.V, "V5", ("V5",)),
]


@pytest.mark.parametrize(("text", "kwargs", "system", "canonical", "spellings"), SPELLINGS)
def test_common_spellings_parse_to_the_rows_of_the_table(
    text: str,
    kwargs: dict[str, Any],
    system: GradeSystem,
    canonical: str,
    spellings: tuple[str, ...],
) -> None:
    grade = parse_grade(text, **kwargs)
    assert (grade.system, grade.text) == (system, canonical)
    assert (grade.score, grade.score_high) == _span(system, *spellings)
    assert grade.discipline is discipline_of(system)


@pytest.mark.parametrize("system", list(GradeSystem))
def test_every_row_of_the_tables_round_trips(system: GradeSystem) -> None:
    alias = None if system is S.V else system.value
    for row in _rows(discipline_of(system)):
        score, spelled = int(row["score"]), row[_column(system)]
        assert parse_grade(spelled, system=system).covers(score), (system, spelled)
        if alias is not None:
            assert parse_grade(f"{alias} {spelled}").covers(score), (system, spelled)
        else:
            assert parse_grade(spelled).covers(score), (system, spelled)


@given(score=st.integers(0, 107), system=st.sampled_from(list(GradeSystem)))
def test_the_grade_of_any_score_parses_back_to_cover_it(score: int, system: GradeSystem) -> None:
    grade = grade_for_score(score, system)
    assert grade.covers(score)
    assert parse_grade(grade.text, system=system) == grade
    spelled = grade.text if system is S.V else f"{system.value} {grade.text}"
    assert parse_grade(spelled) == grade


@pytest.mark.parametrize("system", list(GradeSystem))
def test_grades_are_ordered_by_score_without_gaps(system: GradeSystem) -> None:
    grades = grades_of(system)
    assert grades[0].score == 0
    assert grades[-1].score_high == 107
    for easier, harder in pairwise(grades):
        assert harder.score == easier.score_high + 1
        assert easier < harder
    shuffled = sorted(reversed(grades))
    assert shuffled == list(grades)


def test_harder_grades_sort_after_easier_ones() -> None:
    typed = ["V7", "V0", "VB", "V12", "V3"]
    ordered = sorted(parse_grade(text) for text in typed)
    assert [grade.text for grade in ordered] == ["VB", "V0", "V3", "V7", "V12"]
    assert parse_grade("5.10d") < parse_grade("5.11a") < parse_grade("5.12a")


def _midpoint_conversion(source: GradeSystem, spelled: str, target: GradeSystem) -> str:
    low, high = _span(source, spelled)
    return _at(target, (low + high) // 2)


def test_v5_converts_to_6c_and_back() -> None:
    expected = _midpoint_conversion(S.V, "V5", S.FONT).upper()
    font = convert(parse_grade("V5"), S.FONT)
    assert font.text == expected
    assert font.text in {"6C", "6C+"}
    for text in ("6C", "6C+"):
        assert convert(parse_grade(text), S.V).text == _midpoint_conversion(
            S.FONT, text.lower(), S.V
        )
    assert convert(parse_grade("6C"), S.V).text == "V5"


def test_5_11a_converts_to_about_6b_plus() -> None:
    expected = _midpoint_conversion(S.YDS, "5.11a", S.FRENCH)
    assert convert(parse_grade("5.11a"), S.FRENCH).text == expected == "6b+"


def test_conversion_of_a_span_uses_its_midpoint() -> None:
    span = parse_grade("5.10")
    low, high = _span(S.YDS, "5.10a", "5.10b", "5.10c", "5.10d")
    assert convert(span, S.FRENCH).covers((low + high) // 2)


def test_conversion_to_the_same_system_is_the_grade_itself() -> None:
    grade = parse_grade("6b+")
    assert convert(grade, S.FRENCH) == grade


@pytest.mark.parametrize(("text", "to"), [("V5", S.YDS), ("5.10a", S.FONT), ("6b+", S.V)])
def test_conversion_across_disciplines_is_refused(text: str, to: GradeSystem) -> None:
    with pytest.raises(GradeError, match="not comparable"):
        convert(parse_grade(text), to)


NONSENSE: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("V99", {}, ("V-scale", "V5")),
    ("5.20a", {}, ("YDS", "5.0", "5.16a", "5.10a")),
    ("5.9a", {}, ("YDS", "5.10a")),
    ("banana", {}, ("V-scale", "Font", "YDS", "French", "V5", "5.10a")),
    ("", {}, ("V-scale", "YDS", "V5")),
    ("   ", {}, ("V-scale", "YDS")),
    ("8z", {}, ("French", "6b+")),
    ("8Z", {}, ("Font", "7A")),
    ("24", {}, ("Ewbank", "ewbank 24")),
    ("7+", {}, ("UIAA", "Norwegian", "uiaa 7+")),
    ("99", {}, ("UIAA", "Ewbank")),
    ("V5", {"discipline": R}, ("boulder", "YDS", "5.10a")),
    ("5.10a", {"discipline": B}, ("route", "V-scale", "V5")),
    ("24", {"discipline": B}, ("V-scale", "V5")),
    ("V5", {"system": S.FONT}, ("Font", "7A")),
    ("font 7a", {"system": S.FRENCH}, ("Font", "French")),
    ("saxon 99", {}, ("Saxon", "7a")),
    ("brazilian Q", {}, ("Brazilian", "VIIa")),
    ("uiaa 13", {}, ("UIAA", "7+")),
    ("7a", {"system": S.V}, ("V-scale", "V5")),
]


@pytest.mark.parametrize(("text", "kwargs", "named"), NONSENSE)
def test_nonsense_is_refused_naming_what_was_expected(
    text: str, kwargs: dict[str, Any], named: tuple[str, ...]
) -> None:
    with pytest.raises(GradeError) as raised:
        parse_grade(text, **kwargs)
    for word in named:
        assert word in str(raised.value)


def test_system_and_discipline_that_disagree_are_refused() -> None:
    with pytest.raises(GradeError, match="boulder system"):
        parse_grade("7A", system=S.FONT, discipline=R)


@pytest.mark.parametrize("score", [-1, 108, 1000])
def test_scores_outside_the_scale_have_no_grade(score: int) -> None:
    with pytest.raises(GradeError, match="0-107"):
        grade_for_score(score, S.V)


def test_systems_belong_to_one_discipline_each() -> None:
    assert set(systems_of(B)) == {S.V, S.FONT}
    assert set(systems_of(R)) | set(systems_of(B)) == set(GradeSystem)
    assert not set(systems_of(R)) & set(systems_of(B))
    for system in GradeSystem:
        assert system in systems_of(discipline_of(system))


# The band thresholds of coaching.md (sandbag): lowest score of each band.
BANDS = {B: (50, 60, 72), R: (54, 67.5, 82.5)}


@pytest.mark.parametrize("discipline", [B, R])
def test_ability_bands_follow_coaching_thresholds(discipline: Discipline) -> None:
    intermediate, advanced, expert = BANDS[discipline]
    assert ability_band(0, discipline) == "beginner"
    assert ability_band(intermediate - 0.5, discipline) == "beginner"
    assert ability_band(intermediate, discipline) == "intermediate"
    assert ability_band(advanced - 0.5, discipline) == "intermediate"
    assert ability_band(advanced, discipline) == "advanced"
    assert ability_band(expert - 0.5, discipline) == "advanced"
    assert ability_band(expert, discipline) == "expert"
    assert ability_band(107, discipline) == "expert"


def test_a_v7_climber_is_an_expert_boulderer_and_5_11b_is_advanced() -> None:
    assert ability_band(parse_grade("V7").score, B) == "expert"
    assert ability_band(parse_grade("5.11b").score, R) == "advanced"


def test_grade_is_a_value() -> None:
    grade = parse_grade("V5")
    assert grade == Grade(grade.score, "V5", S.V, B, grade.score_high)
    assert len({parse_grade("v5"), parse_grade("V 5"), parse_grade("V5")}) == 1


@given(
    text=st.text(alphabet="0123456789abcdefABCDEFVvIXxsup+-./ fontyds", max_size=10),
    discipline=st.sampled_from([None, B, R]),
)
def test_any_text_is_a_grade_or_a_grade_error(text: str, discipline: Discipline | None) -> None:
    refusal = ""
    try:
        grade = parse_grade(text, discipline=discipline)
    except GradeError as error:
        refusal = str(error)
    if refusal:
        assert "grade" in refusal or "ambiguous" in refusal
        return
    assert 0 <= grade.score <= grade.score_high <= 107
    assert discipline is None or grade.discipline is discipline
    assert parse_grade(grade.text, system=grade.system) == grade
