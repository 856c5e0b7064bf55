"""Plain words that only log something are journaling, not coaching: they cost no AI message.

    → {"type":"say","id":"c5","text":"did 2 hours at the gym, sent two V5s"}
    ← {"type":"reply","reply_to":"c5","text":"Here is the session I read from that. …"}
    ← {"type":"proposal","id":"p1","reply_to":"c5","kind":"session","item":{…}}

The rule, decided before any model is involved (so whatever model is configured):

* the message asks the coach nothing (`coaching.intent.asks_the_coach`: no question, no request
  for advice), and
* the offline plain-words parser (`grammar.plain.propose`) drafts at least one valid entry from
  it (a session, a send, an injury, a goal, or a meal with its calories or macros: "dinner was
  a burrito ~900kcal").

Such a message gets the proposal(s) (to every tab, as a coach's proposals are) and a short reply;
it counts against the journaling rate like a slash command (`Allowances.check_write`), reserves
no AI message, and writes nothing until the climber confirms. A red flag in it (a pop, swelling,
…) adds the clinician referral, as `/injury` does. Anything else (a question, advice asked for,
words the parser cannot turn into an entry) is a coaching turn, as before, where a model may
still propose entries from it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from coaching.intent import asks_the_coach
from coaching.safety import REFERRAL, needs_referral
from core.caller import Caller
from core.errors import HandlerError
from grammar.plain import propose
from handlers.frames import Reply
from handlers.proposals import ProposalStore
from handlers.session import Allowances, Emit, Outgoing

log = logging.getLogger("v7.plain_log")


@dataclass(frozen=True)
class PlainLog:
    """Serves the messages that only log something (shared by every socket)."""

    proposals: ProposalStore
    allowances: Allowances | None = None

    @staticmethod
    def may_log(text: str) -> bool:
        """Whether `text` could be a journaling turn: it asks the coach nothing (cheap; whether
        anything can be drafted from it is `drafts`'s to say)."""
        return not asks_the_coach(text)

    def drafts(self, text: str, today: date, now: datetime) -> list[dict[str, Any]]:
        """The valid entries `text` only reports (`propose_entry` arguments), or [] when it is
        for the coach: it asks something, or nothing in it can be drafted. Never raises."""
        if not self.may_log(text):
            return []
        try:
            drafted = propose(text, today)
        except Exception:  # a parser bug must not cost the climber their turn
            log.exception("the plain-words parser failed")
            return []
        valid = []
        for draft in drafted:
            try:
                self.proposals.validate(str(draft["kind"]), dict(draft["entry"]), now)
            except HandlerError:
                continue
            valid.append(draft)
        return valid

    async def serve(
        self,
        caller: Caller,
        say_id: str,
        text: str,
        *,
        now: datetime,
        today: date,
        emit: Emit,
    ) -> bool:
        """Serve `text` as a journaling turn if it only logs something; returns False, having
        done and counted nothing, when it is for the coach. Raises `rate_limited` (nothing
        proposed) when the journaling rate is used up."""
        drafts = self.drafts(text, today, now)
        if not drafts:
            return False
        if self.allowances is not None:
            await self.allowances.check_write(caller)
        kinds = [str(draft["kind"]) for draft in drafts]
        await emit(Outgoing(Reply(reply_to=say_id, text=_reply(kinds, text))))
        for draft in drafts:
            proposal = await self.proposals.propose(
                caller, say_id, str(draft["kind"]), dict(draft["entry"]), now
            )
            await emit(Outgoing(proposal, to_all=True))
        return True


def _reply(names: list[str], text: str) -> str:
    if len(names) == 1:
        reply = f"Here is the {names[0]} I read from that. Confirm to save it, or dismiss it."
    else:
        listed = ", the ".join(names[:-1]) + f" and the {names[-1]}"
        reply = f"Here are the {listed} I read from that. Confirm each to save it, or dismiss it."
    if needs_referral(text):
        reply = f"{reply}\n\n{REFERRAL}"
    return reply
