"""A financial institution's published complaint channels (R17), each change traced."""

from __future__ import annotations

import pytest

from accord.audit.actors import Actor
from accord.core.api import ServiceError
from accord.orgs.models import ComplaintChannel
from accord.orgs.services import complaint_channel_create
from tests.accounts.conftest import nothing_written
from tests.orgs.conftest import last_event

HOTLINE = {"scope": "internal", "name": "客服热线", "phone": "95588", "url": "", "address": ""}


def test_publishing_a_channel_appends_one_event(client, alice, bank):
    client.force_login(alice)
    with nothing_written(events=1):
        response = client.post(f"/orgs/manage/{bank.code}/channels/", HOTLINE)
    assert response.status_code == 302
    channel = ComplaintChannel.objects.get(organization=bank)
    assert channel.phone == "95588"
    event = last_event(bank)
    assert event.action == "complaint_channel.created"
    assert event.chain.key == "org:BANKA"
    assert event.payload["name"] == "客服热线"


def test_editing_a_channel_appends_one_event_with_the_changes(client, alice, bank):
    channel = complaint_channel_create(organization=bank, actor=Actor.for_user(alice), **HOTLINE)
    client.force_login(alice)
    with nothing_written(events=1):
        response = client.post(
            f"/orgs/manage/{bank.code}/channels/{channel.pk}/", {**HOTLINE, "phone": "95599"}
        )
    assert response.status_code == 302
    event = last_event(bank)
    assert event.action == "complaint_channel.updated"
    assert event.payload["changes"] == {"phone": {"from": "95588", "to": "95599"}}


def test_removing_a_channel_appends_one_event(client, alice, bank):
    channel = complaint_channel_create(organization=bank, actor=Actor.for_user(alice), **HOTLINE)
    client.force_login(alice)
    with nothing_written(events=1):
        client.post(f"/orgs/manage/{bank.code}/channels/{channel.pk}/delete/")
    assert not ComplaintChannel.objects.exists()
    assert last_event(bank).action == "complaint_channel.deleted"


def test_a_channel_without_any_contact_is_refused_on_the_form(client, alice, bank):
    client.force_login(alice)
    with nothing_written():
        response = client.post(f"/en/orgs/manage/{bank.code}/channels/", {**HOTLINE, "phone": ""})
    assert response.status_code == 400
    assert "at least one way to reach" in response.context["form"].errors["phone"][0]


def test_a_bad_web_address_is_refused(alice, bank):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        complaint_channel_create(
            organization=bank, actor=Actor.for_user(alice), **{**HOTLINE, "url": "javascript:x"}
        )
    assert caught.value.code == "url_invalid"


def test_a_mediation_organization_publishes_no_complaint_channels(client, alice, org):
    client.force_login(alice)
    assert client.get(f"/orgs/manage/{org.code}/channels/").status_code == 404
    with nothing_written(), pytest.raises(ServiceError) as caught:
        complaint_channel_create(organization=org, actor=Actor.for_user(alice), **HOTLINE)
    assert caught.value.code == "not_institution"


def test_a_channel_of_another_institution_cannot_be_edited(client, alice, bank, charlie):
    other = complaint_channel_create(
        organization=charlie.memberships.get().organization,
        actor=Actor.for_user(charlie),
        **HOTLINE,
    )
    client.force_login(alice)
    with nothing_written():
        assert (
            client.post(f"/orgs/manage/{bank.code}/channels/{other.pk}/", HOTLINE).status_code
            == 404
        )
        assert (
            client.post(f"/orgs/manage/{bank.code}/channels/{other.pk}/delete/").status_code == 404
        )
