"""One-time join links: bound to one participant, confirmed by a code to their phone; a used,
expired or foreign link gets a clear page and never a room."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accord.audit.actors import Actor
from accord.audit.models import TraceEvent
from accord.core.api import ServiceError
from accord.rooms.models import JoinLink
from accord.rooms.selectors import CONFIRMED_KEY
from accord.rooms.services import join_link_create
from tests.rooms.conftest import participant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


def make_link(hearing, user, ttl=timedelta(hours=1)):
    return join_link_create(
        participant=participant(hearing, user), ttl=ttl, actor=Actor.system("test")
    )


def code_in(outbox) -> str:
    found = re.search(r"\b(\d{6})\b", outbox[-1].body)
    assert found is not None
    return found.group(1)


def case_actions(hearing):
    return list(
        TraceEvent.objects.filter(chain=hearing.case.chain).values_list("action", flat=True)
    )


def test_a_link_with_its_phone_code_leads_to_the_device_check(hearing, client, alice, outbox):
    path = make_link(hearing, alice)
    assert path.startswith(f"/rooms/{hearing.pk}/join/")
    assert "session.join_link_created" in case_actions(hearing)
    assert JoinLink.objects.get().token_hash not in path  # only the hash is stored

    page = client.get(path)
    assert page.status_code == 200
    assert "139****0001" in page.content.decode()
    assert not outbox  # opening the link sends nothing (link previews must not)
    sent = client.post(path, {"send": "1"})
    assert sent.status_code == 200
    assert outbox[-1].phone == "13900000001"

    wrong = client.post(path, {"code": "000000" if code_in(outbox) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert JoinLink.objects.get().used_at is None  # a wrong code leaves the link usable

    done = client.post(path, {"code": code_in(outbox)})
    assert done.status_code == 302
    assert done.url == f"/rooms/{hearing.pk}/check/"
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert client.session[CONFIRMED_KEY] == [participant(hearing, alice).pk]
    assert JoinLink.objects.get().used_at is not None
    assert case_actions(hearing).count("session.join_link_used") == 1
    assert client.get(f"/en/rooms/{hearing.pk}/check/").status_code == 200

    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert 'data-code="link_used"' in again.content.decode()


def test_an_expired_link_is_gone(hearing, client, alice):
    path = make_link(hearing, alice)
    JoinLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(path)
    assert response.status_code == 410
    assert 'data-code="link_expired"' in response.content.decode()
    assert client.post(path, {"code": "123456"}).status_code == 410


def test_a_link_of_another_session_or_a_made_up_one_is_not_found(
    hearing, client, alice, mia, bob, case, drive
):
    path = make_link(hearing, alice)
    token = path.rstrip("/").rsplit("/", 1)[1]
    other = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/rooms/{other}/join/{token}/").status_code == 404
    made_up = client.get(f"/rooms/{hearing.pk}/join/not-a-token/")
    assert made_up.status_code == 404
    assert 'data-code="link_unknown"' in made_up.content.decode()


def test_staff_get_no_join_link(hearing, mia):
    with pytest.raises(ServiceError):
        make_link(hearing, mia)
    assert not JoinLink.objects.exists()
