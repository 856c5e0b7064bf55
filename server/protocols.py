"""uvicorn's HTTP and WebSocket protocols with the connection limits of `server.limits`.

uvicorn (httptools) has no header timeout and no limit on header size or count: a connection
that sends nothing, or a request line a byte at a time, is held forever, and httptools gathers
a header of any size in memory. And when websockets refuses an upgrade request itself (a header
line over 8 KiB, more than 128 headers), uvicorn's sans-I/O protocol never writes that refusal
nor closes the connection. `LimitedHttpProtocol` and `server.ws_protocol.WebSocketProtocol`
close those gaps; `server.run.uvicorn_config` configures them.

Contracts of `LimitedHttpProtocol` (per connection, per request on a kept-alive one):

* The head (request line and headers) must be complete within `header_timeout_s` of the
  connection opening, or of the first byte after the previous request (an idle kept-alive
  connection is closed by uvicorn's `timeout_keep_alive` first). Past it the connection closes:
  silently if nothing of a request came, else with 408 `bad_request`.
* A head over `max_header_bytes`, or with more than `max_headers` fields, gets 431 `too_large`
  and the connection closes. Bytes are counted as they arrive, so no more than the limit is
  ever gathered for a head; the WebSocket upgrade request is an HTTP request and meets the same
  limits before it is handed over.
* A refusal (400 malformed, 408, 431, and any response that closes the connection while the
  request's body is still arriving, such as 413) is a lingering close: the response is written,
  the write side shut, and what the client still sends is read and dropped for up to
  `LINGER_S`, so the client reads the response instead of a reset. If an earlier response on
  the same (pipelined) connection is still being written, a refusal closes without one.
"""

from __future__ import annotations

import asyncio
import json
from asyncio import TimerHandle
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from server.errors import ApiError, error_body, map_error
from server.limits import ConnectionLimits

LINGER_S = 2.0
"""How long a refused connection reads and drops what the client still sends before closing."""


class _HeadTooLarge(Exception):
    """Raised in a parser callback to stop parsing a head that is over a limit."""


class LimitedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the header timeout, the head limits and lingering
    refusals (see the module doc). Subclass it with `limits` set (`http_protocol`)."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits(10.0, 16 * 1024, 100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        """Waiting for the rest of a request's head (and not processing a request)."""
        self._head_bytes = 0
        """Bytes received since the head began: what the byte limit is checked against."""
        self._head_fields = 0
        self._head_size = 0
        """The parsed head's size: exact even for a pipelined request that shared a read."""
        self._head_timer: TimerHandle | None = None
        self._linger_timer: TimerHandle | None = None
        self._lingering = False
        self._lost = False
        self._socket: asyncio.Transport | None = None

    # Connection events

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._socket = transport
        # What the request cycles write to and close: closing it mid-body lingers.
        self.transport = _CycleTransport(transport, self)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        for timer in (self._head_timer, self._linger_timer):
            if timer is not None:
                timer.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            return
        self._unset_keepalive_if_required()
        rest = memoryview(data)
        while rest:
            if self._in_head:
                if self._head_timer is None:
                    self._arm_head_timer()
                # Never feed the parser more of a head than the limit allows.
                room = self.limits.max_header_bytes - self._head_bytes
                piece, rest = rest[:room], rest[room:]
                self._head_bytes += len(piece)
            else:
                piece, rest = rest, rest[len(rest) :]
            if not self._feed(piece):
                return
            if self._in_head and self._head_bytes >= self.limits.max_header_bytes:
                self._refuse(431, self._too_many_bytes())
                return

    def handle_websocket_upgrade(self) -> None:
        assert self._socket is not None
        self.transport = self._socket  # the WebSocket protocol takes the socket as it is
        super().handle_websocket_upgrade()

    # Parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_fields = 0
        self._head_size = 0

    def on_url(self, url: bytes) -> None:
        self._head_size += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_fields += 1
        self._head_size += len(name) + len(value) + 4
        if self._head_fields > self.limits.max_headers:
            raise _HeadTooLarge(f"Requests may have at most {self.limits.max_headers} headers")
        if self._head_size > self.limits.max_header_bytes:
            raise _HeadTooLarge(self._too_many_bytes())
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
        self._head_bytes = 0

    # Limits

    def _feed(self, piece: memoryview) -> bool:
        """Parse `piece` as uvicorn does; False once nothing more should be parsed."""
        try:
            self.parser.feed_data(piece)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return False
        except httptools.HttpParserError as error:
            if isinstance(error.__context__, _HeadTooLarge):
                self._refuse(431, str(error.__context__))
            else:
                self.logger.warning("Invalid HTTP request received.")
                self._refuse(400, "Invalid HTTP request received.")
            return False
        return not (self._lingering or self.transport.is_closing())

    def _too_many_bytes(self) -> str:
        return f"Request headers are limited to {self.limits.max_header_bytes} bytes"

    def _arm_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.limits.header_timeout_s, self._head_timeout)

    def _head_timeout(self) -> None:
        self._head_timer = None
        if self._lingering or self._lost or not self._in_head:
            return
        if self._responding():
            # A pipelined head behind a response still being written: check again later.
            self._arm_head_timer()
            return
        if self._head_bytes == 0:
            assert self._socket is not None
            self._socket.close()  # nothing of a request came: nothing to answer
            return
        self._refuse(408, "The request headers took too long to arrive")

    def _responding(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` with a JSON error and close, lingering (see the module doc)."""
        self._in_head = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        assert self._socket is not None
        if self._responding():
            self._socket.close()
            return
        code = "too_large" if status == 431 else "bad_request"
        body = json.dumps(
            error_body(map_error(ApiError(status, code, message))), separators=(",", ":")
        ).encode()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head.extend([name, b": ", value, b"\r\n"])
        head.append(b"content-type: application/json\r\n")
        head.append(b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body))
        self._socket.write(b"".join(head) + body)
        self._linger()

    def _linger(self) -> None:
        """Shut the write side, drop what still arrives, close after `LINGER_S` at most (the
        client's own close ends it sooner: `eof_received` lets the transport close)."""
        if self._lingering or self._lost:
            return
        self._lingering = True
        assert self._socket is not None
        self.flow.resume_reading()
        if self._socket.can_write_eof():
            self._socket.write_eof()
        self._linger_timer = self.loop.call_later(LINGER_S, self._socket.close)

    def _body_unfinished(self) -> bool:
        return not self._lost and self.cycle is not None and self.cycle.more_body


class _CycleTransport(asyncio.Transport):
    """The socket as uvicorn's request cycles see it: closing it while the request's body is
    still arriving lingers (`LimitedHttpProtocol._linger`) instead of resetting the client."""

    def __init__(self, socket: asyncio.Transport, protocol: LimitedHttpProtocol) -> None:
        super().__init__()
        self._socket = socket
        self._protocol = protocol

    def close(self) -> None:
        if self._protocol._body_unfinished():
            self._protocol._linger()
        else:
            self._socket.close()

    def is_closing(self) -> bool:
        return self._protocol._lingering or self._socket.is_closing()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._socket.write(data)

    def writelines(self, list_of_data: Any) -> None:
        self._socket.writelines(list_of_data)

    def write_eof(self) -> None:
        self._socket.write_eof()

    def can_write_eof(self) -> bool:
        return self._socket.can_write_eof()

    def abort(self) -> None:
        self._socket.abort()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._socket.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self._socket.pause_reading()

    def resume_reading(self) -> None:
        self._socket.resume_reading()

    def is_reading(self) -> bool:
        return self._socket.is_reading()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._socket.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._socket.get_protocol()

    def get_write_buffer_size(self) -> int:
        return self._socket.get_write_buffer_size()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._socket.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._socket.set_write_buffer_limits(high, low)


def http_protocol(limits: ConnectionLimits) -> type[LimitedHttpProtocol]:
    """The HTTP protocol class to give uvicorn (`uvicorn.Config(http=…)`) for `limits`."""
    return type("LimitedHttpProtocol", (LimitedHttpProtocol,), {"limits": limits})
