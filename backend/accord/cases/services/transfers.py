"""Transfers (转办, R1): an organization passes a case it cannot handle to another mediation
organization, or back to the regulator that assigned it.

- An administrator of the case's organization asks, with reasons, while the case is submitted
  or accepted and no mediator is assigned yet; one pending transfer per case.
- The receiving organization's administrators (for a return: the regulator's officers) see the
  case while the transfer is pending and accept or decline it, a decline with a reason.
- Accepted by a mediation organization: it becomes the case's organization, and the case is
  submitted to it again (it decides acceptance and complexity itself; the mediator and the
  complexity are cleared). A return is accepted by an officer naming, in the same step, the
  mediation organization the case goes to next. The former organization loses access.
- Declined: the case stays where it was.

The case keeps its number and its one chain: ``case.transfer_requested``,
``case.transfer_accepted``, ``case.transfer_declined`` (and ``case.transfer_cancelled`` when
the case ends while a transfer is pending). The ``CaseTransfer`` rows are the case's history of
organizations. The applicant is told every step.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.cases.hooks import (
    AssignmentAttempt,
    CaseTransition,
    on_assignment_check,
    on_case_transition,
)
from accord.cases.models import Case, CaseState, CaseTransfer, IntakeChannel, TransferStatus
from accord.cases.selectors import (
    TRANSFERABLE_STATES,
    case_parties,
    may_decide_transfer,
    organization_staff,
)
from accord.cases.services.notices import case_path
from accord.cases.services.transitions import _copy_state, case_trace, lock_case
from accord.cases.states import Party
from accord.core.api import ConflictError, ServiceError
from accord.inbox.services import notify
from accord.orgs.models import Organization, OrgKind, Role

# Why a pending transfer was cancelled (a code, labelled on the timeline).
CANCELLED_CASE_ENDED = "case_ended"


def _ref(organization: Organization) -> dict[str, object]:
    return {"org_id": organization.pk, "code": organization.code}


def _reason_required(reason: str, field: str = "reason") -> str:
    reason = reason.strip()
    if not reason:
        raise ServiceError(
            _("Give a reason."), code="reason_required", fields={field: [_("Required.")]}
        )
    return reason


def _invalid_target(message: str, field: str = "to_organization") -> ServiceError:
    return ServiceError(message, code="invalid_target", fields={field: [message]})


def _check_target(locked: Case, target: Organization | None) -> Organization:
    """Another active mediation organization, or the regulator that assigned the case."""
    if target is None:
        raise _invalid_target(_("Choose the organization to transfer the case to."))
    if target.pk == locked.organization_id:
        raise _invalid_target(_("The case is already with this organization."))
    if not target.is_active:
        raise _invalid_target(_("%(name)s is not taking cases at present.") % {"name": target.name})
    if target.is_mediation_org:
        return target
    if (
        target.kind == OrgKind.REGULATOR
        and locked.channel == IntakeChannel.REGULATOR
        and target.pk == locked.referred_by_id
    ):
        return target
    raise _invalid_target(
        _(
            "A case is transferred to another mediation organization, or back to the "
            "regulator that assigned it; %(name)s is neither."
        )
        % {"name": target.name}
    )


def _deciders(organization: Organization) -> list[User]:
    role = Role.REGULATOR_OFFICER if organization.kind == OrgKind.REGULATOR else Role.ORG_ADMIN
    return list(organization_staff(organization, role))


def case_transfer_request(
    *, case: Case, user: User, to_organization: Organization | None, reason: str
) -> CaseTransfer:
    """Ask ``to_organization`` to take ``case`` over, on behalf of ``user`` (an administrator
    of the case's organization); trace ``case.transfer_requested``; tell the applicant and the
    receiving side.

    Refuses, writing nothing: ``invalid_target`` on ``to_organization`` (a financial
    institution, a court, a regulator other than the assigning one or for a case no regulator
    assigned, the case's own organization, an inactive organization), ``reason_required``
    (400); ``permission_denied`` (403); ``illegal_state`` (409: the case is not submitted or
    accepted, i.e. a mediator was assigned or it ended) and ``transfer_pending`` (409).
    """
    with transaction.atomic():
        locked = lock_case(case)
        if Party.ORG_ADMIN not in case_parties(case=locked, user=user):
            raise NotAllowed(_("Only an administrator of the organization transfers a case."))
        if locked.state not in TRANSFERABLE_STATES:
            raise ConflictError(
                _("A case is transferred before a mediator is assigned; the case is %(state)s.")
                % {"state": CaseState(locked.state).label},
                code="illegal_state",
            )
        if CaseTransfer.objects.filter(case=locked, status=TransferStatus.PENDING).exists():
            raise ConflictError(
                _("A transfer of this case is already waiting for a decision."),
                code="transfer_pending",
            )
        target = _check_target(locked, to_organization)
        reason = _reason_required(reason)
        transfer = CaseTransfer.objects.create(
            case=locked,
            from_organization=locked.organization,
            to_organization=target,
            reason=reason,
            requested_by=user,
        )
        case_trace(
            locked=locked,
            action="case.transfer_requested",
            actor=Actor.for_user(user, role=Role.ORG_ADMIN),
            payload={
                "transfer": transfer.pk,
                "from": _ref(locked.organization),
                "to": _ref(target),
                "reason": reason,
            },
        )
        values = {"case_no": locked.case_no, "from": locked.organization.name, "to": target.name}
        notify(
            [locked.applicant],
            kind="case.transfer_requested",
            text=_("%(from)s asked %(to)s to take over your case %(case_no)s.") % values,
            case_no=locked.case_no,
            url=case_path(locked),
        )
        notify(
            _deciders(target),
            kind="case.transfer_requested",
            text=_("%(from)s asks you to take over case %(case_no)s: accept or decline it.")
            % values,
            case_no=locked.case_no,
            url=case_path(locked),
        )
    return transfer


def _lock_pending(transfer: CaseTransfer, user: User) -> tuple[Case, CaseTransfer]:
    """The case and the transfer, locked, after checking that ``user`` decides it now."""
    locked = lock_case(transfer.case)
    row = (
        CaseTransfer.objects.select_for_update(of=("self",))
        .select_related("from_organization", "to_organization")
        .get(pk=transfer.pk)
    )
    if not may_decide_transfer(transfer=row, user=user):
        raise NotAllowed(_("Only the receiving organization decides this transfer."))
    if row.status != TransferStatus.PENDING:
        raise ConflictError(
            _("This transfer was already decided (%(status)s).")
            % {"status": TransferStatus(row.status).label},
            code="transfer_decided",
        )
    return locked, row


def _decider_actor(row: CaseTransfer, user: User) -> Actor:
    role = (
        Role.REGULATOR_OFFICER if row.to_organization.kind == OrgKind.REGULATOR else Role.ORG_ADMIN
    )
    return Actor.for_user(user, role=role)


def _decide(row: CaseTransfer, user: User, status: TransferStatus, reason: str) -> None:
    row.status = status
    row.decided_by = user
    row.decided_at = timezone.now()
    row.decision_reason = reason
    row.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])


def case_transfer_accept(
    *,
    transfer: CaseTransfer,
    user: User,
    reason: str = "",
    next_organization: Organization | None = None,
) -> CaseTransfer:
    """Accept a pending transfer on behalf of ``user`` (an administrator of the receiving
    mediation organization, or for a return an officer of the regulator, who names the
    ``next_organization``). The case's organization becomes the receiving (or next) one and
    the case is submitted to it again, without a mediator or complexity; trace
    ``case.transfer_accepted``; tell the applicant, the former organization and the new one.

    Refuses, writing nothing: ``invalid_target`` on ``next_organization`` (a return needs an
    active mediation organization other than the one that returned the case) (400);
    ``permission_denied`` (403); ``transfer_decided`` (409: accepted, declined or cancelled
    already) and ``illegal_state`` (409).
    """
    reason = reason.strip()
    with transaction.atomic():
        locked, row = _lock_pending(transfer, user)
        if locked.state not in TRANSFERABLE_STATES:
            raise ConflictError(_("The case can no longer be transferred."), code="illegal_state")
        target = row.to_organization
        now = timezone.now()
        onward: CaseTransfer | None = None
        if target.kind == OrgKind.REGULATOR:
            if (
                next_organization is None
                or not next_organization.is_mediation_org
                or not next_organization.is_active
                or next_organization.pk == row.from_organization_id
            ):
                raise _invalid_target(
                    _(
                        "Choose the active mediation organization the case goes to next "
                        "(to leave it where it was, decline the return)."
                    ),
                    field="next_organization",
                )
            new_org = next_organization
        else:
            new_org = target
        _decide(row, user, TransferStatus.ACCEPTED, reason)
        if target.kind == OrgKind.REGULATOR:
            # The regulator's onward assignment is the next line of the case's history.
            onward = CaseTransfer.objects.create(
                case=locked,
                from_organization=target,
                to_organization=new_org,
                reason=reason,
                status=TransferStatus.ACCEPTED,
                requested_by=user,
                decided_by=user,
                decided_at=now,
                decision_reason=reason,
            )
        previous_state = locked.state
        previous_complexity = locked.complexity
        locked.organization = new_org
        locked.state = CaseState.SUBMITTED
        locked.state_reason = ""
        locked.state_changed_at = now
        locked.mediator = None
        locked.complexity = ""
        locked.save(
            update_fields=[
                "organization",
                "state",
                "state_reason",
                "state_changed_at",
                "mediator",
                "complexity",
                "updated_at",
            ]
        )
        payload: dict[str, object] = {
            "transfer": row.pk,
            "from": _ref(row.from_organization),
            "to": _ref(target),
            "reason": reason,
            "state": {"from": previous_state, "to": CaseState.SUBMITTED.value},
            "complexity_cleared": previous_complexity,
        }
        if onward is not None:
            payload["next"] = _ref(new_org)
            payload["onward_transfer"] = onward.pk
        case_trace(
            locked=locked,
            action="case.transfer_accepted",
            actor=_decider_actor(row, user),
            payload=payload,
        )
        values = {"case_no": locked.case_no, "to": new_org.name}
        url = case_path(locked)
        notify(
            [locked.applicant],
            kind="case.transfer_accepted",
            text=_(
                "Your case %(case_no)s is now with %(to)s, which will decide whether to accept "
                "it. You need not apply again."
            )
            % values,
            case_no=locked.case_no,
            url=url,
        )
        notify(
            organization_staff(row.from_organization, Role.ORG_ADMIN),
            kind="case.transfer_accepted",
            text=_("Case %(case_no)s was transferred to %(to)s.") % values,
            case_no=locked.case_no,
        )
        notify(
            organization_staff(new_org, Role.ORG_ADMIN),
            kind="case.transfer_accepted",
            text=_("Case %(case_no)s was transferred to your organization: accept or decline it.")
            % values,
            case_no=locked.case_no,
            url=url,
        )
    _copy_state(transfer.case, locked)
    transfer.case.organization = locked.organization
    return row


def case_transfer_decline(*, transfer: CaseTransfer, user: User, reason: str) -> CaseTransfer:
    """Decline a pending transfer, with a reason: the case stays with its organization. Trace
    ``case.transfer_declined``; tell the applicant and the organization that asked.

    Refuses, writing nothing: ``reason_required`` (400), ``permission_denied`` (403),
    ``transfer_decided`` (409)."""
    with transaction.atomic():
        locked, row = _lock_pending(transfer, user)
        reason = _reason_required(reason)
        _decide(row, user, TransferStatus.DECLINED, reason)
        case_trace(
            locked=locked,
            action="case.transfer_declined",
            actor=_decider_actor(row, user),
            payload={
                "transfer": row.pk,
                "from": _ref(row.from_organization),
                "to": _ref(row.to_organization),
                "reason": reason,
            },
        )
        values = {
            "case_no": locked.case_no,
            "to": row.to_organization.name,
            "org": locked.organization.name,
        }
        notify(
            [locked.applicant],
            kind="case.transfer_declined",
            text=_("%(to)s declined to take over your case %(case_no)s; it stays with %(org)s.")
            % values,
            case_no=locked.case_no,
            url=case_path(locked),
        )
        notify(
            organization_staff(locked.organization, Role.ORG_ADMIN),
            kind="case.transfer_declined",
            text=_("%(to)s declined the transfer of case %(case_no)s.") % values,
            case_no=locked.case_no,
            url=case_path(locked),
        )
    return row


# --- Guards while a transfer is pending (registered by ``CasesConfig.ready``) ---------------


def refuse_assignment_while_pending(attempt: AssignmentAttempt) -> None:
    """No mediator is assigned to a case whose transfer waits for a decision."""
    if CaseTransfer.objects.filter(case=attempt.case, status=TransferStatus.PENDING).exists():
        raise ConflictError(
            _("A transfer of this case is waiting for a decision: assign no mediator now."),
            code="transfer_pending",
        )


def cancel_pending_when_the_case_ends(move: CaseTransition) -> None:
    """A case that ends (declined, withdrawn, not mediated) while a transfer is pending: the
    transfer is cancelled in the same transaction, traced ``case.transfer_cancelled``."""
    if move.state in TRANSFERABLE_STATES:
        return
    row = (
        CaseTransfer.objects.select_for_update(of=("self",))
        .select_related("from_organization", "to_organization")
        .filter(case=move.case, status=TransferStatus.PENDING)
        .first()
    )
    if row is None:
        return
    row.status = TransferStatus.CANCELLED
    row.decided_at = timezone.now()
    row.save(update_fields=["status", "decided_at"])
    case_trace(
        locked=move.case,
        action="case.transfer_cancelled",
        actor=move.actor,
        payload={
            "transfer": row.pk,
            "from": _ref(row.from_organization),
            "to": _ref(row.to_organization),
            "reason": CANCELLED_CASE_ENDED,
            "state": move.state.value,
        },
    )


def register_hooks() -> None:
    on_assignment_check(refuse_assignment_while_pending)
    on_case_transition(cancel_pending_when_the_case_ends)
