"""POST /api/cases/, GET /api/cases/, GET /api/cases/<no>/ and the schema."""

from __future__ import annotations

import pytest

from accord.cases.models import Case
from tests.cases.conftest import api_client, snapshot
from tests.cases.factories import api_application, credit_code

pytestmark = pytest.mark.django_db


def test_create_returns_the_case_with_its_first_event(alice, org, bank):
    response = api_client(alice).post(
        "/api/cases/", api_application(organization="FMC", respondent="BANK"), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert body["case_no"] == case.case_no
    assert body["state"] == "submitted" and body["channel"] == "application"
    assert body["organization"] == {"code": "FMC", "name": "金融纠纷调解中心"}
    assert body["respondent"] == {"code": "BANK", "name": "示例银行"}
    assert body["amount"] == "12000.50"
    assert [e["action"] for e in body["timeline"]] == ["case.submitted"]
    assert len(body["timeline"][0]["hash"]) == 64
    assert body["allowed_transitions"] == ["withdrawn"]
    assert body["evidence"] == []
    assert "applicant_id_number" not in body


def test_a_legal_person_applies_over_the_api(alice, org, bank):
    response = api_client(alice).post(
        "/api/cases/",
        api_application(
            organization="FMC",
            respondent="BANK",
            applicant_type="legal_person",
            applicant_name="示例科技有限公司",
            credit_code=credit_code().lower(),
            representative="王五",
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Case.objects.get().credit_code == credit_code()


@pytest.mark.parametrize(
    "overrides,code,fields",
    [
        ({"respondent": "FMC"}, "out_of_scope", {"respondent"}),
        ({"respondent": "NOSUCH"}, "out_of_scope", {"respondent"}),
        ({"organization": "BANK"}, "out_of_scope", {"organization"}),
        ({"business_type": "not_financial"}, "out_of_scope", {"business_type"}),
        ({"dispute_nature": "administrative"}, "out_of_scope", {"dispute_nature"}),
        ({"applicant_type": "robot"}, "out_of_scope", {"applicant_type"}),
        ({"amount": "-100"}, "invalid", {"amount"}),
        ({"amount": "12.345"}, "invalid", {"amount"}),
        ({"amount": "lots"}, "invalid", {"amount"}),
        ({"amount": "NaN"}, "invalid", {"amount"}),
        ({"applicant_phone": "110"}, "invalid", {"applicant_phone"}),
        ({"description": ""}, "invalid", {"description"}),
        (
            {"business_type": "not_financial", "amount": "-1"},
            "out_of_scope",
            {"business_type", "amount"},
        ),
    ],
)
def test_create_refusals_name_their_fields_and_write_nothing(
    alice, org, bank, overrides, code, fields
):
    before = snapshot()
    response = api_client(alice).post(
        "/api/cases/",
        api_application(**{"organization": "FMC", "respondent": "BANK", **overrides}),
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error["fields"]) == fields
    assert all(error["fields"][name] for name in fields)
    assert error["message"]
    assert snapshot() == before


def test_an_empty_body_names_every_missing_field(alice, org):
    response = api_client(alice).post("/api/cases/", {}, format="json")
    error = response.json()["error"]
    assert error["code"] == "out_of_scope"
    assert {"organization", "respondent", "business_type", "applicant_type"} <= set(error["fields"])
    assert {"applicant_name", "applicant_phone", "description"} <= set(error["fields"])


def test_detail_is_for_those_who_may_see_it(case, alice, ben, bob):
    assert api_client(alice).get(f"/api/cases/{case.case_no}/").status_code == 200
    body = api_client(ben).get(f"/api/cases/{case.case_no}/").json()
    assert body["case_no"] == case.case_no
    assert body["allowed_transitions"] == []
    assert api_client(bob).get(f"/api/cases/{case.case_no}/").status_code == 404


def test_signed_out_clients_are_refused(org, bank):
    response = api_client().post(
        "/api/cases/", api_application(organization="FMC", respondent="BANK"), format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_schema_documents_the_case_endpoints(alice):
    response = api_client(alice).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    for path in (
        "/api/cases/",
        "/api/cases/{case_no}/",
        "/api/cases/{case_no}/transitions/",
        "/api/cases/{case_no}/evidence/",
        "/api/consultations/",
        "/api/consultations/{consultation_id}/convert/",
    ):
        assert path in schema["paths"], path
    create = schema["paths"]["/api/cases/"]["post"]
    assert {"201", "400"} <= set(create["responses"])
    transition = schema["paths"]["/api/cases/{case_no}/transitions/"]["post"]
    assert "409" in transition["responses"]
