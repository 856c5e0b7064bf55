"""`analyst://`: the offline coach — a reply composed locally from the computed facts.

    analyst://?words_per_s=40

It reads `Prompt.facts["analytics"]` (a `ClimberAnalytics` dump, camelCase) and the climber's
latest message, composes an honest reply (`coaching.replies`: a direct answer to the
question's intent, figures only from the facts, exercises from the library, tagged as the
offline coach, injuries and red flags respected; the athlete profile, `facts["profile"]`, and
the active plan, `facts["plan"]`, when present) and streams it word by word at
`words_per_s` (0: as fast as the loop allows). When the message describes something done — a
session, a send, an injury or a goal — and the prompt offers `propose_entry`, it then yields one
`ToolCall` per drafted entry (`grammar.plain`). It ends with `Usage` (estimated) and
`Stop("end")`, or `Stop("max_tokens")` (and no tool call) when the reply reaches the prompt's
`max_tokens`.

The reply's intent is the one context assembly computed (`Prompt.facts["intent"]`); only a bare
prompt, which carries none, has its message classified here, by the same
`coaching.intent.classify`.

It never raises except cancellation: facts it cannot read make it say it cannot see the
numbers, and a message it cannot parse gives no proposal. Holds no resources.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from coaching.analytics.summary import ClimberAnalytics
from coaching.intent import intent_of
from coaching.plans.view import PlanWeekView
from coaching.replies import compose
from core.model import Event, Model, Prompt, Stop, ToolCall, Usage, estimate_tokens, prompt_tokens
from core.model_url import ModelURL
from core.pacing import paced
from grammar.plain import propose
from store.records.athlete import AthleteProfile

log = logging.getLogger("v7.analyst")

TOOL = "propose_entry"
DEFAULT_WORDS_PER_S = 40.0
_FENCED = re.compile(r"<climber_message>\n(.*?)\n</climber_message>", re.DOTALL)
_WORD = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Reply:
    """What the analyst will say for one prompt: the text and the tool calls after it."""

    text: str
    calls: list[ToolCall] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AnalystModel:
    """Implements `core.model.Model`; holds no resources."""

    words_per_s: float = DEFAULT_WORDS_PER_S
    name: str = "analyst"
    supports_tools: bool = True

    async def stream(self, prompt: Prompt) -> AsyncGenerator[Event, None]:
        reply = self.reply(prompt)
        sent: list[str] = []
        chars = 0
        truncated = False
        deltas = paced(word_tokens(reply.text), first_delay=0.0, tokens_per_s=self.words_per_s)
        async with aclosing(deltas):
            async for delta in deltas:
                # The reply so far at four characters a token, as `estimate_tokens` counts.
                if (chars + len(delta.text) + 3) // 4 > prompt.max_tokens:
                    truncated = True
                    break
                chars += len(delta.text)
                sent.append(delta.text)
                yield delta
        used = estimate_tokens("".join(sent))
        if not truncated:
            for call in reply.calls:
                yield call
        yield Usage(input_tokens=prompt_tokens(prompt), output_tokens=used)
        yield Stop("max_tokens" if truncated else "end")

    def reply(self, prompt: Prompt) -> Reply:
        """The reply to `prompt`. Never raises: a failure to read the facts or the message is
        answered honestly instead."""
        message = latest_message(prompt)
        analytics = read_analytics(prompt.facts)
        # "Today" comes from the facts (context assembly's clock), never from this process's
        # wall clock; without it, date words cannot be resolved and nothing is proposed.
        today = analytics.end if analytics is not None else _fact_date(prompt.facts)
        calls: list[ToolCall] = []
        if today is not None and any(tool.name == TOOL for tool in prompt.tools):
            try:
                drafted = propose(message, today)
            except Exception:  # a parser bug must not cost the climber their reply
                log.exception("the analyst's parser failed")
                drafted = []
            calls = [
                ToolCall(id=f"analyst-{index}", name=TOOL, arguments=arguments)
                for index, arguments in enumerate(drafted, start=1)
            ]
        kinds = [str(call.arguments["kind"]) for call in calls]
        # The intent context assembly computed; a bare prompt's is classified here, alike.
        intent = intent_of(message, prompt.facts.get("intent"))
        try:
            text = compose(
                message,
                analytics,
                intent=intent,
                proposed=kinds,
                plan=read_plan(prompt.facts),
                profile=read_profile(prompt.facts),
            )
        except Exception:
            log.exception("the analyst could not compose a reply from the facts")
            text = compose(message, None, intent=intent, proposed=kinds)
        return Reply(text=text, calls=calls)


def latest_message(prompt: Prompt) -> str:
    """The climber's latest message, without the fence context assembly put around it."""
    users = [m.content for m in prompt.messages if m.role == "user"]
    if not users:
        return ""
    fenced = _FENCED.findall(users[-1])
    return str(fenced[-1]) if fenced else users[-1]


def read_plan(facts: dict[str, Any]) -> PlanWeekView | None:
    """This week of the active plan handed over as facts, None when absent or unreadable."""
    raw = facts.get("plan")
    if not isinstance(raw, dict):
        return None
    try:
        return PlanWeekView.model_validate(raw)
    except ValidationError:
        log.warning("the plan facts were unreadable; replying without them")
        return None


def read_profile(facts: dict[str, Any]) -> AthleteProfile | None:
    """The athlete profile handed over as facts, None when absent or unreadable."""
    raw = facts.get("profile")
    if not isinstance(raw, dict):
        return None
    try:
        return AthleteProfile.model_validate(raw)
    except ValidationError:
        log.warning("the profile facts were unreadable; replying without them")
        return None


def read_analytics(facts: dict[str, Any]) -> ClimberAnalytics | None:
    """The analytics handed over as facts, None when absent or unreadable."""
    raw = facts.get("analytics")
    if not isinstance(raw, dict):
        return None
    try:
        return ClimberAnalytics.model_validate(raw)
    except ValidationError:
        log.warning("the analyst could not read the analytics facts")
        return None


def _fact_date(facts: dict[str, Any]) -> date | None:
    raw = facts.get("today")
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    return None


def word_tokens(text: str) -> list[str]:
    """`text` as words, each with the whitespace after it (they concatenate back to `text`)."""
    return _WORD.findall(text)


def parse_analyst(url: ModelURL) -> AnalystModel:
    """Raises `ModelURLError` for malformed or unknown options."""
    model = AnalystModel(
        words_per_s=url.number("words_per_s", DEFAULT_WORDS_PER_S),
        name=url.text("name", "analyst") or "analyst",
    )
    url.check_all_read()
    return model


@asynccontextmanager
async def open_analyst(url: ModelURL) -> AsyncIterator[Model]:
    yield parse_analyst(url)
