"""The period of a dashboard or an export: ``?from=YYYY-MM-DD&to=YYYY-MM-DD``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.analytics.figures import Period

# A period longer than this is refused (ten years: the monthly table stays readable).
MAX_DAYS = 3660


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    end = forms.DateField(
        label=_("To"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # The query string names the fields ``from`` and ``to``.
        if data is not None:
            data = {"start": data.get("from", ""), "end": data.get("to", "")}
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            if start > end:
                self.add_error("end", _("The end of the period is before its start."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", _("A period is at most ten years long."))
        return cleaned

    @property
    def period(self) -> Period:
        """Precondition: ``is_valid()``."""
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


def period_form(query: Any) -> PeriodForm:
    """The form of the request's query: bound when it names a period, else the default."""
    if "from" in query or "to" in query:
        return PeriodForm(query)
    default = Period.default()
    return PeriodForm({"from": default.start.isoformat(), "to": default.end.isoformat()})
