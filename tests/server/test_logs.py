from __future__ import annotations

import json
import logging

from server.logs import JsonFormatter, correlation_id, scrub

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl"


def test_scrub_removes_jwts_and_bearer_values() -> None:
    text = f"Authorization: Bearer {TOKEN} and subprotocol bearer.{TOKEN} and raw {TOKEN}"
    cleaned = scrub(text)
    assert TOKEN not in cleaned
    assert "eyJ" not in cleaned
    assert cleaned.count("[redacted]") == 3


def test_json_lines_carry_the_correlation_id_and_never_a_secret() -> None:
    record = logging.LogRecord("v7", logging.INFO, __file__, 1, "signin %s", (TOKEN,), None)
    record.password = "hunter2hunter2"  # extra fields named like secrets are redacted
    record.user = "u1"
    reset = correlation_id.set("req-1")
    try:
        line = JsonFormatter().format(record)
    finally:
        correlation_id.reset(reset)
    entry = json.loads(line)
    assert entry["id"] == "req-1"
    assert entry["user"] == "u1"
    assert entry["password"] == "[redacted]"
    assert TOKEN not in line
    assert "hunter2" not in line
