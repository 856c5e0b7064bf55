"""The demo climber's sessions and sends, day by day, from one seeded generator.

Weekly rhythm: gym Tuesday, fingerboard Wednesday, board Thursday, outdoor (or gym) Saturday,
sometimes sport on Sunday; every 4th week is a deload (-30 % time, -1 RPE). During the finger
injury: two weeks of rehab only, then easy open-hand climbing, never board or fingerboard.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from server.demo.timeline import Event, Timeline
from store.grades import Discipline
from store.records import BenchmarkSend, JournalEntry

GYM = "Crux Climbing Centre"
BOARD = "Crux Climbing Centre (Kilter board, 40°)"
CRAGS = ("Granite Hollow", "Riverside Boulders", "Quarry Field")
PROBLEMS = (
    "Moss Boss", "Low Tide", "The Pinch", "Morning Slab", "Gravity Well", "Keyhole",
    "Hollow Crimp", "Second Breakfast", "Sloper Sunday", "Thin Blue Line", "The Prow",
    "Toe Hook Tango", "Fern Gully", "Tidal Flake", "Beached Whale", "Dyno Mite",
)  # fmt: skip
COLOURS = ("Purple", "Yellow", "Blue", "Green", "Black", "Orange", "White", "Red")
SPORT = ("6a+", "6b", "6b+", "6c", "6c+", "7a")
FINGER = "right ring finger A2 strain (grade II)"
SHOULDER = "left shoulder niggle"


@dataclass(frozen=True)
class Kind:
    session_type: str
    discipline: str | None
    minutes: tuple[int, ...]
    rpe: tuple[float, ...]
    location: str | None
    """None: one of the crags."""
    focus: tuple[str, ...]
    fingers: tuple[int, int]
    """Finger soreness range after such a session."""


KINDS = {
    "gym": Kind("gym", "boulder", (75, 90, 105, 120, 135), (6, 6.5, 7, 7.5, 8), GYM,
                ("footwork", "hip positioning", "drop knees", "flagging", "slopers"), (3, 5)),
    "board": Kind("board", "boulder", (60, 75, 90), (7.5, 8, 8.5, 9), BOARD,
                  ("power", "body tension", "lock-offs"), (4, 7)),
    "outdoor": Kind("outdoor", "boulder", (150, 165, 180), (6, 7, 7.5, 8), None,
                    ("reading rock", "heel hooks", "committing to top-outs"), (3, 6)),
    "sport": Kind("gym", "sport", (90, 105, 120), (6, 6.5, 7), GYM,
                  ("pacing", "resting on jugs", "clipping"), (2, 4)),
    "hangboard": Kind("hangboard", None, (45, 50, 60), (7, 7.5, 8), GYM, ("half crimp",), (4, 6)),
    "rehab": Kind("training", None, (45,), (3, 4), "Home", ("finger rehab", "antagonists"), (1, 3)),
    "easy": Kind("gym", "boulder", (45, 60), (4.5, 5), GYM, ("open hand", "footwork"), (2, 3)),
}  # fmt: skip
RHYTHM = {1: ("gym", 0.92), 2: ("hangboard", 0.6), 3: ("board", 0.85), 6: ("sport", 0.22)}
SPECIAL_NOTES = {
    "onset": "Felt a tweak in the right ring finger on a full crimp and stopped. No pop, "
    "mild swelling.",
    "shoulder": "Left shoulder ached after a wide compression problem; stopped early.",
    "easy": "Open hand only, H-taped ring finger. No pain on jugs.",
    "rehab": "Rice bucket, finger rolls with 2 kg, push-ups and shoulder external rotations.",
}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


class Story:
    """Builds the history day by day; `new_id` also makes every record id deterministic."""

    def __init__(self, today: date, seed: int) -> None:
        self.rng = random.Random(seed)
        self.t = Timeline.ending(today)
        self.events = self.t.events()
        self.sessions: list[JournalEntry] = []
        self.sends: list[BenchmarkSend] = []
        self.hang_kg = 8.0

    def new_id(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def run(self) -> None:
        """Generate every day from the start of the timeline up to yesterday."""
        day = self.t.start
        while day < self.t.today:
            kind = self.kind_of(day)
            if kind is not None:
                self.session(day, kind)
            day += timedelta(days=1)

    def kind_of(self, day: date) -> str | None:
        t, roll, weekday = self.t, self.rng.random(), day.weekday()
        if day in self.events:
            return self.events[day].kind
        week = t.injury_week(day)
        if week is not None:
            if weekday not in (1, 3, 5):
                return None
            return "rehab" if week < 2 or (week < 4 and weekday == 3) else "easy"
        if weekday == 5:
            return "outdoor" if roll < 0.65 else "gym" if roll < 0.95 else None
        kind, chance = RHYTHM.get(weekday, ("", 0.0))
        if kind == "hangboard" and t.onset < day < t.recovered + timedelta(days=21):
            return None  # the fingerboard waits three weeks after the return to climbing
        return kind if roll < chance else None

    def grades(self, day: date, kind: str) -> tuple[dict[str, int], dict[str, int]]:
        """(sent, tried-but-not-sent) as grade → count: a pyramid under the day's top grade."""
        rng, t = self.rng, self.t
        if kind in ("hangboard", "rehab"):
            return {}, {}
        if day == t.onset:
            return {"V3": 2, "V4": 2}, {"V5": 1}
        if kind == "sport":
            top = 5 if day >= t.sport_7a else 4
            sent = {SPORT[top - 3]: 2, SPORT[top - 2]: rng.randint(1, 2), SPORT[top - 1]: 1}
            return sent, {SPORT[top]: 1}
        cap = t.indoor_cap(day)
        if kind == "board":
            cap -= 1  # board grades are stiff
        elif kind == "outdoor":
            cap = min(cap - 1, 5 if day >= t.outdoor_v5 else 4)
        if kind == "easy":
            return {f"V{cap - 2}": rng.randint(3, 5), f"V{cap - 1}": 2, f"V{cap}": 1}, {}
        sent = {f"V{cap - 3}": rng.randint(2, 4), f"V{cap - 2}": rng.randint(3, 5)}
        sent[f"V{cap - 1}"] = rng.randint(1, 3)
        tried: dict[str, int] = {}
        if rng.random() < t.top_chance(day):
            sent[f"V{cap}"] = 1
        else:
            tried[f"V{cap}"] = rng.randint(1, 2)
        if day >= t.recovered and rng.random() < 0.3:
            tried[f"V{cap + 1}"] = 1
        return sent, tried

    def notes(self, day: date, kind: str, event: Event | None) -> str | None:
        rng, t = self.rng, self.t
        if event is not None and event.grade is not None:
            return f"Sent {event.grade} after a whole session of work on it. Psyched!"
        if day == t.onset:
            return SPECIAL_NOTES["onset"]
        if day == t.shoulder:
            return SPECIAL_NOTES["shoulder"]
        if kind in ("easy", "rehab"):
            return SPECIAL_NOTES[kind]
        if kind == "hangboard":
            self.hang_kg = min(self.hang_kg + 0.25, 18.0)
            sets = rng.randint(3, 5)
            return (
                f"MaxHangs, 20 mm half crimp: {sets} × 10 s at +{self.hang_kg:.1f} kg, "
                "3 min rest, ~3 s in reserve."
            )
        return rng.choice(
            (
                None,
                None,
                "Kept cutting feet on the last move of the project.",
                "Good pyramid day, everything below the top grade felt smooth.",
                "Busy gym, long rests between goes.",
                "Skin thin by the end, stopped before it split.",
            )
        )

    def session(self, day: date, kind: str) -> None:
        rng, t, spec = self.rng, self.t, KINDS[kind]
        event = self.events.get(day)
        sent, tried = self.grades(day, kind)
        if event is not None and event.grade is not None:
            sent[event.grade] = 1
            tried.pop(event.grade, None)
        minutes, rpe = rng.choice(spec.minutes), rng.choice(spec.rpe)
        if day == t.onset:
            minutes = 50
        if (day - t.start).days // 7 % 4 == 3 and t.injury_week(day) is None:  # deload week
            minutes, rpe = int(minutes * 0.7), max(rpe - 1, 5)
        minutes = max(45, min(180, minutes - minutes % 5))
        injuries = [FINGER] if t.injury_week(day) is not None else []
        shoulders = rng.randint(1, 3)
        if day >= t.shoulder:
            injuries, shoulders = [SHOULDER], rng.randint(3, 5)
        soreness = {
            "fingers": rng.randint(*spec.fingers),
            "forearms": rng.randint(3, 6),
            "shoulders": shoulders,
            "back": rng.randint(0, 2),
            "legs": rng.randint(2, 4) if kind == "outdoor" else rng.randint(0, 2),
        }
        stamp = at(day, 20, rng.randint(0, 59))
        entry = JournalEntry.model_validate(
            {
                "id": self.new_id(),
                "date": day,
                "sessionType": spec.session_type,
                "discipline": spec.discipline,
                "type": "outdoor" if kind == "outdoor" else "indoor",
                "duration": minutes,
                "location": spec.location or rng.choice(CRAGS),
                "rpe": rpe,
                "gradesCompleted": [{"grade": g, "count": n} for g, n in sent.items()],
                "gradesAttempted": [{"grade": g, "count": n} for g, n in tried.items()],
                "physicalCondition": {
                    "energy": rng.randint(5, 9),
                    "soreness": soreness,
                    "injuries": injuries,
                },
                "technicalFocus": [rng.choice(spec.focus)],
                "mentalState": rng.choice((None, "focused", "psyched", "tired after work")),
                "notes": self.notes(day, kind, event),
                "createdAt": stamp,
                "updatedAt": stamp,
            }
        )
        self.sessions.append(entry)
        if kind in ("gym", "board", "outdoor", "sport") and day != t.onset:
            self.add_sends(entry, kind, event)

    def add_sends(self, entry: JournalEntry, kind: str, event: Event | None) -> None:
        """A send for each climb of the session's top grade and up to three of the next one:
        the ascents that shape the grade curve, never the warm-ups."""
        rng = self.rng
        grades = sorted(entry.grades_completed, key=lambda ref: ref.score, reverse=True)
        climbs = [(ref, 0) for ref in grades[:1]]
        climbs += [(ref, n) for ref in grades[1:2] for n in range(min(ref.count, 3))]
        for rank, (ref, repeat) in enumerate(climbs):
            attempts = rng.randint(3, 8) if rank == 0 else rng.choice((1, 1, 2, 3))
            significance = "routine"
            if event is not None and event.grade == ref.grade:
                significance, attempts = event.significance, rng.randint(6, 12)
            if entry.setting == "outdoor":
                crag = CRAGS.index(entry.location or CRAGS[0])
                name = PROBLEMS[(crag * 5 + ref.score + repeat * 7) % len(PROBLEMS)]
            else:
                name = f"{rng.choice(COLOURS)} {rng.randint(1, 40)}"
            stamp = entry.created_at + timedelta(minutes=rank + 1)
            terrain = rng.choice(("overhang", "vertical", "slab", "roof", "arete"))
            send = {
                "id": self.new_id(),
                "grade": ref.grade,
                "gradeType": ref.system,
                "discipline": Discipline.ROUTE if kind == "sport" else Discipline.BOULDER,
                "name": name,
                "location": entry.location,
                "date": entry.date,
                "type": entry.setting,
                "style": "overhang" if kind == "board" else terrain,
                "ascentStyle": "flash" if attempts == 1 else "redpoint",
                "attempts": attempts,
                "significance": significance,
                "notes": event.note if event and significance != "routine" else None,
                "createdAt": stamp,
                "updatedAt": stamp,
            }
            self.sends.append(BenchmarkSend.model_validate(send))
