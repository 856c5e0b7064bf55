"""Every error the server answers with, mapped in one place to an HTTP status, a wire error code
and a WebSocket close code.

REST bodies are `{"error": {"code", "message", "fields"?}}`; WebSocket `error` frames carry the
same `code` and `message` (see DESIGN.md for the codes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.errors import HandlerError, TierRequired
from core.text import plural
from core.validation import problems, summary
from core.zones import shown_at
from handlers.frames import Error
from quotas.errors import QuotaExceeded, Refused
from server.auth.errors import AuthError
from store.errors import (
    ConditionFailed,
    InvalidCursor,
    NotFound,
    StoreError,
    StoreUnavailable,
    TransactionCancelled,
)

log = logging.getLogger("v7.server")

# WebSocket close codes (DESIGN.md).
CLOSE_GOING_AWAY = 1001
CLOSE_POLICY = 1008
CLOSE_TOO_LARGE = 1009
CLOSE_UNAUTHORIZED = 4001
CLOSE_RATE_LIMIT = 4029


class ApiError(Exception):
    """An error raised on purpose with the wire code and status it should produce."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra or {}


@dataclass(frozen=True)
class Mapped:
    status: int
    code: str
    message: str
    fields: list[dict[str, str]] | None = None
    headers: dict[str, str] | None = None
    extra: dict[str, Any] | None = None


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    """Pydantic's errors as `[{"field": "physicalCondition.energy", "message": …}]`."""
    return [
        {"field": found.field, "message": found.message} for found in problems(error, whole="body")
    ]


def invalid_body(error: ValidationError) -> Mapped:
    """A 422 whose message names the first problem and counts the rest ("duration: Input
    should be greater than 0 (and 2 more)"), every problem in `fields`. Never the input: a
    sign-in body holds a password."""
    found = problems(error, whole="body")
    return Mapped(422, "invalid_entry", summary(found), field_errors(error))


# Account errors (sign-up, sign-in, passwords): status and wire code. Their messages are written
# to be shown as they are (server/auth/errors.py).
_AUTH_ACCOUNT_ERRORS: dict[str, tuple[int, str]] = {
    "invalid_credentials": (401, "unauthorized"),
    "invalid_refresh_token": (401, "unauthorized"),
    "not_confirmed": (403, "unauthorized"),
    "email_taken": (409, "conflict"),
    "weak_password": (422, "invalid_entry"),
    "invalid_request": (400, "bad_request"),
    "code_mismatch": (400, "bad_request"),
    "code_expired": (400, "bad_request"),
    "oauth_failed": (400, "bad_request"),
    "session_expired": (401, "unauthorized"),
    "needs_cognito": (404, "not_found"),
    "rate_limited": (429, "rate_limited"),
    "keys_unavailable": (503, "internal"),
    "unavailable": (503, "internal"),
}


_HANDLER_STATUS = {
    "invalid_entry": 422,
    "not_found": 404,
    "conflict": 409,
    "tier_required": 403,
}


def map_error(error: BaseException) -> Mapped:
    """The one table from exceptions to what the client sees. Unknown errors are `internal`
    and never show their text (it may hold data of another user or of the system)."""
    match error:
        case ApiError():
            return Mapped(error.status, error.code, error.message, None, error.headers, error.extra)
        case ValidationError():
            return invalid_body(error)
        case QuotaExceeded():
            until = error.resets_at
            what = "AI message" if error.kind == "ai_messages" else "journal entry"
            # The window is UTC; the climber reads when it ends in their own zone.
            return Mapped(
                429,
                error.code,
                f"You have used all {plural(error.limit, what)} of your plan for now; "
                f"more from {shown_at(until, error.timezone)}",
                headers={"Retry-After": str(error.retry_after_s)},
                extra={"resets_at": until.isoformat().replace("+00:00", "Z")},
            )
        case Refused():
            status = 503 if error.code == "model_unavailable" else 429
            message = (
                "Coaching is briefly unavailable; try again shortly"
                if status == 503
                else "Slow down: too many requests"
            )
            return Mapped(
                status,
                error.code,
                message,
                headers={"Retry-After": str(error.retry_after_s)},
                extra={"retry_after_ms": error.retry_after_ms},
            )
        case TierRequired():
            # Which feature, and which tier has it, so a client can offer the upgrade.
            return Mapped(
                _HANDLER_STATUS[error.code],
                error.code,
                error.message,
                extra={"feature": error.feature, "required_tier": error.tier},
            )
        case HandlerError():
            return Mapped(_HANDLER_STATUS.get(error.code, 400), error.code, error.message)
        case AuthError() if error.is_token_error:
            return Mapped(
                401,
                "unauthorized",
                "Sign in again: the token is missing, invalid or expired",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        case AuthError():
            status, code = _AUTH_ACCOUNT_ERRORS.get(error.code, (400, "bad_request"))
            fields = (
                [{"field": "password", "message": error.message}]
                if error.code == "weak_password"
                else None
            )
            wait = (
                {"Retry-After": str(error.retry_after_s)}
                if status == 429 and error.retry_after_s is not None
                else None
            )
            return Mapped(status, code, error.message, fields, wait, extra={"reason": error.code})
        case NotFound():
            return Mapped(404, "not_found", "No such item")
        case ConditionFailed() | TransactionCancelled():
            return Mapped(409, "conflict", "The item changed meanwhile; reload and try again")
        case InvalidCursor():
            return Mapped(400, "bad_request", "The pagination cursor is not valid for this query")
        case StoreUnavailable():
            return Mapped(503, "internal", "Storage is unavailable; try again shortly")
        case _:
            return Mapped(500, "internal", "Something went wrong on our side")


def error_frame(error: BaseException, reply_to: str | None) -> Error:
    """The `error` frame for an exception raised while serving a frame (logged if it is ours:
    a 5xx). Carries `retry_after_ms` / `resets_at` when the refusal has them."""
    mapped = map_error(error)
    if mapped.status >= 500:
        log.error("turn failed", exc_info=error)
    extra = mapped.extra or {}
    return Error(
        reply_to=reply_to,
        code=mapped.code,
        message=mapped.message,
        retry_after_ms=extra.get("retry_after_ms"),
        resets_at=extra.get("resets_at"),
    )


def error_body(mapped: Mapped) -> dict[str, Any]:
    body: dict[str, Any] = {"code": mapped.code, "message": mapped.message}
    if mapped.fields:
        body["fields"] = mapped.fields
    if mapped.extra:
        body.update(mapped.extra)
    return {"error": body}


async def handle_http_error(request: Request, error: Exception) -> Response:
    mapped = map_error(error)
    if mapped.status >= 500:
        log.error("request failed", exc_info=error)
    return JSONResponse(error_body(mapped), status_code=mapped.status, headers=mapped.headers)


# Every class `map_error` knows; `Exception` last catches the rest as a 500.
EXCEPTION_HANDLERS = {
    cls: handle_http_error
    for cls in (
        ApiError,
        ValidationError,
        AuthError,
        HandlerError,
        Refused,
        StoreError,
        Exception,
    )
}
