"""The caucus policy and the retention period are mediation rules, edited on the rules page."""

from __future__ import annotations

import pytest

from accord.audit.models import TraceEvent
from accord.orgs.models import MediationRules, RecordingStart

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


def test_the_rules_page_shows_and_sets_when_recording_starts(client, ada, org):
    client.force_login(ada)
    page = client.get(f"/en/orgs/manage/{org.code}/rules/").content.decode()
    assert 'name="recording_start" value="auto"' in page
    assert "By itself, when the first party is admitted" in page
    response = client.post(
        f"/orgs/manage/{org.code}/rules/", {**FORM, "recording_start": "mediator"}
    )
    assert response.status_code == 302
    rules = MediationRules.objects.get(organization=org)
    assert rules.recording_start == RecordingStart.MEDIATOR
    org.refresh_from_db()
    event = TraceEvent.objects.filter(chain=org.chain_id, action="rules.updated").last()
    assert event is not None
    assert event.payload["changes"]["recording_start"] == {"from": "auto", "to": "mediator"}
    overview = client.get(f"/en/orgs/manage/{org.code}/").content.decode()
    assert "Hearing recording starts: When the mediator starts it" in overview
    # Left out, the policy stays; a value not on the list is refused on the field.
    client.post(f"/orgs/manage/{org.code}/rules/", FORM)
    rules.refresh_from_db()
    assert rules.recording_start == RecordingStart.MEDIATOR
    refused = client.post(f"/en/orgs/manage/{org.code}/rules/", {**FORM, "recording_start": "x"})
    assert refused.status_code == 400
