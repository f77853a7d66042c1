"""Performing a sealed agreement (履行, R13).

When the organization seals an agreement (``documents.hooks.on_document_sealed``, in the
seal's transaction) it takes effect: :func:`performance_open` turns its obligations into
:class:`Obligation` rows with their due dates, records them performed at once when the
agreement says the parties performed immediately (即时履行, written in the record), and tells
both sides the consequences of not performing. The receiving side (the obligee: the applicant,
or the institution's staff) confirms each performance (:func:`obligation_confirm`); the sweep
(:mod:`accord.outcomes.sweep`) reminds the obligor before the due date and flags an overdue
obligation to the mediator.

Trace events on the case's chain: ``performance.opened`` (the agreement's version and hash,
each obligation with the SHA-256 of what it says), ``obligation.performed``,
``performance.consequences_notified``; the sweep's ``obligation.reminded`` and
``obligation.overdue``.

Refusals (``ServiceError``; nothing is written):

==========================  ==================================================================
code                        meaning
==========================  ==================================================================
``agreement_unperformable`` (400) a sealed agreement's obligations cannot be read (the seal
                            is refused with it: the content check should have caught it)
``not_obligee``             (403) only the receiving side confirms a performance
``already_performed``       (409) the obligation was already recorded as performed
``too_long``                (400) a note of more than 2000 characters
==========================  ==================================================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.cases.models import Case
from accord.cases.services.transitions import case_trace, lock_case
from accord.core.api import ConflictError, ServiceError
from accord.documents.models import DocumentVersion
from accord.inbox.services import notify
from accord.outcomes.models import Obligation, ObligationStatus, SealedAgreement, Side
from accord.outcomes.payloads import (
    ConsequencesNotified,
    ObligationPerformed,
    ObligationTerms,
    PerformanceOpened,
)
from accord.outcomes.services.common import (
    both_sides,
    case_path,
    clean_note,
    other_side,
    side_actor,
    side_users,
    sides_of,
    text_sha256,
)
from accord.workdays.periods import add_calendar_days

AGREEMENT_KIND = "agreement"
# 民事诉讼法 art. 205: the parties apply jointly within 30 days after the agreement took effect.
CONFIRMATION_DAYS = 30
SYSTEM_ACTOR = "outcomes:performance"
ANCHOR = "after-agreement"

# What the parties are told when the agreement takes effect (R13: "tell the parties the
# consequences of not performing"); shown in the case page's section and sent as a notice.
CONSEQUENCES = gettext_lazy(
    "A mediation agreement is legally binding: each party must perform it as agreed. If a "
    "party does not perform, the other may bring a lawsuit on the agreement before a people's "
    "court. Once a people's court has confirmed the agreement (judicial confirmation), or a "
    "notary office has notarized it with compulsory enforcement effect, the other party may "
    "apply to the court for compulsory enforcement directly, without a lawsuit."
)


@dataclass(frozen=True, slots=True)
class Terms:
    """One obligation as the agreement's fields give it, checked."""

    obligor: Side
    obligee: Side
    what: str
    amount: Decimal | None
    due_on: dt.date


def _unperformable(field: str, message: str) -> ServiceError:
    return ServiceError(
        _("The agreement's obligations cannot be read: %(why)s") % {"why": message},
        code="agreement_unperformable",
        fields={field: [message]},
    )


def _parse_amount(value: object, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise _unperformable(field, _("Not an amount.")) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise _unperformable(field, _("Not an amount in yuan and fen."))
    return amount


def parse_obligations(fields: Any) -> list[Terms]:
    """The obligations of an agreement's ``fields`` (the shape in CONTRACTS.md); raises
    ``agreement_unperformable`` on the first that says not who performs what for whom by
    when."""
    items = fields.get("obligations") if isinstance(fields, dict) else None
    if not isinstance(items, list) or not items:
        raise _unperformable("obligations", _("The agreement names no obligation."))
    found: list[Terms] = []
    for index, item in enumerate(items):
        prefix = f"obligations.{index}"
        if not isinstance(item, dict):
            raise _unperformable(prefix, _("Not an obligation."))
        try:
            obligor, obligee = Side(str(item.get("obligor"))), Side(str(item.get("obligee")))
        except ValueError:
            raise _unperformable(prefix, _("Who performs for whom is missing.")) from None
        if obligor == obligee:
            raise _unperformable(prefix, _("An obligation is owed to the other side."))
        what = item.get("what")
        if not isinstance(what, str) or not what.strip():
            raise _unperformable(f"{prefix}.what", _("What is to be performed is missing."))
        try:
            due_on = dt.date.fromisoformat(str(item.get("due")))
        except ValueError:
            raise _unperformable(f"{prefix}.due", _("The due date is missing.")) from None
        amount = _parse_amount(item.get("amount"), f"{prefix}.amount")
        found.append(Terms(obligor, obligee, what.strip(), amount, due_on))
    return found


def _terms_payload(obligation: Obligation) -> ObligationTerms:
    return {
        "obligation_id": obligation.pk,
        "position": obligation.position,
        "obligor": obligation.obligor,
        "obligee": obligation.obligee,
        "what_sha256": text_sha256(obligation.what),
        "amount": None if obligation.amount is None else f"{obligation.amount:.2f}",
        "due": obligation.due_on.isoformat(),
    }


def consequences_text(agreement: SealedAgreement) -> str:
    """The notice of the consequences of not performing, with the last day to apply for
    judicial confirmation."""
    return " ".join(
        [
            str(CONSEQUENCES),
            _(
                "Both parties may apply together for judicial confirmation within 30 days of "
                "the agreement taking effect, that is by %(due)s."
            )
            % {"due": agreement.confirmation_due_on.isoformat()},
        ]
    )


def performance_open(version: DocumentVersion) -> SealedAgreement | None:
    """The seal hook: ``version`` (an agreement, just sealed, in the seal's transaction) took
    effect today. Writes the obligations (performed at once when the agreement says the
    parties performed immediately) and tells both sides the consequences of not performing.
    Other kinds of document are ignored; a second call for the same version changes nothing.
    Raises ``agreement_unperformable`` (refusing the seal) when the obligations cannot be
    read."""
    document = version.document
    if document.kind != AGREEMENT_KIND:
        return None
    existing = SealedAgreement.objects.filter(version=version).first()
    if existing is not None:
        return existing
    terms = parse_obligations(version.fields)
    immediate = version.fields.get("immediate_performance") is True
    locked = lock_case(document.case)
    today = timezone.localdate()
    due = add_calendar_days(today, CONFIRMATION_DAYS)
    agreement = SealedAgreement.objects.create(
        case=locked,
        version=version,
        effective_on=today,
        confirmation_due_on=due.date,
        confirmation_due_provisional=due.provisional,
        immediate_performance=immediate,
    )
    now = timezone.now()
    obligations = Obligation.objects.bulk_create(
        [
            Obligation(
                agreement=agreement,
                case=locked,
                position=position,
                obligor=item.obligor,
                obligee=item.obligee,
                what=item.what,
                amount=item.amount,
                due_on=item.due_on,
                status=ObligationStatus.PERFORMED if immediate else ObligationStatus.PENDING,
                immediate=immediate,
                performed_at=now if immediate else None,
            )
            for position, item in enumerate(terms, start=1)
        ]
    )
    actor = Actor.system(SYSTEM_ACTOR)
    opened: PerformanceOpened = {
        "agreement": str(version.uuid),
        "sha256": sealed_sha256(version),
        "effective_on": today.isoformat(),
        "confirmation_due": due.date.isoformat(),
        "immediate": immediate,
        "obligations": [_terms_payload(o) for o in obligations],
    }
    case_trace(locked=locked, action="performance.opened", actor=actor, payload=dict(opened))
    for obligation in obligations if immediate else []:
        performed: ObligationPerformed = {
            "obligation_id": obligation.pk,
            "immediate": True,
            "late": False,
            "note_sha256": text_sha256(""),
        }
        case_trace(
            locked=locked, action="obligation.performed", actor=actor, payload=dict(performed)
        )
    _notify_consequences(locked, agreement, actor)
    return agreement


def sealed_sha256(version: DocumentVersion) -> str:
    """The SHA-256 of the sealed PDF (what took effect)."""
    return str(getattr(version, "sealed_sha256", "") or version.sha256)


def _notify_consequences(locked: Case, agreement: SealedAgreement, actor: Actor) -> None:
    text = " ".join(
        [
            _("The mediation agreement of case %(case_no)s took effect on %(day)s.")
            % {"case_no": locked.case_no, "day": agreement.effective_on.isoformat()},
            consequences_text(agreement),
        ]
    )
    notices = notify(
        both_sides(locked),
        kind="performance.consequences",
        text=text,
        case_no=locked.case_no,
        url=case_path(locked, ANCHOR),
    )
    agreement.consequences_notified_at = timezone.now()
    agreement.save(update_fields=["consequences_notified_at"])
    payload: ConsequencesNotified = {
        "agreement": str(agreement.version.uuid),
        "text_sha256": text_sha256(str(CONSEQUENCES)),
        "recipients": sorted(n.user_id for n in notices),
    }
    case_trace(
        locked=locked,
        action="performance.consequences_notified",
        actor=actor,
        payload=dict(payload),
    )


def obligation_confirm(*, obligation: Obligation, user: User, note: str = "") -> Obligation:
    """The receiving side confirms that ``obligation`` was performed: the applicant for an
    obligation owed to the applicant, the institution's staff for one owed to the institution.
    Trace ``obligation.performed`` (``late`` when confirmed after the due date); the obligor's
    side and the mediator are told.

    Precondition: the caller checked that ``user`` may see the case (views answer 404).
    Refuses, writing nothing: ``too_long`` (400), ``not_obligee`` (403),
    ``already_performed`` (409)."""
    note = clean_note(note, field="note", required=False)
    with transaction.atomic():
        locked = lock_case(obligation.case)
        current = Obligation.objects.select_for_update().get(pk=obligation.pk)
        obligee = Side(current.obligee)
        if obligee not in sides_of(locked, user):
            raise NotAllowed(
                _("Only %(side)s, who receives this performance, confirms it.")
                % {"side": obligee.label},
                code="not_obligee",
            )
        if not current.is_pending:
            raise ConflictError(
                _("This obligation is already recorded as performed."), code="already_performed"
            )
        now = timezone.now()
        late = timezone.localdate(now) > current.due_on
        current.status = ObligationStatus.PERFORMED
        current.performed_at = now
        current.confirmed_by = user
        current.confirmation_note = note
        current.save(update_fields=["status", "performed_at", "confirmed_by", "confirmation_note"])
        payload: ObligationPerformed = {
            "obligation_id": current.pk,
            "immediate": False,
            "late": late,
            "note_sha256": text_sha256(note),
        }
        case_trace(
            locked=locked,
            action="obligation.performed",
            actor=side_actor(user, obligee),
            payload=dict(payload),
        )
        notify(
            [*side_users(locked, other_side(obligee)), locked.mediator],
            kind="obligation.performed",
            text=_("Case %(case_no)s: %(side)s confirmed that item %(n)d was performed: %(what)s")
            % {
                "case_no": locked.case_no,
                "side": obligee.label,
                "n": current.position,
                "what": current.what,
            },
            case_no=locked.case_no,
            url=case_path(locked, ANCHOR),
        )
    return current
