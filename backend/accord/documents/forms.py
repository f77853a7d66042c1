"""Forms of the documents pages: shape only; the services own the rules.

The drafting forms name their fields as the services' field-level messages name them
(``items.0.amount``, ``obligations.1.due``), so a refusal lands on its field. Items and
obligations are a fixed number of rows (two blank rows more than the draft holds): plain
HTML, no script needed; blank rows are left out, and ``row_of`` maps a list index in the
stored fields back to its row on the form.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.core.api import ServiceError
from accord.documents.amounts import CURRENCY_WORDS
from accord.documents.models import DocumentKind

MIN_ROWS = 3
EXTRA_ROWS = 2
MAX_ROWS = 40
TEXT_MAX = 20_000
LINE_MAX = 500

ITEM_PARTS = ("label", "amount")
OBLIGATION_PARTS = ("obligor", "obligee", "what", "amount", "due")
SIDE_CHOICES = [("", "—"), ("applicant", _("Applicant")), ("respondent", _("Respondent"))]


def _text(label: Any, *, rows: int = 4, line: bool = False) -> forms.CharField:
    if line:
        return forms.CharField(label=label, required=False, max_length=LINE_MAX)
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _amount(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_digits=18,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


class DraftForm(forms.Form):
    """What the drafter enters; ``document_fields()`` is what ``document_draft`` takes."""

    kind: str = ""
    lists: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __init__(self, *args: Any, rows: dict[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.list_errors: dict[str, list[str]] = {}
        self.rows: dict[str, int] = {}
        for name, parts in self.lists:
            count = (rows or {}).get(name, 0) + EXTRA_ROWS
            if self.is_bound:
                count = max(count, self._bound_rows(name))
            count = min(max(count, MIN_ROWS), MAX_ROWS)
            self.rows[name] = count
            for index in range(count):
                for part in parts:
                    self.fields[f"{name}.{index}.{part}"] = self.row_field(name, part)
        self._row_of: dict[str, list[int]] = {name: [] for name, _parts in self.lists}

    def _bound_rows(self, name: str) -> int:
        indices = [
            int(key.split(".")[1])
            for key in self.data
            if key.startswith(f"{name}.") and key.split(".")[1].isdigit()
        ]
        return max(indices, default=-1) + 1

    def row_field(self, name: str, part: str) -> forms.Field:
        raise NotImplementedError

    def row_list(self, name: str) -> list[list[forms.BoundField]]:
        parts = dict(self.lists)[name]
        return [
            [self[f"{name}.{index}.{part}"] for part in parts] for index in range(self.rows[name])
        ]

    def document_fields(self) -> dict[str, Any]:
        """Precondition: ``is_valid()``. Blank rows are left out."""
        data = self.cleaned_data
        fields: dict[str, Any] = {}
        listed = {f"{name}." for name, _parts in self.lists}
        for key, value in data.items():
            if not any(key.startswith(prefix) for prefix in listed):
                fields[key] = value if isinstance(value, bool) else _plain(value)
        for name, parts in self.lists:
            entries = []
            self._row_of[name] = []
            for index in range(self.rows[name]):
                entry = {part: _plain(data.get(f"{name}.{index}.{part}")) for part in parts}
                if any(entry.values()):
                    entries.append(entry)
                    self._row_of[name].append(index)
            fields[name] = entries
        return fields

    def show_refusal(self, exc: ServiceError) -> None:
        """A service's refusal on its fields (list indices mapped back to the form's rows)."""
        self.add_error(None, exc.message)
        for key, messages in exc.fields.items():
            field = self._form_key(key)
            for message in messages:
                if field in self.fields:
                    self.add_error(field, message)
                elif field in self._row_of:
                    self.list_errors.setdefault(field, []).append(message)
                else:
                    self.add_error(None, message)

    def _form_key(self, key: str) -> str:
        parts = key.split(".")
        if len(parts) == 3 and parts[0] in self._row_of and parts[1].isdigit():
            rows = self._row_of[parts[0]]
            index = int(parts[1])
            row = rows[index] if index < len(rows) else index
            return f"{parts[0]}.{row}.{parts[2]}"
        return key


def form_data(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A version's fields as form data (to show a refusal on the version's own fields)."""
    data: dict[str, Any] = {}
    form_class = DRAFT_FORMS[kind]
    lists = dict(form_class.lists)
    for key, value in fields.items():
        if key == "case":
            continue
        if key in lists:
            for index, entry in enumerate(value if isinstance(value, list) else []):
                if isinstance(entry, dict):
                    for part in lists[key]:
                        data[f"{key}.{index}.{part}"] = _plain(entry.get(part))
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        else:
            data[key] = _plain(value)
    return data


def rows_of(kind: str, fields: dict[str, Any]) -> dict[str, int]:
    return {
        name: len(fields.get(name) or []) if isinstance(fields.get(name), list) else 0
        for name, _parts in DRAFT_FORMS[kind].lists
    }


class AgreementForm(DraftForm):
    kind = DocumentKind.AGREEMENT
    lists = (("items", ITEM_PARTS), ("obligations", OBLIGATION_PARTS))

    facts = _text(_("Main facts of the dispute"), rows=5)
    dispute = _text(_("Matters in dispute"))
    total = _amount(_("Total"))
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[(code, code) for code in CURRENCY_WORDS], initial="CNY"
    )
    total_in_words = _text(_("Total in words (大写)"), line=True)
    immediate_performance = forms.BooleanField(
        label=_("Performed immediately at the mediation"), required=False
    )
    other_terms = _text(_("Other terms"), rows=3)

    def row_field(self, name: str, part: str) -> forms.Field:
        if part == "label":
            return _text(_("Item"), line=True)
        if part == "amount":
            return _amount(_("Amount"))
        if part in ("obligor", "obligee"):
            label = _("Who performs") if part == "obligor" else _("For whom")
            return forms.ChoiceField(label=label, choices=SIDE_CHOICES, required=False)
        if part == "what":
            return _text(_("What is to be done or paid"), line=True)
        return _date(_("By (date)"))


class RecordForm(DraftForm):
    kind = DocumentKind.RECORD

    held_on = _date(_("Held on"))
    place = _text(_("Place (empty: online video mediation)"), line=True)
    present = _text(_("Present"), line=True)
    proceedings = _text(_("Course of the mediation"), rows=6)
    outcome = _text(_("Result"), rows=3)
    immediate_performance = forms.BooleanField(
        label=_("Performed immediately at the mediation"), required=False
    )
    performance_details = _text(_("Immediate performance: what was performed, how"), rows=3)

    def row_field(self, name: str, part: str) -> forms.Field:
        raise NotImplementedError


DRAFT_FORMS: dict[str, type[DraftForm]] = {
    DocumentKind.AGREEMENT: AgreementForm,
    DocumentKind.RECORD: RecordForm,
}


class SignForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "data-testid": "sign-code",
            }
        ),
    )
    shown_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
    image = forms.CharField(required=False, max_length=800_000, widget=forms.HiddenInput)
