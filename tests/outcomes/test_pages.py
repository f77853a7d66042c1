"""The case page's sections and the pages behind them, reached by clicking: the parties
confirm, apply and consent; clerks and notaries reach their desks from the navigation and see
only what was sent to their court or office."""

from __future__ import annotations

import re

import pytest

from accord.cases.models import CaseState
from accord.outcomes.models import (
    ConfirmationApplication,
    ConfirmationStatus,
    MediationFailure,
    NotarizationStatus,
    ObligationStatus,
)
from accord.outcomes.services import (
    confirmation_apply,
    confirmation_consent,
    notarization_consent,
)

pytestmark = pytest.mark.django_db


def page(client, user, path):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_parties_see_the_obligations_and_the_consequences(client, agreement, alice, ben):
    path = f"/en/cases/{agreement.case.case_no}/"
    mine = page(client, alice, path)
    assert 'data-testid="after-agreement"' in mine
    assert "compulsory enforcement" in mine
    assert 'data-testid="confirm-performance-1"' in mine  # the bank pays alice
    assert 'data-testid="confirm-performance-2"' not in mine
    theirs = page(client, ben, path)
    assert 'data-testid="confirm-performance-2"' in theirs
    assert 'data-testid="confirm-performance-1"' not in theirs
    # In Chinese by default.
    assert "达成协议之后" in page(client, alice, f"/cases/{agreement.case.case_no}/")


def test_confirming_a_performance_from_the_case_page(client, agreement, alice):
    pay = agreement.obligations.get(position=1)
    client.force_login(alice)
    response = client.post(
        f"/en/outcomes/cases/{agreement.case.case_no}/obligations/{pay.pk}/confirm/",
        {"note": "收到"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#after-agreement")
    pay.refresh_from_db()
    assert pay.status == ObligationStatus.PERFORMED


def test_the_judicial_confirmation_from_application_to_ruling(
    client, agreement, alice, ben, court, cleo, clara
):
    case_no = agreement.case.case_no
    start = page(client, alice, f"/en/cases/{case_no}/")
    apply_path = f"/en/outcomes/cases/{case_no}/agreements/{agreement.version.uuid}/confirmation/"
    assert f'href="{apply_path}"' in start
    assert "confirmation-apply-form" in page(client, alice, apply_path)
    response = client.post(apply_path, {"court": court.pk})
    assert response.status_code == 302
    application = ConfirmationApplication.objects.get()

    joining = page(client, ben, f"/en/cases/{case_no}/")
    assert 'data-testid="join-confirmation"' in joining
    response = client.post(
        f"/en/outcomes/cases/{case_no}/confirmations/{application.uuid}/consent/"
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ConfirmationStatus.FILED
    assert 'data-testid="confirmation-package"' in page(client, ben, f"/en/cases/{case_no}/")

    # The clerk: from the navigation to the court desk, the application, the package, the ruling.
    home = page(client, cleo, "/en/cases/")
    assert 'data-testid="nav-court-desk"' in home
    desk = page(client, cleo, "/en/outcomes/court/")
    detail_path = f"/en/outcomes/court/confirmations/{application.uuid}/"
    assert f'href="{detail_path}"' in desk
    detail = page(client, cleo, detail_path)
    assert "confirmation-outcome-form" in detail
    package = client.get(f"/en/outcomes/court/confirmations/{application.uuid}/package/")
    assert package.status_code == 200 and package["Content-Type"] == "application/zip"
    assert b"".join(package.streaming_content).startswith(b"PK")
    response = client.post(
        detail_path, {"outcome": "confirmed", "ruling_no": "(2026)京0101民特3号", "reason": ""}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ConfirmationStatus.CONFIRMED

    # Another court's clerk sees nothing of it.
    client.force_login(clara)
    assert application.case.case_no not in client.get("/en/outcomes/court/").content.decode()
    assert client.get(detail_path).status_code == 404
    assert (
        client.get(f"/en/outcomes/court/confirmations/{application.uuid}/package/").status_code
        == 404
    )


def test_a_bad_ruling_on_the_page_shows_its_error(client, agreement, alice, ben, court, cleo):
    application = confirmation_apply(agreement=agreement, user=alice, court=court)
    confirmation_consent(application=application, user=ben)
    client.force_login(cleo)
    response = client.post(
        f"/en/outcomes/court/confirmations/{application.uuid}/",
        {"outcome": "rejected", "ruling_no": "1", "reason": ""},
    )
    assert response.status_code == 400
    assert "Required." in response.content.decode()


def test_the_desks_are_for_clerks_and_notaries(client, alice, mia, nora, cleo):
    for user in (alice, mia, nora):
        client.force_login(user)
        assert client.get("/en/outcomes/court/").status_code == 403
    for user in (alice, mia, cleo):
        client.force_login(user)
        assert client.get("/en/outcomes/notary/").status_code == 403
    assert 'data-testid="nav-notary-desk"' in page(client, nora, "/en/cases/")
    assert 'data-testid="nav-court-desk"' not in page(client, nora, "/en/cases/")


def test_the_notary_sees_the_referral_and_records_the_outcome(
    client, agreement, alice, ben, mia, nora, nick, notary_office
):
    case_no = agreement.case.case_no
    start = page(client, alice, f"/en/cases/{case_no}/")
    ask_path = f"/en/outcomes/cases/{case_no}/agreements/{agreement.version.uuid}/notarization/"
    assert f'href="{ask_path}"' in start
    client.post(ask_path, {"notary_office": notary_office.pk, "creditor": "applicant"})
    request = agreement.case.notarization_requests.get()
    assert 'data-testid="consent-notarization"' in page(client, ben, f"/en/cases/{case_no}/")
    notarization_consent(request=request, user=ben)
    assert 'data-testid="refer-notarization"' in page(client, mia, f"/en/cases/{case_no}/")
    client.post(f"/en/outcomes/cases/{case_no}/notarizations/{request.uuid}/refer/")
    request.refresh_from_db()
    assert request.status == NotarizationStatus.REFERRED

    desk = page(client, nora, "/en/outcomes/notary/")
    detail_path = f"/en/outcomes/notary/referrals/{request.uuid}/"
    assert f'href="{detail_path}"' in desk
    detail = page(client, nora, detail_path)
    letter = client.get(f"/en/outcomes/notary/referrals/{request.uuid}/referral.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    assert "notarization-outcome-form" in detail
    client.post(detail_path, {"outcome": "notarized", "certificate_no": "(2026)示证字第2号"})
    request.refresh_from_db()
    assert request.status == NotarizationStatus.NOTARIZED
    # The notary does not see the case itself; the other office's notary not even the referral.
    assert client.get(f"/en/cases/{case_no}/").status_code == 404
    client.force_login(nick)
    assert client.get(detail_path).status_code == 404
    assert case_no not in client.get("/en/outcomes/notary/").content.decode()


def test_the_failure_notice_and_the_referral_from_the_case_page(
    client, case, drive, mia, alice, court, cleo
):
    failed = drive(case, CaseState.FAILED)
    start = page(client, mia, f"/en/cases/{failed.case_no}/")
    notice_path = f"/en/outcomes/cases/{failed.case_no}/failure/notice/"
    assert f'href="{notice_path}"' in start
    assert 'data-testid="issue-failure-notice"' not in page(
        client, alice, f"/en/cases/{failed.case_no}/"
    )
    client.force_login(mia)
    bad = client.post(notice_path, {"advice": "", "routes": ["litigation"]})
    assert bad.status_code == 400
    client.post(notice_path, {"advice": "建议诉讼。", "routes": ["litigation", "arbitration"]})
    failure = MediationFailure.objects.get(case=failed)
    section = page(client, mia, f"/en/cases/{failed.case_no}/")
    referral_path = f"/en/outcomes/cases/{failed.case_no}/failure/referral/"
    assert f'href="{referral_path}"' in section
    client.post(referral_path, {"route": "litigation", "to": court.pk, "green_channel": "on"})
    failure.refresh_from_db()
    assert failure.green_channel
    shown = page(client, alice, f"/en/cases/{failed.case_no}/")
    assert 'data-testid="green-channel"' in shown and "建议诉讼。" in shown

    desk = page(client, cleo, "/en/outcomes/court/")
    assert re.search(r'data-testid="court-referral" data-green-channel="true"', desk)
    detail = page(client, cleo, f"/en/outcomes/court/referrals/{failed.case_no}/")
    assert "建议诉讼。" in detail
    notice = client.get(f"/en/outcomes/court/referrals/{failed.case_no}/notice/")
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")
