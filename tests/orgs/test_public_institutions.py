"""The public page of institutions' complaint channels and mediation contacts (R17)."""

from __future__ import annotations

from accord.audit.actors import Actor
from accord.orgs.services import complaint_channel_create
from tests.accounts.conftest import make_org
from tests.factories import InstitutionFactory


def test_anyone_sees_institutions_with_their_channels_and_the_mediation_organizations(
    client, alice, bank, org
):
    complaint_channel_create(
        organization=bank,
        actor=Actor.for_user(alice),
        scope="internal",
        name="客服热线",
        phone="95588",
    )
    complaint_channel_create(
        organization=bank,
        actor=Actor.for_user(alice),
        scope="external",
        name="甲金融纠纷调解中心",
        url="https://example.org/",
    )
    response = client.get("/en/orgs/institutions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "甲银行" in page
    assert "95588" in page
    assert "https://example.org/" in page
    assert org.name in page


def test_inactive_institutions_are_not_listed(client, db):
    make_org(InstitutionFactory, code="GONE", name="已注销银行", is_active=False)
    assert "已注销银行" not in client.get("/orgs/institutions/").content.decode()
