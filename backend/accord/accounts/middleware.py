"""Ends signed-in sessions past their lifetime or idle time (see accord.accounts.sessions)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from accord.accounts import sessions
from accord.core.api import error_body


class SessionLifetimeMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware. An ended session is logged out;
    a page redirects to the sign-in (staff: password form; applicants: phone form) with a
    message and ``next``; ``/api/`` answers 401 ``{"error": {"code": "session_expired"}}``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = time.time()
            if sessions.SIGNED_IN_AT_KEY not in session:
                sessions.session_start(session, user, now)
            else:
                reason = sessions.expiry_reason(session, now)
                if reason is not None:
                    return self._ended(request, reason)
                sessions.session_seen(session, now)
        return self.get_response(request)

    def _ended(self, request: HttpRequest, reason: str) -> HttpResponse:
        staff = request.session.get(sessions.KIND_KEY) == sessions.STAFF
        logout(request)
        if reason == sessions.EXPIRED_IDLE:
            message = _("You were signed out after a time without activity. Please sign in again.")
        else:
            message = _("Your session has ended. Please sign in again.")
        if request.path.startswith("/api/"):
            return JsonResponse(error_body("session_expired", message), status=401)
        messages.info(request, message)
        signin = reverse("accounts:staff_signin" if staff else "accounts:signin")
        return redirect_to_login(request.get_full_path(), signin)
