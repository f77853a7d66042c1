"""Transfers (转办, R1): an organization passes a case it cannot handle to another mediation
organization, or back to the regulator that assigned it; the receiving side sees the case while
the transfer is pending and accepts or declines it; an accepted case keeps its number and its
one chain, goes back to submitted at its new organization, and the former one loses access."""

from __future__ import annotations

import pytest

from accord.audit.models import TraceEvent
from accord.audit.verify import verify_chain
from accord.cases import services
from accord.cases.errors import NotAllowed
from accord.cases.models import Case, CaseComplexity, CaseState, CaseTransfer, TransferStatus
from accord.cases.selectors import (
    ACTION_LABELS,
    case_list_for_user,
    transfer_due,
    transfers_waiting_for,
)
from accord.core.api import ConflictError, ServiceError
from accord.inbox.models import Notice
from accord.orgs.models import Organization, Role
from tests.cases.conftest import api_client, as_org, as_user, member, snapshot
from tests.cases.factories import CourtFactory, RegulatorFactory
from tests.factories import MediationOrgFactory, UserFactory

pytestmark = pytest.mark.django_db

S = CaseState
REASON = "本中心对该类保险纠纷无专业调解员。"


@pytest.fixture
def smc(db) -> Organization:
    """The receiving mediation organization."""
    return as_org(MediationOrgFactory(code="SMC", name="证券纠纷调解中心"))


@pytest.fixture
def sam(smc):
    return member(UserFactory(username="sam", display_name="Sam"), Role.ORG_ADMIN, smc)


@pytest.fixture
def omar(regulator):
    """An officer of the assigning regulator who did not refer the case himself."""
    return member(UserFactory(username="omar"), Role.REGULATOR_OFFICER, regulator)


@pytest.fixture
def referred(olga, regulator, application) -> Case:
    return services.case_assign_by_regulator(
        officer=olga, regulator=regulator, application=application(), complaint_reference="R-1"
    )


def last_event(case: Case) -> TraceEvent:
    """The case's own latest event (the deadlines that follow the case trace after it)."""
    return TraceEvent.objects.filter(chain=case.chain, action__startswith="case.").latest("seq")


def visible(user, case: Case) -> bool:
    return case_list_for_user(user=user).filter(pk=case.pk).exists()


def test_a_request_is_traced_and_shows_the_case_to_the_receiving_admins(
    case, ada, sam, smc, alice, org
):
    assert not visible(sam, case)
    transfer = services.case_transfer_request(
        case=case, user=ada, to_organization=smc, reason=REASON
    )
    assert transfer.status == TransferStatus.PENDING
    assert (transfer.from_organization, transfer.to_organization) == (org, smc)
    event = last_event(case)
    assert event.action == "case.transfer_requested"
    assert event.payload == {
        "transfer": transfer.pk,
        "from": {"org_id": org.pk, "code": "FMC"},
        "to": {"org_id": smc.pk, "code": "SMC"},
        "reason": REASON,
    }
    assert event.actor["role"] == "org_admin"
    # The receiving admin sees the case once (no duplicate rows), and what waits for them.
    assert list(case_list_for_user(user=sam)) == [case]
    assert [t.pk for t in transfers_waiting_for(user=sam)] == [transfer.pk]
    assert Notice.objects.filter(user=alice, kind="case.transfer_requested").exists()
    assert Notice.objects.filter(user=sam, kind="case.transfer_requested").exists()
    case.refresh_from_db()
    assert case.organization == org and case.state == S.SUBMITTED


@pytest.mark.parametrize(
    "target", ["bank", "court", "regulator", "itself", "inactive", "none", "peoples_inactive"]
)
def test_a_target_of_the_wrong_kind_is_refused_and_nothing_written(
    case, ada, bank, org, target, other_org
):
    organizations = {
        "bank": bank,
        "court": as_org(CourtFactory()),
        # Not the case's assigning regulator: the case came by application.
        "regulator": as_org(RegulatorFactory()),
        "itself": org,
        "inactive": as_org(MediationOrgFactory(code="OLD", is_active=False)),
        "none": None,
        "peoples_inactive": other_org,
    }
    if target == "peoples_inactive":
        Organization.objects.filter(pk=other_org.pk).update(is_active=False)
        other_org.refresh_from_db()
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        services.case_transfer_request(
            case=case, user=ada, to_organization=organizations[target], reason=REASON
        )
    assert caught.value.code == "invalid_target"
    assert list(caught.value.fields) == ["to_organization"]
    assert snapshot() == before
    assert not CaseTransfer.objects.exists()


def test_a_regulator_case_returns_only_to_its_own_regulator(referred, ada, olga, regulator):
    other = as_org(RegulatorFactory(code="REG2", name="另一监管局"))
    with pytest.raises(ServiceError) as caught:
        services.case_transfer_request(
            case=referred, user=ada, to_organization=other, reason=REASON
        )
    assert caught.value.code == "invalid_target"
    transfer = services.case_transfer_request(
        case=referred, user=ada, to_organization=regulator, reason=REASON
    )
    assert transfer.to_organization == regulator


def test_a_request_needs_a_reason_an_admin_and_a_case_not_yet_assigned(
    case, drive, ada, mia, ben, alice, smc
):
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        services.case_transfer_request(case=case, user=ada, to_organization=smc, reason=" ")
    assert (caught.value.code, list(caught.value.fields)) == ("reason_required", ["reason"])
    for user in (mia, ben, alice):
        with pytest.raises(NotAllowed):
            services.case_transfer_request(case=case, user=user, to_organization=smc, reason=REASON)
    assert snapshot() == before
    drive(case, S.ASSIGNED)
    with pytest.raises(ConflictError) as conflict:
        services.case_transfer_request(case=case, user=ada, to_organization=smc, reason=REASON)
    assert conflict.value.code == "illegal_state"


def test_one_pending_transfer_per_case(case, ada, smc, other_org):
    services.case_transfer_request(case=case, user=ada, to_organization=smc, reason=REASON)
    before = snapshot()
    for target in (smc, other_org):
        with pytest.raises(ConflictError) as caught:
            services.case_transfer_request(
                case=case, user=ada, to_organization=target, reason=REASON
            )
        assert (caught.value.code, caught.value.http_status) == ("transfer_pending", 409)
    assert snapshot() == before
    assert CaseTransfer.objects.count() == 1


def test_accepted_the_case_moves_keeps_its_number_and_chain_and_the_old_org_loses_it(
    case, ada, sam, smc, mia, alice, org, client
):
    services.case_accept(case=case, user=ada, complexity=CaseComplexity.COMPLEX)
    case_no, chain_id = case.case_no, case.chain_id
    transfer = services.case_transfer_request(
        case=case, user=ada, to_organization=smc, reason=REASON
    )
    services.case_transfer_accept(transfer=transfer, user=sam, reason="同意接收")
    case.refresh_from_db()
    assert (case.case_no, case.chain_id) == (case_no, chain_id)
    assert case.organization == smc
    assert (case.state, case.mediator, case.complexity) == (S.SUBMITTED, None, "")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by, transfer.decision_reason) == (
        TransferStatus.ACCEPTED,
        sam,
        "同意接收",
    )
    event = last_event(case)
    assert event.action == "case.transfer_accepted"
    assert event.payload["state"] == {"from": "accepted", "to": "submitted"}
    assert event.payload["complexity_cleared"] == "complex"
    assert verify_chain(case.chain).ok
    # The former organization no longer sees the case; the new one does and decides it.
    assert not visible(ada, case) and not visible(mia, case)
    client.force_login(ada)
    assert client.get(f"/cases/{case_no}/").status_code == 404
    assert api_client(ada).get(f"/api/cases/{case_no}/").status_code == 404
    assert visible(sam, case) and visible(alice, case)
    services.case_accept(case=case, user=sam)
    assert case.state == S.ACCEPTED
    with pytest.raises(NotAllowed):
        services.case_transfer_request(case=case, user=ada, to_organization=org, reason=REASON)
    assert Notice.objects.filter(user=alice, kind="case.transfer_accepted").exists()
    assert Notice.objects.filter(user=ada, kind="case.transfer_accepted").exists()


def test_the_new_org_may_already_have_a_case_with_the_same_sequence_number(
    case, ada, sam, smc, alice, application
):
    own = services.case_apply(applicant=alice, application=application(organization=smc))
    assert (own.year, own.seq) == (case.year, case.seq)
    transfer = services.case_transfer_request(
        case=case, user=ada, to_organization=smc, reason=REASON
    )
    services.case_transfer_accept(transfer=transfer, user=sam)
    assert Case.objects.filter(organization=smc).count() == 2


def test_declined_the_case_stays_and_the_receiver_no_longer_sees_it(case, ada, sam, smc, alice):
    transfer = services.case_transfer_request(
        case=case, user=ada, to_organization=smc, reason=REASON
    )
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        services.case_transfer_decline(transfer=transfer, user=sam, reason="")
    assert caught.value.code == "reason_required"
    assert snapshot() == before
    services.case_transfer_decline(transfer=transfer, user=sam, reason="本中心也无法受理")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED
    case.refresh_from_db()
    assert case.organization.code == "FMC" and case.state == S.SUBMITTED
    assert last_event(case).action == "case.transfer_declined"
    assert not visible(sam, case) and visible(ada, case)
    assert Notice.objects.filter(user=alice, kind="case.transfer_declined").exists()
    # Another transfer may be asked for now.
    services.case_transfer_request(case=case, user=ada, to_organization=smc, reason=REASON)


@pytest.mark.parametrize("first", ["accept", "decline"])
def test_a_transfer_is_decided_once(case, ada, sam, smc, first):
    transfer = services.case_transfer_request(
        case=case, user=ada, to_organization=smc, reason=REASON
    )
    if first == "accept":
        services.case_transfer_accept(transfer=transfer, user=sam)
    else:
        services.case_transfer_decline(transfer=transfer, user=sam, reason="不接收")
    before = snapshot()
    with pytest.raises(ConflictError) as caught:
        services.case_transfer_accept(transfer=transfer, user=sam)
    assert caught.value.code == "transfer_decided"
    with pytest.raises(ConflictError) as caught:
        services.case_transfer_decline(transfer=transfer, user=sam, reason="再次")
    assert caught.value.code == "transfer_decided"
    assert snapshot() == before


def test_only_the_receiving_side_decides(case, ada, sam, smc, charlie, alice, omar):
    transfer = services.case_transfer_request(
        case=case, user=ada, to_organization=smc, reason=REASON
    )
    before = snapshot()
    for user in (ada, charlie, alice, omar):
        with pytest.raises(NotAllowed):
            services.case_transfer_accept(transfer=transfer, user=user)
        with pytest.raises(NotAllowed):
            services.case_transfer_decline(transfer=transfer, user=user, reason="x")
    assert snapshot() == before
    url = f"/api/cases/{case.case_no}/transfers/{transfer.pk}/accept/"
    assert api_client(charlie).post(url, {}, format="json").status_code == 404
    response = api_client(ada).post(url, {}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")


def test_a_return_to_the_regulator_is_completed_by_an_officer_choosing_the_next_org(
    referred, ada, omar, regulator, smc, org, bank, alice
):
    case = referred
    transfer = services.case_transfer_request(
        case=case, user=ada, to_organization=regulator, reason=REASON
    )
    assert visible(omar, case)  # any officer of the regulator, while it is pending
    before = snapshot()
    for bad in (None, bank, org, regulator):
        with pytest.raises(ServiceError) as caught:
            services.case_transfer_accept(transfer=transfer, user=omar, next_organization=bad)
        assert caught.value.code == "invalid_target"
        assert list(caught.value.fields) == ["next_organization"]
    assert snapshot() == before
    services.case_transfer_accept(
        transfer=transfer, user=omar, reason="改由证券调解中心办理", next_organization=smc
    )
    case.refresh_from_db()
    assert case.organization == smc and case.state == S.SUBMITTED
    history = list(CaseTransfer.objects.filter(case=case).order_by("id"))
    assert [(t.from_organization.code, t.to_organization.code, t.status) for t in history] == [
        ("FMC", "REG", TransferStatus.ACCEPTED),
        ("REG", "SMC", TransferStatus.ACCEPTED),
    ]
    event = last_event(case)
    assert event.payload["next"] == {"org_id": smc.pk, "code": "SMC"}
    assert event.actor["role"] == "regulator_officer"
    assert not visible(ada, case) and not visible(omar, case)


def test_the_regulator_may_decline_a_return(referred, ada, omar, regulator, org):
    transfer = services.case_transfer_request(
        case=referred, user=ada, to_organization=regulator, reason=REASON
    )
    services.case_transfer_decline(transfer=transfer, user=omar, reason="请继续办理")
    referred.refresh_from_db()
    assert referred.organization == org


def test_no_assignment_while_a_transfer_is_pending_and_an_ended_case_cancels_it(
    case, ada, mia, alice, smc, sam
):
    services.case_accept(case=case, user=ada)
    transfer = services.case_transfer_request(
        case=case, user=ada, to_organization=smc, reason=REASON
    )
    before = snapshot()
    with pytest.raises(ConflictError) as caught:
        services.case_assign_mediator(case=case, user=ada, mediator=mia)
    assert caught.value.code == "transfer_pending"
    assert snapshot() == before
    services.case_withdraw(case=case, user=alice)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    event = last_event(case)
    assert event.action == "case.transfer_cancelled"
    assert event.payload["reason"] == "case_ended"
    assert not visible(sam, case)
    with pytest.raises(ConflictError):
        services.case_transfer_accept(transfer=transfer, user=sam)


def test_the_pages_request_list_and_accept(client, case, ada, sam, smc, regulator):
    client.force_login(ada)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert f'action="/en/cases/{case.case_no}/transfer/"' in page
    assert f'value="{smc.pk}"' in page
    assert f'value="{regulator.pk}"' not in page  # not a regulator case: no return offered
    response = client.post(
        f"/en/cases/{case.case_no}/transfer/", {"to_organization": regulator.pk, "reason": REASON}
    )
    assert response.status_code == 400
    assert "neither" in response.content.decode()
    assert not CaseTransfer.objects.exists()
    response = client.post(
        f"/en/cases/{case.case_no}/transfer/", {"to_organization": smc.pk, "reason": REASON}
    )
    assert response.status_code == 302
    transfer = CaseTransfer.objects.get()
    due = transfer_due(transfer=transfer)

    client.force_login(sam)
    listing = client.get("/en/cases/").content.decode()
    assert 'data-testid="transfers-waiting"' in listing
    assert f"/en/cases/{case.case_no}/#transfers" in listing
    assert f"{due.date:%Y-%m-%d}" in listing
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert f"Decision due by {due.date:%Y-%m-%d}" in page
    assert REASON in page
    accept = f"/en/cases/{case.case_no}/transfers/{transfer.pk}/accept/"
    assert f'action="{accept}"' in page
    response = client.post(f"/en/cases/{case.case_no}/transfers/{transfer.pk}/decline/", {})
    assert response.status_code == 400
    response = client.post(accept, {"reason": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.organization == smc
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert "金融纠纷调解中心 → 证券纠纷调解中心" in page  # the history of organizations
    assert 'value="accepted"' in page  # the new organization decides acceptance itself


def test_the_api_endpoints(case, ada, sam, smc, bank, alice):
    url = f"/api/cases/{case.case_no}/transfers/"
    response = api_client(ada).post(url, {"to_organization": "BANK", "reason": REASON})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_target"
    assert list(response.json()["error"]["fields"]) == ["to_organization"]
    response = api_client(ada).post(url, {"to_organization": "SMC", "reason": REASON})
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "pending" and created["to_organization"]["code"] == "SMC"
    assert created["due"]["date"] and isinstance(created["due"]["provisional"], bool)
    response = api_client(ada).post(url, {"to_organization": "SMC", "reason": REASON})
    assert (response.status_code, response.json()["error"]["code"]) == (409, "transfer_pending")
    waiting = api_client(sam).get("/api/transfers/").json()
    assert [t["id"] for t in waiting] == [created["id"]]
    assert api_client(ada).get("/api/transfers/").json() == []
    decline = f"{url}{created['id']}/decline/"
    response = api_client(sam).post(decline, {"reason": ""}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "reason_required")
    accept = f"{url}{created['id']}/accept/"
    response = api_client(sam).post(accept, {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    response = api_client(sam).post(accept, {}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "transfer_decided")
    detail = api_client(alice).get(f"/api/cases/{case.case_no}/").json()
    assert detail["organization"]["code"] == "SMC"
    assert [t["status"] for t in detail["transfers"]] == ["accepted"]
    assert api_client(sam).get(url).json()[0]["from_organization"]["code"] == "FMC"


def test_the_transfer_actions_have_labels():
    assert {
        "case.transfer_requested",
        "case.transfer_accepted",
        "case.transfer_declined",
        "case.transfer_cancelled",
    } <= set(ACTION_LABELS)


def test_the_officer_who_referred_keeps_seeing_the_case_after_a_transfer(
    referred, ada, olga, smc, sam
):
    transfer = services.case_transfer_request(
        case=referred, user=ada, to_organization=smc, reason=REASON
    )
    services.case_transfer_accept(transfer=transfer, user=sam)
    assert visible(as_user(olga), referred)
