"""`accord seed-demo` and `accord demo-session --json` against the real services."""

from __future__ import annotations

import json
from collections import Counter
from io import StringIO
from urllib.parse import urlparse

import pyotp
import pytest
from django.core.management import CommandError, call_command

from accord.accounts.models import User
from accord.alerts.models import Alert, AlertKind
from accord.audit.models import TraceChain, TraceEvent
from accord.audit.verify import verify_all
from accord.cases.models import Case, CaseState, IntakeChannel, Material
from accord.core.storage import ensure_buckets
from accord.demo import data
from accord.institutions.models import MediationContact, MediationFirstClause
from accord.meetings.models import JointMeeting
from accord.orgs.models import Membership, Organization, OrgKind, Role
from accord.publicity.models import OutreachEvent, TypicalCase, TypicalCaseStatus
from accord.rooms.models import HearingSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings) -> str:
    settings.ACCORD_DEMO = True
    ensure_buckets()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_every_kind_of_organization_and_every_role(seeded):
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert kinds == set(OrgKind.values)
    assert Organization.objects.filter(kind=OrgKind.FINANCIAL_INSTITUTION).count() == 3
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert "fmc-admin" in seeded and "13800000001" in seeded


def test_the_demo_has_about_twenty_cases_across_states_and_channels(seeded):
    states = Counter(Case.objects.values_list("state", flat=True))
    # 21 across the states, and the six of the group dispute (the oversight demo).
    assert 24 <= sum(states.values()) <= 30
    assert set(states) == set(CaseState.values)
    channels = set(Case.objects.values_list("channel", flat=True))
    assert channels == set(IntakeChannel.values)


def test_every_demo_case_verifies_including_its_evidence_object(seeded):
    assert Material.objects.count() == 1
    for case in Case.objects.all():
        report = verify_all(case.chain)
        assert report.ok, (case.case_no, report.first_failure)
    evidence_case = Material.objects.get().case
    assert verify_all(evidence_case.chain).objects_checked == 1


def test_seeding_twice_changes_nothing(seeded):
    events = TraceEvent.objects.count()
    cases = Case.objects.count()
    out = StringIO()
    call_command("seed_demo", "--quiet", stdout=out)
    assert "already present" in out.getvalue()
    assert (TraceEvent.objects.count(), Case.objects.count()) == (events, cases)


def test_demo_session_prints_links_that_sign_in_and_lead_to_the_session(seeded, client):
    out = StringIO()
    call_command("demo_session", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) == {"case_no", "session_id", "links"}
    assert len(result["links"]["parties"]) == 2
    session = HearingSession.objects.get(pk=result["session_id"])
    assert session.case.case_no == result["case_no"]
    assert TraceEvent.objects.filter(
        chain__key=f"case:{result['case_no']}", action="session.scheduled"
    ).exists()

    for url in [result["links"]["mediator"], *result["links"]["parties"]]:
        client.logout()
        # Opening the link shows its confirmation page; the page's POST spends it.
        assert client.get(urlparse(url).path).status_code == 200
        response = client.post(urlparse(url).path, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0].endswith(f"/rooms/{session.pk}/check/")
        assert result["case_no"] in response.content.decode()
        # One-time: the same link does not sign anyone in again.
        client.logout()
        again = client.get(urlparse(url).path)
        assert again.status_code == 410


def test_demo_commands_refuse_to_run_outside_demo_mode(settings, db):
    settings.ACCORD_DEMO = False
    with pytest.raises(CommandError, match="ACCORD_DEMO"):
        call_command("seed_demo", stdout=StringIO())
    with pytest.raises(CommandError, match="ACCORD_DEMO"):
        call_command("demo_session", "--json", stdout=StringIO())
    assert not Organization.objects.exists()
    assert not TraceChain.objects.exists()


def test_demo_session_without_seed_data_says_what_to_do(settings, db):
    settings.ACCORD_DEMO = True
    with pytest.raises(CommandError, match="seed-demo"):
        call_command("demo_session", "--json", stdout=StringIO())


def test_a_demo_staff_member_signs_in_with_the_current_code_right_after_seeding(seeded, client):
    # Seeding sets the shared secret without spending a code: a code used at enrollment
    # would be refused as a replay for the rest of its step (found by the browser tests).
    client.post(
        "/en/accounts/staff/signin/",
        {"username": "mediator-li", "password": data.DEMO_PASSWORD, "next": "/en/cases/"},
    )
    response = client.post(
        "/en/accounts/staff/verify/", {"code": pyotp.TOTP(data.DEMO_TOTP_SECRET).now()}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/en/cases/"
    mediator = User.objects.get(username="mediator-li")
    signed_in = TraceEvent.objects.filter(chain_id=mediator.chain_id, action="signin.succeeded")
    assert signed_in.count() == 1  # this sign-in; seeding signed nobody in


def test_the_demo_shows_oversight_at_work(seeded):
    """The group dispute is found by the early warning's own rule, discussed in the regulator's
    joint meeting; a typical case and an open day are public; the bank publishes its mediation
    contact and its mediation-first clause."""
    alert = Alert.objects.get(kind=AlertKind.GROUP)
    assert alert.respondent is not None and alert.respondent.code == "EXSEC"
    assert alert.cases.count() == len(data.GROUP_APPLICANTS)
    meeting = JointMeeting.objects.get()
    assert meeting.organization.code == "EXREG"
    assert list(meeting.alerts.all()) == [alert]
    assert TypicalCase.objects.filter(status=TypicalCaseStatus.PUBLISHED).count() == 1
    assert OutreachEvent.objects.filter(published=True).count() == 1
    assert MediationContact.objects.filter(institution__code="EXBANK").exists()
    assert MediationFirstClause.objects.filter(institution__code="EXBANK", published=True).exists()
