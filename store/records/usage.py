"""The monthly usage ledger: the durable record of AI messages and tokens spent."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from store.records.base import Record
from store.records.common import Stored, UtcDateTime

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_month(value: str) -> str:
    """`value` if it is a month `YYYY-MM`; raises `ValueError` otherwise."""
    if not _MONTH.match(value):
        raise ValueError("must be a month as YYYY-MM")
    return value


Month = Annotated[str, AfterValidator(check_month)]
"""A UTC calendar month, `YYYY-MM`."""

Count = Annotated[int, Field(ge=0)]


class ModelUsage(Record):
    messages: Count = 0
    input_tokens: Count = 0
    output_tokens: Count = 0


class UsageLedger(Stored):
    """Counters of one user for one month; only the ledger repository writes them."""

    month: Month
    ai_messages: Count = 0
    input_tokens: Count = 0
    output_tokens: Count = 0
    by_model: dict[str, ModelUsage] = Field(default_factory=dict)
    updated_at: UtcDateTime | None = None
