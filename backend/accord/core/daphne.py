"""daphne with Accord's limits: ``python -m accord.core.daphne [daphne's options] app``.

- WebSocket messages and frames over ``ACCORD_WS_MAX_MESSAGE_BYTES`` are refused by the
  protocol itself (autobahn closes the socket with 1009 "message too big" before the consumer
  sees a byte): daphne's ``--websocket-max-message-size`` and ``--websocket-max-frame-size``,
  given from the setting unless the command line sets them.
- An HTTP request body over its path's cap (:func:`accord.core.bodylimit.body_cap`) is refused
  with 413 while it arrives: Twisted otherwise spools the whole body into a temporary file
  before daphne hands the request to the application.

The stacks (``infra/stack.py``, the browser tests) start the web through this module.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from daphne import http_protocol, server, ws_protocol
from daphne.cli import CommandLineInterface
from django.conf import settings

from accord.core import bodylimit


class LimitedWebRequest(http_protocol.WebRequest):
    """daphne's request, refusing an over-cap body before it is buffered."""

    accord_cap = 0
    accord_received = 0
    accord_refused = False

    def gotLength(self, length: int | None) -> None:
        raw = getattr(self.channel, "_path", b"/") or b"/"
        self.accord_path = raw.split(b"?", 1)[0].decode("latin-1")
        self.accord_cap = bodylimit.body_cap(self.accord_path)
        self.accord_received = 0
        if length is not None and length > self.accord_cap:
            super().gotLength(0)
            self._accord_refuse()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        if self.accord_refused:
            return
        self.accord_received += len(data)
        if self.accord_received > self.accord_cap:
            self._accord_refuse()
            return
        super().handleContentChunk(data)

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:
        if self.accord_refused:
            return  # answered already; the connection is closing
        super().requestReceived(command, path, version)

    def _accord_refuse(self) -> None:
        self.accord_refused = True
        # No "100 Continue" after the refusal.
        self.requestHeaders.removeHeader(b"expect")
        content_type, body = bodylimit.refusal(self.accord_path, self.accord_cap)
        head = (
            b"HTTP/1.1 413 Content Too Large\r\n"
            b"Content-Type: " + content_type + b"\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n"
            b"Connection: close\r\n\r\n"
        )
        channel = self.channel
        if channel is None or channel.transport is None:
            return
        channel.transport.write(head + body)
        channel.loseConnection()


class LimitedHTTPFactory(http_protocol.HTTPFactory):
    def buildProtocol(self, addr: Any) -> Any:
        protocol = super().buildProtocol(addr)
        protocol.requestFactory = LimitedWebRequest
        return protocol


class LimitedWebSocketFactory(ws_protocol.WebSocketFactory):
    """daphne's WebSocket factory; a refused message gets a close frame with 1009 ("message
    too big") instead of a dropped TCP connection, so the browser learns why."""

    def setProtocolOptions(self, **options: Any) -> None:
        options.setdefault("failByDrop", False)
        super().setProtocolOptions(**options)


def limit_options() -> list[str]:
    size = str(int(settings.ACCORD_WS_MAX_MESSAGE_BYTES))
    return ["--websocket-max-message-size", size, "--websocket-max-frame-size", size]


def install() -> None:
    """Make daphne's server build the limited factories (in this process only)."""
    server.HTTPFactory = LimitedHTTPFactory
    server.WebSocketFactory = LimitedWebSocketFactory


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    install()
    # argparse keeps the last value: options given on the command line win.
    CommandLineInterface().run([*limit_options(), *args])


if __name__ == "__main__":
    main()
