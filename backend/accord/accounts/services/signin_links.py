"""One-time sign-in links (demo sessions, invitations).

Opening a link (GET) only shows a confirmation page (:func:`signin_link_check`): mail
scanners and link-preview bots fetch links, and must not spend them. The confirmation's
POST (CSRF-protected) spends it (:func:`signin_link_use`). Staff sign in with a password and
a second factor: a link never signs a staff member in outside demo mode.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import status

from accord.accounts.models import SignInLink, User
from accord.accounts.selectors import uses_staff_signin
from accord.accounts.services.accounts import user_chain
from accord.accounts.services.errors import refuse
from accord.accounts.services.lockout import trace_signed_in
from accord.audit.actors import Actor
from accord.audit.canonical import format_time
from accord.audit.services import trace_append
from accord.core.links import LinkUnavailable, token_hash


class SignInLinkUnavailable(LinkUnavailable):
    """A sign-in link that is unknown (404), or used or expired (410)."""


def _is_local_path(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def signin_link_create(
    *,
    user: User,
    next_url: str,
    ttl: timedelta,
    demo: bool = False,
    actor: Actor | None = None,
) -> str:
    """A one-time sign-in link for ``user`` to ``next_url`` (a local path); returns its path.

    ``demo`` (only with ACCORD_DEMO) marks the link so later steps may skip the
    phone confirmation. The token is shown once and stored only as a hash.
    """
    if not _is_local_path(next_url):
        message = _("The next page must be a path on this site.")
        raise refuse(message, code="next_url_invalid", field="next_url")
    if ttl <= timedelta(0):
        raise refuse(_("The link must be valid for some time."), code="ttl_invalid", field="ttl")
    if demo and not settings.ACCORD_DEMO:
        message = _("Demo links exist only in demo mode.")
        raise refuse(message, code="demo_disabled", field="demo")
    if not user.is_active:
        raise refuse(_("This account is disabled."), code="account_disabled", field="user")
    if uses_staff_signin(user) and not settings.ACCORD_DEMO:
        message = _("Staff sign in with their password and authenticator app, never by a link.")
        raise refuse(message, code="link_staff", field="user")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        link = SignInLink.objects.create(
            user=user,
            token_hash=token_hash(token),
            next_url=next_url,
            created_at=now,
            expires_at=now + ttl,
            is_demo=demo,
        )
        trace_append(
            chain=user_chain(user),
            action="signin_link.created",
            actor=actor or Actor.system("accounts"),
            payload={
                "link_id": link.pk,
                "next_url": next_url,
                "expires_at": format_time(link.expires_at),
                "demo": demo,
            },
        )
    # Unprefixed (default-language) path: the visitor's language choice then applies.
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("accounts:link", kwargs={"token": token})


def _usable_orrefuse(link: SignInLink | None) -> SignInLink:
    if link is None:
        raise SignInLinkUnavailable(
            _("This sign-in link is not valid. Check that you copied all of it."),
            code="link_unknown",
            http_status=status.HTTP_404_NOT_FOUND,
        )
    if link.used_at is not None:
        raise SignInLinkUnavailable(
            _("This sign-in link has already been used. Each link works only once."),
            code="link_used",
            http_status=status.HTTP_410_GONE,
        )
    if link.expires_at <= timezone.now() or not link.user.is_active:
        raise SignInLinkUnavailable(
            _("This sign-in link has expired. Ask for a new one."),
            code="link_expired",
            http_status=status.HTTP_410_GONE,
        )
    if uses_staff_signin(link.user) and not settings.ACCORD_DEMO:
        # Made in demo mode, or before the user became staff: never honoured for staff.
        raise SignInLinkUnavailable(
            _("Staff sign in with their password and authenticator app, never by a link."),
            code="link_staff",
            http_status=status.HTTP_403_FORBIDDEN,
        )
    return link


def signin_link_check(*, token: str) -> SignInLink:
    """The link, if it could sign in now; spends nothing and writes nothing (for the GET
    that shows the confirmation page)."""
    link = SignInLink.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    return _usable_orrefuse(link)


def signin_link_use(*, token: str, client_ip: str) -> SignInLink:
    """Spend a link; returns it (with its user) for the caller to log the session in.
    Only on the confirmation page's POST."""
    with transaction.atomic():
        link = _usable_orrefuse(
            SignInLink.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(token_hash=token_hash(token))
            .first()
        )
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        trace_signed_in(
            user=link.user,
            method="link",
            client_ip=client_ip,
            extra={"link_id": link.pk, "demo": link.is_demo},
        )
    return link
