"""Session lifetimes (docs/security/auth.md): staff sessions end 12 hours after the sign-in
and after 30 minutes without a request; applicants' after a day, and after two hours idle
(all configurable). Enforced for pages and the API by
:class:`accord.accounts.middleware.SessionLifetimeMiddleware` and for room sockets by
:func:`websocket_session_refusal` / :func:`websocket_session_touch`.

The session carries when it was signed in, when it was last seen and which lifetime applies
(set at sign-in, by a ``user_logged_in`` receiver). Last-seen is rewritten at most once a
minute, not on every request.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from accord.accounts import conf
from accord.accounts.models import User
from accord.accounts.selectors import uses_staff_signin

SIGNED_IN_AT_KEY = "accord.session.signed_in_at"
LAST_SEEN_KEY = "accord.session.last_seen"
KIND_KEY = "accord.session.kind"
STAFF = "staff"
APPLICANT = "applicant"

EXPIRED_LIFETIME = "lifetime"
EXPIRED_IDLE = "idle"

# In a socket's scope: when this socket last wrote last-seen (time.monotonic()).
_SCOPE_TOUCHED_KEY = "accord.session.touched"


@dataclass(frozen=True)
class Lifetime:
    max_seconds: int
    idle_seconds: int


def lifetime(kind: str) -> Lifetime:
    if kind == STAFF:
        return Lifetime(conf.staff_session_max_seconds(), conf.staff_session_idle_seconds())
    return Lifetime(conf.applicant_session_seconds(), conf.applicant_session_idle_seconds())


def session_kind(user: AbstractBaseUser | AnonymousUser) -> str:
    """Staff (any staff role, or Django admin access) or applicant."""
    return STAFF if isinstance(user, User) and uses_staff_signin(user) else APPLICANT


def session_start(session: SessionBase, user: AbstractBaseUser, now: float | None = None) -> None:
    """Start the clocks of a signed-in session; Django's own expiry (cookie and stored
    session) is set to the absolute lifetime as well."""
    now = time.time() if now is None else now
    kind = session_kind(user)
    session[KIND_KEY] = kind
    session[SIGNED_IN_AT_KEY] = now
    session[LAST_SEEN_KEY] = now
    session.set_expiry(lifetime(kind).max_seconds)


def expiry_reason(data: Mapping[str, Any] | SessionBase, now: float | None = None) -> str | None:
    """Why a signed-in session's data says it has ended (:data:`EXPIRED_LIFETIME` or
    :data:`EXPIRED_IDLE`), or None. A session without the clocks (signed in before they
    existed) is not expired here: the middleware starts its clocks."""
    now = time.time() if now is None else now
    try:
        signed_in_at = float(data[SIGNED_IN_AT_KEY])
        last_seen = float(data.get(LAST_SEEN_KEY, signed_in_at))
    except (KeyError, TypeError, ValueError):
        return None
    limits = lifetime(str(data.get(KIND_KEY) or APPLICANT))
    if now - signed_in_at >= limits.max_seconds:
        return EXPIRED_LIFETIME
    if now - last_seen >= limits.idle_seconds:
        return EXPIRED_IDLE
    return None


def session_seen(session: SessionBase, now: float | None = None) -> None:
    """Note activity; writes the session only when a minute has passed since the last note."""
    now = time.time() if now is None else now
    try:
        last_seen = float(session.get(LAST_SEEN_KEY, 0))
    except (TypeError, ValueError):
        last_seen = 0.0
    if now - last_seen >= conf.SESSION_TOUCH_SECONDS:
        session[LAST_SEEN_KEY] = now


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver (connected in AccountsConfig.ready)."""
    session = getattr(request, "session", None)
    if session is not None:
        session_start(session, user)


# --- Room sockets -----------------------------------------------------------------------


def websocket_session_refusal(scope: Mapping[str, Any]) -> bool:
    """True when a socket's session has ended (its lifetime or its idle time): the consumer
    refuses the connection as not signed in. Reads the session store: call it from a thread
    (``database_sync_to_async``). Marks the connect as activity."""
    session = scope.get("session")
    user = scope.get("user")
    if session is None or user is None or not user.is_authenticated:
        return False
    if expiry_reason(dict(session.items())) is not None:
        return True
    if SIGNED_IN_AT_KEY in session:
        before = session.get(LAST_SEEN_KEY)
        session_seen(session)
        if session.get(LAST_SEEN_KEY) != before:
            session.save()
    return False


def _touch(scope: Mapping[str, Any]) -> bool:
    session = scope["session"]
    if expiry_reason(dict(session.items()), now=time.time()) == EXPIRED_LIFETIME:
        return True
    if SIGNED_IN_AT_KEY in session:
        session[LAST_SEEN_KEY] = time.time()
        session.save()
    return False


async def websocket_session_touch(scope: dict[str, Any]) -> bool:
    """An open room socket is activity (its pings every few seconds): note it at most once a
    minute, so that a hearing longer than the idle timeout without a page load does not end
    the session, and a reconnect is still let in. True when the session's absolute lifetime
    is over: the consumer closes the socket."""
    from channels.db import database_sync_to_async

    if scope.get("session") is None:
        return False
    now = time.monotonic()
    if now - float(scope.get(_SCOPE_TOUCHED_KEY, 0.0)) < conf.SESSION_TOUCH_SECONDS:
        return False
    scope[_SCOPE_TOUCHED_KEY] = now
    return bool(await database_sync_to_async(_touch)(scope))
