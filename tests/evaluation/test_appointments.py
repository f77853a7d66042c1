"""Appointing the independent expert after the mediators' conflict check (``expert_conflict``,
nothing written; an override needs a written reason and is traced), the independence
declaration, declining and replacing."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from accord.conflicts.models import RelationshipKind
from accord.conflicts.services import RelationshipInput, relationship_declare
from accord.core.api import ServiceError
from accord.evaluation import services
from accord.evaluation.models import AppointmentStatus, EvaluationStatus, ExpertAppointment
from accord.orgs.models import Role
from tests.cases.conftest import api_client, member
from tests.evaluation.conftest import actions, appointed, events, notices, requested, written

pytestmark = pytest.mark.django_db

OVERRIDE = "该领域唯一的独立专家，已书面承诺回避相关利益。"


def employed_by(expert, org, institution):
    """The expert declares it themselves, on the conflicts service (experts declare as
    mediators do)."""
    return relationship_declare(
        mediator=expert,
        organization=org,
        by=expert,
        data=RelationshipInput(
            kind=RelationshipKind.EMPLOYMENT,
            institution=institution,
            started_on=dt.date(2020, 1, 1),
        ),
    )


def test_an_administrator_appoints_an_expert_who_is_told(mediating, ada, erin):
    evaluation = requested(mediating, ada)
    appointment = services.evaluation_appoint_expert(evaluation=evaluation, user=ada, expert=erin)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.APPOINTED
    assert appointment.status == AppointmentStatus.AWAITING_DECLARATION
    [event] = events(mediating, "evaluation.expert_appointed")
    assert event.payload == {
        "evaluation": str(evaluation.uuid),
        "appointment": appointment.pk,
        "expert": {"user_id": erin.pk},
        "replaces": None,
    }
    assert event.actor == {"kind": "user", "user_id": ada.pk, "role": "org_admin"}
    [notice] = notices(erin, "evaluation.appointed")
    assert str(evaluation.uuid) in notice.url


def test_an_expert_with_a_declared_conflict_is_refused_and_nothing_is_written(
    mediating, ada, erin, org, bank
):
    employed_by(erin, org, bank)
    evaluation = requested(mediating, ada)
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.evaluation_appoint_expert(evaluation=evaluation, user=ada, expert=erin)
    assert (refused.value.code, refused.value.http_status) == ("expert_conflict", 409)
    assert refused.value.fields["expert"] == [refused.value.message]
    assert "Employed by 示例银行" in refused.value.message
    assert written() == before
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.REQUESTED
    assert not ExpertAppointment.objects.exists()


def test_the_api_refuses_a_conflicted_expert_too(mediating, ada, erin, org, bank):
    employed_by(erin, org, bank)
    evaluation = requested(mediating, ada)
    before = written()
    response = api_client(ada).post(
        f"/api/evaluations/{evaluation.uuid}/expert/", {"expert": erin.pk}, format="json"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "expert_conflict")
    assert "expert" in response.json()["error"]["fields"]
    assert written() == before


def test_an_override_without_a_reason_is_refused(mediating, ada, erin, org, bank):
    employed_by(erin, org, bank)
    evaluation = requested(mediating, ada)
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.evaluation_appoint_expert(
            evaluation=evaluation, user=ada, expert=erin, override=True, override_reason=" "
        )
    assert refused.value.code == "reason_required"
    assert "override_reason" in refused.value.fields
    assert written() == before


def test_an_override_with_a_reason_appoints_and_is_traced(mediating, ada, erin, org, bank):
    relationship = employed_by(erin, org, bank)
    evaluation = requested(mediating, ada)
    appointment = services.evaluation_appoint_expert(
        evaluation=evaluation, user=ada, expert=erin, override=True, override_reason=OVERRIDE
    )
    [overridden] = events(mediating, "evaluation.conflict_overridden")
    assert overridden.payload == {
        "evaluation": str(evaluation.uuid),
        "expert": {"user_id": erin.pk},
        "relationships": [relationship.pk],
        "possible": [],
        "reason_sha256": hashlib.sha256(OVERRIDE.encode()).hexdigest(),
    }
    assert overridden.actor["role"] == "org_admin"
    assert actions(mediating)[-2:] == [
        "evaluation.conflict_overridden",
        "evaluation.expert_appointed",
    ]
    # The row keeps the words and what was overridden.
    assert (appointment.override_reason, appointment.overridden_relationships) == (
        OVERRIDE,
        [relationship.pk],
    )


@pytest.mark.parametrize("who", ["max", "mia", "ben"])
def test_only_an_independent_expert_of_the_organization_can_be_appointed(
    mediating, ada, max_, mia, ben, org, who
):
    # mia mediates the case and ben is BANK's staff: even as experts they are not independent.
    candidate = {"max": max_, "mia": member(mia, Role.EXPERT, org), "ben": ben}[who]
    if who == "ben":
        member(ben, Role.EXPERT, org)
    evaluation = requested(mediating, ada)
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.evaluation_appoint_expert(evaluation=evaluation, user=ada, expert=candidate)
    assert refused.value.code == "invalid_expert"
    assert "expert" in refused.value.fields
    assert written() == before


def test_only_an_administrator_appoints(mediating, ada, mia, erin):
    evaluation = requested(mediating, ada)
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.evaluation_appoint_expert(evaluation=evaluation, user=mia, expert=erin)
    assert refused.value.code == "permission_denied"
    assert written() == before


def test_the_declaration_needs_words_and_a_confirmation(mediating, ada, erin):
    _evaluation, appointment = appointed(mediating, ada, erin)
    before = written()
    with pytest.raises(ServiceError) as no_words:
        services.appointment_declare_independence(
            appointment=appointment, user=erin, declaration=" ", confirmed=True
        )
    assert no_words.value.code == "declaration_required"
    with pytest.raises(ServiceError) as unconfirmed:
        services.appointment_declare_independence(
            appointment=appointment, user=erin, declaration="无利害关系", confirmed=False
        )
    assert unconfirmed.value.code == "confirmation_required"
    assert "confirmed" in unconfirmed.value.fields
    assert written() == before


def test_only_the_appointed_expert_declares(mediating, ada, erin, eve):
    _evaluation, appointment = appointed(mediating, ada, erin)
    with pytest.raises(ServiceError) as refused:
        services.appointment_declare_independence(
            appointment=appointment, user=eve, declaration="无利害关系", confirmed=True
        )
    assert refused.value.code == "permission_denied"


def test_the_declaration_is_traced_by_its_hash_and_the_people_are_told(
    mediating, ada, erin, alice, ben
):
    evaluation, appointment = appointed(mediating, ada, erin)
    declaration = "本人与双方当事人无利害关系。"
    services.appointment_declare_independence(
        appointment=appointment, user=erin, declaration=declaration, confirmed=True
    )
    evaluation.refresh_from_db()
    appointment.refresh_from_db()
    assert evaluation.status == EvaluationStatus.IN_PROGRESS
    assert (appointment.status, appointment.declaration) == ("declared", declaration)
    [event] = events(mediating, "evaluation.independence_declared")
    assert event.payload["declaration_sha256"] == hashlib.sha256(declaration.encode()).hexdigest()
    assert event.actor == {"kind": "user", "user_id": erin.pk, "role": "expert"}
    assert len(notices(alice, "evaluation.declared")) == 1
    assert len(notices(ben, "evaluation.declared")) == 1
    with pytest.raises(ServiceError) as again:
        services.appointment_declare_independence(
            appointment=appointment, user=erin, declaration=declaration, confirmed=True
        )
    assert again.value.code == "already_declared"


def test_a_conflict_declared_after_the_appointment_refuses_the_declaration(
    mediating, ada, erin, org, bank
):
    _evaluation, appointment = appointed(mediating, ada, erin)
    employed_by(erin, org, bank)
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.appointment_declare_independence(
            appointment=appointment, user=erin, declaration="无利害关系", confirmed=True
        )
    assert refused.value.code == "expert_conflict"
    assert written() == before


def test_the_expert_declines_and_another_is_appointed(mediating, ada, erin, eve):
    evaluation, appointment = appointed(mediating, ada, erin)
    services.appointment_decline(appointment=appointment, user=erin, reason="时间冲突")
    evaluation.refresh_from_db()
    appointment.refresh_from_db()
    assert (evaluation.status, appointment.status) == ("requested", "declined")
    assert len(notices(ada, "evaluation.declined")) == 1
    [event] = events(mediating, "evaluation.expert_declined")
    assert event.actor["role"] == "expert" and "时间冲突" not in str(event.payload)
    services.evaluation_appoint_expert(evaluation=evaluation, user=ada, expert=eve)
    assert actions(mediating)[-2:] == ["evaluation.expert_declined", "evaluation.expert_appointed"]


def test_replacing_needs_a_reason_and_ends_the_former_appointment(mediating, ada, erin, eve):
    evaluation, appointment = appointed(mediating, ada, erin)
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.evaluation_replace_expert(evaluation=evaluation, user=ada, expert=eve, reason="")
    assert refused.value.code == "reason_required"
    with pytest.raises(ServiceError) as same:
        services.evaluation_replace_expert(
            evaluation=evaluation, user=ada, expert=erin, reason="调整"
        )
    assert same.value.code == "same_expert"
    assert written() == before
    new = services.evaluation_replace_expert(
        evaluation=evaluation, user=ada, expert=eve, reason="专家工作调整"
    )
    appointment.refresh_from_db()
    assert (appointment.status, new.status) == ("replaced", "awaiting_declaration")
    assert actions(mediating)[-2:] == ["evaluation.expert_replaced", "evaluation.expert_appointed"]
    assert (
        events(mediating, "evaluation.expert_appointed")[-1].payload["replaces"] == appointment.pk
    )
    assert len(notices(erin, "evaluation.replaced")) == 1


def test_a_conflicted_replacement_is_refused_and_nothing_is_written(
    mediating, ada, erin, eve, org, bank
):
    evaluation, _appointment = appointed(mediating, ada, erin)
    employed_by(eve, org, bank)
    before = written()
    with pytest.raises(ServiceError) as refused:
        services.evaluation_replace_expert(
            evaluation=evaluation, user=ada, expert=eve, reason="专家工作调整"
        )
    assert refused.value.code == "expert_conflict"
    assert written() == before


def test_experts_declare_relationships_on_the_conflicts_page(client, erin, bank):
    client.force_login(erin)
    page = client.get("/en/conflicts/relationships/")
    assert page.status_code == 200
    assert 'data-testid="declare-form"' in page.content.decode()
    assert 'data-testid="nav-relationships"' in page.content.decode()
