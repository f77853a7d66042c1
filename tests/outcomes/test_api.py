"""The API: a case's outcomes, a party's confirmation, the court's and the notary's lists and
outcomes; refusals with their code."""

from __future__ import annotations

import pytest

from tests.cases.conftest import api_client

pytestmark = pytest.mark.django_db


def test_the_outcomes_of_a_case(agreement, alice, charlie):
    case_no = agreement.case.case_no
    response = api_client(alice).get(f"/api/cases/{case_no}/outcomes/")
    assert response.status_code == 200
    body = response.json()
    (only,) = body["agreements"]
    assert only["version"] == str(agreement.version.uuid)
    assert [o["status"] for o in only["obligations"]] == ["pending", "pending"]
    assert only["confirmation"] is None and body["failure"] is None
    assert api_client(charlie).get(f"/api/cases/{case_no}/outcomes/").status_code == 404


def test_confirming_through_the_api(agreement, alice, ben):
    case_no = agreement.case.case_no
    pay = agreement.obligations.get(position=1)
    refused = api_client(ben).post(
        f"/api/cases/{case_no}/obligations/{pay.pk}/confirm/", {}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_obligee"
    done = api_client(alice).post(
        f"/api/cases/{case_no}/obligations/{pay.pk}/confirm/", {}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "performed"


def test_judicial_confirmation_through_the_api(agreement, alice, ben, court, cleo, clara):
    case_no = agreement.case.case_no
    missing = api_client(alice).post(
        f"/api/cases/{case_no}/confirmations/",
        {"agreement": str(agreement.version.uuid)},
        format="json",
    )
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "court_required"
    made = api_client(alice).post(
        f"/api/cases/{case_no}/confirmations/",
        {"agreement": str(agreement.version.uuid), "court": court.code},
        format="json",
    )
    assert made.status_code == 201
    uuid = made.json()["id"]
    joined = api_client(ben).post(f"/api/cases/{case_no}/confirmations/{uuid}/consent/")
    assert joined.status_code == 200 and joined.json()["status"] == "filed"
    listed = api_client(cleo).get("/api/court/confirmations/").json()
    assert [a["id"] for a in listed] == [uuid]
    assert api_client(clara).get("/api/court/confirmations/").json() == []
    outsider = api_client(clara).post(
        f"/api/court/confirmations/{uuid}/outcome/",
        {"outcome": "confirmed", "ruling_no": "1"},
        format="json",
    )
    assert outsider.status_code == 404
    bad = api_client(cleo).post(
        f"/api/court/confirmations/{uuid}/outcome/",
        {"outcome": "confirmed", "ruling_no": ""},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "ruling_no_required"
    ruled = api_client(cleo).post(
        f"/api/court/confirmations/{uuid}/outcome/",
        {"outcome": "confirmed", "ruling_no": "(2026)京0101民特4号"},
        format="json",
    )
    assert ruled.status_code == 200 and ruled.json()["status"] == "confirmed"


def test_notarization_through_the_api(agreement, alice, ben, mia, nora, nick, notary_office):
    case_no = agreement.case.case_no
    made = api_client(alice).post(
        f"/api/cases/{case_no}/notarizations/",
        {
            "agreement": str(agreement.version.uuid),
            "notary_office": notary_office.code,
            "creditor": "applicant",
            "guarantor_name": "李保证",
        },
        format="json",
    )
    assert made.status_code == 201
    uuid = made.json()["id"]
    assert made.json()["missing_consents"] == ["respondent", "guarantor"]
    early = api_client(mia).post(f"/api/cases/{case_no}/notarizations/{uuid}/refer/")
    assert early.status_code == 409
    assert early.json()["error"]["fields"]["consents"] == ["respondent", "guarantor"]
    api_client(ben).post(f"/api/cases/{case_no}/notarizations/{uuid}/consent/")
    api_client(mia).post(
        f"/api/cases/{case_no}/notarizations/{uuid}/guarantor-consent/", {}, format="json"
    )
    referred = api_client(mia).post(f"/api/cases/{case_no}/notarizations/{uuid}/refer/")
    assert referred.status_code == 200 and referred.json()["status"] == "referred"
    assert [n["id"] for n in api_client(nora).get("/api/notary/referrals/").json()] == [uuid]
    assert api_client(nick).get("/api/notary/referrals/").json() == []
    done = api_client(nora).post(
        f"/api/notary/referrals/{uuid}/outcome/",
        {"outcome": "refused", "reason": "担保人未到场"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == "refused"


def test_the_failure_route_through_the_api(case, drive, mia, court):
    from accord.cases.models import CaseState

    failed = drive(case, CaseState.FAILED)
    notice = api_client(mia).post(
        f"/api/cases/{failed.case_no}/failure/notice/",
        {"advice": "建议诉讼", "routes": ["litigation"]},
        format="json",
    )
    assert notice.status_code == 201 and notice.json()["routes"] == ["litigation"]
    refused = api_client(mia).post(
        f"/api/cases/{failed.case_no}/failure/referral/",
        {"route": "arbitration", "to": court.code, "green_channel": True},
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_route"
    done = api_client(mia).post(
        f"/api/cases/{failed.case_no}/failure/referral/",
        {"route": "litigation", "to": court.code, "green_channel": True},
        format="json",
    )
    assert done.status_code == 200 and done.json()["green_channel"] is True
