"""`accord demo-totp`: the current authenticator code of the demo staff accounts."""

from __future__ import annotations

from typing import Any

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accord.demo.data import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current TOTP code shared by the demo staff accounts (demo only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.ACCORD_DEMO:
            raise CommandError("demo codes exist only with ACCORD_DEMO=1")
        self.stdout.write(pyotp.TOTP(DEMO_TOTP_SECRET).now())
