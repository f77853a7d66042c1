"""Issue 13: the first read of each final file by each user is traced, page or no page; and a
replay grant is never to oneself, only to a role that may replay, and expires when it includes
caucus recordings (on the service and as field errors on the verification page's form)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.core.api import ServiceError
from accord.orgs.models import Role
from accord.replay import services
from accord.replay.models import MediaRead, ReplayGrant
from tests.cases.conftest import member
from tests.factories import UserFactory
from tests.replay.conftest import Held, client_for, soon, span

pytestmark = pytest.mark.django_db


def media_url(held: Held, file_id: int) -> str:
    case_no = held.session.case.case_no
    return f"/en/cases/{case_no}/sessions/{held.session.pk}/replay/media/{file_id}/"


def reads(held: Held) -> list[TraceEvent]:
    return list(
        TraceEvent.objects.filter(chain=held.session.case.chain, action="replay.media_read")
    )


# --- replay.media_read ---------------------------------------------------------------------


def test_a_ranged_get_without_the_page_traces_the_first_read_once(held, put_file, audrey, ada):
    file, data = put_file(held.respondent, [span(held.started, held.ended, 0)])
    client = client_for(audrey)
    response = client.get(media_url(held, file.pk), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content == data[:10]
    (event,) = reads(held)
    assert event.actor["user_id"] == audrey.pk
    assert event.payload == {
        "session_id": str(held.session.pk),
        "file_id": file.pk,
        "participant_id": held.respondent.pk,
        "version": 1,
        "audience": "all",
        "sha256": file.sha256,
    }
    # No personal data in clear: no phone, no name of the reader in the event.
    assert audrey.display_name not in str(event.payload)
    # The page was never opened: the read is the only trace of it.
    assert not TraceEvent.objects.filter(
        chain=held.session.case.chain, action="recording.replayed"
    ).exists()

    # A second read (another range, the whole file, HEAD) traces nothing more.
    assert client.get(media_url(held, file.pk), HTTP_RANGE="bytes=10-19").status_code == 206
    assert client.get(media_url(held, file.pk)).status_code == 200
    assert client.head(media_url(held, file.pk)).status_code == 200
    assert len(reads(held)) == 1
    assert MediaRead.objects.filter(user=audrey, file=file).count() == 1

    # Another user traces their own first read; another file is another first read.
    services.replay_grant(
        case=held.session.case, user=held.mediator.user, by=ada, include_caucus=False
    )
    mia = client_for(held.mediator.user)
    assert mia.get(media_url(held, file.pk), HTTP_RANGE="bytes=0-9").status_code == 206
    other, _ = put_file(held.mediator, [span(held.started, held.ended, 0)])
    assert client.get(media_url(held, other.pk), HTTP_RANGE="bytes=0-9").status_code == 206
    assert sorted((e.actor["user_id"], e.payload["file_id"]) for e in reads(held)) == sorted(
        [(audrey.pk, file.pk), (held.mediator.user_id, file.pk), (audrey.pk, other.pk)]
    )


def test_a_head_or_a_refused_read_traces_nothing(held, put_file, audrey, charlie):
    file, _ = put_file(held.respondent, [span(held.started, held.ended, 0)])
    assert client_for(audrey).head(media_url(held, file.pk)).status_code == 200
    assert client_for(charlie).get(media_url(held, file.pk)).status_code == 404
    assert reads(held) == []
    assert not MediaRead.objects.exists()


def test_the_service_is_idempotent_per_user_and_file(held, put_file, audrey):
    file, _ = put_file(held.respondent, [span(held.started, held.ended, 0)])
    first = services.media_read(session=held.session, file=file, user=audrey)
    assert first is not None and first.action == "replay.media_read"
    assert services.media_read(session=held.session, file=file, user=audrey) is None
    assert len(reads(held)) == 1


# --- grant rules ---------------------------------------------------------------------------


def refusal(**kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        services.replay_grant(**kwargs)
    return caught.value


def test_no_grant_to_oneself(hearing, ada, audrey):
    # An auditor has access anyway; an administrator may not hand it to themself.
    error = refusal(case=hearing.case, user=ada, by=ada, include_caucus=False)
    assert error.code == "grant_to_self" and "user" in error.fields
    error = refusal(case=hearing.case, user=audrey, by=audrey, include_caucus=False)
    assert error.code == "grant_to_self"
    assert not ReplayGrant.objects.exists()
    assert not TraceEvent.objects.filter(action="replay.granted").exists()


def test_only_roles_that_may_replay_hold_a_grant(hearing, ada, alice, ben, charlie, cleo):
    expert = member(UserFactory(username="eve"), Role.EXPERT, hearing.case.organization)
    notary = member(UserFactory(username="nora"), Role.NOTARY, None)
    sysadmin = member(UserFactory(username="root"), Role.SYSADMIN, None)
    nobody = UserFactory(username="nobody")
    # alice applies, ben is the respondent bank's staff, charlie mediates elsewhere.
    for user in (alice, ben, charlie, expert, notary, sysadmin, nobody):
        error = refusal(case=hearing.case, user=user, by=ada, include_caucus=False)
        assert error.code == "grantee_role", user
        assert "user" in error.fields
    assert not ReplayGrant.objects.exists()
    # A court clerk, a regulator officer, an auditor elsewhere, a mediator of the case's
    # organization may.
    regulator = member(UserFactory(username="reg"), Role.REGULATOR_OFFICER, None)
    outside_auditor = member(UserFactory(username="aud2"), Role.AUDITOR, None)
    colleague = member(UserFactory(username="max"), Role.MEDIATOR, hearing.case.organization)
    for user in (cleo, regulator, outside_auditor, colleague):
        services.replay_grant(case=hearing.case, user=user, by=ada, include_caucus=False)
    assert ReplayGrant.objects.count() == 4


def test_a_grant_with_caucus_must_expire(hearing, ada, cleo):
    error = refusal(case=hearing.case, user=cleo, by=ada, include_caucus=True)
    assert error.code == "expiry_required" and "expires_at" in error.fields
    error = refusal(
        case=hearing.case,
        user=cleo,
        by=ada,
        include_caucus=True,
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    assert error.code == "invalid" and "expires_at" in error.fields
    assert not ReplayGrant.objects.exists()
    grant = services.replay_grant(
        case=hearing.case, user=cleo, by=ada, include_caucus=True, expires_at=soon(3)
    )
    assert grant.include_caucus and grant.expires_at is not None
    # Without caucus, no expiry is needed.
    services.replay_grant(case=hearing.case, user=cleo, by=ada, include_caucus=False)


def test_the_form_shows_each_refusal_on_its_field(documented, ada, alice, cleo):
    client = client_for(ada)
    url = f"/en/cases/{documented.case_no}/grants/"
    verify = f"/en/cases/{documented.case_no}/verify/"
    cases = [
        ({"username": cleo.username, "include_caucus": "on"}, "days", "needs an expiry"),
        ({"username": ada.username}, "username", "cannot grant access to yourself"),
        ({"username": alice.username}, "username", "may be granted only to"),
        ({"username": "no-such-user"}, "username", "No active user with this user name."),
    ]
    for data, field, text in cases:
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"] == verify
        page = client.get(verify)
        form = page.context["grant_form"]
        assert field in form.errors, (data, form.errors)
        assert any(text in error for error in form.errors[field]), form.errors
        assert text in page.content.decode()
        # Shown once: the next visit has a fresh form.
        assert not client.get(verify).context["grant_form"].is_bound
    assert not ReplayGrant.objects.exists()
    response = client.post(url, {"username": cleo.username, "include_caucus": "on", "days": "7"})
    assert response.status_code == 302
    assert ReplayGrant.objects.get(user=cleo).include_caucus is True
