"""Housekeeping for sign-in secrets (schedule ``purge_signin_secrets`` daily with beat)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from accord.accounts.models import SignInCode, SignInLink

# Kept a while after expiry so support staff can still see that a code was sent.
KEEP_FOR = timedelta(days=7)


def purge_signin_secrets() -> int:
    """Delete codes and links that expired more than ``KEEP_FOR`` ago; return how many.

    These are short-lived credentials, not case records: sign-ins themselves stay in
    the users' trace chains.
    """
    cutoff = timezone.now() - KEEP_FOR
    codes, _by_model = SignInCode.objects.filter(expires_at__lt=cutoff).delete()
    links, _by_model = SignInLink.objects.filter(expires_at__lt=cutoff).delete()
    return codes + links


@shared_task(name="accord.accounts.tasks.purge_signin_secrets", ignore_result=True)
def purge_signin_secrets_task() -> int:
    return purge_signin_secrets()
