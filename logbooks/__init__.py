"""Reading climbers' logbooks from elsewhere: pure parsers, no I/O.

`read_logbook(data, now=…)` turns the bytes of an exported file into the records it holds
(journal entries, benchmark sends, and for the project's own JSON export every kind) and a
`Report` saying what happened to each row. The formats are in `logbooks.formats` (CSV) and
`logbooks.own` (the `/users/export` JSON); applying the records to the store is
`handlers/imports.py`'s job.
"""

from __future__ import annotations

from logbooks.model import FormatName, LineError, Parsed, Report, WrongFormat
from logbooks.reading import read_logbook

__all__ = ["FormatName", "LineError", "Parsed", "Report", "WrongFormat", "read_logbook"]
