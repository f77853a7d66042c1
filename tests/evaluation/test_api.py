"""The evaluation API end to end: ask, appoint, declare, draft, deliver; the schema."""

from __future__ import annotations

import pytest

from tests.cases.conftest import api_client
from tests.evaluation.conftest import REPORT, notices

pytestmark = pytest.mark.django_db


def test_an_evaluation_goes_through_the_api(mediating, ada, ben, erin, alice):
    asked = api_client(ben).post(
        f"/api/cases/{mediating.case_no}/evaluations/",
        {"reason": "疑难投诉。"},
        format="json",
    )
    assert asked.status_code == 201
    uuid = asked.json()["uuid"]
    base = f"/api/evaluations/{uuid}"

    refused = api_client(ben).post(f"{base}/expert/", {"expert": erin.pk}, format="json")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    appointed = api_client(ada).post(f"{base}/expert/", {"expert": erin.pk}, format="json")
    assert appointed.status_code == 200
    assert appointed.json()["expert"]["status"] == "awaiting_declaration"

    mine = api_client(erin).get("/api/evaluations/").json()
    assert [item["uuid"] for item in mine] == [uuid]
    unconfirmed = api_client(erin).post(
        f"{base}/declaration/", {"declaration": "无利害关系"}, format="json"
    )
    assert unconfirmed.json()["error"]["code"] == "confirmation_required"
    declared = api_client(erin).post(
        f"{base}/declaration/", {"declaration": "无利害关系", "confirmed": True}, format="json"
    )
    assert declared.status_code == 200
    assert declared.json()["status"] == "in_progress"
    assert declared.json()["dossier"]["answer"]["position"] == "银行认为已充分揭示产品风险。"

    incomplete = api_client(erin).post(f"{base}/report/", {"findings": "x"}, format="json")
    assert incomplete.status_code == 400
    assert set(incomplete.json()["error"]["fields"]) == {"questions", "opinion"}
    drafted = api_client(erin).post(
        f"{base}/report/",
        {
            "questions": REPORT.questions,
            "findings": REPORT.findings,
            "opinion": REPORT.opinion,
        },
        format="json",
    )
    assert drafted.status_code == 201
    assert drafted.json()["number"] == 1
    delivered = api_client(erin).post(f"{base}/report/deliver/")
    assert delivered.status_code == 200
    report = delivered.json()["report"]
    assert (report["advisory"], report["sha256"]) == (True, drafted.json()["sha256"])

    seen = api_client(alice).get(f"/api/cases/{mediating.case_no}/evaluations/").json()
    assert seen[0]["report"]["pdf_url"].endswith("/report.pdf")
    assert len(notices(alice, "evaluation.reported")) == 1


def test_the_schema_documents_the_evaluation_endpoints(alice):
    schema = api_client(alice).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/cases/{case_no}/evaluations/",
        "/api/evaluations/",
        "/api/evaluations/{evaluation_uuid}/expert/",
        "/api/evaluations/{evaluation_uuid}/declaration/",
        "/api/evaluations/{evaluation_uuid}/report/",
        "/api/evaluations/{evaluation_uuid}/report/deliver/",
    ):
        assert path in schema["paths"], path
    appoint = schema["paths"]["/api/evaluations/{evaluation_uuid}/expert/"]["post"]
    assert "409" in appoint["responses"]
