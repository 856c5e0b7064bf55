"""The loopback server's event-stream encoder, checked against botocore's own decoder: if these
frames decode there, the Bedrock tests exercise the client's real wire parsing."""

from __future__ import annotations

import json
from typing import cast

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from tests.llm.bedrock_server import encode_message, event, exception


def decode_all(data: bytes, step: int) -> list[tuple[dict[str, object], bytes]]:
    buffer = EventStreamBuffer()
    messages: list[tuple[dict[str, object], bytes]] = []
    for start in range(0, len(data), step):
        buffer.add_data(data[start : start + step])
        # botocore-stubs types `headers` as int; botocore returns the parsed dict.
        messages += [
            (cast(dict[str, object], message.headers), message.payload) for message in buffer
        ]
    return messages


@pytest.mark.parametrize("step", [1, 7, 10_000])
def test_frames_round_trip_through_botocores_decoder(step: int) -> None:
    frames = [
        event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Crimp é ✓"}}),
        exception("throttlingException", "slow down"),
    ]
    decoded = decode_all(b"".join(frames), step)
    assert [headers[":message-type"] for headers, _ in decoded] == ["event", "exception"]
    assert decoded[0][0][":event-type"] == "contentBlockDelta"
    assert json.loads(decoded[0][1])["delta"] == {"text": "Crimp é ✓"}
    assert decoded[1][0][":exception-type"] == "throttlingException"
    assert json.loads(decoded[1][1]) == {"message": "slow down"}


def test_a_corrupted_frame_is_refused_by_the_decoder() -> None:
    frame = bytearray(encode_message({":message-type": "event"}, b'{"a": 1}'))
    frame[-6] ^= 0xFF  # a payload byte: the message CRC no longer matches
    with pytest.raises(ChecksumMismatch):
        decode_all(bytes(frame), len(frame))
