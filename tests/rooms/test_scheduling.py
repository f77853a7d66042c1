"""Scheduling a hearing from the case page: the mediator picks time, join window and people;
those who sign in by phone get a one-time join link by SMS; links can be resent and revoked;
moving and cancelling are traced and told. Nothing in the trace names a phone or a token."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.cases.models import CaseState
from accord.rooms.models import HearingSession, JoinLink, SessionStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

LINK = re.compile(r"https?://\S+/rooms/[0-9a-f-]+/join/\S+/")


def local(minutes: int) -> str:
    return (timezone.localtime() + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def form(alice, ben, **overrides):
    data = {
        "title": "第一次调解",
        "scheduled_at": local(60),
        "duration_minutes": "60",
        "join_opens_minutes": "15",
        f"take_{alice.pk}": "on",
        f"role_{alice.pk}": "applicant",
        f"take_{ben.pk}": "on",
        f"role_{ben.pk}": "respondent",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def actions(case) -> list[str]:
    return list(TraceEvent.objects.filter(chain=case.chain).values_list("action", flat=True))


def no_secrets_in_trace(case, *secrets: str) -> None:
    dumped = json.dumps(list(TraceEvent.objects.filter(chain=case.chain).values("payload")))
    for secret in secrets:
        assert secret not in dumped


@pytest.fixture
def mediating(case, drive):
    drive(case, CaseState.MEDIATING)
    return case


@pytest.fixture
def scheduled(mediating, client, mia, alice, ben, outbox, django_capture_on_commit_callbacks):
    client.force_login(mia)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/rooms/cases/{mediating.case_no}/schedule/", form(alice, ben))
    assert response.status_code == 302, response.content.decode()[:2000]
    return HearingSession.objects.get(case=mediating)


def test_the_case_page_offers_scheduling_to_the_mediator_only(mediating, client, mia, alice):
    client.force_login(mia)
    page = client.get(f"/en/cases/{mediating.case_no}/").content.decode()
    assert 'data-testid="schedule-hearing"' in page
    assert f'href="/en/rooms/cases/{mediating.case_no}/schedule/"' in page
    client.force_login(alice)
    page = client.get(f"/en/cases/{mediating.case_no}/").content.decode()
    assert 'data-testid="schedule-hearing"' not in page
    assert client.get(f"/en/rooms/cases/{mediating.case_no}/schedule/").status_code == 404


def test_the_scheduling_page_shows_people_in_roles_and_the_recording_policy(
    mediating, client, mia, alice, ben
):
    client.force_login(mia)
    page = client.get(f"/en/rooms/cases/{mediating.case_no}/schedule/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="take_{alice.pk}"' in html and f'name="role_{ben.pk}"' in html
    assert 'data-testid="recording-policy"' in html
    assert "Caucus rooms (private sessions) are not recorded." in html
    chinese = client.get(f"/rooms/cases/{mediating.case_no}/schedule/").content.decode()
    assert "安排视频调解" in chinese


def test_scheduling_sends_the_join_link_by_sms_and_traces_without_phone_or_token(
    scheduled, outbox, alice, ben, client
):
    case = scheduled.case
    assert scheduled.join_opens_minutes == 15
    assert {p.user_id for p in scheduled.participants.all()} == {
        scheduled.created_by_id,
        alice.pk,
        ben.pk,
    }
    assert [m.phone for m in outbox] == [alice.phone]  # ben (staff) has no phone
    url = LINK.search(outbox[0].body)
    assert url is not None and case.case_no in outbox[0].body
    found = actions(case)
    assert found.count("session.scheduled") == 1
    assert found.count("session.join_link_created") == 1
    assert found.count("session.join_link_sent") == 1
    assert JoinLink.objects.get().sent_at is not None
    token = url.group(0).rstrip("/").rsplit("/", 1)[-1]
    no_secrets_in_trace(case, alice.phone, token)
    # The link leads to the phone code, then the device check.
    client.logout()
    page = client.get(urlsplit(url.group(0)).path)
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scheduled_at": "tomorrow"}, "scheduled_at"),
        ({"duration_minutes": "0"}, "duration_minutes"),
        ({"join_opens_minutes": "-5"}, "join_opens_minutes"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_changes_nothing(
    mediating, client, mia, alice, ben, outbox, overrides, field
):
    client.force_login(mia)
    before = actions(mediating)
    response = client.post(
        f"/en/rooms/cases/{mediating.case_no}/schedule/", form(alice, ben, **overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not HearingSession.objects.exists()
    assert actions(mediating) == before and outbox == []


def test_a_time_in_the_past_and_nobody_invited_are_refused(mediating, client, mia, alice, ben):
    client.force_login(mia)
    url = f"/en/rooms/cases/{mediating.case_no}/schedule/"
    past = client.post(url, form(alice, ben, scheduled_at=local(-60)))
    assert past.status_code == 400
    assert "scheduled_at" in past.context["form"].errors
    nobody = client.post(
        url, form(alice, ben, **{f"take_{alice.pk}": None, f"take_{ben.pk}": None})
    )
    assert nobody.status_code == 400
    assert nobody.context["form"].non_field_errors()
    wrong_role = client.post(url, form(alice, ben, **{f"role_{alice.pk}": "mediator"}))
    assert wrong_role.status_code == 400
    assert f"role_{alice.pk}" in wrong_role.context["form"].errors
    assert not HearingSession.objects.exists()


def test_the_case_page_lists_the_hearing_with_its_state(scheduled, client, mia, alice, charlie):
    case = scheduled.case
    client.force_login(mia)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert f'data-session-id="{scheduled.pk}"' in page
    assert f'href="/en/rooms/{scheduled.pk}/manage/"' in page
    assert "Scheduled" in page
    client.force_login(alice)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert f'href="/en/rooms/{scheduled.pk}/"' in page
    assert "/manage/" not in page
    client.force_login(charlie)
    assert client.get(f"/en/rooms/{scheduled.pk}/manage/").status_code == 404


def test_resending_revokes_the_old_link_and_sends_a_new_one(
    scheduled, client, mia, alice, outbox, django_capture_on_commit_callbacks
):
    first = LINK.search(outbox[-1].body)
    assert first is not None
    alice_p = scheduled.participants.get(user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/rooms/{scheduled.pk}/manage/participants/{alice_p.pk}/resend/")
    assert response.status_code == 302
    assert len(outbox) == 2
    second = LINK.search(outbox[-1].body)
    assert second is not None and second.group(0) != first.group(0)
    assert actions(scheduled.case).count("session.join_link_revoked") == 1
    client.logout()
    old = client.get(urlsplit(first.group(0)).path)
    assert old.status_code == 410
    assert 'data-code="link_revoked"' in old.content.decode()
    assert client.get(urlsplit(second.group(0)).path).status_code == 200


def test_a_revoked_link_no_longer_works(scheduled, client, mia, alice, outbox):
    link = LINK.search(outbox[-1].body)
    assert link is not None
    alice_p = scheduled.participants.get(user=alice)
    url = f"/en/rooms/{scheduled.pk}/manage/participants/{alice_p.pk}/revoke/"
    assert client.post(url).status_code == 302
    assert JoinLink.objects.get().revoked_at is not None
    page = client.get(f"/en/rooms/{scheduled.pk}/manage/").content.decode()
    assert 'data-state="revoked"' in page
    # Nothing left to revoke: refused with a message, nothing traced.
    before = actions(scheduled.case)
    client.post(url)
    assert actions(scheduled.case) == before
    client.logout()
    assert client.get(urlsplit(link.group(0)).path).status_code == 410


def test_moving_a_hearing_is_traced_and_told(
    scheduled, client, alice, outbox, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/rooms/{scheduled.pk}/manage/time/",
            {"scheduled_at": local(180), "duration_minutes": "90", "join_opens_minutes": "30"},
        )
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.duration_minutes == 90 and scheduled.join_opens_minutes == 30
    event = TraceEvent.objects.filter(chain=scheduled.case.chain, action="session.rescheduled")
    assert event.get().payload["to"]["duration_minutes"] == 90
    assert JoinLink.objects.get().expires_at == scheduled.join_closes_at
    assert [m.phone for m in outbox] == [alice.phone]
    assert "moved" in outbox[0].body or "改" in outbox[0].body
    notified = TraceEvent.objects.filter(chain=scheduled.case.chain, action="session.notified")
    assert notified.latest("seq").payload["kind"] == "rescheduled"
    no_secrets_in_trace(scheduled.case, alice.phone)
    bad = client.post(
        f"/en/rooms/{scheduled.pk}/manage/time/",
        {"scheduled_at": local(180), "duration_minutes": "0", "join_opens_minutes": "30"},
    )
    assert bad.status_code == 400
    assert "duration_minutes" in bad.context["time_form"].errors


def test_cancelling_needs_a_reason_revokes_links_and_is_told(
    scheduled, client, alice, outbox, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    url = f"/en/rooms/{scheduled.pk}/manage/cancel/"
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "reason" in refused.context["cancel_form"].errors
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"reason": "申请人要求改期"}).status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == SessionStatus.CANCELLED
    assert JoinLink.objects.get().revoked_at is not None
    assert actions(scheduled.case).count("session.cancelled") == 1
    assert [m.phone for m in outbox] == [alice.phone]
    # A cancelled hearing cannot be moved or cancelled again.
    again = client.post(url, {"reason": "again"})
    assert again.status_code == 400
    client.force_login(alice)
    assert client.get(f"/en/rooms/{scheduled.pk}/check/").status_code == 410


def test_a_failing_gateway_leaves_the_link_unsent_for_the_mediator_to_resend(
    mediating, client, mia, alice, ben, settings, django_capture_on_commit_callbacks
):
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.FailingSmsBackend"
    client.force_login(mia)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/rooms/cases/{mediating.case_no}/schedule/", form(alice, ben))
    assert response.status_code == 302
    session = HearingSession.objects.get()
    assert JoinLink.objects.get().sent_at is None
    assert "session.join_link_sent" not in actions(mediating)
    page = client.get(f"/en/rooms/{session.pk}/manage/").content.decode()
    assert 'data-state="unsent"' in page
