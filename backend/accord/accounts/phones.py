"""Mobile numbers: one normal form for lookups and a masked form for the trace."""

from __future__ import annotations

import re

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()]")


def normalize_phone(raw: str) -> str:
    """Strip separators and the +86 country code; the result may still be invalid."""
    phone = _SEPARATORS.sub("", raw or "")
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
    return phone


def is_valid_phone(phone: str) -> bool:
    return bool(PHONE_RE.match(phone))


def mask_phone(phone: str) -> str:
    """138****8000: the trace cannot be erased, so it keeps no full number."""
    if len(phone) != 11:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"
