"""Where a climber stands against their tier's limits: the `quota` object of the protocol
(`ready`, `saved` and `stream.end` frames, `GET /users/profile`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer


class Allowance(BaseModel):
    """One limit and where the user stands. `limit` and `remaining` are null when unlimited,
    and stay in the output even when frames drop their other null fields."""

    limit: int | None
    used: int
    remaining: int | None
    resets_at: datetime

    # No return annotation on purpose: pydantic would document the return type instead of this
    # model's fields in the JSON schema (and so in /openapi.json).
    @model_serializer(mode="wrap")
    def _keep_nulls(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        data = handler(self)
        return {
            "limit": self.limit,
            "used": data["used"],
            "remaining": self.remaining,
            "resets_at": data["resets_at"],
        }


class Quota(BaseModel):
    ai_messages: Allowance
    journal_entries: Allowance
