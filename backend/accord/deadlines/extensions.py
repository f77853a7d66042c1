"""Extending a deadline (R11: an extension needs the recorded consent of every party).

1. The case's mediator or an administrator of its organization asks for ``days`` more, with a
   reason (``extension_request``; trace ``deadline.extension_requested``; the parties are told).
2. Each party answers for itself (``extension_answer``): the applicant through their account,
   the respondent institution through one of its staff. Nobody answers for a party: a mediator
   or administrator who is not that party is refused. A refusal rejects the extension at once
   (trace ``deadline.extension_refused``); a consent is traced ``deadline.extension_consented``.
3. The mediator or administrator applies it (``extension_apply``) once every party consented:
   the days are added and the due date recounted (trace ``deadline.extension_applied``).

For a court-entrusted case the extension does not count toward the court's trial period
(不计入审理期限): the trace, the page and the API say so.

Refusals (``ServiceError``; nothing is written):

=========================  ====================================================================
code                       meaning
=========================  ====================================================================
``permission_denied``      (403) not the case's mediator or an administrator (request, apply);
                           not the party one answers for (answer)
``deadline_closed``        (409) the deadline is not running any more
``extension_pending``      (409) the deadline already has an extension waiting for consent
``extension_decided``      (409) the extension was applied or refused already
``already_answered``       (409) this party answered already
``consent_missing``        (409) a party has not consented yet (``fields`` names it)
``no_applicant_account``   (409) the applicant has no account to consent with
``days_out_of_range``      (400) 1 to ``MAX_EXTENSION_DAYS`` days
``reason_required``        (400) no reason
``invalid_party``          (400) a party is "applicant" or "institution"
=========================  ====================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.cases.models import Case, IntakeChannel
from accord.cases.selectors import case_parties
from accord.cases.services.transitions import case_trace, lock_case
from accord.cases.states import PARTY_PRECEDENCE, PARTY_ROLE, Party
from accord.core.api import ConflictError, ServiceError
from accord.deadlines.models import (
    ConsentParty,
    Deadline,
    DeadlineExtension,
    ExtensionConsent,
    ExtensionStatus,
)
from accord.deadlines.payloads import ExtensionAnswered, ExtensionApplied, ExtensionRequested
from accord.deadlines.services import case_url, deadline_recompute
from accord.inbox.services import notify
from accord.orgs.models import Membership, Role

MAX_EXTENSION_DAYS = 365
REASON_MAX = 2000
_RUNNERS = frozenset({Party.MEDIATOR, Party.ORG_ADMIN})


def outside_trial_period(case: Case) -> bool:
    """An extension of a court-entrusted case does not count toward the court's trial
    period (不计入审理期限)."""
    return case.channel == IntakeChannel.COURT


def _runner_actor(locked: Case, user: User, what: str) -> Actor:
    acting = case_parties(case=locked, user=user) & _RUNNERS
    if not acting:
        raise NotAllowed(what)
    party = next(p for p in PARTY_PRECEDENCE if p in acting)
    return Actor.for_user(user, role=PARTY_ROLE[party])


def _locked(deadline: Deadline) -> tuple[Case, Deadline]:
    locked = lock_case(deadline.case)
    current = Deadline.objects.select_for_update().get(pk=deadline.pk)
    current.case = locked
    return locked, current


def _require_open(deadline: Deadline) -> None:
    if not deadline.is_open:
        raise ConflictError(_("This time limit is not running any more."), code="deadline_closed")


def _tell(
    users: Iterable[User | None], *, kind: str, case: Case, render: Callable[[], str]
) -> None:
    """Notices in the site's language (their readers' languages differ from the actor's)."""
    with translation.override(settings.LANGUAGE_CODE):
        notify(users, kind=kind, text=render(), case_no=case.case_no, url=case_url(case))


def institution_staff(case: Case) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organization_id=case.respondent_id,
            role=Role.INSTITUTION_STAFF,
            is_active=True,
            user__is_active=True,
        ).select_related("user")
    ]


def extension_request(
    *, deadline: Deadline, user: User, days: int, reason: str
) -> DeadlineExtension:
    """Ask the parties to extend ``deadline`` by ``days``; they are told (notices)."""
    reason = reason.strip()
    fields: dict[str, list[str]] = {}
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        fields["days"] = [
            _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_EXTENSION_DAYS}
        ]
    if not reason:
        fields["reason"] = [_("Give the reason for the extension.")]
    elif len(reason) > REASON_MAX:
        fields["reason"] = [_("At most %(max)d characters.") % {"max": REASON_MAX}]
    if fields:
        code = "days_out_of_range" if "days" in fields else "reason_required"
        raise ServiceError(next(iter(fields.values()))[0], code=code, fields=fields)
    with transaction.atomic():
        locked, current = _locked(deadline)
        actor = _runner_actor(
            locked, user, _("Only the mediator or an administrator asks for an extension.")
        )
        _require_open(current)
        if current.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise ConflictError(
                _("An extension of this time limit is already waiting for the parties."),
                code="extension_pending",
            )
        extension = DeadlineExtension.objects.create(
            deadline=current, days=days, reason=reason, requested_by=user
        )
        payload: ExtensionRequested = {
            "deadline_id": current.pk,
            "extension_id": extension.pk,
            "days": days,
            "reason": reason,
        }
        case_trace(
            locked=locked,
            action="deadline.extension_requested",
            actor=actor,
            payload={**payload, "outside_trial_period": outside_trial_period(locked)},
        )
        _tell(
            [locked.applicant, *institution_staff(locked)],
            kind="deadline.extension_requested",
            case=locked,
            render=lambda: (
                _(
                    "Case %(case_no)s: the mediator asks to extend the time limit by "
                    "%(days)d days. Open the case to consent or refuse."
                )
                % {"case_no": locked.case_no, "days": days}
            ),
        )
    return extension


def _parse_party(value: str) -> ConsentParty:
    try:
        return ConsentParty(value)
    except ValueError:
        message = _("Answer as the applicant or as the financial institution.")
        raise ServiceError(message, code="invalid_party", fields={"party": [message]}) from None


def extension_answer(
    *, extension: DeadlineExtension, user: User, party: str, consents: bool
) -> ExtensionConsent:
    """Record ``party``'s consent or refusal, by ``user`` who must be that party (the
    applicant's account; staff of the respondent institution). A refusal rejects the
    extension."""
    wanted = _parse_party(party)
    with transaction.atomic():
        locked, deadline = _locked(extension.deadline)
        current = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
        if Party(wanted.value) not in case_parties(case=locked, user=user):
            raise NotAllowed(_("Only the party itself consents or refuses."))
        if current.status != ExtensionStatus.PENDING:
            raise ConflictError(_("This extension was decided already."), code="extension_decided")
        _require_open(deadline)
        if current.consents.filter(party=wanted).exists():
            raise ConflictError(_("This party has answered already."), code="already_answered")
        consent = ExtensionConsent.objects.create(
            extension=current, party=wanted, user=user, consents=consents
        )
        actor = Actor.for_user(user, role=PARTY_ROLE[Party(wanted.value)])
        payload: ExtensionAnswered = {
            "deadline_id": deadline.pk,
            "extension_id": current.pk,
            "party": wanted.value,
            "consents": consents,
        }
        action = "deadline.extension_consented"
        if not consents:
            current.status = ExtensionStatus.REJECTED
            current.decided_at = timezone.now()
            current.save(update_fields=["status", "decided_at"])
            action = "deadline.extension_refused"
        case_trace(locked=locked, action=action, actor=actor, payload=dict(payload))
        if not consents:
            _tell(
                [locked.mediator, current.requested_by],
                kind="deadline.extension_refused",
                case=locked,
                render=lambda: (
                    _("Case %(case_no)s: a party refused the extension of the time limit.")
                    % {"case_no": locked.case_no}
                ),
            )
    return consent


def missing_consents(extension: DeadlineExtension) -> list[ConsentParty]:
    given = set(extension.consents.filter(consents=True).values_list("party", flat=True))
    return [party for party in ConsentParty if party.value not in given]


def extension_apply(*, extension: DeadlineExtension, user: User) -> Deadline:
    """Add the extension's days to its deadline and recount it, once every party consented."""
    with transaction.atomic():
        locked, deadline = _locked(extension.deadline)
        current = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
        actor = _runner_actor(
            locked, user, _("Only the mediator or an administrator applies an extension.")
        )
        if current.status != ExtensionStatus.PENDING:
            raise ConflictError(_("This extension was decided already."), code="extension_decided")
        _require_open(deadline)
        if locked.applicant_id is None:
            raise ConflictError(
                _(
                    "The applicant has no account to consent with; the extension cannot be "
                    "applied until they sign in and consent."
                ),
                code="no_applicant_account",
            )
        missing = missing_consents(current)
        if missing:
            names = ", ".join(str(party.label) for party in missing)
            message = _("Every party must consent first; missing: %(parties)s.") % {
                "parties": names
            }
            raise ConflictError(
                message,
                code="consent_missing",
                fields={"consents": [str(party.label) for party in missing]},
            )
        old_due = deadline.due_on
        deadline.extension_days += current.days
        deadline.save(update_fields=["extension_days", "updated_at"])
        deadline_recompute(
            locked=locked,
            deadline=deadline,
            actor=actor,
            cause="extension_applied",
            extra={"extension_id": current.pk},
        )
        current.status = ExtensionStatus.APPLIED
        current.decided_at = timezone.now()
        current.applied_by = user
        current.save(update_fields=["status", "decided_at", "applied_by"])
        payload: ExtensionApplied = {
            "deadline_id": deadline.pk,
            "extension_id": current.pk,
            "days": current.days,
            "old_due": old_due.isoformat(),
            "new_due": deadline.due_on.isoformat(),
            "provisional": deadline.provisional,
            "outside_trial_period": outside_trial_period(locked),
        }
        case_trace(
            locked=locked, action="deadline.extension_applied", actor=actor, payload=dict(payload)
        )
        new_due = deadline.due_on.isoformat()
        _tell(
            [locked.applicant, *institution_staff(locked), locked.mediator],
            kind="deadline.extension_applied",
            case=locked,
            render=lambda: (
                _("Case %(case_no)s: the time limit was extended to %(due)s.")
                % {"case_no": locked.case_no, "due": new_due}
            ),
        )
    return deadline
