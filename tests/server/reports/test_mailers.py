"""The two mailers send the same MIME message: the outbox writes it as a parseable .eml file,
SES (moto's server, the real aioboto3 client) records it with its unsubscribe headers."""

from __future__ import annotations

import email
import email.policy
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import cast

import aioboto3
import httpx
import pytest

from quotas import load_policy
from server.backends import SettingsError, check_backend_urls
from server.mail import Email
from server.mailers import check_url, open_mailer
from server.settings import Settings
from tests.clock import FrozenClock, at

UNSUBSCRIBE = {
    "List-Unsubscribe": "<https://v7.example/email/unsubscribe?token=abc>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def _email(to: str) -> Email:
    return Email(
        to=to,
        subject="Your week in climbing: 4 sessions, load +12%",
        text="4 sessions, 1,520 AU.\n",
        html="<p>4 sessions, <b>1,520 AU</b>.</p>",
        headers=UNSUBSCRIBE,
    )


async def test_outbox_writes_one_parseable_eml_per_email_oldest_first(tmp_path: Path) -> None:
    clock = FrozenClock(at("2026-12-07T08:00:00"))
    settings = Settings(data_dir=tmp_path)
    async with open_mailer(settings, clock) as mailer:
        first = await mailer.send(_email("ada@example.com"))
        clock.advance(timedelta(seconds=1))
        await mailer.send(_email("bo@example.com"))
    files = sorted((tmp_path / "outbox").iterdir())
    assert [path.suffix for path in files] == [".eml", ".eml"]  # no temporary file left
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["To"] == "ada@example.com"
    assert parsed["From"] == "V7 Coach <coach@localhost>"
    assert parsed["Message-ID"] == first
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert text is not None
    assert "1,520 AU" in text.get_content()
    assert html is not None
    assert "<b>1,520 AU</b>" in html.get_content()
    second = email.message_from_bytes(files[1].read_bytes(), policy=email.policy.default)
    assert second["To"] == "bo@example.com"


async def test_ses_through_moto_records_the_message_with_its_headers(
    moto_endpoint: str, tmp_path: Path
) -> None:
    sender = f"coach-{uuid.uuid4().hex[:8]}@v7.example"
    recipient = f"climber-{uuid.uuid4().hex[:8]}@example.com"
    async with aioboto3.Session().client(
        "sesv2", region_name="us-east-1", endpoint_url=moto_endpoint
    ) as client:
        await client.create_email_identity(EmailIdentity=sender)
    settings = Settings(
        data_dir=tmp_path,
        mail_url=f"ses://?region=us-east-1&endpoint_url={moto_endpoint}",
        mail_from=f"V7 Coach <{sender}>",
    )
    async with open_mailer(settings) as mailer:
        message_id = await mailer.send(_email(recipient))
    assert message_id
    async with httpx.AsyncClient() as http:
        data = (await http.get(f"{moto_endpoint}/moto-api/data.json")).json()
    raws = [
        cast(dict[str, object], raw)
        for raw in data.get("ses", {}).get("RawMessage", [])
        if recipient in json.dumps(raw)
    ]
    assert len(raws) == 1
    sent = email.message_from_string(str(raws[0]["raw_data"]), policy=email.policy.default)
    assert sent["To"] == recipient
    assert sent["Subject"] == "Your week in climbing: 4 sessions, load +12%"
    assert sent["List-Unsubscribe"] == UNSUBSCRIBE["List-Unsubscribe"]
    assert not (tmp_path / "outbox").exists()


@pytest.mark.parametrize(
    ("url", "wrong"),
    [
        ("smtp://mail.example", "unknown scheme"),
        ("ses://?region=eu-west-1&regoin=x", "unknown option 'regoin'"),
        ("ses://?region=a&region=b", "given twice"),
        ("ses://?endpoint_url=ftp://x", "endpoint_url"),
        ("outbox://somewhere", "takes no host"),
    ],
)
def test_a_malformed_mail_url_stops_the_start(url: str, wrong: str) -> None:
    with pytest.raises(ValueError, match=wrong):
        check_url(url)
    with pytest.raises(SettingsError, match="V7_MAIL_URL"):
        check_backend_urls(Settings(mail_url=url), load_policy())
