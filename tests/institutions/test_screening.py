"""The institution's dispute list and screening report: only its own cases, filtered, and
counted per product × stage group and per business type for a period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accord.cases import services
from accord.cases.models import Case, CaseState
from accord.institutions.selectors import CaseFilter, institution_cases, screening_report

from .conftest import client_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(alice, application, drive, other_bank) -> dict[str, Case]:
    """BANK: two 稳盈理财 (one new, one in agreement), one loan 房贷 failed, one without a
    product withdrawn; INS: one 稳盈理财 (another institution's)."""

    def apply(state: CaseState, **overrides) -> Case:
        made = services.case_apply(applicant=alice, application=application(**overrides))
        return drive(made, state)

    made = {
        "new": apply(CaseState.SUBMITTED, product="稳盈理财"),
        "agreed": apply(CaseState.AGREEMENT, product="稳盈理财"),
        "failed": apply(CaseState.FAILED, product="房贷", business_type="loan"),
        "withdrawn": apply(CaseState.WITHDRAWN),
        "elsewhere": apply(CaseState.MEDIATING, product="稳盈理财", respondent=other_bank),
    }
    # The withdrawn case came in last year.
    Case.objects.filter(pk=made["withdrawn"].pk).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    return made


def test_the_dispute_list_shows_only_the_institutions_cases(bank, ben, cases) -> None:
    url = reverse("institutions:cases", kwargs={"code": bank.code})
    response = client_of(ben).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for key in ("new", "agreed", "failed", "withdrawn"):
        assert reverse("cases:detail", kwargs={"case_no": cases[key].case_no}) in page
    assert cases["elsewhere"].case_no not in page
    rows = client_of(ben).get(url, {"business_type": "loan"}).context["page"]
    assert [case.pk for case in rows] == [cases["failed"].pk]
    rows = client_of(ben).get(url, {"product": "稳盈"}).context["page"]
    assert {case.pk for case in rows} == {cases["new"].pk, cases["agreed"].pk}
    rows = client_of(ben).get(url, {"stage": "agreement"}).context["page"]
    assert [case.pk for case in rows] == [cases["agreed"].pk]
    rows = client_of(ben).get(url, {"state": "withdrawn"}).context["page"]
    assert [case.pk for case in rows] == [cases["withdrawn"].pk]
    since = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    rows = client_of(ben).get(url, {"date_from": since}).context["page"]
    assert cases["withdrawn"].pk not in {case.pk for case in rows} and len(rows) == 3
    # The staff member opens the case from the list.
    detail = reverse("cases:detail", kwargs={"case_no": cases["failed"].case_no})
    assert client_of(ben).get(detail).status_code == 200


def test_a_bad_period_is_a_field_error(bank, ben, cases) -> None:
    url = reverse("institutions:cases", kwargs={"code": bank.code})
    response = client_of(ben).get(url, {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert response.status_code == 400
    assert "date_to" in response.context["form"].errors
    report = reverse("institutions:report", kwargs={"code": bank.code})
    response = client_of(ben).get(report, {"date_from": "not a date"})
    assert response.status_code == 400
    assert "date_from" in response.context["form"].errors


def test_the_selector_finds_the_four_cases(bank, cases) -> None:
    assert institution_cases(bank, CaseFilter()).count() == 4


def test_the_report_counts_per_product_and_stage(bank, ben, cases) -> None:
    report = screening_report(bank, date_from=None, date_to=None)
    by_product = {row.key: row.counts for row in report.by_product}
    assert by_product == {
        "稳盈理财": {"new": 1, "agreement": 1},
        "房贷": {"not_agreed": 1},
        "": {"other_ended": 1},
    }
    by_type = {row.key: row.cells for row in report.by_business_type}
    assert by_type == {"wealth_management": [1, 0, 1, 0, 1], "loan": [0, 0, 0, 1, 0]}
    assert report.totals.total == 4
    assert report.totals.cells == [1, 0, 1, 1, 1]
    recent = screening_report(
        bank, date_from=timezone.localdate() - dt.timedelta(days=30), date_to=None
    )
    assert recent.totals.total == 3
    assert "" not in {row.key for row in recent.by_product}
    # INS sees its own case only.
    other = screening_report(cases["elsewhere"].respondent, date_from=None, date_to=None)
    assert {row.key: row.counts for row in other.by_product} == {"稳盈理财": {"mediating": 1}}

    response = client_of(ben).get(reverse("institutions:report", kwargs={"code": bank.code}))
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        'data-product="稳盈理财"><td>稳盈理财</td><td>1</td><td>0</td><td>1</td><td>0</td><td>0</td><td>2</td>'
        in page
    )
