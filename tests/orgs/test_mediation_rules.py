"""A mediation organization's time limits (R1, R11): edited by its administrator, traced."""

from __future__ import annotations

import pytest

from accord.audit.actors import Actor
from accord.core.api import ServiceError
from accord.orgs.models import MediationRules
from accord.orgs.services import mediation_rules_update
from tests.accounts.conftest import nothing_written
from tests.orgs.conftest import last_event, org_actions

FORM = {
    "days_simple": "10",
    "days_normal": "20",
    "days_complex": "45",
    "acceptance_days": "3",
    "count_working_days": "on",
    "fee_free": "on",
}


def test_saving_new_limits_appends_one_event_with_the_changes(client, alice, org):
    client.force_login(alice)
    with nothing_written(events=1):
        response = client.post(f"/orgs/manage/{org.code}/rules/", FORM)
    assert response.status_code == 302
    rules = MediationRules.objects.get(organization=org)
    assert (rules.days_simple, rules.days_normal, rules.days_complex) == (10, 20, 45)
    event = last_event(org)
    assert event.action == "rules.updated"
    assert event.payload["changes"]["days_simple"] == {"from": 15, "to": 10}
    assert "fee_free" not in event.payload["changes"]


def test_saving_unchanged_rules_writes_nothing(client, alice, org):
    client.force_login(alice)
    client.post(f"/orgs/manage/{org.code}/rules/", FORM)
    with nothing_written():
        client.post(f"/orgs/manage/{org.code}/rules/", FORM)
    assert org_actions(org) == ["rules.updated"]


def test_limits_out_of_order_are_refused_on_the_field(client, alice, org):
    client.force_login(alice)
    with nothing_written():
        response = client.post(f"/en/orgs/manage/{org.code}/rules/", {**FORM, "days_normal": "50"})
    assert response.status_code == 400
    assert "Simple cases cannot take longer" in response.context["form"].errors["days_normal"][0]
    assert MediationRules.objects.get(organization=org).days_normal == 30


@pytest.mark.parametrize("field", ["days_simple", "acceptance_days"])
def test_limits_out_of_range_are_refused(alice, org, field):
    values: dict[str, int] = {
        "days_simple": 10,
        "days_normal": 20,
        "days_complex": 40,
        "acceptance_days": 3,
        field: 0,
    }
    with nothing_written(), pytest.raises(ServiceError) as caught:
        mediation_rules_update(
            organization=org,
            actor=Actor.for_user(alice),
            fee_free=True,
            count_working_days=True,
            days_simple=values["days_simple"],
            days_normal=values["days_normal"],
            days_complex=values["days_complex"],
            acceptance_days=values["acceptance_days"],
        )
    assert caught.value.code == "days_out_of_range"
    assert field in caught.value.fields


def test_an_institution_has_no_rules_page(client, alice, bank):
    client.force_login(alice)
    assert client.get(f"/orgs/manage/{bank.code}/rules/").status_code == 404


def test_the_service_refuses_rules_for_an_institution(alice, bank):
    with nothing_written(), pytest.raises(ServiceError) as caught:
        mediation_rules_update(
            organization=bank,
            actor=Actor.for_user(alice),
            fee_free=True,
            days_simple=1,
            days_normal=2,
            days_complex=3,
            count_working_days=True,
            acceptance_days=1,
        )
    assert caught.value.code == "not_mediation_org"
