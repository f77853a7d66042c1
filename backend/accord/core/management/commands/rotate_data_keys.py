"""`accord rotate-data-keys`: re-encrypt every encrypted column under the current data key.

Rotation: put the new key first in ``ACCORD_DATA_KEYS`` (keep the old ones after it, so
that what they encrypted still opens), restart, run this command, then remove the old keys.
Rows already under the current key (with current lookup hashes) are not written, so the
command may be interrupted and run again. It also recomputes the lookup hashes after a
change of ``ACCORD_LOOKUP_KEY``.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from accord.core import crypto
from accord.core.fields import reencrypt_everything


class Command(BaseCommand):
    help = "Re-encrypt personal data at rest under the current data key (safe to repeat)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="rows per statement")

    def handle(self, *args: Any, **options: Any) -> None:
        current = crypto.data_keys().current
        counts = reencrypt_everything(batch_size=max(1, options["batch_size"]))
        for label, rewritten in counts.items():
            self.stdout.write(f"{label}: {rewritten} rows re-encrypted")
        self.stdout.write(f"all encrypted columns are under data key {current!r}")
