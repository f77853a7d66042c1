"""`accord ensure-buckets`: create the object storage buckets that do not exist yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accord.core.storage import all_buckets, ensure_buckets


class Command(BaseCommand):
    help = "Create the evidence, recordings and documents buckets if missing (safe to repeat)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = set(ensure_buckets())
        for bucket in all_buckets():
            state = "created" if bucket in created else "exists"
            self.stdout.write(f"bucket {bucket}: {state}")
