"""The tasks that serve one socket's frames, and which of them outlive the socket."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class Turns:
    """`says` outlive the socket that asked (a reply streams on after a drop for the grace
    window, `server/runs.py`, and a retry is answered from its record); `others` (resumes,
    `stop`, `confirm`, `dismiss`) are cancelled when it closes."""

    def __init__(self) -> None:
        self.says: set[asyncio.Task[None]] = set()
        self.others: set[asyncio.Task[None]] = set()

    def start(self, tasks: set[asyncio.Task[None]], work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def outlived(self) -> None:
        """Wait for the says still running after the socket closed, so that the connection
        (which a shutdown waits for) ends only once they are settled and saved."""
        if self.says:
            await asyncio.gather(*self.says, return_exceptions=True)
