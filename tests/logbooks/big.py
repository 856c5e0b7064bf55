"""A large made-up Mountain Project ticks file, for the 100,000-row test and `bench import`.

Made up entirely: a few hundred invented routes at two invented crags, a climber ticking
about 40 of them a day on three days a week, with every style the export writes.
"""

from __future__ import annotations

from datetime import date, timedelta

HEADER = (
    "Date,Route,Rating,Notes,URL,Pitches,Location,Avg Stars,Your Stars,Style,Lead Style,"
    "Route Type,Your Rating,Length,Rating Code\r\n"
)
_GRADES = ("5.9", "5.10a", "5.10b", "5.10c", "5.10d", "5.11a", "5.11b", "5.11c", "5.12a")
_STYLES = (
    ("Lead", "Redpoint"),
    ("Lead", "Onsight"),
    ("Lead", "Fell/Hung"),
    ("TR", ""),
    ("Lead", "Flash"),
    ("Follow", ""),
)
_CRAGS = ("Made-up State > Imaginary Canyon > Left Fork", "Made-up State > Pretend Bluffs")
ROWS_PER_DAY = 40


def mountain_project_ticks(rows: int, last_day: date) -> bytes:
    """`rows` ticks, ending on `last_day`, as a Mountain Project export's bytes."""
    lines = [HEADER]
    days = -(-rows // ROWS_PER_DAY)
    first = last_day - timedelta(days=days * 7 // 3 + 1)
    for index in range(rows):
        day = first + timedelta(days=(index // ROWS_PER_DAY) * 7 // 3)
        crag = _CRAGS[(index // ROWS_PER_DAY) % 2]
        route = index % 600
        style, lead = _STYLES[index % len(_STYLES)]
        grade = _GRADES[route % len(_GRADES)]
        note = '"a note, with a comma"' if index % 50 == 0 else ""
        lines.append(
            f"{day.isoformat()},Invented Route {route},{grade},{note},,1,{crag} > Wall {route % 7},"
            f"2.5,-1,{style},{lead},Sport,,25,0\r\n"
        )
    return "".join(lines).encode()
