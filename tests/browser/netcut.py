"""A TCP proxy in front of daphne that a test can cut and restore: one person's browser talks
to the web through it, so their signaling really drops (Chromium's offline emulation leaves
open WebSockets and WebRTC untouched, so it alone proves nothing)."""

from __future__ import annotations

import contextlib
import socket
import threading


class CuttableProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.cut = threading.Event()
        self.closing = threading.Event()
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closing.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut.is_set():
                client.close()  # no route while cut: the browser's attempts fail
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                self._drop(s)

    def _drop(self, s: socket.socket) -> None:
        with self.lock:
            self.open.discard(s)
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)
        s.close()

    def sever(self) -> None:
        """Cut: every connection through the proxy dies, new ones are refused."""
        self.cut.set()
        with self.lock:
            victims = list(self.open)
        for s in victims:
            self._drop(s)

    def restore(self) -> None:
        self.cut.clear()

    def close(self) -> None:
        self.closing.set()
        self.sever()
        self.listener.close()
