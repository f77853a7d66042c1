"""The caucus policy and the retention period are mediation rules, edited on the rules page."""

from __future__ import annotations

import pytest

from accord.audit.models import TraceEvent
from accord.orgs.models import MediationRules

pytestmark = pytest.mark.django_db

FORM = {
    "days_simple": "15",
    "days_normal": "30",
    "days_complex": "60",
    "acceptance_days": "5",
    "count_working_days": "on",
    "fee_free": "on",
}


def test_the_rules_page_sets_caucus_recording_and_retention(client, ada, org):
    rules = MediationRules.objects.get_or_create(organization=org)[0]
    assert (rules.record_caucus, rules.recording_retention_days) == (False, 1825)
    client.force_login(ada)
    form = {**FORM, "record_caucus": "on", "recording_retention_days": "3650"}
    response = client.post(f"/orgs/manage/{org.code}/rules/", form)
    assert response.status_code == 302
    rules.refresh_from_db()
    assert (rules.record_caucus, rules.recording_retention_days) == (True, 3650)
    org.refresh_from_db()
    event = TraceEvent.objects.filter(chain=org.chain_id, action="rules.updated").last()
    assert event is not None
    assert event.payload["changes"]["record_caucus"] == {"from": False, "to": True}
    # Left blank, the retention stays as it is.
    client.post(f"/orgs/manage/{org.code}/rules/", {**FORM, "record_caucus": "on"})
    rules.refresh_from_db()
    assert rules.recording_retention_days == 3650
