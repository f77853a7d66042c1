"""Masked forms of an applicant's contact details, for those who may see a case but do not
need to reach the applicant (``selectors.contact_details``)."""

from __future__ import annotations

from accord.accounts.phones import mask_phone

__all__ = ["mask_bank_account", "mask_id_number", "mask_identifier", "mask_phone"]


def mask_identifier(value: str, *, head: int = 3, tail: int = 4) -> str:
    """An ID card number or a credit code with all but its first ``head`` and last ``tail``
    characters starred (``110***********1234``); too short to keep any part: all stars."""
    if not value:
        return ""
    if len(value) <= head + tail:
        return "*" * len(value)
    return f"{value[:head]}{'*' * (len(value) - head - tail)}{value[-tail:]}"


def mask_id_number(value: str) -> str:
    """A resident ID card number: ``110***********4514`` (the first three, the last four)."""
    return mask_identifier(value.strip().upper(), head=3, tail=4)


def mask_bank_account(value: str) -> str:
    """A bank card or account number, separators dropped: ``6222********1234`` (the issuer's
    first four digits and the last four, as banks print them)."""
    digits = "".join(value.split()).replace("-", "")
    return mask_identifier(digits, head=4, tail=4)
