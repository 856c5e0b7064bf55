"""Turning a file's bytes into rows: encoding, byte order mark, delimiter, quoted newlines.

A CSV is read row by row (never split on newlines first), so a quoted field may hold line
breaks; each row knows the line of the file it starts on, which is what a report names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from logbooks.model import WrongFormat

_DELIMITERS = (",", ";", "\t")


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte order mark; UTF-16 when it has one),
    else Windows-1252, which spreadsheet programs still write. Raises `WrongFormat` for a file
    that is empty or not text at all."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise WrongFormat("The file is empty: there is nothing to import.")
    if "\x00" in text[:4096]:
        raise WrongFormat("This is not a text file: export a CSV or the V7 Coach JSON.")
    return text


def delimiter_of(header_line: str) -> str:
    """The delimiter of a CSV, told from its header line: the one of `,` `;` or tab that
    appears most outside quotes (spreadsheets in many countries write `;`)."""
    outside, quoted = [], False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(char)
    counts = {sep: outside.count(sep) for sep in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


@dataclass(frozen=True)
class Row:
    line: int
    """The line of the file the row starts on (the header is line 1)."""
    cells: list[str]
    """The row's cells, in the header's order (a short row has fewer)."""


def column_key(name: str) -> str:
    """A header cell as it is compared: lower case, letters and digits only."""
    return "".join(char for char in name.lower() if char.isalnum())


def csv_rows(text: str) -> tuple[list[str], Iterator[Row]]:
    """The header (normalised column names) and a lazy iterator of the data rows. Blank rows
    are skipped. Raises `WrongFormat` when there is no header."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(first_line))
    try:
        header = [column_key(cell) for cell in next(reader)]
    except StopIteration:
        raise WrongFormat("The file is empty: there is nothing to import.") from None
    except csv.Error as error:
        raise WrongFormat(f"The file is not a readable CSV ({error}).") from None

    def rows() -> Iterator[Row]:
        line = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                message = f"Line {line}: the file is not a readable CSV ({error})."
                raise WrongFormat(message) from None
            if any(cell.strip() for cell in cells):
                yield Row(line, cells)
            line = reader.line_num + 1

    return header, rows()
