"""`accord anonymize [--names 张三,李四] [--spans] < text > masked`: the anonymization rules of
the typical-case library (``accord.publicity.anonymize``) on any UTF-8 text.

The masked text goes to stdout; with ``--spans`` a JSON list of the masked spans (kind, start,
end, replacement; offsets in characters of the input) goes to stderr. docs/anonymization.md.
"""

from __future__ import annotations

import json
import re
import sys
from argparse import ArgumentParser
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from accord.publicity.anonymize import anonymize

_NAME_SEPARATORS = re.compile(r"[,，、;；\s]+")


def split_names(value: str) -> list[str]:
    return [name for name in _NAME_SEPARATORS.split(value) if name]


class Command(BaseCommand):
    help = (
        "Mask personal identifiers (names, ID numbers, phones, bank accounts, plates, e-mail, "
        "addresses below the district, dates of birth) in the UTF-8 text read from stdin."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--names",
            default="",
            help="names of natural persons to mask, comma-separated (e.g. the parties' names)",
        )
        parser.add_argument(
            "--spans",
            action="store_true",
            help="also write a JSON list of the masked spans to stderr",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: IO[Any] = options.get("stdin") or sys.stdin
        raw = source.read()
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CommandError("the input is not UTF-8 text") from exc
        result = anonymize(raw, names=split_names(options["names"]))
        self.stdout.write(result.text, ending="")
        if options["spans"]:
            spans = [
                {"kind": s.kind, "start": s.start, "end": s.end, "replacement": s.replacement}
                for s in result.spans
            ]
            self.stderr.write(json.dumps(spans, ensure_ascii=False))
