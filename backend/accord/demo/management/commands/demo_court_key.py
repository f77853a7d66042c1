"""`accord demo-court-key`: the demo court's API key, to sign court API requests by hand."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accord.demo.court import demo_court_docking
from accord.orgs.models import Organization


class Command(BaseCommand):
    help = (
        "Print the demo court's API key (and set its callback URL with --callback-url); demo only."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--callback-url", default="", help="where Accord sends the demo court's callbacks"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.ACCORD_DEMO:
            raise CommandError("demo keys exist only with ACCORD_DEMO=1")
        try:
            found = demo_court_docking(options["callback_url"])
        except Organization.DoesNotExist as exc:
            raise CommandError("load the demo first: accord seed-demo") from exc
        if options["json"]:
            self.stdout.write(json.dumps(found, ensure_ascii=False))
            return
        for name, value in found.items():
            self.stdout.write(f"{name}: {value}")
