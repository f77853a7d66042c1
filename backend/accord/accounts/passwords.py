"""A password validator against known breaches, by the k-anonymity range protocol of Have I
Been Pwned's Pwned Passwords (``GET <base>/range/<first 5 hex digits of SHA-1>``; the answer
lists ``SUFFIX:COUNT`` lines for every breached hash with that prefix).

Only five hex digits of the password's SHA-1 leave the server, never the password or its
whole hash. Off unless ``ACCORD_PWNED_PASSWORDS_URL`` is set (e.g.
``https://api.pwnedpasswords.com``, or a mirror inside the network). When the service cannot
be reached or answers nonsense, the check fails open (the password is accepted) and logs a
warning: an outage must not stop administrators from setting passwords, and the length and
common-password checks still hold.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.request
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accord.accounts import conf

log = logging.getLogger(__name__)


def breach_count(password: str) -> int | None:
    """How often ``password`` appears in known breaches (0: not found), or None when the check
    is off or the service did not answer usably."""
    base = conf.pwned_passwords_url().rstrip("/")
    if not base:
        return None
    digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    prefix, suffix = digest[:5], digest[5:]
    request = urllib.request.Request(  # noqa: S310 (an operator-configured https URL)
        f"{base}/range/{prefix}",
        headers={"Add-Padding": "true", "User-Agent": "accord-password-check"},
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=conf.pwned_passwords_timeout_seconds()
        ) as response:
            body = response.read(2_000_000).decode("ascii")
    except (OSError, UnicodeDecodeError, urllib.error.URLError) as exc:
        log.warning("breached-password check skipped: %s unreachable (%s)", base, exc)
        return None
    for line in body.splitlines():
        candidate, sep, count = line.strip().partition(":")
        if not sep:
            continue
        if candidate.upper() == suffix:
            try:
                return int(count)
            except ValueError:
                log.warning("breached-password check skipped: bad answer line from %s", base)
                return None
    return 0


class PwnedPasswordValidator:
    """Refuse a password that appears in a known breach (see the module's docstring)."""

    def validate(self, password: str, user: Any = None) -> None:
        # Padding lines of the protocol carry a count of 0: they are not breaches.
        if (breach_count(password) or 0) > 0:
            raise ValidationError(
                _("This password appears in a known data breach. Choose another."),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Your password must not appear in a known data breach.")
