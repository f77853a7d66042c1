"""The year form: one line per day or run of days, as the State Council's notice reads.

::

    2027-01-01 休 元旦
    2027-02-06~2027-02-12 休 春节
    2027-02-20 班 春节

A line is a date or a range (``~``, ``..`` or ``至`` between two dates), then the kind — ``休``
or ``holiday`` for a day off, ``班`` or ``work`` for an adjusted working day — then the
holiday's name if wanted. Blank lines and lines starting with ``#`` are skipped. The form only
shapes the text into ``DayEntry`` values; ``services.calendar_year_enter`` decides what is
allowed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from accord.workdays.models import DayKind
from accord.workdays.services import NOTE_MAX, DayEntry

# A run longer than a month is a typo (the longest holiday, Spring Festival, is 8–9 days).
MAX_RUN_DAYS = 31
MAX_LINES = 400

_KINDS = {
    "休": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "holiday": DayKind.HOLIDAY,
    "off": DayKind.HOLIDAY,
    "班": DayKind.WORKING_DAY,
    "work": DayKind.WORKING_DAY,
    "working": DayKind.WORKING_DAY,
    "workday": DayKind.WORKING_DAY,
}
_LINE = re.compile(
    r"^(?P<first>\S+?)(?:\s*(?:~|～|\.\.|至)\s*(?P<last>\S+))?\s+(?P<kind>\S+)(?:\s+(?P<name>.+))?$"
)


def _date(text: str) -> dt.date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_days(text: str) -> list[DayEntry]:
    """The days the text lists; ``ValidationError`` with one message per bad line."""
    entries: list[DayEntry] = []
    errors: list[str] = []
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise ValidationError(gettext("At most %(max)d lines.") % {"max": MAX_LINES})
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = {"line": number, "text": line}
        match = _LINE.match(line)
        if match is None:
            errors.append(gettext("Line %(line)d (%(text)s): write a date, then 休 or 班.") % where)
            continue
        first = _date(match["first"])
        last = _date(match["last"]) if match["last"] else first
        kind = _KINDS.get(match["kind"].lower())
        if first is None or last is None:
            errors.append(
                gettext("Line %(line)d (%(text)s): a date is written YYYY-MM-DD, e.g. 2027-02-06.")
                % where
            )
            continue
        if kind is None:
            errors.append(
                gettext(
                    "Line %(line)d (%(text)s): after the date comes 休 (holiday) "
                    "or 班 (working day)."
                )
                % where
            )
            continue
        run = (last - first).days + 1
        if not 1 <= run <= MAX_RUN_DAYS:
            errors.append(
                gettext("Line %(line)d (%(text)s): a range runs forward, at most %(max)d days.")
                % {**where, "max": MAX_RUN_DAYS}
            )
            continue
        name = (match["name"] or "").strip()
        entries += [
            DayEntry(date=first + dt.timedelta(days=i), kind=kind, name=name) for i in range(run)
        ]
    if errors:
        raise ValidationError(errors)
    return entries


def format_days(days: Iterable[DayEntry]) -> str:
    """The text that ``parse_days`` reads back: runs of consecutive days of one kind and name
    as one line, the kind in the page's language."""
    chinese = (get_language() or "").startswith("zh")
    word = {
        DayKind.HOLIDAY: "休" if chinese else "holiday",
        DayKind.WORKING_DAY: "班" if chinese else "work",
    }
    runs: list[list[DayEntry]] = []
    for day in sorted(days, key=lambda d: d.date):
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and day.date - previous.date == dt.timedelta(days=1)
            and (day.kind, day.name) == (previous.kind, previous.name)
        ):
            runs[-1].append(day)
        else:
            runs.append([day])
    lines = []
    for run in runs:
        first, last = run[0], run[-1]
        when = first.date.isoformat()
        if last.date != first.date:
            when += f"~{last.date.isoformat()}"
        parts = (when, word[DayKind(first.kind)], first.name)
        lines.append(" ".join(part for part in parts if part))
    return "\n".join(lines)


class CalendarYearForm(forms.Form):
    days = forms.CharField(
        label=_("Holidays and adjusted working days"),
        widget=forms.Textarea(
            attrs={"rows": 14, "spellcheck": "false", "autocapitalize": "off", "class": "days"}
        ),
        help_text=_(
            "One line per day or range, e.g. “2027-02-06~2027-02-12 休 春节” or "
            "“2027-02-20 班 春节”. 休: a day off; 班: a Saturday or Sunday worked instead. "
            "Days not listed: Monday to Friday are working days, weekends are not."
        ),
    )
    note = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=NOTE_MAX,
        help_text=_("The notice the dates come from, e.g. 国办发明电〔2026〕X号."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].widget.attrs["placeholder"] = "2027-01-01 休 元旦"

    def clean_days(self) -> list[DayEntry]:
        return parse_days(self.cleaned_data["days"])
