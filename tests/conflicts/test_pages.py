"""The pages: assigning with the conflict shown on the mediator field and an override offered,
replacing the mediator, applying for and deciding a recusal, self-recusal, the declaration
pages and the links that reach them; and the API's override and replacement endpoint."""

from __future__ import annotations

import re

import pytest

from accord.cases.models import CaseState
from accord.conflicts.models import RecusalApplication, Relationship
from accord.conflicts.services import recusal_apply
from tests.cases.conftest import api_client, snapshot
from tests.conflicts.conftest import actions, employed

pytestmark = pytest.mark.django_db


def action_form(page: str, to: str) -> str:
    found = re.search(rf'<form[^>]*data-testid="action-{to}".*?</form>', page, re.S)
    assert found, f"no action form for {to}"
    return found.group(0)


def test_assigning_a_conflicted_mediator_shows_the_conflict_and_offers_the_override(
    client, accepted, ada, mia, org, bank
):
    employed(mia, org, bank)
    client.force_login(ada)
    url = f"/en/cases/{accepted.case_no}/transition/"
    before = snapshot()
    response = client.post(url, {"to": "assigned", "mediator": mia.pk})
    assert response.status_code == 409
    form = action_form(response.content.decode(), "assigned")
    error = re.search(r'data-testid="mediator-error">(.*?)</ul>', form, re.S)
    assert error and "Employed by 示例银行 from 2019-01-01 to present" in error.group(1)
    assert 'data-testid="override-fields"' in form and 'name="override_reason"' in form
    assert f'<option value="{mia.pk}" selected>' in form
    assert snapshot() == before

    response = client.post(url, {"to": "assigned", "mediator": mia.pk, "override": "on"})
    assert response.status_code == 400
    form = action_form(response.content.decode(), "assigned")
    assert "Required to override a conflict." in form and "checked" in form
    assert snapshot() == before

    response = client.post(
        url,
        {"to": "assigned", "mediator": mia.pk, "override": "on", "override_reason": "当事人同意"},
    )
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert (accepted.state, accepted.mediator) == (CaseState.ASSIGNED, mia)
    assert "conflict.overridden" in actions(accepted)


def test_the_admin_replaces_the_mediator_from_the_case_page(
    client, mediating, ada, mia, max_, org, bank
):
    employed(max_, org, bank)
    client.force_login(ada)
    page = client.get(f"/en/cases/{mediating.case_no}/").content.decode()
    assert f'href="/en/conflicts/cases/{mediating.case_no}/mediator/"' in page
    url = f"/en/conflicts/cases/{mediating.case_no}/mediator/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"mediator": max_.pk, "reason": "工作调整"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Employed by 示例银行" in html and 'type="checkbox" name="override"' in html
    response = client.post(
        url,
        {"mediator": max_.pk, "reason": "工作调整", "override": "on", "override_reason": "同意"},
    )
    assert response.status_code == 302
    mediating.refresh_from_db()
    assert mediating.mediator == max_
    client.force_login(mia)
    assert client.get(f"/en/cases/{mediating.case_no}/").status_code == 404


def test_a_party_applies_from_the_case_page_and_an_outsider_gets_404(
    client, mediating, alice, charlie
):
    client.force_login(alice)
    page = client.get(f"/en/cases/{mediating.case_no}/").content.decode()
    assert 'data-testid="recusal-apply-form"' in page
    url = f"/en/conflicts/cases/{mediating.case_no}/recusal/"
    response = client.post(url, {"grounds": "调解员与被申请人有利害关系"})
    assert response.status_code == 302
    page = client.get(f"/en/cases/{mediating.case_no}/").content.decode()
    assert 'data-testid="recusal-pending"' in page and "recusal-apply-form" not in page
    client.force_login(charlie)
    before = snapshot()
    assert client.post(url, {"grounds": "x"}).status_code == 404
    assert snapshot() == before


def test_the_admin_sees_pending_applications_with_due_dates_and_decides_once(
    client, mediating, alice, ada, org
):
    application = recusal_apply(case=mediating, user=alice, grounds="亲属关系")
    assert application.due_on is not None
    due = application.due_on.isoformat()
    client.force_login(ada)
    manage = client.get(f"/en/orgs/manage/{org.code}/").content.decode()
    assert f'href="/en/conflicts/orgs/{org.code}/"' in manage
    overview = client.get(f"/en/conflicts/orgs/{org.code}/").content.decode()
    table = re.search(r'data-testid="pending-recusals".*?</table>', overview, re.S)
    assert table and mediating.case_no in table.group(0)
    assert due in table.group(0)
    url = f"/en/conflicts/recusals/{application.pk}/"
    page = client.get(url).content.decode()
    assert "亲属关系" in page and due in page
    response = client.post(url, {"decision": "rejected", "reason": "理由不成立"})
    assert response.status_code == 302
    response = client.post(url, {"decision": "granted", "reason": "再次"})
    assert response.status_code == 409
    assert "already decided" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "rejected"


def test_a_party_cannot_open_the_decision_page(client, mediating, alice):
    application = recusal_apply(case=mediating, user=alice, grounds="亲属关系")
    client.force_login(alice)
    assert client.get(f"/en/conflicts/recusals/{application.pk}/").status_code == 404


def test_the_mediator_withdraws_from_the_case_page(client, mediating, mia):
    client.force_login(mia)
    page = client.get(f"/en/cases/{mediating.case_no}/").content.decode()
    assert 'data-testid="self-recusal-form"' in page
    response = client.post(
        f"/en/conflicts/cases/{mediating.case_no}/withdraw/", {"reason": "本人回避"}
    )
    assert response.status_code == 302
    assert client.get(f"/en/cases/{mediating.case_no}/").status_code == 404


def test_a_mediator_declares_from_the_nav_link(client, mia, bank):
    client.force_login(mia)
    home = client.get("/en/cases/").content.decode()
    assert 'href="/en/conflicts/relationships/"' in home
    response = client.post(
        "/en/conflicts/relationships/",
        {"kind": "employment", "institution": bank.pk, "started_on": "2019-01-01"},
    )
    assert response.status_code == 302
    page = client.get("/en/conflicts/relationships/").content.decode()
    assert "Employed by 示例银行 from 2019-01-01 to present" in page
    response = client.post("/en/conflicts/relationships/", {"kind": "kinship"})
    assert (
        response.status_code == 200 and "Give the person&#x27;s name." in response.content.decode()
    )
    assert Relationship.objects.count() == 1


def test_the_admin_declares_for_a_mediator_and_an_outsider_cannot_see_it(
    client, ada, mia, charlie, org
):
    client.force_login(ada)
    response = client.post(
        f"/en/conflicts/orgs/{org.code}/relationships/new/",
        {"mediator": mia.pk, "kind": "kinship", "person_name": "李四"},
    )
    assert response.status_code == 302
    relationship = Relationship.objects.get()
    assert relationship.declared_by == ada
    client.force_login(charlie)
    assert client.get(f"/en/conflicts/relationships/{relationship.pk}/").status_code == 404
    assert client.get(f"/en/conflicts/orgs/{org.code}/").status_code == 404


def test_the_api_refuses_then_accepts_an_override(accepted, ada, mia, org, bank):
    employed(mia, org, bank)
    api = api_client(ada)
    url = f"/api/cases/{accepted.case_no}/transitions/"
    refused = api.post(url, {"to": "assigned", "mediator": mia.pk}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "mediator_conflict"
    assert "mediator" in refused.json()["error"]["fields"]
    no_reason = api.post(
        url, {"to": "assigned", "mediator": mia.pk, "override": True}, format="json"
    )
    assert (no_reason.status_code, no_reason.json()["error"]["code"]) == (400, "reason_required")
    done = api.post(
        url,
        {"to": "assigned", "mediator": mia.pk, "override": True, "override_reason": "同意"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["state"] == "assigned"


def test_the_api_replaces_the_mediator(mediating, ada, mia, max_, alice):
    url = f"/api/cases/{mediating.case_no}/mediator/"
    assert (
        api_client(alice).post(url, {"mediator": max_.pk, "reason": "x"}, format="json").status_code
        == 403
    )
    no_reason = api_client(ada).post(url, {"mediator": max_.pk}, format="json")
    assert (no_reason.status_code, no_reason.json()["error"]["code"]) == (400, "reason_required")
    done = api_client(ada).post(url, {"mediator": max_.pk, "reason": "工作调整"}, format="json")
    assert done.status_code == 200
    mediating.refresh_from_db()
    assert mediating.mediator == max_
    assert api_client(mia).get(f"/api/cases/{mediating.case_no}/").status_code == 404
    assert RecusalApplication.objects.count() == 0
