"""The monthly usage ledger: `USER#{id}` / `USAGE#{yyyy-mm}`.

Counters are top-level numbers incremented with the store's atomic `add`, so concurrent
recordings never lose an increment. Per-model counters live in flat attributes
`byModel#{model}#{counter}` (an update can only add to top-level attributes); reading folds them
back into `byModel`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.records.usage import ModelUsage, UsageLedger, check_month
from store.repos.base import user_pk
from store.table import VERSION, Item

if TYPE_CHECKING:
    from store.table import Table

KIND = "USAGE"
_BY_MODEL = "byModel#"
_COUNTERS = ("messages", "inputTokens", "outputTokens")


def usage_key(month: str) -> str:
    return f"{KIND}#{check_month(month)}"


def ledger_from_item(item: Item) -> UsageLedger:
    """The ledger of a stored usage item (flat per-model counters folded into `byModel`)."""
    by_model: dict[str, dict[str, int]] = {}
    for name, value in item.items():
        if name.startswith(_BY_MODEL):
            model, _, counter = name[len(_BY_MODEL) :].rpartition("#")
            if model and counter in _COUNTERS:
                by_model.setdefault(model, {})[counter] = int(value)
    return UsageLedger.model_validate(
        {
            "month": item["month"],
            "aiMessages": int(item.get("aiMessages", 0)),
            "inputTokens": int(item.get("inputTokens", 0)),
            "outputTokens": int(item.get("outputTokens", 0)),
            "byModel": {model: ModelUsage.model_validate(c) for model, c in by_model.items()},
            "updatedAt": item.get("updatedAt"),
            "version": int(item.get(VERSION, 0)),
        }
    )


class UsageRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def record(
        self,
        user_id: str,
        month: str,
        model: str,
        input_tokens: int,
        output_tokens: int,
        *,
        messages: int = 1,
    ) -> UsageLedger:
        """Add one AI message (or `messages`) and its tokens to `month`, atomically; creates the
        month's ledger on first use. Returns the ledger afterwards. Raises `ValueError` for a
        malformed month, an empty model name or negative counts."""
        if not model:
            raise ValueError("model must be non-empty")
        if min(input_tokens, output_tokens, messages) < 0:
            raise ValueError("usage counts must not be negative")
        counts = {"messages": messages, "inputTokens": input_tokens, "outputTokens": output_tokens}
        add: dict[str, int | float] = {
            "aiMessages": messages,
            "inputTokens": input_tokens,
            "outputTokens": output_tokens,
        }
        for counter, amount in counts.items():
            add[f"{_BY_MODEL}{model}#{counter}"] = amount
        item = await self.table.update(
            user_pk(user_id),
            usage_key(month),
            set={"month": month, "updatedAt": f"{self.table.clock():%Y-%m-%dT%H:%M:%S.%fZ}"},
            add=add,
            create=True,
        )
        return ledger_from_item(item)

    async def get(self, user_id: str, month: str) -> UsageLedger:
        """The ledger of `month`; all zeros (version 0) when nothing was recorded."""
        item = await self.table.get(user_pk(user_id), usage_key(month))
        if item is None:
            return UsageLedger(month=month)
        return ledger_from_item(item)
