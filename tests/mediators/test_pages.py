"""The roster's pages: the public roster (filters, no contact data, an exit shown at once),
the admin pages (flags from the data, refusals on the form, 404 for everyone else), the
feedback form and the case page's section."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from accord.cases.models import CaseState
from accord.mediators import records, services
from accord.mediators.models import Feedback, MediatorProfile
from accord.orgs.models import Membership, Role
from tests.mediators.conftest import admin_actor, nothing_written

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


@pytest.fixture
def roster(mia_profile, make_profile, max_, charlie, other_org, org, ada):
    max_profile = make_profile(max_, org, specialties=["insurance"])
    charlie_profile = make_profile(charlie, other_org, specialties=["banking", "funds"])
    services.qualification_add(
        profile=mia_profile,
        kind="law",
        title="法律职业资格",
        certificate_no="SECRET-CERT-0042",
        issued_on=dt.date(2018, 5, 1),
        actor=admin_actor(ada),
    )
    return mia_profile, max_profile, charlie_profile


def test_the_public_roster_lists_every_organization_without_contact_data(client, roster, mia, org):
    mia.phone = "13812345678"
    mia.save()
    page = client.get("/en/mediators/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("Mia", "Max", "Charlie", org.name, "Banking", "Insurance", "Law"):
        assert name in html
    assert "2018-05" in html
    assert "SECRET-CERT-0042" not in html
    assert "13812345678" not in html
    assert "username" not in html and ">mia<" not in html and "@" not in html
    assert page["Cache-Control"] == "no-cache"


def test_the_roster_is_chinese_by_default(client, roster):
    html = client.get("/mediators/").content.decode()
    assert "调解员" in html


def test_the_roster_filters_by_organization_and_specialty(client, roster, org, other_org):
    html = client.get(f"/en/mediators/?org={org.code}").content.decode()
    assert "Mia" in html and "Max" in html and "Charlie" not in html
    html = client.get("/en/mediators/?specialty=insurance").content.decode()
    assert "Max" in html and "Mia" not in html and "Charlie" not in html
    html = client.get(f"/en/mediators/?org={other_org.code}&specialty=funds").content.decode()
    assert "Charlie" in html and "Mia" not in html
    html = client.get(f"/en/mediators/?org={org.code}&specialty=funds").content.decode()
    assert 'data-testid="roster-empty"' in html


def test_an_exit_leaves_the_roster_at_once_and_a_suspension_shows(client, roster, ada):
    mia_profile, max_profile, _ = roster
    assert "Mia" in client.get("/en/mediators/").content.decode()
    services.mediator_exit(profile=mia_profile, reasons="辞职", user=ada)
    services.mediator_status_change(profile=max_profile, to="suspended", reason="调查", user=ada)
    html = client.get("/en/mediators/").content.decode()
    assert "Mia" not in html
    assert 'data-status="suspended"' in html and "Suspended" in html


def test_the_navigation_links_the_roster_signed_in_and_out(client, alice):
    assert b'href="/en/mediators/"' in client.get("/en/").content
    client.force_login(alice)
    assert b'href="/en/mediators/"' in client.get("/en/cases/").content


def test_an_administrator_reaches_the_roster_from_the_organization_page(client, ada, org):
    client.force_login(ada)
    html = client.get(f"/en/orgs/manage/{org.code}/").content.decode()
    assert f'href="/en/mediators/manage/{org.code}/"' in html


def test_the_admin_roster_flags_idle_and_low_scored_mediators(
    client, ada, mia_profile, make_profile, max_, mia, case, drive, org
):
    max_profile = make_profile(max_, org)
    # max became a mediator long ago and was never given a case; mia was given one today.
    Membership.objects.filter(user=max_, role=Role.MEDIATOR).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    Membership.objects.filter(user=mia, role=Role.MEDIATOR).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    drive(case, CaseState.ASSIGNED)
    today = timezone.localdate()
    records.assessment_record(
        profile=mia_profile,
        score=55,
        comments="",
        period_start=today - dt.timedelta(days=30),
        period_end=today,
        assessor=ada,
    )
    records.assessment_record(
        profile=max_profile,
        score=90,
        comments="",
        period_start=today - dt.timedelta(days=30),
        period_end=today,
        assessor=ada,
    )
    client.force_login(ada)
    html = client.get(f"/en/mediators/manage/{org.code}/").content.decode()
    mia_row = html.split(f'data-membership="{mia_profile.membership_id}"')[1].split("</tr>")[0]
    max_row = html.split(f'data-membership="{max_profile.membership_id}"')[1].split("</tr>")[0]
    assert 'data-testid="flag-low_score"' in mia_row and "scored 55, below 60" in mia_row
    assert 'data-testid="flag-idle"' not in mia_row
    assert 'data-testid="flag-idle"' in max_row and "400 days" in max_row
    assert 'data-testid="flag-low_score"' not in max_row


def admin_pages(code: str, membership_id: int) -> list[tuple[str, str]]:
    one = f"/mediators/manage/{code}/mediators/{membership_id}/"
    return [
        ("get", f"/mediators/manage/{code}/"),
        ("get", f"/mediators/manage/{code}/guidance/"),
        ("post", f"/mediators/manage/{code}/guidance/"),
        ("get", one),
        ("get", f"{one}profile/"),
        ("post", f"{one}profile/"),
        ("post", f"{one}qualifications/"),
        ("post", f"{one}rewards/"),
        ("post", f"{one}trainings/"),
        ("get", f"{one}status/"),
        ("post", f"{one}status/"),
        ("get", f"{one}exit/"),
        ("post", f"{one}exit/"),
        ("get", f"{one}assess/"),
        ("post", f"{one}assess/"),
    ]


@pytest.mark.parametrize("who", ["mia", "alice", "ben", "charlie"])
def test_no_one_but_the_organizations_admins_reaches_the_admin_pages(
    request, client, mia_profile, org, who
):
    client.force_login(request.getfixturevalue(who))
    with nothing_written():
        for method, path in admin_pages(org.code, mia_profile.membership_id):
            payload = {"status": "suspended", "reason": "x", "reasons": "x", "score": "1"}
            response = getattr(client, method)(path, payload)
            assert response.status_code == 404, (who, method, path)


def test_signed_out_the_admin_pages_send_to_the_staff_sign_in(client, org):
    response = client.get(f"/mediators/manage/{org.code}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/staff/signin/")


def test_an_institution_has_no_roster(client, ada, bank):
    Membership.objects.create(user=ada, organization=bank, role=Role.ORG_ADMIN)
    client.force_login(ada)
    assert client.get(f"/mediators/manage/{bank.code}/").status_code == 404


def test_the_admin_creates_a_profile_with_a_photo_that_the_roster_shows(client, ada, mia, org, s3):
    membership = Membership.objects.get(user=mia, organization=org, role=Role.MEDIATOR)
    client.force_login(ada)
    base = f"/en/mediators/manage/{org.code}/mediators/{membership.pk}/"
    assert b"Create the profile" in client.get(base).content
    photo = io.BytesIO(PNG)
    photo.name = "mia.png"
    response = client.post(
        f"{base}profile/",
        {"specialties": ["banking", "payments"], "years_of_experience": "6", "photo": photo},
    )
    assert response.status_code == 302, response.content.decode()
    profile = MediatorProfile.objects.get(membership=membership)
    assert profile.specialties == ["banking", "payments"]
    assert profile.photo_content_type == "image/png"
    client.logout()
    html = client.get("/en/mediators/").content.decode()
    assert f'src="/en/mediators/photos/{profile.pk}/"' in html
    served = client.get(f"/mediators/photos/{profile.pk}/")
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    services.mediator_exit(profile=profile, reasons="辞职", user=ada)
    assert client.get(f"/mediators/photos/{profile.pk}/").status_code == 404


def test_a_photo_that_is_not_an_image_is_refused_on_the_form(client, ada, mia_profile, org):
    client.force_login(ada)
    base = f"/en/mediators/manage/{org.code}/mediators/{mia_profile.membership_id}/"
    fake = io.BytesIO(b"%PDF-1.4 not a photo" + bytes(100))
    fake.name = "photo.png"
    with nothing_written():
        response = client.post(
            f"{base}profile/",
            {
                "years_of_experience": "8",
                "specialties": ["banking"],
                "languages": "普通话, English",
                "photo": fake,
            },
        )
    assert response.status_code == 400
    assert "JPEG, PNG or WebP" in response.content.decode()


def test_the_status_and_exit_pages_refuse_on_the_form_and_show_open_cases(
    client, ada, mia_profile, org, case, drive
):
    drive(case, CaseState.ASSIGNED)
    client.force_login(ada)
    base = f"/en/mediators/manage/{org.code}/mediators/{mia_profile.membership_id}/"
    with nothing_written():
        same = client.post(f"{base}status/", {"status": "active", "reason": "x"})
    assert same.status_code == 409 and "already Active" in same.content.decode()
    page = client.get(f"{base}exit/").content.decode()
    assert 'data-testid="exit-open-cases"' in page and case.case_no in page
    with nothing_written():
        empty = client.post(f"{base}exit/", {"reasons": ""})
    assert empty.status_code == 400 and "Give a reason." in empty.content.decode()
    done = client.post(f"{base}exit/", {"reasons": "辞职"})
    assert done.status_code == 302
    mia_profile.refresh_from_db()
    assert mia_profile.status == "exited"


def test_the_assessment_page_shows_the_figures_and_refuses_a_bad_score(
    client, ada, mia_profile, org, case, drive
):
    drive(case, CaseState.AGREEMENT)
    client.force_login(ada)
    url = f"/en/mediators/manage/{org.code}/mediators/{mia_profile.membership_id}/assess/"
    page = client.get(url).content.decode()
    assert 'data-testid="fig-decided">1<' in page
    assert "Agreement reached: 1" in page
    today = timezone.localdate()
    start = (today - dt.timedelta(days=10)).isoformat()
    with nothing_written():
        bad = client.post(
            url, {"period_start": start, "period_end": today.isoformat(), "score": "120"}
        )
    assert bad.status_code == 400 and "A score is from 0 to 100." in bad.content.decode()
    good = client.post(
        url,
        {"period_start": start, "period_end": today.isoformat(), "score": "88", "comments": "好"},
    )
    assert good.status_code == 302
    assert mia_profile.assessments.get().figures["decided"] == 1


def test_a_guidance_session_is_recorded_from_its_page(client, ada, mia_profile, org):
    client.force_login(ada)
    url = f"/en/mediators/manage/{org.code}/guidance/"
    assert "Mia" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "date": timezone.localdate().isoformat(),
            "court": "中级法院",
            "topic": "证券虚假陈述",
            "hours": "2",
            "attendees": [mia_profile.pk],
        },
    )
    assert response.status_code == 302
    assert 'data-testid="guidance-session"' in client.get(url).content.decode()


# --- Feedback and the case page -----------------------------------------------------------


def test_the_case_page_links_the_organizations_roster(client, alice, case, org):
    client.force_login(alice)
    html = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert f'href="/en/mediators/?org={org.code}"' in html
    assert 'data-testid="feedback-link"' not in html


def test_a_party_gives_feedback_from_the_case_page_once(client, alice, case, drive, ben):
    drive(case, CaseState.CLOSED)
    client.force_login(alice)
    case_page = f"/en/cases/{case.case_no}/"
    assert 'data-testid="feedback-link"' in client.get(case_page).content.decode()
    url = f"/en/mediators/feedback/{case.case_no}/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"satisfaction": "9", "fair": "yes"})
    assert bad.status_code == 400
    sent = client.post(url, {"satisfaction": "4", "fair": "no", "comment": "略慢"})
    assert sent.status_code == 302
    feedback = Feedback.objects.get(case=case, side="applicant")
    assert (feedback.satisfaction, feedback.fair, feedback.comment) == (4, False, "略慢")
    assert 'data-testid="feedback-given"' in client.get(case_page).content.decode()
    with nothing_written():
        again = client.post(url, {"satisfaction": "1", "fair": "no"})
    assert again.status_code == 409
    assert "already given" in again.content.decode()


@pytest.mark.parametrize("who", ["charlie", "mia", "bob"])
def test_someone_who_is_no_party_gets_404_on_the_feedback_form(
    request, client, case, drive, ben, who
):
    drive(case, CaseState.CLOSED)
    client.force_login(request.getfixturevalue(who))
    url = f"/mediators/feedback/{case.case_no}/"
    with nothing_written():
        assert client.get(url).status_code == 404
        assert client.post(url, {"satisfaction": "5", "fair": "yes"}).status_code == 404
