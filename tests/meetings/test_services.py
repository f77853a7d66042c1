# ruff: noqa: F401, F811  (pytest fixtures are imported, then used as parameters)
"""The joint-meeting services: a meeting of several organizations, the cases and alerts of
the convening scope, follow-ups, and what the trace says (ids and hashes, never names)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.utils import timezone

from accord.accounts.models import User
from accord.audit.models import TraceEvent
from accord.cases.errors import NotAllowed
from accord.cases.models import Case
from accord.core.api import ConflictError, ServiceError
from accord.meetings.models import Attendance, FollowUpStatus, JointMeeting, MeetingStatus
from accord.meetings.services import meetings as services
from accord.orgs.models import Organization
from tests.meetings.conftest import (
    _english,
    ada,
    alice,
    application,
    bank,
    ben,
    case,
    cleo,
    court,
    evidence_bucket,
    far_case,
    far_regulator,
    local_case,
    make_alert,
    meeting,
    meeting_input,
    olga,
    org,
    other_org,
    otto,
    region_org,
    regulator,
    rita,
)

pytestmark = pytest.mark.django_db


def events(organization: Organization) -> list[TraceEvent]:
    organization.refresh_from_db()
    return list(
        TraceEvent.objects.filter(
            chain_id=organization.chain_id, action__startswith="meeting."
        ).order_by("seq")
    )


def test_a_meeting_of_several_organizations_with_cases_alerts_decisions_and_follow_ups(
    meeting: JointMeeting,
    regulator: Organization,
    olga: User,
    region_org: Organization,
    ada: User,
    bank: Organization,
    ben: User,
    court: Organization,
    local_case: Case,
) -> None:
    services.attendee_add(meeting=meeting, organization=region_org, user=ada, by=olga)
    services.attendee_add(
        meeting=meeting, organization=bank, user=ben, attendance=Attendance.PRESENT, by=olga
    )
    judge = services.attendee_add(
        meeting=meeting, organization=court, name="王 法官", position="审判庭庭长", by=olga
    )
    services.case_attach(meeting=meeting, case_no=local_case.case_no, by=olga)
    alert = make_alert([local_case], key="surge:bank")
    services.alert_attach(meeting=meeting, alert=alert, by=olga)
    decision = services.decision_add(meeting=meeting, text="建立理财纠纷联合通报机制", by=olga)
    second = services.decision_add(meeting=meeting, text="每季度召开一次", by=olga)
    due = timezone.localdate() + dt.timedelta(days=14)
    follow_up = services.follow_up_add(
        meeting=meeting,
        text="梳理同类投诉",
        owner_organization=bank,
        owner_user=ben,
        due_on=due,
        by=olga,
    )
    services.meeting_hold(meeting=meeting, by=olga)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert {a.organization.code for a in meeting.attendees.all()} == {
        region_org.code,
        bank.code,
        court.code,
    }
    assert judge.name == "王 法官" and judge.user is None
    assert list(meeting.cases.all()) == [local_case]
    assert list(meeting.alerts.all()) == [alert]
    assert (decision.order, second.order) == (1, 2)
    assert follow_up.status == FollowUpStatus.OPEN and follow_up.due_on == due

    actions = [e.action for e in events(regulator)]
    assert actions == [
        "meeting.created",
        "meeting.attendee_added",
        "meeting.attendee_added",
        "meeting.attendee_added",
        "meeting.case_attached",
        "meeting.alert_attached",
        "meeting.decision_added",
        "meeting.decision_added",
        "meeting.follow_up_added",
        "meeting.held",
    ]
    named = [e for e in events(regulator) if e.payload.get("attendee_id") == judge.pk]
    assert named[0].payload["name_sha256"] == hashlib.sha256("王 法官".encode()).hexdigest()


def test_trace_payloads_name_nobody(
    meeting: JointMeeting,
    regulator: Organization,
    olga: User,
    bank: Organization,
    ben: User,
    court: Organization,
) -> None:
    services.attendee_add(meeting=meeting, organization=bank, user=ben, position="合规部", by=olga)
    services.attendee_add(
        meeting=meeting, organization=court, name="李四", position="庭长", by=olga
    )
    follow_up = services.follow_up_add(
        meeting=meeting,
        text="请李四核实",
        owner_organization=court,
        due_on=timezone.localdate(),
        by=olga,
    )
    services.follow_up_done(follow_up=follow_up, note="李四已核实", by=olga)
    text = json.dumps([e.payload for e in events(regulator)], ensure_ascii=False)
    for clear in ("李四", "庭长", "合规部", "Ben", "ben", "第一季度", "监管局三楼"):
        assert clear not in text, clear


def test_a_case_outside_the_convening_scope_is_refused_and_nothing_changes(
    meeting: JointMeeting, regulator: Organization, olga: User, far_case: Case
) -> None:
    before = len(events(regulator))
    with pytest.raises(ServiceError) as refused:
        services.case_attach(meeting=meeting, case_no=far_case.case_no, by=olga)
    assert refused.value.code == "case_out_of_scope"
    assert "case_no" in refused.value.fields
    assert not meeting.cases.exists()
    assert len(events(regulator)) == before


def test_an_alert_outside_the_convening_scope_is_refused(
    meeting: JointMeeting, olga: User, far_case: Case
) -> None:
    alert = make_alert([far_case], key="surge:far")
    with pytest.raises(ServiceError) as refused:
        services.alert_attach(meeting=meeting, alert=alert, by=olga)
    assert refused.value.code == "alert_out_of_scope"
    assert not meeting.alerts.exists()


def test_a_follow_up_due_before_the_meeting_is_refused(
    meeting: JointMeeting, regulator: Organization, olga: User
) -> None:
    with pytest.raises(ServiceError) as refused:
        services.follow_up_add(
            meeting=meeting,
            text="补充材料",
            owner_organization=regulator,
            due_on=timezone.localdate(meeting.starts_at) - dt.timedelta(days=1),
            by=olga,
        )
    assert refused.value.code == "due_before_meeting"
    assert "due_on" in refused.value.fields
    assert not meeting.follow_ups.exists()


def test_the_owner_of_a_follow_up_must_be_at_the_meeting(
    meeting: JointMeeting, olga: User, bank: Organization
) -> None:
    with pytest.raises(ServiceError) as refused:
        services.follow_up_add(
            meeting=meeting,
            text="整改",
            owner_organization=bank,
            due_on=timezone.localdate() + dt.timedelta(days=3),
            by=olga,
        )
    assert refused.value.fields.keys() == {"owner_organization"}


def test_the_owner_marks_a_follow_up_done_traced_once(
    meeting: JointMeeting, regulator: Organization, olga: User, bank: Organization, ben: User
) -> None:
    services.attendee_add(meeting=meeting, organization=bank, user=ben, by=olga)
    follow_up = services.follow_up_add(
        meeting=meeting,
        text="梳理同类投诉",
        owner_organization=bank,
        due_on=timezone.localdate() + dt.timedelta(days=3),
        by=olga,
    )
    done = services.follow_up_done(follow_up=follow_up, note="已梳理", by=ben)
    assert done.status == FollowUpStatus.DONE and done.done_at is not None
    assert done.done_by == ben
    event = events(regulator)[-1]
    assert event.action == "meeting.follow_up_done"
    assert event.payload["follow_up_id"] == follow_up.pk
    assert event.payload["note_sha256"] == hashlib.sha256("已梳理".encode()).hexdigest()
    assert event.actor_user_id == ben.pk
    with pytest.raises(ConflictError):
        services.follow_up_done(follow_up=follow_up, by=ben)


def test_only_the_convening_organizations_writers_record(
    meeting: JointMeeting, otto: User, rita: User, ada: User, regulator: Organization
) -> None:
    for someone in (otto, rita, ada):
        with pytest.raises(NotAllowed):
            services.decision_add(meeting=meeting, text="越权", by=someone)
    with pytest.raises(ServiceError) as refused:
        services.meeting_create(organization=regulator, data=meeting_input(), by=otto)
    assert refused.value.code == "permission_denied"


def test_institutions_do_not_convene(bank: Organization, ben: User) -> None:
    with pytest.raises(ServiceError) as refused:
        services.meeting_create(organization=bank, data=meeting_input(), by=ben)
    assert refused.value.code == "invalid_organization"


def test_a_cancelled_meeting_is_closed(meeting: JointMeeting, olga: User) -> None:
    services.meeting_cancel(meeting=meeting, by=olga)
    with pytest.raises(ConflictError) as refused:
        services.decision_add(meeting=meeting, text="无效", by=olga)
    assert refused.value.code == "meeting_closed"
    with pytest.raises(ConflictError):
        services.meeting_hold(meeting=meeting, by=olga)


def test_a_future_meeting_cannot_be_recorded_as_held(regulator: Organization, olga: User) -> None:
    later = services.meeting_create(
        organization=regulator,
        data=meeting_input(starts_at=timezone.now() + dt.timedelta(days=2)),
        by=olga,
    )
    with pytest.raises(ConflictError) as refused:
        services.meeting_hold(meeting=later, by=olga)
    assert refused.value.code == "not_started"


def test_an_account_must_belong_to_the_organization_it_attends_for(
    meeting: JointMeeting, olga: User, court: Organization, ben: User
) -> None:
    with pytest.raises(ServiceError) as refused:
        services.attendee_add(meeting=meeting, organization=court, user=ben, by=olga)
    assert refused.value.code == "not_a_member"
    assert not meeting.attendees.exists()
