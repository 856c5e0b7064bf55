"""`GET /commands`: the slash-command catalogue, for the web UI's hints and other clients.

Served from `grammar.catalogue`, the one list the server parses commands by, so a client never
suggests a command, alias or example the server would refuse.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from grammar.catalogue import CATALOGUE
from server.api import Call, Endpoint


class CommandInfo(BaseModel):
    name: str
    summary: str
    grammar: str
    example: str
    aliases: list[str]


class Commands(BaseModel):
    commands: list[CommandInfo]


_COMMANDS = Commands(
    commands=[
        CommandInfo(
            name=spec.name,
            summary=spec.summary,
            grammar=spec.grammar,
            example=spec.example,
            aliases=list(spec.aliases),
        )
        for spec in CATALOGUE
    ]
)


async def commands(call: Call[Any]) -> Commands:
    return _COMMANDS


endpoints = [
    Endpoint("GET", "/commands", commands,
             "Every slash command: name, what it does, its grammar, an example and its aliases",
             response=Commands, auth=False, tags=("chat",)),
]  # fmt: skip
