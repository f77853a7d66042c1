"""The financial institution's answer to an accepted case (mediation is voluntary).

Once the organization has accepted a case, staff of the respondent institution answer it,
once: they agree to mediate, or decline with reasons, and either way may state the
institution's position and name its own evidence (materials of the case its staff uploaded).
A decline ends the case as ``not_mediated``; the applicant is told the routes left.

The texts are the institution's words: the row keeps them, the trace commits to them by their
SHA-256 (``case.answered``: decision, hashes, evidence uuids).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.cases.models import AnswerDecision, Case, CaseState, RespondentAnswer
from accord.cases.payloads import CaseTransitioned
from accord.cases.selectors import (
    ANSWERABLE_STATES,
    ROUTES_LEFT,
    case_parties,
    institution_materials,
    organization_staff,
)
from accord.cases.services.notices import case_path
from accord.cases.services.transitions import _copy_state, apply_move, case_trace, lock_case
from accord.cases.states import Party
from accord.core.api import ConflictError, ServiceError
from accord.inbox.services import notify
from accord.orgs.models import Role

REASONS_MAX = 10000


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _parse_decision(value: str) -> AnswerDecision:
    try:
        return AnswerDecision(value)
    except ValueError:
        raise ServiceError(
            _("Say whether the institution agrees to mediate."),
            code="invalid_decision",
            fields={"decision": [_("Choose agree or decline.")]},
        ) from None


def _parse_evidence(evidence: Iterable[UUID | str]) -> list[UUID]:
    wanted: list[UUID] = []
    for value in evidence:
        try:
            uuid = value if isinstance(value, UUID) else UUID(str(value))
        except ValueError:
            raise ServiceError(
                _("Name the evidence by its id."),
                code="invalid_evidence",
                fields={"evidence": [_("Not an evidence id: %(value)s.") % {"value": value}]},
            ) from None
        if uuid not in wanted:
            wanted.append(uuid)
    return wanted


def case_answer(
    *,
    case: Case,
    user: User,
    decision: AnswerDecision | str,
    reasons: str = "",
    position: str = "",
    evidence: Iterable[UUID | str] = (),
) -> RespondentAnswer:
    """Record the institution's answer to ``case`` on behalf of ``user`` (staff of the
    respondent institution); trace ``case.answered``; a decline also moves the case to
    ``not_mediated`` (trace ``case.not_mediated``). Notifies the applicant, the organization's
    administrators and the mediator.

    Precondition: the caller checked that ``user`` may see ``case`` (views answer 404).
    Refuses, writing nothing: ``invalid_decision``, ``reason_required`` (a decline without
    ``reasons``), ``invalid_evidence`` (not a material of this case uploaded by the
    institution's staff) (400); ``permission_denied`` (403) when ``user`` is not staff of the
    respondent; ``already_answered`` (409) and ``illegal_state`` (409: before the organization
    accepted the case, or once mediation started or the case ended).
    """
    choice = _parse_decision(str(decision))
    reasons = reasons.strip()
    position = position.strip()
    with transaction.atomic():
        locked = lock_case(case)
        if Party.INSTITUTION not in case_parties(case=locked, user=user):
            raise NotAllowed(_("Only staff of the financial institution answer for it."))
        if RespondentAnswer.objects.filter(case=locked).exists():
            raise ConflictError(
                _("The institution has already answered this case."), code="already_answered"
            )
        if locked.state not in ANSWERABLE_STATES:
            raise ConflictError(
                _(
                    "The institution answers once the organization has accepted the case and "
                    "before mediation starts; the case is %(state)s."
                )
                % {"state": CaseState(locked.state).label},
                code="illegal_state",
            )
        if choice == AnswerDecision.DECLINE and not reasons:
            raise ServiceError(
                _("Give the reasons for declining to mediate."),
                code="reason_required",
                fields={"reasons": [_("Required when declining.")]},
            )
        wanted = _parse_evidence(evidence)
        materials = list(institution_materials(case=locked).filter(uuid__in=wanted))
        if len(materials) != len(wanted):
            raise ServiceError(
                _("The institution's evidence must be files its staff added to this case."),
                code="invalid_evidence",
                fields={"evidence": [_("Choose among the files the institution uploaded.")]},
            )
        actor = Actor.for_user(user, role=Role.INSTITUTION_STAFF)
        answer = RespondentAnswer.objects.create(
            case=locked, decision=choice, reasons=reasons, position=position, answered_by=user
        )
        answer.evidence.set(materials)
        case_trace(
            locked=locked,
            action="case.answered",
            actor=actor,
            payload={
                "decision": choice.value,
                "reasons_sha256": text_sha256(reasons),
                "position_sha256": text_sha256(position),
                "evidence": [str(uuid) for uuid in wanted],
            },
        )
        if choice == AnswerDecision.DECLINE:
            # The reasons are the institution's words: the move's trace event names none
            # (``case.answered`` holds their hash); the case row shows them.
            move: CaseTransitioned = {
                "from": locked.state,
                "to": CaseState.NOT_MEDIATED.value,
                "reason": "",
            }
            apply_move(
                locked=locked,
                target=CaseState.NOT_MEDIATED,
                actor=actor,
                reason=reasons,
                payload=move,
            )
        _notify_answer(locked, answer)
    _copy_state(case, locked)
    return answer


def _notify_answer(locked: Case, answer: RespondentAnswer) -> None:
    values = {"case_no": locked.case_no, "institution": locked.respondent.name}
    if answer.decision == AnswerDecision.AGREE:
        text = _("%(institution)s agreed to mediate case %(case_no)s.") % values
        kind = "case.answered"
    else:
        text = " ".join(
            [
                _("%(institution)s declined to mediate case %(case_no)s; the case ends.") % values,
                str(ROUTES_LEFT),
            ]
        )
        kind = "case.not_mediated"
    notify(
        [
            locked.applicant,
            *organization_staff(locked.organization, Role.ORG_ADMIN),
            locked.mediator,
        ],
        kind=kind,
        text=text,
        case_no=locked.case_no,
        url=case_path(locked),
    )
