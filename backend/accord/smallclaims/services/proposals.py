"""The mediator's small-claim proposal (小额调解建议, R8) and the applicant's answer.

- ``proposal_issue``: the case's mediator proposes an amount and terms on a case within a
  memorandum, citing the grounds (law, administrative regulation, judicial interpretation,
  industry practice). The proposal is rendered as a document (``smallclaim_proposal``) and the
  applicant answers within the memorandum's ``answer_days`` working days (the day it was issued
  is not counted; ``workdays.periods.add_working_days``).
- ``proposal_accept``: the applicant accepts; it binds every party. The agreement is generated
  from the proposal's terms (``agreement``: the institution pays the amount within
  ``pay_within_days`` of the acceptance) and sent to signing. When the organization seals it,
  ``accord.outcomes`` (its ``on_document_sealed`` hook, like any sealed agreement) opens the
  institution's performance; the mediator records the agreement on the case as usual.
- ``proposal_refuse``, or the answer period passing (:mod:`accord.smallclaims.sweep`): it binds
  nobody and stays readable as a third-party opinion (``refused``, ``lapsed``).
- The case leaving mediation while a proposal awaits the answer cancels it
  (:func:`proposals_cancel_on_transition`, a ``cases.hooks`` callback): ``cancelled``.

Each step locks the case, writes the proposal, traces one ``smallclaim.proposal_*`` event on
the case's chain (texts by their SHA-256, people by id) and tells the parties (the applicant,
the institution's staff, the mediator), in one transaction. The documents (the proposal, the
agreement) are rendered and stored (``documents.services.document_prepare``) before that
transaction, with no lock held; the transaction records the version
(``document_record``: ``document.drafted``, and ``document.sent_to_signing`` for the agreement)
together with the proposal's change. A refusal found under the lock rolls everything back and
the stored object is removed again.

Refusals (``ServiceError``; nothing is written):

================================  ====  ==========================================================
code                              HTTP  meaning
================================  ====  ==========================================================
``invalid``                       400   a field is missing or malformed (amount, texts, grounds,
                                        payment days)
``proposal_above_threshold``      400   the proposed amount, or the case's amount in dispute, is
                                        above the memorandum's threshold
``permission_denied``             403   not the case's mediator (issue) or its applicant (answer)
``illegal_state``                 409   the case is not in mediation
``not_eligible``                  409   no memorandum covers the case (none valid on the day it
                                        was brought), or it states no amount in dispute
``proposal_outside_memorandum``   409   the case's business type or nature of dispute is not
                                        among the memorandum's categories
``proposal_pending``              409   a proposal of the case awaits the applicant's answer
``proposal_accepted``             409   a proposal of the case was accepted: it binds the parties
``proposal_answered``             409   the proposal was already accepted, refused or cancelled
``proposal_expired``              409   the answer period ended (the proposal lapsed)
================================  ====  ==========================================================
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import status

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.cases.hooks import CaseTransition
from accord.cases.models import Case, CaseState
from accord.cases.selectors import case_parties
from accord.cases.services.transitions import case_trace, lock_case
from accord.cases.states import Party
from accord.core.api import ConflictError, ServiceError
from accord.documents.models import DocumentVersion
from accord.documents.services import (
    PreparedVersion,
    document_prepare,
    document_record,
    document_send_to_signing,
)
from accord.inbox.services import notify
from accord.orgs.models import Role
from accord.smallclaims.drafting import (
    DOCUMENT_LANGUAGE,
    Ground,
    agreement_fields,
    money,
    proposal_fields,
)
from accord.smallclaims.eligibility import eligibility_of, yuan
from accord.smallclaims.models import GroundKind, Memorandum, Proposal, ProposalStatus
from accord.workdays.periods import Due, add_calendar_days, add_working_days

TEXT_MAX = 5000
CITATION_MAX = 500
MAX_GROUNDS = 10
MAX_PAY_DAYS = 365
PROPOSAL_KIND = "smallclaim_proposal"
AGREEMENT_KIND = "agreement"


class NotEligible(ConflictError):
    code = "not_eligible"


class OutsideMemorandum(ConflictError):
    code = "proposal_outside_memorandum"


class AboveThreshold(ServiceError):
    code = "proposal_above_threshold"
    http_status = status.HTTP_400_BAD_REQUEST


class ProposalExpired(ConflictError):
    code = "proposal_expired"


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _refuse(message: str, *, field: str, code: str = "invalid") -> ServiceError:
    return ServiceError(message, code=code, fields={field: [message]})


@dataclass(frozen=True, kw_only=True)
class ProposalInput:
    amount: Decimal
    facts: str
    dispute: str
    terms: str
    pay_within_days: int
    grounds: Sequence[Ground]


def _text(value: str, *, field: str, limit: int = TEXT_MAX) -> str:
    value = value.strip()
    if not value:
        raise _refuse(_("Required."), field=field)
    if len(value) > limit:
        raise _refuse(_("At most %(max)d characters.") % {"max": limit}, field=field)
    return value


def clean_proposal(data: ProposalInput) -> ProposalInput:
    try:
        amount = Decimal(data.amount)
    except (InvalidOperation, TypeError, ValueError):
        raise _refuse(_("Enter an amount in yuan."), field="amount") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        message = _("Enter an amount above zero, in yuan with at most two decimals.")
        raise _refuse(message, field="amount")
    days = data.pay_within_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_PAY_DAYS:
        message = _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_PAY_DAYS}
        raise _refuse(message, field="pay_within_days")
    grounds = [
        Ground(kind=ground.kind, citation=" ".join(ground.citation.split()))
        for ground in data.grounds
        if ground.kind or ground.citation.strip()
    ]
    if not grounds:
        message = _("Cite at least one ground: a law, regulation, interpretation or practice.")
        raise _refuse(message, field="grounds")
    if len(grounds) > MAX_GROUNDS:
        message = _("At most %(max)d grounds.") % {"max": MAX_GROUNDS}
        raise _refuse(message, field="grounds")
    for ground in grounds:
        if ground.kind not in GroundKind.values:
            raise _refuse(_("Say what each ground is."), field="grounds")
        if not ground.citation:
            raise _refuse(_("Each ground needs its citation."), field="grounds")
        if len(ground.citation) > CITATION_MAX:
            message = _("A citation has at most %(max)d characters.") % {"max": CITATION_MAX}
            raise _refuse(message, field="grounds")
    return ProposalInput(
        amount=amount,
        facts=_text(data.facts, field="facts"),
        dispute=_text(data.dispute, field="dispute"),
        terms=_text(data.terms, field="terms"),
        pay_within_days=days,
        grounds=grounds,
    )


def covering_memorandum(case: Case) -> Memorandum:
    """The memorandum the case is eligible under; the refusal that says why not otherwise."""
    found = eligibility_of(case)
    if found.verdict == "outside_memorandum":
        raise OutsideMemorandum(found.message)
    if found.verdict == "above_threshold":
        raise AboveThreshold(found.message, fields={"amount": [found.message]})
    if not found.eligible or found.memorandum is None:
        raise NotEligible(found.message)
    return found.memorandum


def _check_issue(case: Case, user: User, amount: Decimal) -> Memorandum:
    if Party.MEDIATOR not in case_parties(case=case, user=user):
        raise NotAllowed(_("Only the case's mediator issues a small-claim proposal."))
    if case.state != CaseState.MEDIATING:
        raise ConflictError(
            _("A small-claim proposal is issued while the case is in mediation."),
            code="illegal_state",
        )
    for other in Proposal.objects.filter(
        case=case, status__in=[ProposalStatus.ISSUED, ProposalStatus.ACCEPTED]
    ):
        if other.status == ProposalStatus.ACCEPTED:
            raise ConflictError(
                _("The applicant accepted a proposal on this case: it binds the parties."),
                code="proposal_accepted",
            )
        raise ConflictError(
            _("A proposal on this case awaits the applicant's answer (until %(due)s).")
            % {"due": other.answer_due_on.isoformat()},
            code="proposal_pending",
        )
    memorandum = covering_memorandum(case)
    if amount > memorandum.threshold:
        message = _("The proposed amount is above the memorandum's threshold of %(max)s yuan.") % {
            "max": yuan(memorandum.threshold)
        }
        raise AboveThreshold(message, fields={"amount": [message]})
    return memorandum


def _people_of(case: Case) -> list[User]:
    """Who is told of each step: the applicant's account, the institution's staff, the
    case's mediator."""
    people: list[User] = []
    if case.applicant_id is not None:
        people.extend(User.objects.filter(pk=case.applicant_id))
    people.extend(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=case.respondent_id,
            memberships__role=Role.INSTITUTION_STAFF,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
    if case.mediator_id is not None:
        people.extend(User.objects.filter(pk=case.mediator_id))
    return people


def proposal_url(proposal: Proposal) -> str:
    """The proposal's page in the site's default language (for notices)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("smallclaims:proposal", kwargs={"proposal_uuid": proposal.uuid})


def tell(
    case: Case, proposal: Proposal, *, kind: str, text: str, users: list[User] | None = None
) -> None:
    notify(
        _people_of(case) if users is None else users,
        kind=kind,
        text=text,
        case_no=case.case_no,
        url=proposal_url(proposal),
    )


def _document_ref(version: DocumentVersion) -> dict[str, object]:
    return {
        "uuid": str(version.document.uuid),
        "version": version.number,
        "sha256": version.sha256,
    }


def proposal_issue(*, case: Case, user: User, data: ProposalInput) -> Proposal:
    """The case's mediator issues a small-claim proposal. Refuses (before anything is
    rendered) ``invalid``, ``permission_denied``, ``illegal_state``, ``proposal_pending``,
    ``proposal_accepted``, ``not_eligible``, ``proposal_outside_memorandum`` and
    ``proposal_above_threshold``. Trace ``smallclaim.proposal_issued``."""
    data = clean_proposal(data)
    memorandum = _check_issue(case, user, data.amount)
    issued_at = timezone.now()
    due = add_working_days(timezone.localdate(issued_at), memorandum.answer_days)
    fields = proposal_fields(
        memorandum=memorandum,
        amount=data.amount,
        facts=data.facts,
        dispute=data.dispute,
        terms=data.terms,
        pay_within_days=data.pay_within_days,
        grounds=data.grounds,
        answer_due=due.date,
        answer_days=memorandum.answer_days,
    )
    prepared = document_prepare(
        case=case, kind=PROPOSAL_KIND, fields=fields, language=DOCUMENT_LANGUAGE
    )
    try:
        proposal = _record_issue(
            case=case,
            user=user,
            data=data,
            memorandum=memorandum,
            issued_at=issued_at,
            due=due,
            prepared=prepared,
        )
    except BaseException:
        prepared.discard()
        raise
    return proposal


def _record_issue(
    *,
    case: Case,
    user: User,
    data: ProposalInput,
    memorandum: Memorandum,
    issued_at: dt.datetime,
    due: Due,
    prepared: PreparedVersion,
) -> Proposal:
    with transaction.atomic():
        locked = lock_case(case)
        current = _check_issue(locked, user, data.amount)
        if current.pk != memorandum.pk or current.answer_days != memorandum.answer_days:
            raise ConflictError(
                _("The memorandum changed meanwhile. Issue the proposal again."),
                code="memorandum_changed",
            )
        version = document_record(prepared=prepared, by=user)
        last = Proposal.objects.filter(case=locked).aggregate(last=Max("number"))["last"]
        proposal = Proposal.objects.create(
            case=locked,
            number=(last or 0) + 1,
            memorandum=current,
            threshold=current.threshold,
            amount=data.amount,
            facts=data.facts,
            dispute=data.dispute,
            terms=data.terms,
            pay_within_days=data.pay_within_days,
            grounds=[{"kind": g.kind, "citation": g.citation} for g in data.grounds],
            issued_by=user,
            issued_at=issued_at,
            answer_days=current.answer_days,
            answer_due_on=due.date,
            answer_due_provisional=due.provisional,
            document_version=version,
        )
        case_trace(
            locked=locked,
            action="smallclaim.proposal_issued",
            actor=Actor.for_user(user, role=Role.MEDIATOR),
            payload={
                "proposal": str(proposal.uuid),
                "number": proposal.number,
                "memorandum_id": current.pk,
                "threshold": money(current.threshold),
                "amount": money(proposal.amount),
                "pay_within_days": proposal.pay_within_days,
                "grounds": [
                    {"kind": g.kind, "citation_sha256": text_sha256(g.citation)}
                    for g in data.grounds
                ],
                "facts_sha256": text_sha256(data.facts),
                "dispute_sha256": text_sha256(data.dispute),
                "terms_sha256": text_sha256(data.terms),
                "answer_days": proposal.answer_days,
                "answer_due": due.date.isoformat(),
                "answer_due_provisional": due.provisional,
                "document": _document_ref(version),
            },
        )
        with translation.override(settings.LANGUAGE_CODE):
            text = _(
                "Case %(case_no)s: the mediator issued a small-claim proposal of %(amount)s yuan. "
                "The applicant may accept or refuse it by %(due)s."
            ) % {
                "case_no": locked.case_no,
                "amount": yuan(proposal.amount),
                "due": due.date.isoformat(),
            }
        tell(locked, proposal, kind="smallclaim.proposal_issued", text=text)
    return proposal


def is_expired(proposal: Proposal, today: dt.date | None = None) -> bool:
    """The answer period ended (at the end of ``answer_due_on``), or the proposal lapsed."""
    if proposal.status == ProposalStatus.LAPSED:
        return True
    return (today or timezone.localdate()) > proposal.answer_due_on


def _check_answer(case: Case, proposal: Proposal, user: User, today: dt.date) -> None:
    if Party.APPLICANT not in case_parties(case=case, user=user):
        raise NotAllowed(_("Only the applicant accepts or refuses a small-claim proposal."))
    if is_expired(proposal, today):
        raise ProposalExpired(
            _(
                "The time to answer this proposal ended on %(due)s. It binds nobody and is kept "
                "as a third-party opinion."
            )
            % {"due": proposal.answer_due_on.isoformat()}
        )
    if proposal.status != ProposalStatus.ISSUED:
        raise ConflictError(
            _("This proposal was already answered or is no longer open (%(status)s).")
            % {"status": ProposalStatus(proposal.status).label},
            code="proposal_answered",
        )
    if case.state != CaseState.MEDIATING:
        raise ConflictError(_("The case is no longer in mediation."), code="illegal_state")


def _drafter(case: Case, proposal: Proposal) -> User:
    """Who drafts the agreement: the case's mediator (the proposal's terms are theirs)."""
    return case.mediator if case.mediator is not None else proposal.issued_by


def proposal_accept(*, proposal: Proposal, user: User) -> Proposal:
    """The applicant accepts: the proposal binds every party. The agreement is generated from
    its terms and sent to signing (the parties and the mediator sign it; the organization
    seals it). Refuses ``permission_denied``, ``proposal_expired``, ``proposal_answered`` and
    ``illegal_state`` (and whatever the documents app refuses, e.g. ``agreement_incomplete``).
    Trace ``smallclaim.proposal_accepted``."""
    case = Case.objects.select_related("organization", "respondent", "mediator").get(
        pk=proposal.case_id
    )
    today = timezone.localdate()
    _check_answer(case, proposal, user, today)
    payment_due = add_calendar_days(today, proposal.pay_within_days).date
    fields = agreement_fields(proposal=proposal, payment_due=payment_due)
    drafter = _drafter(case, proposal)
    prepared = document_prepare(
        case=case, kind=AGREEMENT_KIND, fields=fields, language=DOCUMENT_LANGUAGE
    )
    try:
        return _record_accept(
            case=case,
            proposal=proposal,
            user=user,
            today=today,
            payment_due=payment_due,
            drafter=drafter,
            prepared=prepared,
        )
    except BaseException:
        prepared.discard()
        raise


def _record_accept(
    *,
    case: Case,
    proposal: Proposal,
    user: User,
    today: dt.date,
    payment_due: dt.date,
    drafter: User,
    prepared: PreparedVersion,
) -> Proposal:
    with transaction.atomic():
        locked = lock_case(case)
        current = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _check_answer(locked, current, user, today)
        version = document_record(prepared=prepared, by=drafter)
        version = document_send_to_signing(version=version, by=drafter)
        current.status = ProposalStatus.ACCEPTED
        current.answered_at = timezone.now()
        current.answered_by = user
        current.agreement = version.document
        current.save(update_fields=["status", "answered_at", "answered_by", "agreement"])
        case_trace(
            locked=locked,
            action="smallclaim.proposal_accepted",
            actor=Actor.for_user(user, role=Role.APPLICANT),
            payload={
                "proposal": str(current.uuid),
                "number": current.number,
                "payment_due": payment_due.isoformat(),
                "agreement": _document_ref(version),
            },
        )
        with translation.override(settings.LANGUAGE_CODE):
            text = _(
                "Case %(case_no)s: the applicant accepted the small-claim proposal. It binds every "
                "party; the mediation agreement drawn up from it awaits your signature."
            ) % {"case_no": locked.case_no}
        tell(locked, current, kind="smallclaim.proposal_accepted", text=text)
    return current


def proposal_refuse(*, proposal: Proposal, user: User, reason: str = "") -> Proposal:
    """The applicant refuses: the proposal binds nobody and is kept as a third-party opinion.
    ``reason`` is optional. Refuses ``permission_denied``, ``proposal_expired``,
    ``proposal_answered``, ``illegal_state`` and ``invalid`` (a reason too long). Trace
    ``smallclaim.proposal_refused``."""
    reason = reason.strip()
    if len(reason) > TEXT_MAX:
        raise _refuse(_("At most %(max)d characters.") % {"max": TEXT_MAX}, field="reason")
    today = timezone.localdate()
    with transaction.atomic():
        locked = lock_case(Case(pk=proposal.case_id))
        current = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _check_answer(locked, current, user, today)
        current.status = ProposalStatus.REFUSED
        current.answered_at = timezone.now()
        current.answered_by = user
        current.refusal_reason = reason
        current.save(update_fields=["status", "answered_at", "answered_by", "refusal_reason"])
        case_trace(
            locked=locked,
            action="smallclaim.proposal_refused",
            actor=Actor.for_user(user, role=Role.APPLICANT),
            payload={
                "proposal": str(current.uuid),
                "number": current.number,
                "reason_sha256": text_sha256(reason) if reason else "",
            },
        )
        with translation.override(settings.LANGUAGE_CODE):
            text = _(
                "Case %(case_no)s: the applicant refused the small-claim proposal. It binds "
                "nobody and is kept as a third-party opinion; the mediation goes on."
            ) % {"case_no": locked.case_no}
        tell(locked, current, kind="smallclaim.proposal_refused", text=text)
    return current


def proposals_cancel_on_transition(transition: CaseTransition) -> None:
    """``cases.hooks.on_case_transition``: when the case leaves mediation (an agreement
    recorded, failed, terminated, withdrawn) a proposal still awaiting the applicant's answer
    is cancelled, in the move's transaction. Trace ``smallclaim.proposal_cancelled``."""
    if transition.previous != CaseState.MEDIATING or transition.state == CaseState.MEDIATING:
        return
    locked = transition.case
    for proposal in Proposal.objects.select_for_update().filter(
        case=locked, status=ProposalStatus.ISSUED
    ):
        proposal.status = ProposalStatus.CANCELLED
        proposal.save(update_fields=["status"])
        case_trace(
            locked=locked,
            action="smallclaim.proposal_cancelled",
            actor=transition.actor,
            payload={
                "proposal": str(proposal.uuid),
                "number": proposal.number,
                "case_state": str(transition.state),
            },
        )
        with translation.override(settings.LANGUAGE_CODE):
            text = _(
                "Case %(case_no)s: the mediation ended before the applicant answered the "
                "small-claim proposal; it was cancelled and binds nobody."
            ) % {"case_no": locked.case_no}
        tell(locked, proposal, kind="smallclaim.proposal_cancelled", text=text)
