"""A replay grant lets its holder find the case in their list and read its page (the
evidence app fills the cases app's audit scope); revoked or expired, it does not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accord.cases.selectors import case_list_for_audit
from accord.orgs.models import Role
from accord.replay import services
from accord.replay.models import ReplayGrant
from tests.cases.conftest import member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gus(regulator):
    """A regulator officer: a role that may hold a replay grant."""
    return member(
        UserFactory(username="gus", display_name="Gus"), Role.REGULATOR_OFFICER, regulator
    )


def test_a_grantee_finds_the_case_and_reads_it(client, case, ada, gus):
    services.replay_grant(case=case, user=gus, by=ada, include_caucus=False)
    client.force_login(gus)
    page = client.get("/en/cases/").content.decode()
    assert "Cases you may audit" in page and f'href="/en/cases/{case.case_no}/"' in page
    response = client.get(f"/en/cases/{case.case_no}/")
    assert response.status_code == 200
    assert "/transition/" not in response.content.decode()


def test_a_revoked_or_expired_grant_opens_nothing(client, case, ada, gus):
    grant = services.replay_grant(case=case, user=gus, by=ada, include_caucus=False)
    services.replay_revoke(grant=grant, by=ada)
    assert list(case_list_for_audit(user=gus)) == []
    grant = services.replay_grant(
        case=case, user=gus, by=ada, include_caucus=False, expires_at=timezone.now() + timedelta(1)
    )
    ReplayGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(1))
    client.force_login(gus)
    assert client.get(f"/en/cases/{case.case_no}/").status_code == 404
