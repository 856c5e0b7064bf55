"""Analytics computed in code from the climber's records: grades and pyramids, training load,
soreness and injuries, goals, nutrition and plan adherence (see coaching.md for the rules).

`assemble(table, user_id, period, today)` reads the store in one wave and returns a
`ClimberAnalytics`; `render_text` turns it into the `/stats` reply and the model's facts.
"""

from __future__ import annotations

from context.analytics.common import Period, Window
from context.analytics.render import lines, render_text
from context.analytics.summary import ClimberAnalytics, Inputs, assemble, compute, read_inputs

__all__ = [
    "ClimberAnalytics",
    "Inputs",
    "Period",
    "Window",
    "assemble",
    "compute",
    "lines",
    "read_inputs",
    "render_text",
]
