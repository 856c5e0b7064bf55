"""Errors raised by model providers, normalised across Bedrock, OpenAI-compatible endpoints and
the local models, so the coaching turn handles one type whatever answered.

Every message is safe to log: it names the provider, the error code and status, never the prompt
text, the reply, or credentials.
"""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal[
    "throttled",  # the provider refused for rate or quota reasons; try later
    "unavailable",  # the provider or the network is down, or the stream broke
    "timeout",  # no answer in time (connect, read, or the model itself)
    "bad_request",  # the request was refused as invalid (a bug, or a prompt too large)
    "access_denied",  # credentials or model access are missing (a deployment problem)
    "content_filtered",  # the provider's guardrail stopped the reply
    "internal",  # the provider failed, or sent something that could not be parsed
]

# Kinds where the same request may succeed a moment later.
RETRYABLE_KINDS: frozenset[ErrorKind] = frozenset({"throttled", "unavailable", "timeout"})


class ModelError(Exception):
    """A model call failed.

    `before_output` is True when no event had been yielded to the consumer yet (a caller may then
    fall back to another model without the climber seeing a half reply); `retryable` says whether
    the same request could succeed if sent again later.
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        retryable: bool | None = None,
        before_output: bool,
    ) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind: ErrorKind = kind
        self.message = message
        self.retryable = kind in RETRYABLE_KINDS if retryable is None else retryable
        self.before_output = before_output

    def after_output(self) -> ModelError:
        """The same error, marked as raised after output had been yielded."""
        return ModelError(self.kind, self.message, retryable=self.retryable, before_output=False)

    def __repr__(self) -> str:
        return (
            f"ModelError({self.kind!r}, {self.message!r}, retryable={self.retryable}, "
            f"before_output={self.before_output})"
        )


class ModelURLError(ValueError):
    """A model URL (`V7_MODEL`, a tier's model) is malformed or names an unknown scheme. Raised
    by `open_model` at startup, never during a turn."""
