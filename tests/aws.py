"""moto's server, made to apply one request at a time as DynamoDB applies each write atomically.

moto's threaded server runs requests in parallel without isolation: concurrent `ADD` updates to
one item lose increments and concurrent transactions crash ("dictionary changed size during
iteration"). Real DynamoDB never does either, so tests of concurrent writes would be testing
moto's races. The lock makes request handling serial (stronger than DynamoDB's per-item
atomicity, which is what the store relies on); clients still connect concurrently.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server


class SerialMotoServer(ThreadedMotoServer):
    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()

        def serial_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            with lock:
                return list(app(environ, start_response))

        self._server = make_server(
            self._ip_address, self._port, serial_app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
