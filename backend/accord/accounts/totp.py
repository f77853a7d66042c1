"""Time-based one-time passwords (RFC 6238) for staff, and their enrollment QR code."""

from __future__ import annotations

import hmac
import re

import pyotp
import segno
from django.utils import timezone

from accord.accounts import conf

CODE_RE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    return str(pyotp.random_base32())


def provisioning_uri(*, secret: str, account: str) -> str:
    return str(pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=conf.totp_issuer()))


def qr_svg(uri: str) -> str:
    """An inline <svg> element; no external request, works offline."""
    return str(segno.make(uri, error="m", micro=False).svg_inline(scale=5, border=2))


def matching_step(secret: str, code: str) -> int | None:
    """The time step ``code`` belongs to (one step of clock drift allowed), or None.

    The step is returned so the caller can refuse a second use of the same code.
    """
    if not secret or not CODE_RE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = int(totp.timecode(timezone.now()))
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(str(totp.generate_otp(step)), code):
            return step
    return None
