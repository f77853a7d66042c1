"""The device check and room pages: only the right participant, the notice acknowledged
(and traced) before the room, the data the room client reads."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.rooms.models import SessionParticipant
from tests.rooms.conftest import participant

pytestmark = pytest.mark.django_db


def acknowledgements(hearing):
    return TraceEvent.objects.filter(
        chain=hearing.case.chain, action="session.notice_acknowledged"
    ).count()


def test_only_participants_open_the_device_check(hearing, client, alice, charlie):
    url = f"/en/rooms/{hearing.pk}/check/"
    assert client.get(url).status_code == 302  # to sign-in
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.force_login(alice)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        f'<div id="device-check" data-session-id="{hearing.pk}" '
        f'data-lang="en" data-next-url="/en/rooms/{hearing.pk}/room/"></div>'
    ) in html
    assert '<script type="module" src="/static/js/room/device-check.js"></script>' in html


def test_the_acknowledgement_is_required_and_traced_once(hearing, client, alice):
    client.force_login(alice)
    url = f"/en/rooms/{hearing.pk}/check/"
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert acknowledgements(hearing) == 0
    assert client.get(f"/en/rooms/{hearing.pk}/room/").url == url  # not yet in
    accepted = client.post(url, {"acknowledge": "on"})
    assert accepted.status_code == 302
    assert accepted.url == f"/en/rooms/{hearing.pk}/room/"
    assert client.post(url, {"acknowledge": "on"}).status_code == 302
    assert acknowledgements(hearing) == 1
    event = TraceEvent.objects.filter(
        chain=hearing.case.chain, action="session.notice_acknowledged"
    ).get()
    me = participant(hearing, alice)
    assert event.payload == {"session_id": str(hearing.pk), "participant_id": me.pk}
    assert event.actor["user_id"] == alice.pk


def test_the_room_page_carries_what_the_client_needs(acknowledged, client, alice, charlie):
    url = f"/en/rooms/{acknowledged.pk}/room/"
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.force_login(alice)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    me = participant(acknowledged, alice)
    assert (
        f'<section id="room" data-session-id="{acknowledged.pk}" data-participant-id="{me.pk}" '
        f'data-role="applicant" data-name="Alice" '
        f'data-ws-url="ws://testserver/ws/rooms/{acknowledged.pk}/" data-lang="en" '
        'data-slots="6">'
    ) in html
    assert '<script type="module" src="/static/js/room/main.js"></script>' in html
    assert "<noscript>" in html


def test_the_pages_speak_simplified_chinese_by_default(acknowledged, client, alice):
    client.force_login(alice)
    html = client.get(f"/rooms/{acknowledged.pk}/check/").content.decode()
    assert "会议规则与录音录像告知" in html
    room = client.get(f"/rooms/{acknowledged.pk}/room/").content.decode()
    assert 'data-lang="zh-hans"' in room


def test_a_removed_participant_gets_a_clear_page(acknowledged, client, alice):
    SessionParticipant.objects.filter(session=acknowledged, user=alice).update(
        removed_at=timezone.now()
    )
    client.force_login(alice)
    for page in ("check", "room"):
        response = client.get(f"/en/rooms/{acknowledged.pk}/{page}/")
        assert response.status_code == 410
        assert "removed you" in response.content.decode()


def test_a_session_signed_in_by_a_plain_link_is_not_confirmed(acknowledged, client, alice):
    client.force_login(alice)
    session = client.session
    session["accord.demo_link"] = False
    session.save()
    response = client.get(f"/en/rooms/{acknowledged.pk}/room/")
    assert response.status_code == 403
    assert 'data-close-code="4403"' in response.content.decode()


def test_a_demo_link_is_confirmed_only_in_demo_mode(acknowledged, client, alice, settings):
    client.force_login(alice)
    session = client.session
    session["accord.demo_link"] = True
    session.save()
    url = f"/en/rooms/{acknowledged.pk}/room/"
    assert client.get(url).status_code == 200
    settings.ACCORD_DEMO = False
    assert client.get(url).status_code == 403


def test_the_mediator_makes_a_join_link_for_a_party_shown_once(hearing, client, mia, alice):
    target = participant(hearing, alice)
    url = f"/en/rooms/{hearing.pk}/participants/{target.pk}/join-link/"
    client.force_login(alice)
    assert client.post(url).status_code == 404  # only the mediator
    client.force_login(mia)
    page = client.post(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f"http://testserver/rooms/{hearing.pk}/join/" in html
    assert TraceEvent.objects.filter(
        chain=hearing.case.chain, action="session.join_link_created"
    ).exists()
    assert (
        f"/rooms/{hearing.pk}/join/" not in client.get(f"/en/rooms/{hearing.pk}/").content.decode()
    )
