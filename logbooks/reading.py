"""`read_logbook`: which format a file is, and its records."""

from __future__ import annotations

from datetime import datetime

from logbooks.dates import slashed_order
from logbooks.formats import BY_NAME, CSV_FORMATS, CsvFormat
from logbooks.model import FormatName, Parsed, Report, WrongFormat
from logbooks.own import looks_like_export, read_export
from logbooks.sessions import build
from logbooks.text import Row, csv_rows, decode
from logbooks.ticks import Tick, columns_of, roles_of, tick_of
from store.records.common import latest_allowed_date


def read_logbook(data: bytes, *, now: datetime, format: FormatName | None = None) -> Parsed:
    """The records of the file `data` and the report of its rows (rows read and refused; the
    applier adds imported and duplicates). `format` None: told from the file.

    Raises `WrongFormat` (nothing is imported) for an empty file, a file that is not text, not
    a CSV or JSON this reads, or that is plainly another format than `format` ("This looks
    like a KAYA logbook export, not a Mountain Project ticks export").
    """
    text = decode(data)
    if looks_like_export(text):
        if format not in (None, FormatName.V7_JSON):
            raise WrongFormat(_not(FormatName.V7_JSON, format))
        return read_export(text)
    header, rows = csv_rows(text)
    fmt = _format_of(header, format)
    return _read_csv(fmt, header, list(rows), now)


def _not(found: FormatName, asked: FormatName) -> str:
    return f"This looks like {found.described}, not {asked.described}."


def _format_of(header: list[str], asked: FormatName | None) -> CsvFormat:
    fitting = [each for each in CSV_FORMATS if each.fits(header)]
    if asked is FormatName.V7_JSON:
        if fitting:
            raise WrongFormat(_not(fitting[0].name, asked))
        raise WrongFormat(f"This is not {asked.described}: it is not JSON.")
    if asked is not None:
        wanted = BY_NAME[asked]
        if wanted.fits(header):
            return wanted
        if fitting:
            raise WrongFormat(_not(fitting[0].name, asked))
        missing = [role for role in wanted.required if wanted.column(header, role) is None]
        columns = ", ".join(missing)
        raise WrongFormat(f"This is not {asked.described}: it has no column for {columns}.")
    if not fitting:
        names = ", ".join(each.name.described for each in CSV_FORMATS)
        raise WrongFormat(
            f"This file's columns are not those of any logbook this reads ({names}, or the "
            "V7 Coach JSON export)."
        )
    return fitting[0]


def _read_csv(fmt: CsvFormat, header: list[str], rows: list[Row], now: datetime) -> Parsed:
    report = Report(format=fmt.name)
    columns = columns_of(fmt, header)
    all_roles = [(row.line, roles_of(row, columns)) for row in rows]
    order = slashed_order((roles["date"] for _, roles in all_roles), fmt.date_order)
    report.date_order = order
    latest = latest_allowed_date(now)
    ticks: list[Tick] = []
    for line, roles in all_roles:
        report.rows_read += 1
        try:
            ticks.append(tick_of(line, roles, fmt, order, latest))
        except ValueError as error:
            report.refuse(line, str(error))
    entries, sends = build(fmt.name, ticks)
    parsed = Parsed(report, entries=entries, sends=sends)
    return parsed
