"""The financial product a dispute is about: named on the form and in the API, kept on the
case (what the statistics and the early warning group by), shown on the case page."""

from __future__ import annotations

import pytest

from accord.cases.models import Case
from tests.cases.conftest import api_client, snapshot
from tests.cases.factories import api_application
from tests.cases.test_pages import form_data

pytestmark = pytest.mark.django_db


def test_the_form_keeps_the_product_and_the_case_page_shows_it(client, alice, org, bank):
    client.force_login(alice)
    response = client.post("/en/cases/apply/", form_data(org, bank, product="  稳盈一号理财  "))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.product == "稳盈一号理财"
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert "Financial product" in page and "稳盈一号理财" in page


def test_the_product_is_optional(client, alice, org, bank):
    client.force_login(alice)
    assert client.post("/en/cases/apply/", form_data(org, bank)).status_code == 302
    assert Case.objects.get().product == ""


def test_the_api_takes_and_returns_the_product(alice, org, bank):
    body = api_application(organization="FMC", respondent="BANK", product="安心保重疾险")
    response = api_client(alice).post("/api/cases/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["product"] == "安心保重疾险"
    assert Case.objects.get().product == "安心保重疾险"


def test_a_product_name_too_long_is_refused_and_nothing_is_written(alice, org, bank):
    before = snapshot()
    body = api_application(organization="FMC", respondent="BANK", product="产" * 201)
    response = api_client(alice).post("/api/cases/", body, format="json")
    assert response.status_code == 400
    assert "product" in response.json()["error"]["fields"]
    assert snapshot() == before
