"""The procedure's other settings (R4, R5, R11): periods to answer, to decide a recusal or a
transfer, reminder days and the roster's exit flags; edited with the limits, traced."""

from __future__ import annotations

import pytest

from accord.orgs.models import MediationRules
from accord.orgs.services import parse_reminder_days
from tests.accounts.conftest import nothing_written
from tests.orgs.conftest import last_event
from tests.orgs.test_mediation_rules import FORM


def test_procedure_settings_are_saved_and_traced(client, alice, org):
    client.force_login(alice)
    form = {
        **FORM,
        "answer_days": "7",
        "recusal_decision_days": "2",
        "transfer_decision_days": "4",
        "reminder_days": "1, 5,3",
        "mediator_idle_days": "200",
        "mediator_min_score": "70",
    }
    with nothing_written(events=1):
        response = client.post(f"/orgs/manage/{org.code}/rules/", form)
    assert response.status_code == 302
    rules = MediationRules.objects.get(organization=org)
    assert (rules.answer_days, rules.recusal_decision_days, rules.transfer_decision_days) == (
        7,
        2,
        4,
    )
    assert rules.reminder_days == "5,3,1"  # normalized: distinct, largest first
    assert (rules.mediator_idle_days, rules.mediator_min_score) == (200, 70)
    changes = last_event(org).payload["changes"]
    assert changes["answer_days"] == {"from": 5, "to": 7}
    assert changes["reminder_days"] == {"from": "3,1", "to": "5,3,1"}


def test_blank_procedure_fields_keep_the_current_values(client, alice, org):
    client.force_login(alice)
    client.post(f"/orgs/manage/{org.code}/rules/", {**FORM, "answer_days": "9"})
    client.post(f"/orgs/manage/{org.code}/rules/", FORM)
    assert MediationRules.objects.get(organization=org).answer_days == 9


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reminder_days", "3,x", "like 3,1"),
        ("reminder_days", "0", "like 3,1"),
        ("reminder_days", "45", "like 3,1"),
        ("mediator_min_score", "101", "less than or equal to 100"),
        ("answer_days", "400", "from 1 to 365"),
    ],
)
def test_bad_procedure_settings_are_refused_on_their_field(
    client, alice, org, field, value, message
):
    client.force_login(alice)
    with nothing_written():
        response = client.post(f"/en/orgs/manage/{org.code}/rules/", {**FORM, field: value})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    rules = MediationRules.objects.get(organization=org)
    assert (rules.reminder_days, rules.mediator_min_score, rules.answer_days) == ("3,1", 60, 5)


def test_reminder_days_parse():
    assert parse_reminder_days("3,1") == (3, 1)
    assert parse_reminder_days(" 1,3,3 ") == (3, 1)
    for bad in ("", ",", "a", "0", "31", "-1"):
        with pytest.raises(ValueError):
            parse_reminder_days(bad)
