"""`accord deadline --from YYYY-MM-DD (--working-days N | --days N) [--json]`: when a period
ends on the working-day calendar, and whether that is provisional.

``--json`` prints exactly ``{"due": "YYYY-MM-DD", "provisional": true|false}``. Bad input (a
malformed date, a count below 1, both or neither of the two counts) exits non-zero with the
reason on stderr and prints nothing on stdout. The command only reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from accord.core.api import ServiceError
from accord.workdays.periods import MAX_PERIOD_DAYS, WorkdayCalendar


def _date(text: str) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if not 1 <= value <= MAX_PERIOD_DAYS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_PERIOD_DAYS}, got {value}")
    return value


class Command(BaseCommand):
    help = (
        "When a period ends on the working-day calendar: the start day is not counted; "
        "N working days end with the Nth working day after it; N calendar days that end on a "
        "day off move to the next working day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="start", type=_date, required=True, help="start day, YYYY-MM-DD"
        )
        counts = parser.add_mutually_exclusive_group(required=True)
        counts.add_argument("--working-days", type=_count, help="a period of N working days")
        counts.add_argument("--days", type=_count, help="a period of N calendar days")
        parser.add_argument(
            "--json", action="store_true", help='print {"due": "YYYY-MM-DD", "provisional": bool}'
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start: dt.date = options["start"]
        calendar = WorkdayCalendar.load()
        # The operator's terminal reads English, like the command's other messages.
        with translation.override("en"):
            try:
                if options["working_days"] is not None:
                    due = calendar.add_working_days(start, options["working_days"])
                else:
                    due = calendar.add_calendar_days(start, options["days"])
            except ServiceError as exc:
                raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(
                json.dumps({"due": due.date.isoformat(), "provisional": due.provisional})
            )
            return
        self.stdout.write(f"due {due.date.isoformat()}")
        if due.provisional:
            years = ", ".join(str(y) for y in calendar.uncovered_years(start, due.date))
            self.stdout.write(
                f"provisional: no holiday data for {years}, counted on weekends only; "
                "a system administrator enters it at /workdays/"
            )
        else:
            self.stdout.write("exact")
