"""The demo climber's story: the days everything turns on, and how hard they climb when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

HISTORY_DAYS = 182


@dataclass(frozen=True)
class Event:
    """A story day: the session kind it forces and the notable send it holds, if any."""

    kind: str
    grade: str | None = None
    significance: str = "routine"
    note: str | None = None


@dataclass(frozen=True)
class Timeline:
    """Key days of the six months ending the day before `today`; each falls on the weekday its
    session kind is trained (gym Tuesday, board Thursday, outdoor Saturday, sport Sunday)."""

    today: date
    start: date
    outdoor_v5: date
    first_v6: date
    onset: date
    """A grade II A2 pulley strain of the right ring finger, on the board."""
    recovered: date
    back_to_v6: date
    sport_7a: date
    first_v7: date
    shoulder: date
    """A minor left-shoulder strain, still open."""

    @classmethod
    def ending(cls, today: date) -> Timeline:
        def weekday_before(days_ago: int, weekday: int) -> date:
            day = today - timedelta(days=days_ago)
            return day - timedelta(days=(day.weekday() - weekday) % 7)

        onset = weekday_before(112, 3)
        recovered = onset + timedelta(days=42)  # Schöffl: grade II, full climbing from 6-8 weeks
        return cls(
            today=today,
            start=today - timedelta(days=HISTORY_DAYS),
            outdoor_v5=weekday_before(150, 5),
            first_v6=weekday_before(128, 1),
            onset=onset,
            recovered=recovered,
            back_to_v6=weekday_before((today - recovered).days - 30, 1),
            sport_7a=weekday_before(33, 6),
            first_v7=weekday_before(17, 1),
            shoulder=weekday_before(9, 3),
        )

    def events(self) -> dict[date, Event]:
        return {
            self.outdoor_v5: Event("outdoor", "V5", "milestone", "First V5 outside!"),
            self.first_v6: Event("gym", "V6", "milestone", "First V6!"),
            self.onset: Event("board"),
            self.back_to_v6: Event("gym", "V6", "breakthrough", "First V6 since the injury."),
            self.sport_7a: Event("sport", "7a", "milestone", "First 7a redpoint!"),
            self.first_v7: Event("gym", "V7", "breakthrough", "First V7 — the cave problem went!"),
            self.shoulder: Event("board"),
        }

    def injury_week(self, day: date) -> int | None:
        """Weeks since the finger injury while it is open (0-5), else None."""
        return (day - self.onset).days // 7 if self.onset <= day < self.recovered else None

    def indoor_cap(self, day: date) -> int:
        """The hardest V grade climbed indoors around `day` (story sends aside)."""
        week = self.injury_week(day)
        if week is not None:
            return 3 if week < 4 else 4
        if day < self.first_v6 or self.recovered <= day < self.back_to_v6:
            return 5
        return 6

    def top_chance(self, day: date) -> float:
        """How likely a session sends its top grade (more often as the climber settles in)."""
        if day < self.first_v6:
            return 0.35
        if day < self.onset:
            return 0.15
        return 0.4 if day < self.back_to_v6 else 0.3
