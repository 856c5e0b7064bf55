"""Climbing grades: parse any common spelling, normalise to the reference score, convert.

STUB: the interface below is the contract; the implementation is being written.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Discipline(StrEnum):
    BOULDER = "boulder"
    ROUTE = "route"


class GradeSystem(StrEnum):
    V = "v"
    FONT = "font"
    YDS = "yds"
    FRENCH = "french"
    UIAA = "uiaa"
    EWBANK = "ewbank"
    SAXON = "saxon"
    NORWEGIAN = "norwegian"
    BRAZILIAN = "brazilian"


class GradeError(ValueError):
    """The text is not a grade of any known system (or not of the one asked for)."""


@dataclass(frozen=True, order=True)
class Grade:
    score: int
    """The reference score (0-107): the lowest score this grade covers."""
    text: str
    """Canonical spelling, e.g. "V5", "7A", "5.10a", "6b+"."""
    system: GradeSystem
    discipline: Discipline
    score_high: int
    """The highest score this grade covers."""


def parse_grade(
    text: str, *, system: GradeSystem | None = None, discipline: Discipline | None = None
) -> Grade:
    raise NotImplementedError


def convert(grade: Grade, to: GradeSystem) -> Grade:
    raise NotImplementedError
