"""Emails as text and HTML, both rendered from the same computed figures with jinja2.

Every figure is formatted here, once, with its unit (`lines_of`), and both templates show the
same lines, so the text and the HTML of an email can never disagree. The HTML environment
escapes by default: what a climber wrote (their name, a route's name, a plan's focus) is data
and reaches the HTML only escaped. Templates are package files (`server/reports/templates/`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from coaching.analytics.common import shown
from coaching.reports import WeekReport
from core.text import plural, sentence
from core.zones import label


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("server.reports", "templates"),
        # HTML escapes; plain text is not HTML, so escaping it would only garble "&" and "<".
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    """`templates/{template}` rendered with `context`."""
    return _environment().get_template(template).render(**context)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def duration(minutes: int) -> str:
    """ "45 min", "2 h", "4 h 45 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


def signed_percent(value: float) -> str:
    """+12 % / −8 % as a subject line shows a change: whole percent, signed."""
    whole = shown(value)
    return f"+{whole}%" if value > 0 and whole != "0" else f"{whole}%"


def subject(report: WeekReport) -> str:
    """ "Your week in climbing: 4 sessions, load +12%"; the load itself while there is no
    comparison."""
    sessions = plural(report.sessions, "session")
    if report.load_change_percent is not None:
        return (
            f"Your week in climbing: {sessions}, load {signed_percent(report.load_change_percent)}"
        )
    return f"Your week in climbing: {sessions}, load {shown(report.load)} AU"


def lines_of(report: WeekReport) -> dict[str, Any]:
    """The report's figures as the sentences both templates show."""
    kinds = ", ".join(f"{row.count} {row.type.value}" for row in report.by_type)
    sessions = f"{sentence(plural(report.sessions, 'session'))}, {duration(report.minutes)}"
    if kinds:
        sessions += f" ({kinds})"
    load = f"{shown(report.load)} AU"
    if report.load_change_percent is not None and report.load_last_week is not None:
        load += (
            f", {signed_percent(report.load_change_percent).replace('%', ' %')} on the week "
            f"before ({shown(report.load_last_week)} AU)."
        )
    elif report.load_note:
        load += f". {report.load_note}"
    else:
        load += "."
    if report.unrated_sessions:
        load += (
            f" {sentence(plural(report.unrated_sessions, 'session'))} without an RPE carried no "
            "load."
        )
    sends = [
        f"{row.discipline.value.capitalize()}: {plural(row.sends, 'benchmark send')}"
        + (f", hardest {row.hardest}" if row.hardest else "")
        for row in report.sends
    ]
    climbs = f"{plural(report.climbs, 'climb')} sent in your sessions" if report.climbs else None
    adherence = None
    if report.adherence is not None:
        a = report.adherence
        adherence = (
            f"{a.done_days} of {plural(a.planned_days, 'planned day')} trained "
            f"({shown(a.percent)} %) in {a.plan_name}"
        )
    nutrition = []
    if report.nutrition is not None:
        food = report.nutrition
        nutrition.append(f"Food logged on {plural(food.days_logged, 'day')}")
        for title, unit, row in (
            ("Energy", "kcal", food.calories),
            ("Protein", "g", food.protein_g),
        ):
            if row.average is None:
                continue
            line = f"{title}: {shown(row.average)} {unit} a day"
            if row.target is not None:
                line += f" against a target of {shown(row.target)} {unit}"
                if row.percent is not None:
                    line += f" ({shown(row.percent)} %)"
            nutrition.append(line)
    return {
        "week": report.week,
        "dates": f"{report.start:%a %-d %b} to {report.end:%a %-d %b %Y} ({label(report.zone)})",
        "sessions": sessions,
        "load": load,
        "sends": sends,
        "climbs": climbs,
        "named_sends": [(f"{s.date:%a}", s.grade, s.name) for s in report.named_sends],
        "new_maxes": [(m.title, m.text) for m in report.new_maxes],
        "adherence": adherence,
        "nutrition": nutrition,
        "watch": [(w.title, w.text) for w in report.watch],
        "suggestion": (report.suggestion.title, report.suggestion.text),
    }


def weekly_email(report: WeekReport, *, name: str, app_url: str, unsubscribe: str) -> Rendered:
    """The weekly report's subject, text and HTML. `name` is the climber's (data: escaped in
    the HTML); `app_url` opens the app; `unsubscribe` turns the report off."""
    context = {
        **lines_of(report),
        "name": name,
        "app_url": app_url,
        "unsubscribe": unsubscribe,
    }
    return Rendered(
        subject=subject(report),
        text=render("weekly.txt", **context),
        html=render("weekly.html", **context),
    )
