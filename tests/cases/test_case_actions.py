"""The case page's buttons name the action, ask again before a move that refuses or
ends something, and look different for refusing and forward moves."""

from __future__ import annotations

import re

import pytest

from accord.cases.models import CaseState
from tests.cases.conftest import snapshot

pytestmark = pytest.mark.django_db


def action_form(page: str, to: str) -> str:
    found = re.search(rf'<form[^>]*data-testid="action-{to}".*?</form>', page, re.S)
    assert found, f"no action form for {to}"
    return found.group(0)


def test_the_applicant_sees_withdraw_not_withdrawn(client, case, alice):
    client.force_login(alice)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    form = action_form(page, "withdrawn")
    assert "Withdraw the application" in form
    assert ">Withdrawn<" not in form
    assert "<details" in form and "Confirm: Withdraw the application" in form
    assert "action-refusing" in form


def test_the_buttons_read_as_actions_in_chinese(client, case, alice, ada):
    client.force_login(alice)
    page = client.get(f"/cases/{case.case_no}/").content.decode()
    assert "撤回申请" in action_form(page, "withdrawn")
    client.force_login(ada)
    page = client.get(f"/cases/{case.case_no}/").content.decode()
    accept, decline = action_form(page, "accepted"), action_form(page, "declined")
    assert "受理" in accept and "已受理" not in accept
    assert "不予受理" in decline
    assert "action-forward" in accept and "<details" not in accept
    assert "action-refusing" in decline and "<details" in decline


def test_the_admin_assigns_a_mediator_with_a_button_saying_so(client, case, ada, mia, drive):
    drive(case, CaseState.ACCEPTED)
    client.force_login(ada)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    form = action_form(page, "assigned")
    assert "Assign a mediator" in form and "Mediator assigned" not in form
    response = client.post(
        f"/en/cases/{case.case_no}/transition/", {"to": "assigned", "mediator": mia.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.mediator) == (CaseState.ASSIGNED, mia)


def test_withdrawing_without_the_confirmation_asks_on_a_page_and_changes_nothing(
    client, case, alice
):
    client.force_login(alice)
    before = snapshot()
    response = client.post(f"/en/cases/{case.case_no}/transition/", {"to": "withdrawn"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Withdraw your application?" in page
    assert 'name="confirmed"' in page and 'value="withdrawn"' in page
    assert f'href="/en/cases/{case.case_no}/"' in page  # a way back
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert snapshot() == before


def test_withdrawing_with_the_confirmation_withdraws(client, case, alice):
    client.force_login(alice)
    response = client.post(
        f"/en/cases/{case.case_no}/transition/", {"to": "withdrawn", "confirmed": "on"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN


def test_declining_keeps_the_reason_through_the_confirmation_page(client, case, ada):
    client.force_login(ada)
    response = client.post(
        f"/en/cases/{case.case_no}/transition/", {"to": "declined", "reason": "不属于受理范围"}
    )
    assert "不属于受理范围" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    client.post(
        f"/en/cases/{case.case_no}/transition/",
        {"to": "declined", "reason": "不属于受理范围", "confirmed": "on"},
    )
    case.refresh_from_db()
    assert (case.state, case.state_reason) == (CaseState.DECLINED, "不属于受理范围")


def test_accepting_needs_no_confirmation(client, case, ada):
    client.force_login(ada)
    client.post(f"/en/cases/{case.case_no}/transition/", {"to": "accepted"})
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED


@pytest.mark.parametrize("state", ["mediating"])
def test_the_mediator_ends_only_after_confirming(client, case, mia, drive, state):
    drive(case, CaseState(state))
    client.force_login(mia)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert "Record the agreement" in action_form(page, "agreement")
    terminate = action_form(page, "terminated")
    assert "Terminate the mediation" in terminate and "<details" in terminate
    client.post(f"/en/cases/{case.case_no}/transition/", {"to": "terminated", "reason": "x"})
    case.refresh_from_db()
    assert case.state == CaseState.MEDIATING
