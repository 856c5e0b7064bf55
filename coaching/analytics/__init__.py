"""Analytics computed in code from the climber's records: grades and pyramids, training load,
soreness and injuries, goals, nutrition and plan adherence (see coaching.md for the rules).

`compute(inputs, window)` turns the records into a `ClimberAnalytics` (`context.reads` reads
them from the store in one wave); `render_text` turns it into the `/stats` reply and the
model's facts.
"""

from __future__ import annotations

from coaching.analytics.common import Period, Window
from coaching.analytics.render import lines, render_text
from coaching.analytics.summary import ClimberAnalytics, Inputs, compute, history_start

__all__ = [
    "ClimberAnalytics",
    "Inputs",
    "Period",
    "Window",
    "compute",
    "history_start",
    "lines",
    "render_text",
]
