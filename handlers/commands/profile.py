"""`/profile`: show the athlete profile, or set parts of it.

`/profile weight 68kg height 175cm age 31 years 6 boulder V6 sport 7a+` — weight (kg, or lb
converted), height (cm, or m), age, years climbing, ape index (cm), and current grades by
style: `boulder`, `sport`, `toprope`, `trad`, each validated for its discipline. Grades are
indoor unless preceded by `outdoor` (trad is always outdoor). `strengths …`/`weaknesses …`
take comma-separated words. `days mon wed fri sat` sets the training days.
`/profile timezone ZONE` sets the account's time zone
(`handlers/commands/timezone.py`); `/profile` shows it with the rest."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from grammar.fields import invalid
from grammar.profile import USAGE, is_timezone, parse_changes, parse_timezone
from handlers.commands import timezone
from handlers.commands.context import Turn
from handlers.undo import UndoAction
from store.errors import ConditionFailed
from store.records import AthleteProfile, AthleteProfileIn


def merged(current: AthleteProfile | None, changes: dict[str, Any]) -> AthleteProfileIn:
    """The profile after `changes` (grades merged per setting and style)."""
    base = (
        current.model_dump(by_alias=True, include=set(AthleteProfileIn.model_fields))
        if current
        else {}
    )
    grades = base.get("currentGrades") or {}
    for where, styles in changes.pop("currentGrades", {}).items():
        grades[where] = {**(grades.get(where) or {}), **styles}
    body = {**base, **changes}
    if grades:
        body["currentGrades"] = grades
    try:
        return AthleteProfileIn.model_validate(body)
    except ValidationError as error:
        raise invalid(error, USAGE) from None


def summary(profile: AthleteProfile | None) -> str:
    if profile is None:
        return f"Your profile is empty. Set it: {USAGE}"
    lines = []
    for label, value, unit in (
        ("Weight", profile.weight_kg, " kg"),
        ("Height", profile.height_cm, " cm"),
        ("Age", profile.age, ""),
        ("Years climbing", profile.years_climbing, ""),
        ("Ape index", profile.ape_index_cm, " cm"),
    ):
        if value is not None:
            lines.append(f"{label}: {value:g}{unit}")
    for where, grades in (
        ("indoor", profile.current_grades.indoor.model_dump(by_alias=True, exclude_none=True)),
        ("outdoor", profile.current_grades.outdoor.model_dump(by_alias=True, exclude_none=True)),
    ):
        if grades:
            listed = ", ".join(f"{style} {grade}" for style, grade in grades.items())
            lines.append(f"Grades {where}: {listed}")
    if profile.strengths:
        lines.append("Strengths: " + ", ".join(profile.strengths))
    if profile.weaknesses:
        lines.append("Weaknesses: " + ", ".join(profile.weaknesses))
    if profile.training_days:
        days = ", ".join(day[:3].capitalize() for day in profile.training_days)
        lines.append(f"Training days: {days}")
    return "\n".join(lines) or f"Your profile is empty. Set it: {USAGE}"


async def run(turn: Turn, args: str) -> None:
    repo, user = turn.repos.athlete, turn.user_id
    if is_timezone(args):
        zone = parse_timezone(args)
        await (timezone.show(turn) if zone is None else timezone.set_zone(turn, zone))
        return
    if not args or args.lower() in ("show", "view"):
        profile = await repo.find(user)
        data = {"profile": profile.to_wire() if profile else None, "timezone": turn.caller.timezone}
        await turn.reply(f"{summary(profile)}\n{timezone.shown(turn.caller.timezone)}", data)
        return
    changes = parse_changes(args)
    for _ in range(5):
        current = await repo.find(user)
        profile_in = merged(current, dict(changes))
        expected = 0 if current is None else current.version
        try:
            stored = await repo.put(user, profile_in, expected_version=expected)
        except ConditionFailed:
            continue  # another tab wrote in between: merge into the newer profile
        previous = None if current is None else current.to_wire()
        action = UndoAction("profile", "athlete", "profile", "restore", stored.version, previous)
        await turn.saved(action, stored.to_wire())
        return
    raise ConditionFailed("ATHLETE", user, "the profile kept changing")
