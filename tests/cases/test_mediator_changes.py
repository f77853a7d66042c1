"""After acceptance (R4, R11): the complexity changes only with a reason, a mediator is
replaced or removed with a reason, and the assignment checks of the apps above run on every
assignment and replacement, refusing without writing anything."""

from __future__ import annotations

import pytest

from accord.audit.actors import Actor
from accord.audit.models import TraceEvent
from accord.cases import hooks, services
from accord.cases.errors import NotAllowed
from accord.cases.models import Case, CaseComplexity, CaseState
from accord.cases.selectors import case_list_for_user
from accord.core.api import ConflictError, ServiceError
from tests.cases.conftest import snapshot

pytestmark = pytest.mark.django_db


def actions(case: Case) -> list[str]:
    return list(
        TraceEvent.objects.filter(chain_id=case.chain_id)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_acceptance_sets_the_complexity_and_traces_it(case, ada):
    services.case_accept(case=case, user=ada, complexity=CaseComplexity.COMPLEX)
    case.refresh_from_db()
    assert case.complexity == CaseComplexity.COMPLEX
    event = TraceEvent.objects.filter(chain_id=case.chain_id, action="case.accepted").get()
    assert event.payload["complexity"] == "complex"


def test_an_unknown_complexity_is_refused_and_nothing_is_written(case, ada):
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        services.case_accept(case=case, user=ada, complexity="trivial")
    assert refused.value.code == "invalid_complexity"
    assert snapshot() == before
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_the_complexity_changes_with_a_reason_only(case, ada, mia, drive):
    drive(case, CaseState.ACCEPTED)
    with pytest.raises(ServiceError) as refused:
        services.case_set_complexity(case=case, user=ada, complexity="complex", reason=" ")
    assert refused.value.code == "reason_required"
    with pytest.raises(NotAllowed):
        services.case_set_complexity(case=case, user=mia, complexity="complex", reason="金额大")
    with pytest.raises(ConflictError) as same:
        services.case_set_complexity(case=case, user=ada, complexity="normal", reason="同上")
    assert same.value.code == "unchanged"
    services.case_set_complexity(case=case, user=ada, complexity="complex", reason="涉及多笔交易")
    case.refresh_from_db()
    assert case.complexity == "complex"
    # The case's own event (the deadlines that follow it trace theirs after it).
    event = (
        TraceEvent.objects.filter(chain_id=case.chain_id, action__startswith="case.")
        .order_by("-seq")
        .first()
    )
    assert event is not None and event.action == "case.complexity_changed"
    assert event.payload == {"from": "normal", "to": "complex", "reason": "涉及多笔交易"}


def test_a_submitted_case_has_no_complexity_to_change(case, ada):
    with pytest.raises(ConflictError) as refused:
        services.case_set_complexity(case=case, user=ada, complexity="simple", reason="x")
    assert refused.value.code == "not_open"


def test_replacing_the_mediator_takes_the_case_from_the_former_one(case, ada, mia, max_, drive):
    drive(case, CaseState.MEDIATING)
    with pytest.raises(ServiceError) as no_reason:
        services.case_replace_mediator(case=case, user=ada, mediator=max_, reason="")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(ConflictError) as same:
        services.case_replace_mediator(case=case, user=ada, mediator=mia, reason="x")
    assert same.value.code == "same_mediator"
    with pytest.raises(NotAllowed):
        services.case_replace_mediator(case=case, user=mia, mediator=max_, reason="x")
    services.case_replace_mediator(case=case, user=ada, mediator=max_, reason="工作调整")
    case.refresh_from_db()
    assert (case.mediator_id, case.state) == (max_.pk, CaseState.MEDIATING)
    assert not case_list_for_user(user=mia).filter(pk=case.pk).exists()
    assert case_list_for_user(user=max_).filter(pk=case.pk).exists()
    event = (
        TraceEvent.objects.filter(chain_id=case.chain_id, action__startswith="case.")
        .order_by("-seq")
        .first()
    )
    assert event is not None and event.action == "case.mediator_replaced"
    assert event.payload["previous"] == {"user_id": mia.pk}
    assert event.payload["mediator"] == {"user_id": max_.pk}


def test_a_mediator_is_replaced_only_while_the_case_is_mediated(case, ada, max_, drive):
    drive(case, CaseState.ACCEPTED)
    with pytest.raises(ConflictError) as refused:
        services.case_replace_mediator(case=case, user=ada, mediator=max_, reason="x")
    assert refused.value.code == "illegal_state"


def test_removing_the_mediator_of_an_assigned_case_returns_it_to_accepted(case, mia, drive):
    drive(case, CaseState.ASSIGNED)
    services.case_remove_mediator(
        case=case, actor=Actor.for_user(mia, role="mediator"), cause="self_recusal", reason="亲属"
    )
    case.refresh_from_db()
    assert (case.mediator_id, case.state) == (None, CaseState.ACCEPTED)
    assert [a for a in actions(case) if a.startswith("case.")][-1] == "case.mediator_removed"
    with pytest.raises(ConflictError) as again:
        services.case_remove_mediator(
            case=case, actor=Actor.system("test"), cause="self_recusal", reason="x"
        )
    assert again.value.code == "no_mediator"


def test_a_mediating_case_that_lost_its_mediator_stays_in_mediation_until_one_is_named(
    case, ada, mia, max_, drive
):
    drive(case, CaseState.MEDIATING)
    services.case_remove_mediator(
        case=case, actor=Actor.system("test"), cause="recusal_granted", reason="申请回避成立"
    )
    case.refresh_from_db()
    assert (case.mediator_id, case.state) == (None, CaseState.MEDIATING)
    services.case_replace_mediator(case=case, user=ada, mediator=max_, reason="重新指定")
    case.refresh_from_db()
    assert case.mediator_id == max_.pk
    assert not case_list_for_user(user=mia).filter(pk=case.pk).exists()


@pytest.fixture
def refusing_check():
    """An assignment check of a higher app that refuses ``max`` unless overridden."""
    seen: list[hooks.AssignmentAttempt] = []

    def check(attempt: hooks.AssignmentAttempt) -> None:
        seen.append(attempt)
        if attempt.mediator.username == "max" and not attempt.override_reason:
            raise ConflictError("max may not", code="mediator_conflict")

    hooks.on_assignment_check(check)
    yield seen
    hooks._assignment_checks.remove(check)


def test_assignment_checks_refuse_before_anything_is_written(
    case, ada, max_, drive, refusing_check
):
    drive(case, CaseState.ACCEPTED)
    before = snapshot()
    with pytest.raises(ConflictError) as refused:
        services.case_assign_mediator(case=case, user=ada, mediator=max_)
    assert refused.value.code == "mediator_conflict"
    assert snapshot() == before
    case.refresh_from_db()
    assert (case.state, case.mediator_id) == (CaseState.ACCEPTED, None)
    with pytest.raises(ServiceError) as no_reason:
        services.case_assign_mediator(case=case, user=ada, mediator=max_, override=True)
    assert no_reason.value.code == "reason_required"
    services.case_assign_mediator(
        case=case, user=ada, mediator=max_, override=True, override_reason="当事人同意"
    )
    assert refusing_check[-1].override_reason == "当事人同意"
    case.refresh_from_db()
    assert case.mediator_id == max_.pk


def test_replacement_runs_the_assignment_checks(case, ada, max_, mia, drive, refusing_check):
    drive(case, CaseState.ASSIGNED)
    before = snapshot()
    with pytest.raises(ConflictError):
        services.case_replace_mediator(case=case, user=ada, mediator=max_, reason="调整")
    assert snapshot() == before
    case.refresh_from_db()
    assert case.mediator_id == mia.pk
    assert [a.mediator.pk for a in refusing_check] == [mia.pk, max_.pk]


def test_the_acceptance_form_sets_the_complexity_and_the_page_changes_it(client, case, ada):
    client.force_login(ada)
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert 'data-testid="accept-complexity"' in page
    client.post(f"/en/cases/{case.case_no}/transition/", {"to": "accepted", "complexity": "simple"})
    case.refresh_from_db()
    assert (case.state, case.complexity) == (CaseState.ACCEPTED, "simple")
    page = client.get(f"/en/cases/{case.case_no}/").content.decode()
    assert 'data-testid="complexity-form"' in page
    before = snapshot()
    refused = client.post(
        f"/en/cases/{case.case_no}/complexity/", {"complexity": "complex", "reason": ""}
    )
    assert refused.status_code == 302
    assert snapshot() == before
    client.post(
        f"/en/cases/{case.case_no}/complexity/", {"complexity": "complex", "reason": "多笔交易"}
    )
    case.refresh_from_db()
    assert case.complexity == "complex"


def test_the_complexity_api(case, ada, mia):
    from tests.cases.conftest import api_client

    admin = api_client(ada)
    bad = admin.post(
        f"/api/cases/{case.case_no}/transitions/", {"to": "accepted", "complexity": "huge"}
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_complexity"
    ok = admin.post(
        f"/api/cases/{case.case_no}/transitions/", {"to": "accepted", "complexity": "complex"}
    )
    assert ok.status_code == 200
    changed = admin.post(
        f"/api/cases/{case.case_no}/complexity/", {"complexity": "simple", "reason": "和解在即"}
    )
    assert changed.status_code == 200
    case.refresh_from_db()
    assert case.complexity == "simple"
    other = api_client(mia).post(
        f"/api/cases/{case.case_no}/complexity/", {"complexity": "normal", "reason": "x"}
    )
    assert other.status_code in (403, 404)
