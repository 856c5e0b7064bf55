"""`GET /users/export?format=csv`: the account as a zip of CSV files a spreadsheet opens.

One file per kind, a header row, one row per record: `sessions.csv` (journal entries),
`sends.csv`, `goals.csv`, `injuries.csv`, `meals.csv` (one row per meal, with its day) and
`plans.csv`. Columns are the wire's field names; a list of grades reads `V4; V5×2`, other
lists `a; b`, and anything nested deeper is compact JSON in its cell. A kind with no records
still has its file, header only when its columns are known. Text that a spreadsheet would run
as a formula (starting `=`, `+`, `-`, `@`) is prefixed with `'`: user text is data.

This is for reading; the export that imports back losslessly is the JSON one.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

_FILES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sessions.csv", "journalEntries", ("id", "date", "sessionType", "duration")),
    ("sends.csv", "sends", ("id", "date", "grade", "name")),
    ("goals.csv", "goals", ("id", "description")),
    ("injuries.csv", "injuries", ("id", "date", "bodyPart")),
    ("meals.csv", "nutritionLogs", ("date", "id", "name")),
    ("plans.csv", "trainingPlans", ("id", "name", "startDate", "endDate")),
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_zip(export: Mapping[str, Any]) -> bytes:
    """The zip of `export` (the sections of `store.repos.account.AccountRepo.export`)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, section, first in _FILES:
            records = export.get(section) or []
            rows = list(_meals(records)) if section == "nutritionLogs" else list(records)
            archive.writestr(name, _csv(rows, first))
    return buffer.getvalue()


def _meals(days: Iterable[Mapping[str, Any]]) -> Iterable[dict[str, Any]]:
    for day in days:
        for meal in day.get("meals") or []:
            yield {"date": day.get("date"), **meal}


def _csv(rows: list[Mapping[str, Any]], first: tuple[str, ...]) -> str:
    columns = list(first)
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    present = {key for row in rows for key in row}
    if rows:
        columns = [key for key in columns if key in present]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key in columns])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA) else value
    if isinstance(value, list) and all(_is_grade(item) for item in value):
        return "; ".join(
            item["grade"] + (f"×{item['count']}" if item.get("count", 1) != 1 else "")
            for item in value
        )
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return _cell("; ".join(value))
    return _cell(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _is_grade(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("grade"), str) and "score" in item
