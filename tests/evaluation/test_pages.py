"""Every evaluation page is reached by clicking from where its role lands: the case page's
section (the organization, the institution, the parties), the administrators' organization
page, the expert's navigation; Chinese by default, English under /en/."""

from __future__ import annotations

import re

import pytest

from accord.evaluation.models import Evaluation, ExpertAppointment
from tests.evaluation.conftest import REPORT, appointed, declared, requested
from tests.evaluation.test_appointments import employed_by

pytestmark = pytest.mark.django_db


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_an_administrator_asks_and_appoints_by_clicking(client, mediating, ada, erin, org, bank):
    employed_by(erin, org, bank)
    client.force_login(ada)
    case_page = client.get(f"/en/cases/{mediating.case_no}/").content.decode()
    assert 'data-testid="evaluation-request-form"' in case_page
    request_url = f"/en/evaluation/cases/{mediating.case_no}/request/"
    assert request_url in case_page
    asked = client.post(request_url, {"ground": "typical", "reason": "典型案例，需专业评估。"})
    evaluation = Evaluation.objects.get()
    assert asked.status_code == 302 and asked["Location"] == f"/en/evaluation/{evaluation.uuid}/"

    page = client.get(asked["Location"]).content.decode()
    appoint_url = f"/en/evaluation/{evaluation.uuid}/appoint/"
    assert appoint_url in _links(page)
    form = client.get(appoint_url)
    assert erin.display_name in form.content.decode()

    refused = client.post(appoint_url, {"expert": erin.pk})
    assert refused.status_code == 409
    text = refused.content.decode()
    assert "Employed by 示例银行" in text
    assert 'type="checkbox" name="override"' in text  # the override is offered now
    assert not ExpertAppointment.objects.exists()

    done = client.post(
        appoint_url, {"expert": erin.pk, "override": "on", "override_reason": "唯一相关专家"}
    )
    assert done.status_code == 302
    assert ExpertAppointment.objects.get().expert == erin


def test_the_organization_page_links_the_list_of_evaluations(client, mediating, ada, org):
    client.force_login(ada)
    manage = client.get(f"/en/orgs/manage/{org.code}/").content.decode()
    overview = f"/en/evaluation/org/{org.code}/"
    assert overview in _links(manage)
    evaluation = requested(mediating, ada)
    listed = client.get(overview).content.decode()
    assert f"/en/evaluation/{evaluation.uuid}/" in _links(listed)


def test_the_expert_lands_on_their_evaluations_and_works_by_clicking(client, mediating, ada, erin):
    evaluation, _appointment = appointed(mediating, ada, erin)
    client.force_login(erin)
    home = client.get("/en/cases/").content.decode()
    assert 'data-testid="nav-evaluations"' in home
    assert "/en/evaluation/" in _links(home)
    mine = client.get("/en/evaluation/").content.decode()
    detail_url = f"/en/evaluation/{evaluation.uuid}/"
    assert detail_url in _links(mine)

    missing = client.post(f"{detail_url}declare/", {"declaration": "无利害关系"})
    assert missing.status_code == 400
    assert "Confirm that you are independent" in missing.content.decode()
    client.post(f"{detail_url}declare/", {"declaration": "无利害关系", "confirmed": "on"})
    page = client.get(detail_url).content.decode()
    assert 'data-testid="dossier"' in page and 'data-testid="report-form"' in page

    drafted = client.post(
        f"{detail_url}report/",
        {
            "questions": REPORT.questions,
            "findings": REPORT.findings,
            "analysis": REPORT.analysis,
            "opinion": REPORT.opinion,
        },
    )
    assert drafted.status_code == 302
    page = client.get(detail_url).content.decode()
    assert 'data-testid="deliver-form"' in page
    assert client.post(f"{detail_url}report/deliver/").status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "reported"


def test_the_institution_asks_from_its_case_page(client, mediating, ben):
    client.force_login(ben)
    case_page = client.get(f"/cases/{mediating.case_no}/").content.decode()
    assert 'data-testid="evaluation-request-form"' in case_page
    assert "中立评估" in case_page
    response = client.post(
        f"/evaluation/cases/{mediating.case_no}/request/", {"reason": "疑难投诉，请求评估。"}
    )
    assert response.status_code == 302
    assert Evaluation.objects.get().ground == "hard_complaint"


def test_the_applicant_sees_the_section_without_the_request_form(
    client, mediating, ada, erin, alice
):
    client.force_login(alice)
    assert "evaluation-section" not in client.get(f"/cases/{mediating.case_no}/").content.decode()
    assert client.get(f"/evaluation/cases/{mediating.case_no}/request/").status_code == 403
    evaluation, _appointment = declared(mediating, ada, erin)
    page = client.get(f"/cases/{mediating.case_no}/").content.decode()
    assert 'data-testid="evaluation-section"' in page
    assert 'data-testid="evaluation-request-form"' not in page
    assert f"/evaluation/{evaluation.uuid}/" in _links(page)


def test_pages_are_chinese_by_default(client, mediating, ada, erin):
    evaluation, _appointment = appointed(mediating, ada, erin)
    client.force_login(erin)
    page = client.get(f"/evaluation/{evaluation.uuid}/").content.decode()
    assert "声明独立性" in page
    assert "Declare your independence" not in page
    english = client.get(f"/en/evaluation/{evaluation.uuid}/").content.decode()
    assert "Declare your independence" in english
