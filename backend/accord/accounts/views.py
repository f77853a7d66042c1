"""Sign-in pages. Each one parses the form, calls one service and logs the session in.

A staff member's session is logged in only after the second factor: between
the password and the TOTP code the session holds just a short-lived "pending"
marker (:data:`PENDING_KEY`).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts import conf, services, totp
from accord.accounts.forms import CodeForm, PasswordForm, PhoneForm, TotpForm, add_service_error
from accord.accounts.models import User
from accord.accounts.phones import mask_phone, normalize_phone
from accord.core.api import ServiceError
from accord.core.links import DEMO_LINK_KEY
from accord.core.requests import client_ip

PHONE_KEY = "accord.signin.phone"
NEXT_KEY = "accord.signin.next"
PENDING_KEY = "accord.staff.pending"
ENROLL_SECRET_KEY = "accord.staff.enroll_secret"  # noqa: S105 (a session key name)


def _next_url(request: HttpRequest, candidate: str | None = None) -> str:
    candidate = candidate or request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _status(form_has_errors: bool, exc: ServiceError | None = None) -> int:
    if exc is not None:
        return exc.http_status
    return 400 if form_has_errors else 200


# --- Applicants ------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    """Step 1 for applicants: the phone number, to which a code is sent."""
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = PhoneForm(request.POST or None)
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.signin_code_request(
                phone=form.cleaned_data["phone"], client_ip=client_ip(request)
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            phone = normalize_phone(form.cleaned_data["phone"])
            request.session[PHONE_KEY] = phone
            request.session[NEXT_KEY] = next_url
            messages.success(
                request, _("We sent a code to %(phone)s.") % {"phone": mask_phone(phone)}
            )
            return redirect("accounts:signin_code")
    context = {"form": form, "next": next_url}
    return render(
        request, "accounts/signin.html", context, status=_status(bool(form.errors), refusal)
    )


@never_cache
@require_http_methods(["GET", "POST"])
def signin_code(request: HttpRequest) -> HttpResponse:
    """Step 2 for applicants: the code (or a resend)."""
    phone = request.session.get(PHONE_KEY)
    if not phone:
        return redirect("accounts:signin")
    next_url = _next_url(request, request.session.get(NEXT_KEY))
    ip = client_ip(request)
    form = CodeForm(request.POST or None)
    refusal: ServiceError | None = None
    resend_errors: list[str] = []
    if request.method == "POST" and "resend" in request.POST:
        form = CodeForm()
        try:
            services.signin_code_request(phone=phone, client_ip=ip)
        except ServiceError as exc:
            refusal = exc
            resend_errors = [exc.message]
        else:
            messages.success(request, _("We sent a new code. The previous one no longer works."))
            return redirect("accounts:signin_code")
    elif request.method == "POST" and form.is_valid():
        try:
            user = services.signin_code_verify(
                phone=phone, code=form.cleaned_data["code"], client_ip=ip
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            login(request, user)
            request.session.pop(PHONE_KEY, None)
            request.session.pop(NEXT_KEY, None)
            return redirect(next_url)
    context = {"form": form, "phone": mask_phone(phone), "resend_errors": resend_errors}
    return render(
        request, "accounts/signin_code.html", context, status=_status(bool(form.errors), refusal)
    )


# --- Staff ---------------------------------------------------------------------


def _pending_user(request: HttpRequest) -> tuple[User | None, str, float]:
    """The staff member who gave the right password and now owes the second factor, where to
    go next, and when the password was given."""
    pending: dict[str, Any] | None = request.session.get(PENDING_KEY)
    if not pending or float(pending.get("until", 0)) < time.time():
        request.session.pop(PENDING_KEY, None)
        request.session.pop(ENROLL_SECRET_KEY, None)
        return None, "", 0.0
    user = User.objects.filter(pk=int(pending.get("user_id") or 0), is_active=True).first()
    return user, str(pending.get("next") or ""), float(pending.get("password_at") or 0)


def _finish_staff_signin(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    request.session.pop(ENROLL_SECRET_KEY, None)
    login(request, user)
    return redirect(_next_url(request, next_url))


def _timed_out(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("Your sign-in timed out. Enter your password again."))
    return redirect("accounts:staff_signin")


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def staff_signin(request: HttpRequest) -> HttpResponse:
    """Staff step 1: username and password (the session is not logged in yet)."""
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = PasswordForm(request.POST or None)
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_password_check(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                client_ip=client_ip(request),
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            # A fresh session id before it carries anything that leads to a sign-in.
            request.session.cycle_key()
            request.session.pop(ENROLL_SECRET_KEY, None)
            now = time.time()
            enrolling = user.totp_confirmed_at is None
            # Enrolment (installing an app, scanning) gets its own, longer window; both are
            # bound to this session, which alone knows that the password was right.
            wait = conf.totp_enrol_window_seconds() if enrolling else conf.second_factor_seconds()
            request.session[PENDING_KEY] = {
                "user_id": user.pk,
                "password_at": now,
                "until": now + wait,
                "next": next_url,
            }
            if enrolling:
                return redirect("accounts:staff_enroll")
            return redirect("accounts:staff_totp")
    context = {"form": form, "next": next_url}
    return render(
        request, "accounts/staff_signin.html", context, status=_status(bool(form.errors), refusal)
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def staff_totp(request: HttpRequest) -> HttpResponse:
    """Staff step 2: the code from the authenticator app."""
    user, next_url, _password_at = _pending_user(request)
    if user is None:
        return _timed_out(request)
    if user.totp_confirmed_at is None:
        return redirect("accounts:staff_enroll")
    form = TotpForm(request.POST or None)
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_totp_verify(
                user=user, code=form.cleaned_data["code"], client_ip=client_ip(request)
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            return _finish_staff_signin(request, user, next_url)
    return render(
        request,
        "accounts/staff_totp.html",
        {"form": form},
        status=_status(bool(form.errors), refusal),
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def staff_enroll(request: HttpRequest) -> HttpResponse:
    """First staff sign-in: set up the authenticator app, proven by one valid code."""
    user, next_url, password_at = _pending_user(request)
    if user is None:
        return _timed_out(request)
    if user.totp_confirmed_at is not None:
        return redirect("accounts:staff_totp")
    # The secret stays in the session until confirmed: an abandoned enrollment stores nothing.
    secret = request.session.get(ENROLL_SECRET_KEY) or totp.new_secret()
    request.session[ENROLL_SECRET_KEY] = secret
    form = TotpForm(request.POST or None)
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_enroll_confirm(
                user=user,
                secret=secret,
                code=form.cleaned_data["code"],
                client_ip=client_ip(request),
                password_verified_at=password_at,
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your authenticator app is set up."))
            return _finish_staff_signin(request, user, next_url)
    uri = totp.provisioning_uri(secret=secret, account=user.username)
    context = {
        "form": form,
        "otpauth_uri": uri,
        # segno writes the SVG itself from the URI: nothing user-supplied is unescaped.
        "qr_svg": mark_safe(totp.qr_svg(uri)),  # noqa: S308
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(
        request, "accounts/staff_enroll.html", context, status=_status(bool(form.errors), refusal)
    )


# --- Links and sign-out ----------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def signin_link(request: HttpRequest, token: str) -> HttpResponse:
    """A one-time link. GET shows a confirmation page and spends nothing (link previews and
    mail scanners fetch links); its POST (CSRF-checked) spends the link, signs in and goes
    on. A link that cannot sign in shows why."""
    try:
        if request.method == "POST":
            link = services.signin_link_use(token=token, client_ip=client_ip(request))
        else:
            link = services.signin_link_check(token=token)
    except services.SignInLinkUnavailable as exc:
        return render(
            request,
            "accounts/link_unavailable.html",
            {"message": exc.message, "code": exc.code},
            status=exc.http_status,
        )
    if request.method == "GET":
        # Nothing about the person: whoever forwards the link (or a preview of it) sees no name.
        context = {"action": request.path}
        response = render(request, "accounts/link_confirm.html", context)
        # The page's address carries the token: never to another site. Not "no-referrer":
        # under it browsers send the confirming POST with "Origin: null", which the CSRF check
        # refuses (a real browser test caught it).
        response["Referrer-Policy"] = "same-origin"
        return response
    login(request, link.user)
    request.session[DEMO_LINK_KEY] = link.is_demo
    return redirect(link.next_url)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("core:home")
