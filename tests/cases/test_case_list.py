"""The case list: filters by state and channel, search by number, applicant and
institution, counts per state, newest first, pages; never more than the user may see."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accord.cases import services
from accord.cases.models import Case
from accord.cases.views import CASES_PER_PAGE

pytestmark = pytest.mark.django_db


def listed(page: str) -> list[str]:
    return re.findall(r'<td><a href="/en/cases/([^/]+)/">', page)


@pytest.fixture
def cases(alice, bob, ada, application, other_bank):
    first = services.case_apply(applicant=alice, application=application(applicant_name="张三"))
    second = services.case_apply(
        applicant=bob, application=application(applicant_name="李四", respondent=other_bank)
    )
    third = services.case_apply(applicant=bob, application=application(applicant_name="王五"))
    services.case_accept(case=third, user=ada)
    # Distinct creation times: newest first must not depend on the clock's resolution.
    for age, case in enumerate((third, second, first)):
        Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(hours=age))
    return first, second, third


def test_staff_see_applicant_and_channel_columns_newest_first(client, ada, cases):
    first, second, third = cases
    client.force_login(ada)
    page = client.get("/en/cases/").content.decode()
    assert listed(page) == [third.case_no, second.case_no, first.case_no]
    assert "<th>Applicant</th>" in page and "张三" in page and "李四" in page
    assert "Party application" in page


def test_counts_per_state_link_to_the_filtered_list(client, ada, cases):
    client.force_login(ada)
    page = client.get("/en/cases/").content.decode()
    submitted = re.search(r'data-testid="count-submitted">([^<]*)<span class="count">(\d+)', page)
    accepted = re.search(r'data-testid="count-accepted">[^<]*<span class="count">(\d+)', page)
    assert submitted and submitted.group(2) == "2"
    assert accepted and accepted.group(1) == "1"
    assert 'data-testid="count-declined"' not in page  # no case, no link


def test_filtering_by_state(client, ada, cases):
    client.force_login(ada)
    page = client.get("/en/cases/?state=accepted").content.decode()
    assert listed(page) == [cases[2].case_no]


def test_filtering_by_channel(client, ada, cases):
    client.force_login(ada)
    assert len(listed(client.get("/en/cases/?channel=application").content.decode())) == 3
    page = client.get("/en/cases/?channel=court").content.decode()
    assert listed(page) == []
    assert "No case matches these filters." in page


@pytest.mark.parametrize(
    "query,expected",
    [("李四", [1]), ("示例保险", [1]), ("INS", [1]), ("00001", [0]), ("张三 示例银行", [0])],
    ids=["applicant", "institution name", "institution code", "number", "two words"],
)
def test_searching(client, ada, cases, query, expected):
    client.force_login(ada)
    page = client.get("/en/cases/", {"q": query}).content.decode()
    assert listed(page) == [cases[i].case_no for i in expected]


def test_search_and_counts_combine(client, ada, cases):
    client.force_login(ada)
    page = client.get("/en/cases/", {"q": "示例银行"}).content.decode()
    submitted = re.search(r'data-testid="count-submitted">[^<]*<span class="count">(\d+)', page)
    assert submitted and submitted.group(1) == "1"
    assert "q=%E7%A4%BA%E4%BE%8B%E9%93%B6%E8%A1%8C&amp;state=submitted" in page


def test_bad_filter_values_are_ignored(client, ada, cases):
    client.force_login(ada)
    response = client.get("/en/cases/?state=bogus&channel=nope&page=x")
    assert response.status_code == 200
    assert len(listed(response.content.decode())) == 3


def test_the_list_never_shows_what_the_user_may_not_see(client, alice, charlie, cases):
    client.force_login(alice)
    assert listed(client.get("/en/cases/?q=李四").content.decode()) == []
    assert listed(client.get("/en/cases/").content.decode()) == [cases[0].case_no]
    client.force_login(charlie)
    assert listed(client.get("/en/cases/").content.decode()) == []


def test_the_list_is_paged(client, ada, alice, application):
    for _ in range(CASES_PER_PAGE + 2):
        services.case_apply(applicant=alice, application=application())
    client.force_login(ada)
    page = client.get("/en/cases/?state=submitted").content.decode()
    assert len(listed(page)) == CASES_PER_PAGE
    assert "state=submitted&amp;page=2" in page
    second = client.get("/en/cases/?state=submitted&page=2").content.decode()
    assert len(listed(second)) == 2
    assert "Page 2 of 2" in second
