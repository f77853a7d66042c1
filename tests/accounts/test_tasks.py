"""Housekeeping: long-expired codes and links are deleted; fresh ones stay."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accord.accounts.models import SignInCode, SignInLink
from accord.accounts.services import signin_code_request, signin_link_create
from accord.accounts.tasks import purge_signin_secrets
from accord.core.crypto import lookup_hash
from tests.accounts.conftest import IP


def test_long_expired_codes_and_links_are_purged_and_fresh_ones_kept(dora, outbox):
    signin_code_request(phone="13800138000", client_ip=IP)
    signin_code_request(phone="13800138001", client_ip=IP)
    signin_link_create(user=dora, next_url="/", ttl=timedelta(hours=1))
    old = timezone.now() - timedelta(days=8)
    SignInCode.objects.filter(phone_lookup=lookup_hash("13800138000")).update(expires_at=old)
    SignInLink.objects.update(expires_at=old)
    assert purge_signin_secrets() == 2
    assert list(SignInCode.objects.values_list("phone", flat=True)) == ["13800138001"]
    assert not SignInLink.objects.exists()
