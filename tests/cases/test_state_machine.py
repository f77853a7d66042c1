"""The state machine: every legal move by every allowed party, every other move
refused with illegal_transition (409), every wrong party refused, nothing changed."""

from __future__ import annotations

import itertools

import pytest

from accord.audit.models import TraceEvent
from accord.cases import services
from accord.cases.errors import IllegalTransition, NotAllowed
from accord.cases.models import Case, CaseState
from accord.cases.selectors import case_allowed_transitions
from accord.cases.states import OPEN_STATES, TRANSITIONS, Party, targets_from
from accord.core.api import ServiceError
from tests.cases.conftest import api_client, issue_failure_notice, snapshot

pytestmark = pytest.mark.django_db

S = CaseState
ALL_PAIRS = list(itertools.product(S, S))
LEGAL = [pair for pair in ALL_PAIRS if pair in TRANSITIONS]
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in TRANSITIONS]


def pair_id(pair: tuple[CaseState, CaseState]) -> str:
    return f"{pair[0].value}->{pair[1].value}"


@pytest.fixture
def drive(drive, ben):
    """The shared driver, plus ``not_mediated``: assigned (so that a mediator may close it),
    then the institution declines to mediate (the only way there: ``services.case_answer``)."""

    def go(case: Case, state: CaseState) -> Case:
        if state != S.NOT_MEDIATED:
            return drive(case, state)
        drive(case, S.ASSIGNED)
        services.case_answer(case=case, user=ben, decision="decline", reasons="不同意调解")
        assert case.state == S.NOT_MEDIATED
        return case

    return go


def test_the_table_is_the_documented_machine():
    assert set(targets_from(S.SUBMITTED)) == {S.ACCEPTED, S.DECLINED, S.WITHDRAWN}
    assert set(targets_from(S.ACCEPTED)) == {S.ASSIGNED, S.WITHDRAWN, S.NOT_MEDIATED}
    assert set(targets_from(S.ASSIGNED)) == {S.MEDIATING, S.WITHDRAWN, S.NOT_MEDIATED}
    assert set(targets_from(S.MEDIATING)) == {S.AGREEMENT, S.FAILED, S.TERMINATED, S.WITHDRAWN}
    for outcome in (S.AGREEMENT, S.FAILED, S.TERMINATED, S.WITHDRAWN, S.DECLINED, S.NOT_MEDIATED):
        assert targets_from(outcome) == [S.CLOSED]
    assert targets_from(S.CLOSED) == []
    # Withdrawal is possible exactly from the open states, and only by the applicant.
    assert {frm for (frm, to) in TRANSITIONS if to == S.WITHDRAWN} == OPEN_STATES
    assert {TRANSITIONS[(frm, S.WITHDRAWN)] for frm in OPEN_STATES} == {
        frozenset({Party.APPLICANT})
    }
    # Not mediated: only from accepted or assigned, and no party may ask for it (the
    # institution's answer makes the move).
    assert {frm for (frm, to) in TRANSITIONS if to == S.NOT_MEDIATED} == {S.ACCEPTED, S.ASSIGNED}
    assert {TRANSITIONS[(frm, S.NOT_MEDIATED)] for frm in (S.ACCEPTED, S.ASSIGNED)} == {frozenset()}
    assert len(LEGAL) == 19 and len(ILLEGAL) == 121 - 19


@pytest.mark.parametrize("frm", [S.ACCEPTED, S.ASSIGNED])
def test_nobody_moves_a_case_to_not_mediated_through_the_transition_service(
    frm, case, drive, alice, ada, mia, ben
):
    drive(case, frm)
    before = snapshot()
    for user in (alice, ada, mia, ben):
        assert S.NOT_MEDIATED not in case_allowed_transitions(case=case, user=user)
        with pytest.raises(NotAllowed) as caught:
            services.case_transition(case=case, user=user, to=S.NOT_MEDIATED, reason="理由")
        assert caught.value.code == "permission_denied"
    response = api_client(ben).post(
        f"/api/cases/{case.case_no}/transitions/",
        {"to": "not_mediated", "reason": "理由"},
        format="json",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")
    assert snapshot() == before
    case.refresh_from_db()
    assert case.state == frm


def _extra(to: CaseState, mia) -> dict:
    if to == S.ASSIGNED:
        return {"mediator": mia}
    return {"reason": "理由"}


@pytest.mark.parametrize("pair", ILLEGAL, ids=pair_id)
def test_every_illegal_transition_is_refused_and_changes_nothing(
    pair, case, drive, alice, ada, mia
):
    frm, to = pair
    drive(case, frm)
    before = snapshot()
    # Whoever tries, even the organization's administrator and the mediator.
    for user in (ada, mia, alice):
        with pytest.raises(IllegalTransition) as caught:
            services.case_transition(case=case, user=user, to=to, **_extra(to, mia))
        assert caught.value.code == "illegal_transition"
        assert caught.value.http_status == 409
    assert snapshot() == before
    case.refresh_from_db()
    assert case.state == frm


def _party_users(party: Party, alice, ada, mia):
    return {Party.APPLICANT: alice, Party.ORG_ADMIN: ada, Party.MEDIATOR: mia}[party]


# A declined case never had a mediator, so only its administrator can close it.
LEGAL_BY_PARTY = [
    (pair, party)
    for pair in LEGAL
    for party in sorted(TRANSITIONS[pair])
    if (pair, party) != ((S.DECLINED, S.CLOSED), Party.MEDIATOR)
]


@pytest.mark.parametrize(
    "pair,party", LEGAL_BY_PARTY, ids=[f"{pair_id(p)} by {who}" for p, who in LEGAL_BY_PARTY]
)
def test_every_legal_transition_works_for_each_allowed_party_and_leaves_one_event(
    pair, party, case, drive, alice, ada, mia
):
    frm, to = pair
    drive(case, frm)
    # Only the case's own events: the apps above follow a move on its chain (deadline.*).
    moves = TraceEvent.objects.filter(chain=case.chain, action__startswith="case.")
    events_before = moves.count()
    if to == S.CLOSED and frm in (S.FAILED, S.TERMINATED):
        issue_failure_notice(case, mia)  # required before closing (outcomes, R14)
        events_before = moves.count()
    user = _party_users(party, alice, ada, mia)
    assert to in case_allowed_transitions(case=case, user=user)
    services.case_transition(case=case, user=user, to=to, **_extra(to, mia))
    case.refresh_from_db()
    assert case.state == to
    events = list(moves.order_by("seq"))
    assert len(events) == events_before + 1
    last = events[-1]
    assert last.action == f"case.{to.value}"
    assert last.payload["from"] == frm.value and last.payload["to"] == to.value
    assert last.payload["reason"] == ("" if to == S.ASSIGNED else "理由")
    assert last.actor["user_id"] == user.pk
    assert last.actor["role"] == party.value


@pytest.mark.parametrize("pair", LEGAL, ids=pair_id)
def test_every_legal_transition_is_refused_to_the_wrong_parties(
    pair, case, drive, alice, bob, ada, mia, max_, ben, charlie
):
    frm, to = pair
    drive(case, frm)
    allowed = TRANSITIONS[pair]
    # Never a party of this case, or (ben, the institution) one no move of the table is for.
    wrong = [bob, max_, ben, charlie]
    wrong += [u for p, u in ((Party.APPLICANT, alice), (Party.ORG_ADMIN, ada)) if p not in allowed]
    if Party.MEDIATOR not in allowed or case.mediator_id != mia.pk:
        wrong.append(mia)
    before = snapshot()
    for user in wrong:
        with pytest.raises(NotAllowed) as caught:
            services.case_transition(case=case, user=user, to=to, **_extra(to, mia))
        assert caught.value.code == "permission_denied"
        assert to not in case_allowed_transitions(case=case, user=user)
    assert snapshot() == before


def test_a_decline_needs_a_reason(case, ada):
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        services.case_decline(case=case, user=ada, reason="  ")
    assert caught.value.code == "reason_required"
    assert caught.value.fields == {"reason": ["Required."]}
    assert snapshot() == before


def test_a_termination_needs_a_reason(case, drive, mia):
    drive(case, S.MEDIATING)
    with pytest.raises(ServiceError) as caught:
        services.case_record_outcome(case=case, user=mia, outcome=S.TERMINATED)
    assert caught.value.code == "reason_required"


def test_the_declined_reason_is_kept_and_traced(case, ada):
    services.case_decline(case=case, user=ada, reason="非金融业务纠纷")
    case.refresh_from_db()
    assert case.state_reason == "非金融业务纠纷"
    assert (
        TraceEvent.objects.filter(chain=case.chain).latest("seq").payload["reason"]
        == "非金融业务纠纷"
    )


def test_only_a_mediator_of_the_case_organization_can_be_assigned(case, ada, ben, charlie, mia):
    services.case_accept(case=case, user=ada)
    before = snapshot()
    for not_a_mediator_here in (ben, charlie, ada, None):
        with pytest.raises(ServiceError) as caught:
            services.case_transition(
                case=case, user=ada, to=S.ASSIGNED, mediator=not_a_mediator_here
            )
        assert caught.value.code == "invalid_mediator"
        assert "mediator" in caught.value.fields
    assert snapshot() == before
    services.case_assign_mediator(case=case, user=ada, mediator=mia)
    case.refresh_from_db()
    assert case.mediator == mia
    event = TraceEvent.objects.filter(chain=case.chain).latest("seq")
    assert event.payload["mediator"] == {"user_id": mia.pk}


def test_another_mediator_of_the_organization_cannot_run_the_case(case, drive, max_):
    drive(case, S.ASSIGNED)
    with pytest.raises(NotAllowed):
        services.case_start_mediation(case=case, user=max_)


def test_a_mediator_who_left_the_organization_can_no_longer_run_the_case(case, drive, mia):
    drive(case, S.ASSIGNED)
    mia.memberships.update(is_active=False)
    with pytest.raises(NotAllowed):
        services.case_start_mediation(case=case, user=mia)


def test_an_unknown_target_state_is_invalid(case, ada):
    with pytest.raises(ServiceError) as caught:
        services.case_transition(case=case, user=ada, to="archived")
    assert caught.value.code == "invalid"
    assert "to" in caught.value.fields


def test_record_outcome_takes_only_outcomes(case, drive, mia):
    drive(case, S.MEDIATING)
    with pytest.raises(ServiceError) as caught:
        services.case_record_outcome(case=case, user=mia, outcome=S.CLOSED)
    assert "outcome" in caught.value.fields


def test_the_service_acts_on_the_current_state_not_a_stale_copy(case, ada, alice):
    stale = Case.objects.get(pk=case.pk)
    services.case_withdraw(case=case, user=alice)
    with pytest.raises(IllegalTransition):
        services.case_accept(case=stale, user=ada)
    case.refresh_from_db()
    assert case.state == S.WITHDRAWN


# --- Over the API and the page -------------------------------------------------


def test_an_illegal_transition_over_the_api_is_409_with_its_code(case, ada):
    response = api_client(ada).post(
        f"/api/cases/{case.case_no}/transitions/", {"to": "closed"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"
    case.refresh_from_db()
    assert case.state == S.SUBMITTED


def test_a_transition_over_the_api(case, ada, mia):
    client = api_client(ada)
    url = f"/api/cases/{case.case_no}/transitions/"
    assert client.post(url, {"to": "accepted"}, format="json").status_code == 200
    response = client.post(url, {"to": "assigned", "mediator": mia.pk}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "assigned"
    assert body["mediator"] == "Mia"
    assert body["allowed_transitions"] == ["mediating"]
    assert [e["action"] for e in body["timeline"] if e["action"].startswith("case.")] == [
        "case.submitted",
        "case.accepted",
        "case.assigned",
    ]


def test_api_errors_for_reason_mediator_and_wrong_party(case, ada, alice, ben):
    url = f"/api/cases/{case.case_no}/transitions/"
    response = api_client(ada).post(url, {"to": "declined"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "reason_required")
    response = api_client(ben).post(url, {"to": "accepted"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")
    response = api_client(alice).post(url, {"to": "accepted"}, format="json")
    assert response.status_code == 403
    services.case_accept(case=case, user=ada)
    response = api_client(ada).post(url, {"to": "assigned", "mediator": 999999}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_mediator")
    response = api_client(ada).post(url, {}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["to"]


def test_the_page_shows_the_staff_their_buttons_and_applies_a_transition(client, case, ada, alice):
    client.force_login(ada)
    page = client.get(f"/cases/{case.case_no}/").content.decode()
    assert 'value="accepted"' in page and 'value="declined"' in page
    assert 'value="withdrawn"' not in page
    response = client.post(f"/cases/{case.case_no}/transition/", {"to": "accepted"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == S.ACCEPTED

    client.force_login(alice)
    page = client.get(f"/cases/{case.case_no}/").content.decode()
    assert 'value="withdrawn"' in page and 'value="assigned"' not in page


def test_an_illegal_transition_on_the_page_is_a_409_with_the_message(client, case, ada):
    client.force_login(ada)
    response = client.post(f"/en/cases/{case.case_no}/transition/", {"to": "closed"})
    assert response.status_code == 409
    assert "cannot become" in response.content.decode()
