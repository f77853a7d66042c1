"""Who may replay, export and verify: auditors by default, others by a grant; 404 for the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import FileResponse
from django.test import Client
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.cases.errors import NotAllowed
from accord.orgs.models import Role
from accord.replay import services
from accord.replay.access import (
    case_access,
    export_allowed,
    replay_access,
    verification_allowed,
)
from accord.replay.models import ReplayGrant
from tests.cases.conftest import member
from tests.factories import UserFactory
from tests.replay.conftest import soon

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_auditor_of_the_organization_has_access_with_caucus(hearing, audrey):
    access = replay_access(audrey, hearing)
    assert access is not None
    assert access.include_caucus is True
    assert access.via == "auditor"
    assert access.may_see_group("caucus-a")
    assert export_allowed(audrey, hearing.case)
    assert verification_allowed(audrey, hearing.case)


def test_an_auditor_of_the_entrusting_court_has_access(mediating, court):
    mediating.court = court
    mediating.save(update_fields=["court"])
    court_auditor = member(UserFactory(username="courtaud"), Role.AUDITOR, court)
    assert case_access(court_auditor, mediating) is not None


def test_no_one_else_has_access_by_default(hearing, mia, ada, alice, ben, charlie, cleo):
    for user in (mia, ada, alice, ben, charlie, cleo):
        assert replay_access(user, hearing) is None, user
        assert not export_allowed(user, hearing.case), user
    auditor_elsewhere = member(
        UserFactory(username="elsewhere"), Role.AUDITOR, charlie.memberships.first().organization
    )
    assert replay_access(auditor_elsewhere, hearing) is None


def test_a_grant_without_caucus_gives_plenary_replay_only(hearing, ada, mia):
    grant = services.replay_grant(case=hearing.case, user=mia, by=ada, include_caucus=False)
    access = replay_access(mia, hearing)
    assert access is not None
    assert access.include_caucus is False
    assert access.grant_id == grant.pk
    assert access.may_see_group("plenary")
    assert not access.may_see_group("caucus-applicant")
    # The package holds caucus recordings: no export on such a grant.
    assert not export_allowed(mia, hearing.case)
    event = TraceEvent.objects.get(chain=hearing.case.chain, action="replay.granted")
    assert event.payload["user_id"] == mia.pk
    assert event.payload["include_caucus"] is False
    assert event.actor["user_id"] == ada.pk


def test_a_new_grant_replaces_the_live_one_and_revoking_ends_access(hearing, ada, mia):
    first = services.replay_grant(case=hearing.case, user=mia, by=ada, include_caucus=False)
    second = services.replay_grant(
        case=hearing.case, user=mia, by=ada, include_caucus=True, expires_at=soon()
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert export_allowed(mia, hearing.case)
    services.replay_revoke(grant=second, by=ada)
    assert replay_access(mia, hearing) is None
    actions = list(
        TraceEvent.objects.filter(
            chain=hearing.case.chain, action__startswith="replay."
        ).values_list("action", flat=True)
    )
    assert actions == ["replay.granted", "replay.revoked", "replay.granted", "replay.revoked"]


def test_an_expired_grant_gives_nothing(hearing, ada, cleo):
    grant = services.replay_grant(
        case=hearing.case,
        user=cleo,
        by=ada,
        include_caucus=True,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert replay_access(cleo, hearing) is not None
    ReplayGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert replay_access(cleo, hearing) is None


def test_only_administrators_and_auditors_grant(hearing, mia, alice, charlie, audrey):
    for user in (mia, alice, charlie):
        with pytest.raises(NotAllowed):
            services.replay_grant(case=hearing.case, user=alice, by=user, include_caucus=True)
    assert ReplayGrant.objects.count() == 0
    services.replay_grant(
        case=hearing.case, user=mia, by=audrey, include_caucus=True, expires_at=soon()
    )
    assert ReplayGrant.objects.count() == 1


def test_pages_are_404_without_access(documented, mia, alice, charlie, ben):
    verify = f"/en/cases/{documented.case_no}/verify/"
    package = f"/en/cases/{documented.case_no}/package/"
    for user in (alice, charlie, ben):
        client = client_for(user)
        assert client.get(verify).status_code == 404
        assert client.post(package).status_code == 404
    # The case's mediator sees the verification page but may not export without a grant.
    client = client_for(mia)
    page = client.get(verify)
    assert page.status_code == 200
    assert "Download the evidence package" not in page.content.decode()
    assert client.post(package).status_code == 404
    assert not TraceEvent.objects.filter(action="case.exported").exists()
    # A case that does not exist answers the same.
    assert client_for(charlie).get("/en/cases/NOPE-2026-00009/verify/").status_code == 404


def test_an_auditor_downloads_the_package(documented, audrey, tmp_path):
    from tests.packages.conftest import run_verifier

    response = client_for(audrey).post(f"/en/cases/{documented.case_no}/package/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    target = tmp_path / "download.zip"
    assert isinstance(response, FileResponse)
    target.write_bytes(b"".join(bytes(chunk) for chunk in response.streaming_content))
    assert int(response["Content-Length"]) == target.stat().st_size
    event = TraceEvent.objects.get(chain=documented.chain, action="case.exported")
    assert event.payload["via"] == "download"
    assert event.actor["user_id"] == audrey.pk
    result = run_verifier(target)
    assert result.returncode == 0, result.stdout


def test_grants_from_the_verification_page(documented, ada, cleo):
    client = client_for(ada)
    page = client.get(f"/en/cases/{documented.case_no}/verify/")
    assert "Grant access" in page.content.decode()
    response = client.post(
        f"/en/cases/{documented.case_no}/grants/",
        {"username": cleo.username, "include_caucus": "on", "days": "7"},
    )
    assert response.status_code == 302
    grant = ReplayGrant.objects.get(user=cleo)
    assert grant.include_caucus is True
    assert grant.expires_at is not None
    assert export_allowed(cleo, documented)
    response = client.post(f"/en/cases/{documented.case_no}/grants/{grant.pk}/revoke/")
    assert response.status_code == 302
    assert not export_allowed(cleo, documented)
    # Someone who may not grant gets 404 for the grant URLs.
    assert (
        client_for(cleo)
        .post(f"/en/cases/{documented.case_no}/grants/", {"username": cleo.username})
        .status_code
        == 404
    )
