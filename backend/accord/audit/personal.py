"""Personal data in the trace: committed by a keyed hash, kept in erasable tables.

The chain can never be erased, so no event holds a phone number, an ID or bank account
number, an address or an IP address in clear (PIPL). Where an auditor must later be able
to read or prove such a value, the event carries ``"hmac-sha256:<hex>"``: the HMAC-SHA256
of the value under a random key of its data subject (``user:<id>``, ``case:<case_no>``).
Key and value are stored in :class:`PersonalKey` / :class:`PersonalValue`; while they
exist the value is shown and proven (:func:`reveal`), and :func:`subject_erase` destroys
both. The chain still verifies afterwards, and the hash alone reveals nothing: without
the key it cannot be tested against guesses (a phone number has only ~10^10 values).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.db import transaction

from accord.audit.models import PersonalKey, PersonalValue

SEALED_PREFIX = "hmac-sha256:"


def user_subject(user_id: int) -> str:
    return f"user:{user_id}"


def case_subject(case_no: str) -> str:
    return f"case:{case_no}"


def _digest(secret: str, field: str, value: str) -> str:
    message = f"{field}\n{value}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()


def _key_for(subject: str) -> PersonalKey:
    key = PersonalKey.objects.filter(subject=subject).first()
    if key is None:
        # ON CONFLICT DO NOTHING: a concurrent first seal of the subject waits for the
        # other insert, then both use the same key.
        PersonalKey.objects.bulk_create(
            [PersonalKey(subject=subject, secret=secrets.token_hex(32))], ignore_conflicts=True
        )
        key = PersonalKey.objects.get(subject=subject)
    return key


def seal(*, subject: str, field: str, value: str) -> str:
    """Keep ``value`` erasably under ``subject``; returns the string a trace payload carries.

    Call inside the transaction that appends the event.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("seal must be called inside transaction.atomic()")
    key = _key_for(subject)
    digest = _digest(key.secret, field, value)
    PersonalValue.objects.bulk_create(
        [PersonalValue(key=key, field=field, digest=digest, value=value)], ignore_conflicts=True
    )
    return f"{SEALED_PREFIX}{digest}"


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(SEALED_PREFIX)


def reveal(sealed: object) -> str | None:
    """The value behind a sealed payload field, re-proven against its key; ``None`` once
    erased (or for anything that is not a sealed field)."""
    if not is_sealed(sealed):
        return None
    assert isinstance(sealed, str)
    digest = sealed[len(SEALED_PREFIX) :]
    for item in PersonalValue.objects.filter(digest=digest).select_related("key"):
        if hmac.compare_digest(_digest(item.key.secret, item.field, item.value), digest):
            return item.value
    return None


def shown(value: object) -> str | None:
    """A payload field as people may read it: a sealed value while it is on file, a plain
    one as it is; ``None`` once erased."""
    if is_sealed(value):
        return reveal(value)
    return None if value is None else str(value)


def reveal_many(sealed: Iterable[object]) -> dict[str, str]:
    """``{sealed string: value}`` for those still on file (one query)."""
    wanted = {s[len(SEALED_PREFIX) :]: s for s in sealed if isinstance(s, str) and is_sealed(s)}
    found: dict[str, str] = {}
    for item in PersonalValue.objects.filter(digest__in=wanted).select_related("key"):
        if hmac.compare_digest(_digest(item.key.secret, item.field, item.value), item.digest):
            found[wanted[item.digest]] = item.value
    return found


def subject_erase(*, subject: str) -> int:
    """Destroy the subject's key and every value sealed under it; returns how many values.
    The caller traces the erasure in the same transaction."""
    values, _by_model = PersonalValue.objects.filter(key__subject=subject).delete()
    PersonalKey.objects.filter(subject=subject).delete()
    return values
