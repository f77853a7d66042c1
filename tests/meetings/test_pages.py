# ruff: noqa: F401, F811  (pytest fixtures are imported, then used as parameters)
"""The joint-meeting pages: who sees which meeting through which scope, the forms and their
field errors, overdue follow-ups, the printable minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import User
from accord.cases.models import Case
from accord.meetings.models import FollowUp, FollowUpStatus, JointMeeting
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
    charlie,
    cleo,
    court,
    evidence_bucket,
    far_case,
    far_regulator,
    local_case,
    make_alert,
    meeting,
    olga,
    org,
    other_org,
    otto,
    outsider,
    region_org,
    regulator,
    rita,
)

pytestmark = pytest.mark.django_db


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, scope: str, meeting: JointMeeting | None = None, **kwargs: object) -> str:
    values: dict[str, object] = {"scope": scope, **kwargs}
    if meeting is not None:
        values["pk"] = meeting.pk
    return reverse(f"meetings:{name}", kwargs=values)


def test_the_convener_records_a_meeting_from_the_list(olga: User, regulator: Organization) -> None:
    client = client_of(olga)
    listing = client.get(url("list", "REG")).content.decode()
    assert url("create", "REG") in listing
    response = client.post(
        url("create", "REG"),
        {"title": "联席会议", "starts_at": "2026-12-01T09:30", "place": "三楼", "agenda": ""},
    )
    made = JointMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", "REG", made)
    assert made.organization == regulator
    page = client.get(url("detail", "REG", made)).content.decode()
    assert "联席会议" in page and url("edit", "REG", made) in page


def test_bad_input_lands_on_its_field_and_changes_nothing(
    meeting: JointMeeting, olga: User, regulator: Organization, far_case: Case
) -> None:
    client = client_of(olga)
    response = client.post(url("case_attach", "REG", meeting), {"case-case_no": far_case.case_no})
    assert response.status_code == 400
    assert "No case with this number" in response.content.decode()
    assert not meeting.cases.exists()
    early = (timezone.localdate(meeting.starts_at) - dt.timedelta(days=1)).isoformat()
    response = client.post(
        url("follow_up_add", "REG", meeting),
        {
            "follow_up-text": "补充材料",
            "follow_up-owner_organization": str(regulator.pk),
            "follow_up-due_on": early,
        },
    )
    assert response.status_code == 400
    assert "cannot be due before the meeting" in response.content.decode()
    assert not FollowUp.objects.exists()
    response = client.post(url("create", "REG"), {"title": "", "starts_at": "tomorrow"})
    assert response.status_code == 400
    assert JointMeeting.objects.count() == 1


def test_the_parts_are_added_through_the_page(
    meeting: JointMeeting,
    olga: User,
    bank: Organization,
    ben: User,
    local_case: Case,
) -> None:
    client = client_of(olga)
    alert = make_alert([local_case], key="surge:page")
    posts = [
        (
            "attendee_add",
            {
                "attendee-organization": bank.pk,
                "attendee-user": ben.pk,
                "attendee-attendance": "present",
            },
        ),
        ("case_attach", {"case-case_no": local_case.case_no}),
        ("alert_attach", {"alert-alert": alert.pk}),
        ("decision_add", {"decision-text": "建立通报机制"}),
    ]
    for name, data in posts:
        response = client.post(url(name, "REG", meeting), data)
        assert response.status_code == 302, (name, response.content.decode()[:2000])
    page = client.get(url("detail", "REG", meeting)).content.decode()
    assert reverse("cases:detail", kwargs={"case_no": local_case.case_no}) in page
    assert "建立通报机制" in page and "Ben" in page
    assert reverse("alerts:detail", kwargs={"scope": "REG", "pk": alert.pk}) in page
    minutes = client.get(url("minutes", "REG", meeting)).content.decode()
    assert "meetings/minutes.css" in minutes and local_case.case_no in minutes


def test_an_attending_institution_sees_the_meeting_and_closes_its_follow_up(
    meeting: JointMeeting, olga: User, bank: Organization, ben: User
) -> None:
    services.attendee_add(meeting=meeting, organization=bank, user=ben, by=olga)
    follow_up = services.follow_up_add(
        meeting=meeting,
        text="梳理同类投诉",
        owner_organization=bank,
        due_on=timezone.localdate() + dt.timedelta(days=5),
        by=olga,
    )
    client = client_of(ben)
    listing = client.get(url("list", "BANK")).content.decode()
    assert url("detail", "BANK", meeting) in listing
    page = client.get(url("detail", "BANK", meeting)).content.decode()
    done = url("follow_up_done", "BANK", meeting, follow_up_id=follow_up.pk)
    assert done in page
    assert url("edit", "BANK", meeting) not in page  # it reads, it does not edit
    assert client.get(url("edit", "BANK", meeting)).status_code == 404
    assert (
        client.post(url("decision_add", "BANK", meeting), {"decision-text": "x"}).status_code == 404
    )
    response = client.post(done, {"note": "已完成"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE


def test_who_does_not_see_the_meeting_gets_404(
    meeting: JointMeeting, rita: User, outsider: User, charlie: User, ben: User
) -> None:
    # A regulator of another region, through its own scope and through the convener's key.
    client = client_of(rita)
    assert client.get(url("list", "REG2")).status_code == 200
    assert url("detail", "REG2", meeting) not in client.get(url("list", "REG2")).content.decode()
    assert client.get(url("detail", "REG2", meeting)).status_code == 404
    assert client.get(url("detail", "REG", meeting)).status_code == 404
    assert client.get(url("minutes", "REG2", meeting)).status_code == 404
    # An institution that did not attend; an outsider; an administrator elsewhere.
    assert client_of(ben).get(url("detail", "BANK", meeting)).status_code == 404
    assert client_of(outsider).get(url("list", "REG")).status_code == 404
    assert client_of(outsider).get(url("detail", "REG", meeting)).status_code == 404
    assert client_of(charlie).get(url("detail", "PMC", meeting)).status_code == 404


def test_the_auditor_reads_but_does_not_write(meeting: JointMeeting, otto: User) -> None:
    client = client_of(otto)
    assert client.get(url("detail", "REG", meeting)).status_code == 200
    assert url("create", "REG") not in client.get(url("list", "REG")).content.decode()
    assert client.get(url("create", "REG")).status_code == 404
    assert client.post(url("hold", "REG", meeting)).status_code == 404


def test_overdue_follow_ups_show_on_the_list_and_the_meeting(
    meeting: JointMeeting, olga: User, regulator: Organization
) -> None:
    services.follow_up_add(
        meeting=meeting,
        text="逾期事项",
        owner_organization=regulator,
        due_on=timezone.localdate(meeting.starts_at),
        by=olga,
    )
    FollowUp.objects.update(due_on=timezone.localdate() - dt.timedelta(days=3))
    client = client_of(olga)
    assert 'data-testid="overdue"' in client.get(url("list", "REG")).content.decode()
    page = client.get(url("detail", "REG", meeting)).content.decode()
    assert 'data-testid="follow-up-overdue"' in page


def test_hold_and_cancel_from_the_page(meeting: JointMeeting, olga: User) -> None:
    client = client_of(olga)
    assert client.post(url("hold", "REG", meeting)).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held"
    client.post(url("cancel", "REG", meeting))  # refused: it was held
    meeting.refresh_from_db()
    assert meeting.status == "held"
