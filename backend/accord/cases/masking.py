"""Masked forms of an applicant's contact details, for those who may see a case but do not
need to reach the applicant (``selectors.contact_details``)."""

from __future__ import annotations

from accord.accounts.phones import mask_phone

__all__ = ["mask_identifier", "mask_phone"]


def mask_identifier(value: str, *, head: int = 3, tail: int = 4) -> str:
    """An ID card number or a credit code with all but its first ``head`` and last ``tail``
    characters starred (``110***********1234``); too short to keep any part: all stars."""
    if not value:
        return ""
    if len(value) <= head + tail:
        return "*" * len(value)
    return f"{value[:head]}{'*' * (len(value) - head - tail)}{value[-tail:]}"
