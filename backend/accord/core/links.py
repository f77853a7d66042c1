"""One-time links (sign-in links, hearing join links): tokens and the refusal they share."""

from __future__ import annotations

import hashlib

from accord.core.api import ServiceError

# The session key a sign-in link sets (True for a demo link): read by later steps (e.g. phone
# confirmation before a video session) in demo mode.
DEMO_LINK_KEY = "accord.demo_link"


class LinkUnavailable(ServiceError):
    """A link that is unknown or not for this place (404), or used or expired (410)."""

    def __init__(self, message: str, *, code: str, http_status: int) -> None:
        super().__init__(message, code=code)
        self.http_status = http_status


def token_hash(token: str) -> str:
    """What is stored of a link's token. Tokens carry 256 random bits, so a plain
    SHA-256 suffices (no salt or stretching needed against guessing)."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()
