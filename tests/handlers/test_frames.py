from __future__ import annotations

import json

import pytest

from core.errors import BadFrame
from handlers.frames import (
    Auth,
    Error,
    Ping,
    Resume,
    Say,
    StreamDelta,
    encode,
    parse_client_frame,
)


def test_every_client_frame_of_the_contract_parses() -> None:
    assert parse_client_frame('{"type":"say","id":"c1","text":"/log gym 90min"}') == Say(
        type="say", id="c1", text="/log gym 90min"
    )
    assert isinstance(parse_client_frame('{"type":"ping","id":"x"}'), Ping)
    assert parse_client_frame('{"type":"resume","stream":"s1","after":17}') == Resume(
        type="resume", stream="s1", after=17
    )
    for text in (
        '{"type":"stop","stream":"s1"}',
        '{"type":"confirm","proposal":"p1"}',
        '{"type":"dismiss","proposal":"p1"}',
        '{"type":"auth","token":"abc"}',
    ):
        assert parse_client_frame(text).type == json.loads(text)["type"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not json", "JSON objects"),
        ("[1,2]", "JSON objects"),
        ('{"type":"shout","text":"hi"}', "unknown frame type 'shout'"),
        ('{"text":"hi"}', "unknown frame type None"),
        ('{"type":"say","text":"hi"}', "bad say frame: id"),
        ('{"type":"say","id":"c1","text":""}', "bad say frame: text"),
        ('{"type":"say","id":"c1","text":"hi","extra":1}', "extra"),
        ('{"type":"resume","stream":"s1","after":-1}', "after"),
        ('{"type":"say","id":"has space","text":"hi"}', "id"),
    ],
)
def test_malformed_frames_say_what_was_wrong(text: str, expected: str) -> None:
    with pytest.raises(BadFrame, match=expected):
        parse_client_frame(text)


def test_a_bad_frame_lists_every_problem_by_field_on_one_line() -> None:
    with pytest.raises(BadFrame) as caught:
        parse_client_frame('{"type":"say","text":"","extra":1}')
    assert caught.value.message == (
        "bad say frame: id: Field required; text: String should have at least 1 character; "
        "extra: Extra inputs are not permitted"
    )


def test_a_bad_auth_frame_never_echoes_the_token() -> None:
    with pytest.raises(BadFrame) as caught:
        parse_client_frame('{"type":"auth","token":"eyJsecret","extra":"x"}')
    assert "eyJsecret" not in caught.value.message
    assert isinstance(parse_client_frame('{"type":"auth","token":"t"}'), Auth)


def test_server_frames_serialise_to_the_wire_names() -> None:
    assert json.loads(encode(StreamDelta(stream="s1", seq=3, text="Hi"))) == {
        "type": "stream.delta",
        "stream": "s1",
        "seq": 3,
        "text": "Hi",
    }
    error = json.loads(
        encode(Error(reply_to="c1", code="rate_limited", message="slow", retry_after_ms=50))
    )
    assert error == {
        "type": "error",
        "reply_to": "c1",
        "code": "rate_limited",
        "message": "slow",
        "retry_after_ms": 50,
    }
