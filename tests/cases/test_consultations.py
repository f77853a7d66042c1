"""Consultations (R2): asked from the one-stop window, answered by the
organization, and turned into a case without typing anything twice."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from accord.audit.models import TraceChain, TraceEvent
from accord.cases import services
from accord.cases.models import Case, ConsultationStatus, ConsultationTopic
from accord.cases.selectors import consultation_application_draft
from accord.core.api import ServiceError
from tests.cases.conftest import api_client, as_org, snapshot
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(alice, org, bank):
    def create(**overrides):
        values = {
            "asker": alice,
            "topic": ConsultationTopic.MEDIATION,
            "organization": org,
            "respondent": bank,
            "business_type": "loan",
            "description": "贷款提前还款违约金是否合理？",
            "contact_name": "Alice",
            "contact_phone": "13900000001",
            "amount": Decimal("3000"),
        }
        values.update(overrides)
        return services.consultation_create(**values)

    return create


def events(chain_id: int) -> list[TraceEvent]:
    return list(TraceEvent.objects.filter(chain_id=chain_id).order_by("seq"))


def test_a_consultation_has_its_own_chain(ask, alice):
    consultation = ask()
    assert consultation.status == ConsultationStatus.OPEN
    assert consultation.chain.key == f"consultation:{consultation.pk}"
    [created] = events(consultation.chain_id)
    assert created.action == "consultation.created"
    assert created.payload["topic"] == "mediation"
    assert created.payload["organization"] == "FMC"
    assert created.actor["user_id"] == alice.pk


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"topic": "lottery"}, "topic"),
        ({"organization": None}, "organization"),
        ({"respondent": None}, "respondent"),
        ({"business_type": "bogus"}, "business_type"),
        ({"description": " "}, "description"),
        ({"contact_name": ""}, "contact_name"),
        ({"contact_phone": "abc"}, "contact_phone"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"applicant_type": "alien"}, "applicant_type"),
    ],
)
def test_a_bad_consultation_is_refused_on_its_field_and_nothing_is_written(ask, overrides, field):
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        ask(**overrides)
    assert field in caught.value.fields
    assert snapshot() == before


def test_a_question_about_non_financial_business_may_still_be_asked(ask):
    assert ask(business_type="not_financial").business_type == "not_financial"


def test_the_organization_answers(ask, mia, ada, ben, alice):
    consultation = ask()
    for not_staff in (ben, alice):
        with pytest.raises(ServiceError) as caught:
            services.consultation_answer(consultation=consultation, user=not_staff, answer="x")
        assert caught.value.code == "permission_denied"
    with pytest.raises(ServiceError) as caught:
        services.consultation_answer(consultation=consultation, user=mia, answer=" ")
    assert "answer" in caught.value.fields
    answered = services.consultation_answer(
        consultation=consultation, user=mia, answer="可以申请调解。"
    )
    assert answered.status == ConsultationStatus.ANSWERED and answered.answered_by == mia
    last = events(consultation.chain_id)[-1]
    assert last.action == "consultation.answered" and last.actor["role"] == "mediator"


def test_the_draft_application_is_the_consultation(ask):
    consultation = ask()
    draft = consultation_application_draft(consultation=consultation)
    assert draft.organization == consultation.organization
    assert draft.respondent == consultation.respondent
    assert draft.business_type == "loan"
    assert draft.amount == Decimal("3000")
    assert draft.description == consultation.description
    assert (draft.applicant_name, draft.applicant_phone) == ("Alice", "13900000001")


def test_converting_opens_a_case_whose_first_event_names_the_consultation(ask, alice):
    consultation = ask()
    head_before = TraceChain.objects.get(pk=consultation.chain_id).head_hash
    case = services.consultation_convert_to_case(consultation=consultation, user=alice)
    assert case.consultation == consultation
    assert case.description == consultation.description
    assert case.amount == Decimal("3000") and case.business_type == "loan"
    assert case.applicant == alice
    [submitted] = events(case.chain_id)
    assert submitted.payload["consultation"] == {
        "id": consultation.pk,
        "chain": f"consultation:{consultation.pk}",
        "head_hash": head_before,
    }
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CONVERTED
    converted = events(consultation.chain_id)[-1]
    assert converted.action == "consultation.converted"
    assert converted.payload == {"case_no": case.case_no, "case_chain": f"case:{case.case_no}"}


def test_the_applicant_can_complete_the_draft_when_converting(ask, alice):
    consultation = ask()
    draft = consultation_application_draft(consultation=consultation)
    case = services.consultation_convert_to_case(
        consultation=consultation, user=alice, application=replace(draft, claims="退还违约金")
    )
    assert case.claims == "退还违约金"


def test_a_consultation_converts_once(ask, alice):
    consultation = ask()
    services.consultation_convert_to_case(consultation=consultation, user=alice)
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        services.consultation_convert_to_case(consultation=consultation, user=alice)
    assert (caught.value.code, caught.value.http_status) == ("already_converted", 409)
    assert snapshot() == before
    assert Case.objects.count() == 1


def test_only_the_asker_converts(ask, bob, mia):
    consultation = ask()
    before = snapshot()
    for other in (bob, mia):
        with pytest.raises(ServiceError) as caught:
            services.consultation_convert_to_case(consultation=consultation, user=other)
        assert caught.value.code == "permission_denied"
    assert snapshot() == before


def test_an_out_of_scope_consultation_cannot_become_a_case(ask, alice):
    consultation = ask(business_type="not_financial")
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        services.consultation_convert_to_case(consultation=consultation, user=alice)
    assert caught.value.code == "out_of_scope"
    assert list(caught.value.fields) == ["business_type"]
    assert snapshot() == before


def test_a_respondent_that_closed_since_the_question_is_caught_at_conversion(ask, alice):
    closing = as_org(InstitutionFactory(code="CLOSING"))
    consultation = ask(respondent=closing)
    closing.is_active = False
    closing.save()
    with pytest.raises(ServiceError) as caught:
        services.consultation_convert_to_case(consultation=consultation, user=alice)
    assert caught.value.code == "out_of_scope"


# --- API ------------------------------------------------------------------------


def test_api_consultation_create_answer_and_convert(alice, mia, org, bank):
    client = api_client(alice)
    response = client.post(
        "/api/consultations/",
        {
            "topic": "notarization",
            "organization": "FMC",
            "respondent": "BANK",
            "business_type": "loan",
            "description": "能否办理赋强公证？",
            "contact_name": "Alice",
            "contact_phone": "13900000001",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    consultation_id = response.json()["id"]
    assert response.json()["status"] == "open"

    answer = api_client(mia).post(
        f"/api/consultations/{consultation_id}/answer/", {"answer": "可以。"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["status"] == "answered"
    assert client.get(f"/api/consultations/{consultation_id}/").json()["answer"] == "可以。"

    converted = client.post(
        f"/api/consultations/{consultation_id}/convert/",
        {"claims": "办理调解并申请赋强公证"},
        format="json",
    )
    assert converted.status_code == 201, converted.content
    body = converted.json()
    assert body["consultation"] == consultation_id
    assert body["claims"] == "办理调解并申请赋强公证"
    assert body["description"] == "能否办理赋强公证？"
    again = client.post(f"/api/consultations/{consultation_id}/convert/", {}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_converted")


def test_api_consultation_refusals(alice, bob, org, bank):
    client = api_client(alice)
    response = client.post(
        "/api/consultations/",
        {
            "topic": "consultation",
            "organization": "NOPE",
            "respondent": "FMC",
            "business_type": "loan",
            "description": "q",
            "contact_name": "A",
            "contact_phone": "13900000001",
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "out_of_scope"
    assert set(error["fields"]) == {"organization", "respondent"}
    consultation = services.consultation_create(
        asker=alice,
        topic="consultation",
        organization=org,
        respondent=bank,
        business_type="loan",
        description="q",
        contact_name="A",
        contact_phone="13900000001",
    )
    # Someone else's consultation does not exist for bob.
    assert api_client(bob).get(f"/api/consultations/{consultation.pk}/").status_code == 404
    response = api_client(bob).post(f"/api/consultations/{consultation.pk}/convert/", {})
    assert response.status_code == 404
    assert [c["id"] for c in api_client(bob).get("/api/consultations/").json()] == []
