"""Loopback stand-ins for the model providers, shared by the llm tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from tests.llm.bedrock_server import BedrockServer
from tests.llm.openai_server import OpenAIServer


@pytest.fixture(scope="session")
async def bedrock_server() -> AsyncIterator[BedrockServer]:
    # Signed with fake credentials: the stand-in only checks that a signature is present.
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    server = BedrockServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bedrock(bedrock_server: BedrockServer) -> AsyncIterator[BedrockServer]:
    """The Bedrock stand-in, with no scripted replies and nothing received; every reply a test
    scripts must have been requested by its end."""
    bedrock_server.replies.clear()
    bedrock_server.received.clear()
    yield bedrock_server
    assert not bedrock_server.replies, "scripted replies were never requested"


@pytest.fixture(scope="session")
async def openai_server() -> AsyncIterator[OpenAIServer]:
    server = OpenAIServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def openai(openai_server: OpenAIServer) -> AsyncIterator[OpenAIServer]:
    openai_server.replies.clear()
    openai_server.received.clear()
    yield openai_server
    assert not openai_server.replies, "scripted replies were never requested"
