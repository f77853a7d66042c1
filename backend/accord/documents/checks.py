"""What a document's fields must hold.

``clean_fields`` runs on every draft: the fields must be JSON of bounded size, and the typed
fields of an agreement (amounts, dates, sides) must parse — a draft may still be incomplete.
``agreement_problems`` is the content check before an agreement goes to signing: what a court
asked to confirm it would look for (every required field, totals that match the items, the
amount in words that says the figure, each obligation saying who pays whom what by when).
Both answer field-level messages keyed like the form's fields (``items.0.amount``)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from accord.documents.amounts import CURRENCY_WORDS, LIMIT, amount_in_words, same_words
from accord.documents.models import DocumentKind

MAX_FIELDS_BYTES = 200_000
SIDES = ("applicant", "respondent")

Problems = dict[str, list[str]]


def parse_amount(value: object) -> Decimal | None:
    """A non-negative amount with at most two decimals, or None when it is not one."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount >= LIMIT:
        return None
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return amount


def parse_date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _add(problems: Problems, field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""


def clean_fields(kind: str, fields: dict[str, Any]) -> tuple[dict[str, Any], Problems]:
    """The fields as stored (amounts written with two decimals) and what is malformed."""
    problems: Problems = {}
    try:
        encoded = json.dumps(fields, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return fields, {"fields": [_("The fields must be plain text, numbers and lists.")]}
    if len(encoded.encode()) > MAX_FIELDS_BYTES:
        return fields, {"fields": [_("The document is too long.")]}
    cleaned: dict[str, Any] = json.loads(encoded)
    if "case" in cleaned:
        _add(problems, "case", _("The case's particulars come from the case, not the form."))
    if kind == DocumentKind.AGREEMENT:
        _clean_agreement(cleaned, problems)
    return cleaned, problems


def _clean_amount(holder: dict[str, Any], name: str, where: str, problems: Problems) -> None:
    raw = holder.get(name)
    if raw in (None, ""):
        holder[name] = ""
        return
    amount = parse_amount(raw)
    if amount is None:
        _add(problems, where, _("Enter an amount such as 1200.50 (at most two decimals)."))
        return
    holder[name] = f"{amount:.2f}"


def _clean_agreement(fields: dict[str, Any], problems: Problems) -> None:
    for name in ("items", "obligations"):
        if not isinstance(fields.get(name, []), list):
            _add(problems, name, _("A list is expected."))
            fields[name] = []
    fields.setdefault("items", [])
    fields.setdefault("obligations", [])
    _clean_amount(fields, "total", "total", problems)
    currency = fields.setdefault("currency", "CNY")
    if currency not in CURRENCY_WORDS:
        _add(problems, "currency", _("Choose one of: %s.") % ", ".join(CURRENCY_WORDS))
    for index, item in enumerate(fields["items"]):
        if not isinstance(item, dict):
            _add(problems, f"items.{index}", _("An item has a label and an amount."))
            continue
        _clean_amount(item, "amount", f"items.{index}.amount", problems)
    for index, duty in enumerate(fields["obligations"]):
        if not isinstance(duty, dict):
            _add(problems, f"obligations.{index}", _("An obligation is a set of fields."))
            continue
        _clean_amount(duty, "amount", f"obligations.{index}.amount", problems)
        for side in ("obligor", "obligee"):
            if duty.get(side) not in (None, "", *SIDES):
                _add(
                    problems,
                    f"obligations.{index}.{side}",
                    _("Choose the applicant or the respondent."),
                )
        due = duty.get("due")
        if due not in (None, "") and parse_date(due) is None:
            _add(problems, f"obligations.{index}.due", _("Enter a date as YYYY-MM-DD."))
    fields["immediate_performance"] = bool(fields.get("immediate_performance", False))


def agreement_problems(fields: dict[str, Any]) -> Problems:
    """Everything that keeps this agreement from signing (empty: it may go)."""
    problems: Problems = {}
    required = _("Required.")
    for name in ("facts", "dispute"):
        if not _text(fields, name):
            _add(problems, name, required)
    items = [item for item in fields.get("items") or [] if isinstance(item, dict)]
    if not items:
        _add(problems, "items", _("State at least one agreed item with its amount."))
    item_sum = Decimal(0)
    for index, item in enumerate(items):
        if not str(item.get("label", "")).strip():
            _add(problems, f"items.{index}.label", required)
        amount = parse_amount(item.get("amount"))
        if amount is None:
            _add(problems, f"items.{index}.amount", required)
        else:
            item_sum += amount
    currency = str(fields.get("currency") or "")
    total = parse_amount(fields.get("total"))
    if total is None:
        _add(problems, "total", required)
    elif items and total != item_sum:
        _add(
            problems,
            "total",
            _("The total %(total)s is not the sum of the items, %(sum)s.")
            % {"total": f"{total:.2f}", "sum": f"{item_sum:.2f}"},
        )
    words = _text(fields, "total_in_words")
    if not words:
        _add(problems, "total_in_words", required)
    elif (
        total is not None and currency in CURRENCY_WORDS and not same_words(words, total, currency)
    ):
        _add(
            problems,
            "total_in_words",
            _("The amount in words does not say %(figure)s: it should read %(words)s.")
            % {"figure": f"{total:.2f}", "words": amount_in_words(total, currency)},
        )
    if currency not in CURRENCY_WORDS:
        _add(problems, "currency", required)
    duties = [duty for duty in fields.get("obligations") or [] if isinstance(duty, dict)]
    if not duties:
        _add(problems, "obligations", _("State who performs what, for whom, by when."))
    paid = Decimal(0)
    for index, duty in enumerate(duties):
        where = f"obligations.{index}"
        obligor, obligee = duty.get("obligor"), duty.get("obligee")
        if obligor not in SIDES:
            _add(problems, f"{where}.obligor", _("Say who performs."))
        if obligee not in SIDES:
            _add(problems, f"{where}.obligee", _("Say for whom."))
        elif obligee == obligor:
            _add(problems, f"{where}.obligee", _("A party cannot owe itself."))
        if not str(duty.get("what", "")).strip():
            _add(problems, f"{where}.what", _("Say what is to be done or paid."))
        if parse_date(duty.get("due")) is None:
            _add(problems, f"{where}.due", _("Say by when (a date)."))
        amount = parse_amount(duty.get("amount"))
        if amount is not None:
            paid += amount
    if total is not None and duties and paid and paid != total:
        _add(
            problems,
            "obligations",
            _("The obligations pay %(paid)s in all, the agreement's total is %(total)s.")
            % {"paid": f"{paid:.2f}", "total": f"{total:.2f}"},
        )
    return problems
