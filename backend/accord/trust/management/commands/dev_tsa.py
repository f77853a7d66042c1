"""`accord dev-tsa --port N`: the development RFC 3161 timestamp authority (demo mode only)."""

from __future__ import annotations

import signal
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accord.trust.pki import dev_pki_enabled, ensure_dev_pki
from accord.trust.tsa_server import make_server


class Command(BaseCommand):
    help = "Serve the development timestamp authority on loopback (ACCORD_DEMO=1 only)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if not dev_pki_enabled():
            raise CommandError("the development TSA is only for demo mode (ACCORD_DEMO=1)")
        server = make_server(options["host"], options["port"], ensure_dev_pki())

        def stop(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        host, port = server.server_address[:2]
        self.stdout.write(f"development TSA at http://{host!s}:{port}/", ending="\n")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
