"""The application form: every problem on the first submit, summarized at the top
with links to the fields; required fields marked; organizations offered by name; the
legal-person fields grouped apart and ignored for a natural person."""

from __future__ import annotations

import re

import pytest

from accord.cases.models import Case
from tests.cases.conftest import snapshot
from tests.cases.test_pages import form_data

pytestmark = pytest.mark.django_db


def field_group(page: str, name: str) -> str:
    groups = [g for g in page.split('<div class="field') if f'name="{name}"' in g]
    assert len(groups) == 1
    return groups[0]


def test_every_problem_shows_on_the_first_submit(client, alice, org, bank):
    client.force_login(alice)
    before = snapshot()
    data = form_data(
        org,
        bank,
        amount="abc",  # does not parse
        business_type="not_financial",  # out of scope
        dispute_nature="criminal",  # out of scope
        applicant_phone="12",  # malformed
        description="",
    )
    page = client.post("/en/cases/apply/", data).content.decode()
    for name in ("amount", "business_type", "dispute_nature", "applicant_phone", "description"):
        assert field_group(page, name).startswith(' has-error">'), name
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary
    for anchor in ("id_amount", "id_business_type", "id_dispute_nature_0", "id_applicant_phone"):
        assert f'href="#{anchor}"' in summary.group(0)
    assert "Only disputes arising from financial business" in summary.group(0)
    assert snapshot() == before


def test_required_fields_are_marked(client, alice, org):
    client.force_login(alice)
    page = client.get("/en/cases/apply/").content.decode()
    assert re.search(r'<label[^>]*class="required"[^>]*for="id_applicant_name"', page) or re.search(
        r'<label[^>]*for="id_applicant_name"[^>]*class="required"', page
    )
    assert not re.search(r'<label[^>]*class="required"[^>]*for="id_claims"', page)
    assert "are required" in page


def test_organizations_are_offered_by_name_without_codes(client, alice, org, bank):
    client.force_login(alice)
    page = client.get("/en/cases/apply/").content.decode()
    assert f'<option value="{org.pk}">金融纠纷调解中心</option>' in page
    assert f'<option value="{bank.pk}">示例银行</option>' in page
    assert "(FMC)" not in page and "(BANK)" not in page


def test_the_legal_person_fields_are_grouped_for_the_script_to_hide(client, alice, org):
    client.force_login(alice)
    page = client.get("/en/cases/apply/").content.decode()
    group = re.search(
        r'<fieldset[^>]*data-applicant-group="organization".*?</fieldset>', page, re.S
    )
    assert group and 'name="credit_code"' in group.group(0)
    assert 'name="representative"' in group.group(0)
    assert "js/cases/application.js" in page


def test_a_natural_person_s_stray_legal_person_fields_are_ignored(client, alice, org, bank):
    client.force_login(alice)
    data = form_data(org, bank, credit_code="NOT-A-CODE", representative="某人")
    response = client.post("/en/cases/apply/", data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.credit_code, case.representative) == ("", "")


def test_a_legal_person_gets_both_missing_fields_at_once(client, alice, org, bank):
    client.force_login(alice)
    data = form_data(org, bank, applicant_type="legal_person", applicant_name="某公司")
    page = client.post("/en/cases/apply/", data).content.decode()
    assert "credit code is needed" in field_group(page, "credit_code")
    assert "legal representative" in field_group(page, "representative")
    assert Case.objects.count() == 0


def test_the_summary_is_in_chinese_by_default(client, alice, org, bank):
    client.force_login(alice)
    page = client.post("/cases/apply/", form_data(org, bank, amount="abc")).content.decode()
    assert "请修改以下各项" in page
