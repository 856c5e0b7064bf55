"""The project's own `GET /users/export` JSON, read back: every record as it was exported,
ids and timestamps included, so export → import → export gives the same records.

Read: athlete profile, goals, injuries, journal entries, sends, training plans, nutrition
profile and logs, chat. Not read: the account itself (`user`: email, name and subscription
belong to the account imported into), `usage` (the quota ledger is the server's), `media`
(links to bytes, not the bytes) and `other`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from core.untrusted_json import BadJSON, parse_json
from core.validation import one_line, problems
from logbooks.model import FormatName, Parsed, Report, WrongFormat
from store.records.athlete import AthleteProfile, Goal, Injury
from store.records.chat import ChatMessage
from store.records.journal import JournalEntry
from store.records.nutrition import NutritionLog, NutritionProfile
from store.records.sends import BenchmarkSend
from store.records.training import TrainingPlan

_LISTS: tuple[tuple[str, type[BaseModel], Callable[[Parsed], list[Any]]], ...] = (
    ("goals", Goal, lambda parsed: parsed.goals),
    ("injuries", Injury, lambda parsed: parsed.injuries),
    ("journalEntries", JournalEntry, lambda parsed: parsed.entries),
    ("sends", BenchmarkSend, lambda parsed: parsed.sends),
    ("trainingPlans", TrainingPlan, lambda parsed: parsed.plans),
    ("nutritionLogs", NutritionLog, lambda parsed: parsed.nutrition_logs),
    ("chat", ChatMessage, lambda parsed: parsed.chat),
)
_SINGLES: tuple[tuple[str, type[BaseModel]], ...] = (
    ("athleteProfile", AthleteProfile),
    ("nutritionProfile", NutritionProfile),
)


def looks_like_export(text: str) -> bool:
    return text.lstrip().startswith("{")


def read_export(text: str) -> Parsed:
    """The records of an export. Raises `WrongFormat` when the text is not one."""
    try:
        data = parse_json(text)
    except BadJSON as error:
        raise WrongFormat(f"This is not readable JSON ({error}).") from None
    if not isinstance(data, dict) or "exportedAt" not in data:
        raise WrongFormat("This JSON is not a V7 Coach export (it has no `exportedAt`).")
    parsed = Parsed(Report(format=FormatName.V7_JSON))
    report = parsed.report
    for section, model, target in _LISTS:
        items = data.get(section) or []
        if not isinstance(items, list):
            report.refuse(None, "not a list", item=section)
            continue
        seen: set[object] = set()
        for index, item in enumerate(items):
            report.rows_read += 1
            record = _record(model, item, f"{section}[{index}]", report)
            if record is None:
                continue
            # One id twice in a file is one record (and one transaction may not write an
            # item twice): the second copy counts as a duplicate.
            key = getattr(record, "id", None) or getattr(record, "date", None)
            if key in seen:
                report.duplicates += 1
                continue
            seen.add(key)
            if isinstance(record, JournalEntry):
                parsed.entries.append((record, 1))
            else:
                target(parsed).append(record)
    for section, model in _SINGLES:
        if data.get(section) is None:
            continue
        report.rows_read += 1
        record = _record(model, data[section], section, report)
        if isinstance(record, AthleteProfile):
            parsed.athlete_profile = record
        elif isinstance(record, NutritionProfile):
            parsed.nutrition_profile = record
    return parsed


def _record(model: type[BaseModel], item: Any, where: str, report: Report) -> BaseModel | None:
    if not isinstance(item, dict):
        report.refuse(None, "not an object", item=where)
        return None
    try:
        return model.model_validate(item)
    except ValidationError as error:
        report.refuse(None, one_line(problems(error)), item=where)
        return None
