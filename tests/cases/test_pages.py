"""The server-rendered pages: forms that work on a phone, field errors from the
services, the prefilled conversion, and the case timeline from the trace."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accord.audit.models import TraceEvent
from accord.cases import services
from accord.cases.models import Case, Consultation
from tests.cases.conftest import snapshot

pytestmark = pytest.mark.django_db


def form_data(org, bank, **overrides) -> dict:
    data = {
        "organization": org.pk,
        "respondent": bank.pk,
        "applicant_type": "natural_person",
        "applicant_name": "张三",
        "applicant_phone": "13900000001",
        "business_type": "bank_card",
        "dispute_nature": "civil_commercial",
        "amount": "800.00",
        "description": "信用卡被盗刷。",
        "claims": "退还被盗刷金额",
    }
    data.update(overrides)
    return data


def test_the_url_names():
    with translation.override("zh-hans"):
        assert_url_names()


def assert_url_names():
    assert reverse("cases:my_cases") == "/cases/"
    assert reverse("cases:apply") == "/cases/apply/"
    assert reverse("cases:consult") == "/cases/consult/"
    assert reverse("cases:detail", args=["FMC-2026-00001"]) == "/cases/FMC-2026-00001/"


def test_the_application_form_is_prefilled_from_the_account_and_fits_a_phone(client, alice, org):
    client.force_login(alice)
    page = client.get("/en/cases/apply/").content.decode()
    assert 'name="viewport"' in page
    assert 'value="13900000001"' in page and 'type="tel"' in page
    assert 'inputmode="decimal"' in page
    assert "金融纠纷调解中心" in page


def test_applying_on_the_page_opens_a_case(client, alice, org, bank):
    client.force_login(alice)
    response = client.post("/en/cases/apply/", form_data(org, bank))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/cases/{case.case_no}/"
    assert case.applicant == alice and case.business_type == "bank_card"


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"business_type": "not_financial"}, "business_type", "Only disputes arising from"),
        ({"dispute_nature": "criminal"}, "dispute_nature", "Only civil and commercial"),
        ({"amount": "-5"}, "amount", "cannot be negative"),
        (
            {"applicant_type": "legal_person", "applicant_name": "某公司"},
            "credit_code",
            "credit code is needed",
        ),
    ],
)
def test_a_refused_application_shows_the_error_at_its_field_and_writes_nothing(
    client, alice, org, bank, overrides, field, message
):
    client.force_login(alice)
    before = snapshot()
    response = client.post("/en/cases/apply/", form_data(org, bank, **overrides))
    assert response.status_code == 200
    page = response.content.decode()
    # The message sits in the field's own group, beside its input.
    groups = [g for g in page.split('<div class="field') if f'name="{field}"' in g]
    assert len(groups) == 1
    assert groups[0].startswith(' has-error">')
    assert message in groups[0]
    assert snapshot() == before


def test_a_respondent_that_is_not_an_institution_cannot_even_be_chosen(client, alice, org, bank):
    client.force_login(alice)
    before = snapshot()
    response = client.post("/en/cases/apply/", form_data(org, bank, respondent=org.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before


def test_the_consultation_form_takes_its_topic_from_the_home_page_entry(client, alice, org):
    client.force_login(alice)
    page = client.get("/en/cases/consult/?topic=arbitration").content.decode()
    assert re.search(r'<option value="arbitration" selected>', page)
    page = client.get("/en/cases/consult/?topic=bogus").content.decode()
    assert re.search(r'<option value="consultation" selected>', page)


def test_asking_answering_and_converting_on_the_pages(client, alice, mia, org, bank):
    client.force_login(alice)
    response = client.post(
        "/en/cases/consult/",
        {
            "topic": "mediation",
            "organization": org.pk,
            "respondent": bank.pk,
            "business_type": "insurance",
            "amount": "5000",
            "description": "保险理赔被拒。",
            "contact_name": "Alice",
            "contact_phone": "13900000001",
        },
    )
    consultation = Consultation.objects.get()
    assert response["Location"] == f"/en/cases/consultations/{consultation.pk}/"

    client.force_login(mia)
    response = client.post(f"/en/cases/consultations/{consultation.pk}/", {"answer": "可以调解。"})
    assert response.status_code == 302

    client.force_login(alice)
    page = client.get(f"/en/cases/consultations/{consultation.pk}/").content.decode()
    assert "可以调解。" in page
    assert f"/en/cases/consultations/{consultation.pk}/convert/" in page
    # The prefilled application carries everything already said.
    form = client.get(f"/en/cases/consultations/{consultation.pk}/convert/").content.decode()
    assert "保险理赔被拒。" in form
    assert 'value="5000' in form
    assert re.search(r'<option value="insurance" selected>', form)
    assert re.search(rf'<option value="{bank.pk}" selected>', form)
    response = client.post(
        f"/en/cases/consultations/{consultation.pk}/convert/",
        form_data(org, bank, business_type="insurance", description="保险理赔被拒。"),
    )
    case = Case.objects.get()
    assert response["Location"] == f"/en/cases/{case.case_no}/"
    assert case.consultation == consultation


def test_only_staff_of_the_organization_may_answer(client, alice, ben, org, bank):
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
    client.force_login(alice)
    assert (
        client.post(f"/en/cases/consultations/{consultation.pk}/", {"answer": "x"}).status_code
        == 403
    )
    client.force_login(ben)
    assert client.get(f"/en/cases/consultations/{consultation.pk}/").status_code == 404


def test_the_detail_page_shows_the_timeline_in_words_without_hashes(client, case, ada, alice):
    services.case_accept(case=case, user=ada)
    client.force_login(alice)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    for event in TraceEvent.objects.filter(chain=case.chain):
        assert event.hash[:12] not in page  # hashes are on the verification page
        assert event.action not in page
    assert "Case submitted" in page and "Accepted" in page
    assert "Ada" in page  # the actor by name


def test_pages_render_in_chinese_by_default(alice, org, bank):
    client = Client()
    client.force_login(alice)
    page = client.get("/cases/apply/").content.decode()  # no prefix: the default language
    assert 'lang="zh-hans"' in page
    assert "申请调解" in page and "提交申请" in page and "理财产品" in page
    response = client.post("/cases/apply/", form_data(org, bank, business_type="not_financial"))
    assert "本平台只调解因金融业务产生的纠纷。" in response.content.decode()


def test_a_regulator_officer_refers_a_complaint_on_the_page(client, olga, org, bank, alice):
    client.force_login(olga)
    page = client.get("/en/cases/").content.decode()
    assert "/en/cases/refer/" in page
    data = form_data(org, bank, complaint_reference="TS-9")
    data["regulator"] = olga.memberships.get().organization_id
    response = client.post("/en/cases/refer/", data)
    case = Case.objects.get()
    assert response["Location"] == f"/en/cases/{case.case_no}/"
    assert (case.channel, case.regulator_reference, case.applicant) == ("regulator", "TS-9", alice)


def test_only_regulator_officers_may_refer(client, alice, ada):
    for user in (alice, ada):
        client.force_login(user)
        assert client.get("/en/cases/refer/").status_code == 403


def test_the_organization_records_signing_for_court_materials_on_the_page(
    client, cleo, court, ada, application
):
    case = services.case_entrust_by_court(
        clerk=cleo,
        court=court,
        application=application(),
        court_case_no="(2026)民初9号",
        entrusted_on=date(2026, 3, 2),
    )
    client.force_login(cleo)
    assert "/materials/" not in client.get(f"/en/cases/{case.case_no}/").content.decode()
    client.force_login(ada)
    assert "/materials/" in client.get(f"/en/cases/{case.case_no}/").content.decode()
    response = client.post(f"/en/cases/{case.case_no}/materials/", {"signed_on": "2026-03-01"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.materials_signed_on is None  # before the entrustment: refused
    client.post(f"/en/cases/{case.case_no}/materials/", {"signed_on": "2026-03-03"})
    case.refresh_from_db()
    assert case.materials_signed_on == date(2026, 3, 3)
