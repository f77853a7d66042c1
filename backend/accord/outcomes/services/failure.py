"""After a mediation that failed (调解不成功, R10, R14).

The case moves to ``failed`` (or ``terminated``, a party refusing to go on) through the case
services as before. Then the mediator issues the failure notice (:func:`failure_notice_issue`,
document kind ``failure_notice``): the organization's professional advice and the routes open
to the parties (arbitration, litigation). The notice is required before the case can be
closed (:func:`refuse_closing_without_notice`, a transition hook), not with the move itself:
the move stays one click in the cases app, and the advice is a considered text written after.
The referral to arbitration or litigation is recorded next (:func:`failure_refer`), with the
litigation green channel (诉讼绿色通道) when the case goes to a court for litigation that
offers one; the court's clerks are told and see it in their navigation.

Trace events on the case's chain: ``failure.notice_issued``, ``failure.referred``,
``failure.notice_accessed``.

Refusals (``ServiceError``; nothing is written):

================================  ============================================================
code                              meaning
================================  ============================================================
``permission_denied``             (403) not the mediator or an administrator of the case
``illegal_state``                 (409) the case did not fail or terminate
``notice_issued``                 (409) the failure notice was already issued
``reason_required``               (400) the advice is required
``invalid_routes``                (400) choose arbitration, litigation or both
``notice_missing``                (409) issue the failure notice first
``failure_notice_missing``        (409) a failed case is closed once its notice was issued
``already_referred``              (409) the referral was already recorded
``invalid_route``                 (400) arbitration or litigation (one the notice offered)
``invalid_referral_target``       (400) an active arbitration commission / court
``green_channel_litigation_only`` (400) the green channel is for litigation
``too_long``                      (400) a text over its limit
================================  ============================================================
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.hooks import CaseTransition
from accord.cases.models import Case, CaseState
from accord.cases.selectors import case_role_of
from accord.cases.services.transitions import case_trace, lock_case
from accord.core.api import ConflictError, ServiceError
from accord.inbox.services import notify
from accord.orgs.models import Organization, OrgKind, Role
from accord.orgs.selectors import has_role
from accord.outcomes.drafting import draft_failure_notice
from accord.outcomes.models import FailureRoute, MediationFailure
from accord.outcomes.payloads import FailureNoticeIssued, FailureReferred, NoticeAccessed
from accord.outcomes.services.common import (
    active_organization,
    both_sides,
    case_path,
    clean_note,
    members_of,
    outcomes_path,
    runner_actor,
    text_sha256,
)

FAILED_STATES = frozenset({CaseState.FAILED, CaseState.TERMINATED})
ADVICE_MAX = 10000
ANCHOR = "after-failure"
ROUTE_KINDS = {
    FailureRoute.ARBITRATION: OrgKind.ARBITRATION,
    FailureRoute.LITIGATION: OrgKind.COURT,
}


def _parse_routes(routes: Iterable[str]) -> list[str]:
    chosen = [str(route) for route in routes]
    if not chosen or any(route not in FailureRoute.values for route in chosen):
        message = _("Choose arbitration, litigation or both.")
        raise ServiceError(message, code="invalid_routes", fields={"routes": [message]})
    return [route for route in FailureRoute.values if route in chosen]


def _check_may_issue(case: Case, user: User) -> None:
    runner_actor(case, user, _("The mediator issues the failure notice."))
    if case.state not in FAILED_STATES:
        raise ConflictError(
            _("The failure notice is issued once mediation failed or was terminated."),
            code="illegal_state",
        )
    if MediationFailure.objects.filter(case=case).exists():
        raise ConflictError(_("The failure notice was already issued."), code="notice_issued")


def failure_notice_issue(
    *, case: Case, user: User, advice: str, routes: Iterable[str]
) -> MediationFailure:
    """The mediator (or an administrator) issues the failure notice of ``case`` (failed or
    terminated): ``advice`` is the organization's professional advice, ``routes`` the routes
    the notice tells the parties about (``arbitration``, ``litigation``). The notice is
    drafted (document kind ``failure_notice``) and both sides are told. Trace
    ``failure.notice_issued``.

    Preconditions: the caller checked that ``user`` may see the case; not inside a
    transaction (the notice is rendered and stored first). Refuses, writing nothing:
    ``permission_denied``, ``illegal_state``, ``notice_issued``, ``reason_required``,
    ``too_long``, ``invalid_routes``."""
    advice = clean_note(advice, field="advice", required=True, max_length=ADVICE_MAX)
    chosen = _parse_routes(routes)
    _check_may_issue(case, user)
    notice = draft_failure_notice(case=case, advice=advice, routes=chosen, by=user)
    with transaction.atomic():
        locked = lock_case(case)
        _check_may_issue(locked, user)
        actor = runner_actor(locked, user, "")
        failure = MediationFailure.objects.create(
            case=locked, notice=notice, advice=advice, routes=chosen, issued_by=user
        )
        payload: FailureNoticeIssued = {
            "notice": {"role": "notice", "version": str(notice.uuid), "sha256": notice.sha256},
            "advice_sha256": text_sha256(advice),
            "routes": chosen,
        }
        case_trace(
            locked=locked, action="failure.notice_issued", actor=actor, payload=dict(payload)
        )
        labels = "、".join(str(FailureRoute(route).label) for route in chosen)
        notify(
            both_sides(locked),
            kind="failure.notice_issued",
            text=_(
                "Case %(case_no)s: the mediation ended without agreement. The organization's "
                "notice gives its advice and the routes open to you: %(routes)s."
            )
            % {"case_no": locked.case_no, "routes": labels},
            case_no=locked.case_no,
            url=case_path(locked, ANCHOR),
        )
    return failure


def failure_refer(
    *,
    case: Case,
    user: User,
    route: str,
    to: Organization | str | None,
    green_channel: bool = False,
    note: str = "",
) -> MediationFailure:
    """Record the referral of a failed case: to arbitration (an arbitration commission) or
    litigation (a court), with the litigation green channel when ``green_channel``. Trace
    ``failure.referred``; both sides are told, and a court's clerks for litigation.

    Refuses, writing nothing: ``permission_denied``, ``notice_missing``,
    ``already_referred``, ``invalid_route``, ``invalid_referral_target``,
    ``green_channel_litigation_only``, ``too_long``."""
    note = clean_note(note, field="note", required=False)
    with transaction.atomic():
        locked = lock_case(case)
        actor = runner_actor(locked, user, _("The mediator records the referral."))
        failure = MediationFailure.objects.select_for_update().filter(case=locked).first()
        if failure is None:
            raise ConflictError(
                _("Issue the failure notice before recording the referral."),
                code="notice_missing",
            )
        if failure.is_referred:
            raise ConflictError(_("The referral was already recorded."), code="already_referred")
        if route not in failure.routes:
            message = _("Choose one of the routes the notice offered.")
            raise ServiceError(message, code="invalid_route", fields={"route": [message]})
        chosen = FailureRoute(route)
        if green_channel and chosen != FailureRoute.LITIGATION:
            message = _("The green channel is a court's fast track for litigation.")
            raise ServiceError(
                message, code="green_channel_litigation_only", fields={"green_channel": [message]}
            )
        target = active_organization(
            to, kinds=[ROUTE_KINDS[chosen]], field="to", code="invalid_referral_target"
        )
        failure.route = chosen
        failure.referred_to = target
        failure.green_channel = bool(green_channel)
        failure.referral_note = note
        failure.referred_by = user
        failure.referred_at = timezone.now()
        failure.save()
        payload: FailureReferred = {
            "route": chosen.value,
            "referred_to": target.pk,
            "green_channel": failure.green_channel,
            "note_sha256": text_sha256(note),
        }
        case_trace(locked=locked, action="failure.referred", actor=actor, payload=dict(payload))
        values = {"case_no": locked.case_no, "to": target.name}
        if chosen == FailureRoute.ARBITRATION:
            text = _("Case %(case_no)s was referred to arbitration at %(to)s.") % values
        elif failure.green_channel:
            text = (
                _(
                    "Case %(case_no)s was referred for litigation to %(to)s through its "
                    "litigation green channel."
                )
                % values
            )
        else:
            text = _("Case %(case_no)s was referred for litigation to %(to)s.") % values
        notify(
            both_sides(locked),
            kind="failure.referred",
            text=text,
            case_no=locked.case_no,
            url=case_path(locked, ANCHOR),
        )
        if chosen == FailureRoute.LITIGATION:
            notify(
                members_of(target, Role.COURT_CLERK),
                kind="failure.referred",
                text=text,
                case_no=locked.case_no,
                url=outcomes_path("outcomes:court_referral", case_no=locked.case_no),
            )
    return failure


def refuse_closing_without_notice(transition: CaseTransition) -> None:
    """Transition hook: a failed or terminated case is closed once the parties have the
    organization's advice and their routes (R10): ``failure_notice_missing`` (409)
    otherwise, refusing the move."""
    if transition.state != CaseState.CLOSED or transition.previous not in FAILED_STATES:
        return
    if not MediationFailure.objects.filter(case=transition.case).exists():
        raise ConflictError(
            _("Issue the failure notice before closing the case."),
            code="failure_notice_missing",
        )


def failure_notice_accessed(*, failure: MediationFailure, user: User) -> None:
    """Trace that a clerk of the court the case was referred to opened its failure notice
    (``failure.notice_accessed``), before the bytes are served. Precondition: the caller
    checked that ``user`` may read the referral."""
    with transaction.atomic():
        locked = lock_case(failure.case)
        clerk = failure.referred_to is not None and has_role(
            user, Role.COURT_CLERK, failure.referred_to
        )
        payload: NoticeAccessed = {
            "notice": {
                "role": "notice",
                "version": str(failure.notice.uuid),
                "sha256": failure.notice.sha256,
            }
        }
        case_trace(
            locked=locked,
            action="failure.notice_accessed",
            actor=Actor.for_user(
                user, role=Role.COURT_CLERK.value if clerk else case_role_of(case=locked, user=user)
            ),
            payload=dict(payload),
        )
