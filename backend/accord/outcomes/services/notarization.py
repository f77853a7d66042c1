"""Notarization of a sealed agreement with compulsory enforcement effect (赋强公证, R15).

At the creditor's, the debtor's and the guarantor's request, the organization refers a
qualifying agreement to a notary office, whose notarial certificate lets the creditor apply to
the court for enforcement without a lawsuit. Every one of them must consent:

- one side (the applicant, or the institution's staff) asks (:func:`notarization_request`,
  naming the office, which side is the creditor and the guarantor, if the debt has one) and
  so consents; the other side consents on the case page (:func:`notarization_consent`);
- the guarantor is a third party without an account: the mediator records their written
  consent (:func:`notarization_guarantor_consent`, optionally naming the case material that
  holds it);
- with every consent in, the mediator refers it (:func:`notarization_refer`: the referral
  letter, document kind ``notarization_referral``); the office's notaries see it in their
  navigation and record the outcome (:func:`notarization_record_outcome`).

An agreement qualifies when the debtor owes the creditor something still to be performed.

Trace events on the case's chain: ``notarization.requested`` (the guarantor's name sealed),
``notarization.consented``, ``notarization.referred``, ``notarization.notarized`` /
``notarization.refused``, ``notarization.document_accessed``.

Refusals (``ServiceError``; nothing is written):

==========================  ==================================================================
code                        meaning
==========================  ==================================================================
``permission_denied``       (403) not a party; not the mediator (guarantor, referral); not a
                            notary of that office
``invalid_notary_office``   (400) not an active notary office
``invalid_creditor``        (400) the applicant or the institution
``nothing_to_enforce``      (400) the debtor owes the creditor nothing still to be performed
``notarization_exists``     (409) this agreement already has a request
``already_consented``       (409) this party's consent is already recorded
``no_guarantor``            (409) the request names no guarantor
``invalid_material``        (400) the guarantor's consent names a file of another case
``consent_missing``         (409) a consent is still missing (``fields.consents`` names whose)
``not_referred``            (409) the notary records the outcome of a referred request only
``invalid_outcome``         (400) notarized or refused
``certificate_no_required`` (400) the notarial certificate's number
``reason_required``         (400) a refusal says why
``too_long``                (400) a text over its limit
==========================  ==================================================================
"""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.personal import case_subject, seal
from accord.cases.errors import NotAllowed
from accord.cases.models import Case, Material
from accord.cases.selectors import case_role_of
from accord.cases.services.transitions import case_trace, lock_case
from accord.core.api import ConflictError, ServiceError
from accord.documents.models import DocumentVersion
from accord.inbox.services import notify
from accord.orgs.models import Organization, OrgKind, Role
from accord.orgs.selectors import has_role
from accord.outcomes.drafting import draft_notarization_referral
from accord.outcomes.models import (
    NotarizationRequest,
    NotarizationStatus,
    Obligation,
    ObligationStatus,
    SealedAgreement,
    Side,
)
from accord.outcomes.payloads import (
    GuarantorConsented,
    NotarizationDecided,
    NotarizationReferred,
    NotarizationRequested,
    PartyConsented,
    ReferralAccessed,
    VersionRef,
)
from accord.outcomes.services.common import (
    REFERENCE_MAX,
    acting_side,
    active_organization,
    both_sides,
    case_path,
    clean_note,
    members_of,
    other_side,
    outcomes_path,
    parse_side,
    runner_actor,
    runners_of,
    side_actor,
    side_users,
    text_sha256,
)

ANCHOR = "notarization"
GUARANTOR = "guarantor"
NAME_MAX = 200


class Outcome:
    NOTARIZED = "notarized"
    REFUSED = "refused"


def _check_may_request(agreement: SealedAgreement, user: User, creditor: Side) -> Side:
    side = acting_side(
        agreement.case, user, _("Only the creditor or the debtor asks for notarization.")
    )
    if NotarizationRequest.objects.filter(agreement=agreement).exists():
        raise ConflictError(
            _("This agreement already has a request for notarization."),
            code="notarization_exists",
        )
    owed = Obligation.objects.filter(
        agreement=agreement,
        obligor=other_side(creditor),
        obligee=creditor,
        status=ObligationStatus.PENDING,
    )
    if not owed.exists():
        message = _(
            "Notarization gives enforcement effect to a debt: the agreement must have the "
            "debtor owe %(creditor)s something still to be performed."
        ) % {"creditor": creditor.label}
        raise ServiceError(message, code="nothing_to_enforce", fields={"creditor": [message]})
    return side


def notarization_request(
    *,
    agreement: SealedAgreement,
    user: User,
    notary_office: Organization | str | None,
    creditor: Side | str,
    guarantor_name: str = "",
) -> NotarizationRequest:
    """``user``'s side asks that ``agreement`` be referred to ``notary_office`` for
    notarization with enforcement effect, ``creditor`` being the side owed (the other is the
    debtor) and ``guarantor_name`` the guarantor of the debt ("" when there is none); the
    asking side's consent is recorded. Trace ``notarization.requested``; the other side and
    the mediator are told.

    Refuses, writing nothing: ``permission_denied``, ``invalid_notary_office``,
    ``invalid_creditor``, ``nothing_to_enforce``, ``too_long``, ``notarization_exists``."""
    office = active_organization(
        notary_office,
        kinds=[OrgKind.NOTARY_OFFICE],
        field="notary_office",
        code="invalid_notary_office",
    )
    owed_to = parse_side(str(creditor), field="creditor", code="invalid_creditor")
    guarantor_name = clean_note(
        guarantor_name, field="guarantor_name", required=False, max_length=NAME_MAX
    )
    with transaction.atomic():
        locked = lock_case(agreement.case)
        current = SealedAgreement.objects.select_for_update().get(pk=agreement.pk)
        side = _check_may_request(current, user, owed_to)
        now = timezone.now()
        request = NotarizationRequest(
            case=locked,
            agreement=current,
            notary_office=office,
            creditor=owed_to,
            guarantor_name=guarantor_name,
            requested_by=user,
        )
        _set_consent(request, side, user, now)
        request.save()
        payload: NotarizationRequested = {
            "request": str(request.uuid),
            "agreement": str(current.version.uuid),
            "notary_office": office.pk,
            "creditor": owed_to.value,
            "side": side.value,
            "guarantor": (
                seal(
                    subject=case_subject(locked.case_no),
                    field="guarantor_name",
                    value=guarantor_name,
                )
                if guarantor_name
                else None
            ),
        }
        case_trace(
            locked=locked,
            action="notarization.requested",
            actor=side_actor(user, side),
            payload=dict(payload),
        )
        notify(
            [*side_users(locked, other_side(side)), *runners_of(locked)],
            kind="notarization.requested",
            text=_(
                "Case %(case_no)s: %(side)s asks that the agreement be notarized with "
                "enforcement effect by %(office)s. Every party must consent."
            )
            % {"case_no": locked.case_no, "side": side.label, "office": office.name},
            case_no=locked.case_no,
            url=case_path(locked, ANCHOR),
        )
    return request


def _set_consent(request: NotarizationRequest, side: Side, user: User, now: object) -> None:
    if side == Side.APPLICANT:
        request.applicant_consent_by = user
        request.applicant_consent_at = now  # type: ignore[assignment]
    else:
        request.institution_consent_by = user
        request.institution_consent_at = now  # type: ignore[assignment]


def has_consented(request: NotarizationRequest, party: str) -> bool:
    if party == Side.APPLICANT:
        return request.applicant_consent_at is not None
    if party == Side.RESPONDENT:
        return request.institution_consent_at is not None
    return request.guarantor_consent_at is not None


def missing_consents(request: NotarizationRequest) -> list[str]:
    """Whose consent is still missing: ``applicant``, ``respondent``, ``guarantor``."""
    wanted = [Side.APPLICANT.value, Side.RESPONDENT.value]
    if request.has_guarantor:
        wanted.append(GUARANTOR)
    return [party for party in wanted if not has_consented(request, party)]


def _awaiting(request: NotarizationRequest) -> None:
    if request.status != NotarizationStatus.AWAITING_CONSENT:
        raise ConflictError(
            _("This request was already referred to the notary office."),
            code="already_consented",
        )


def notarization_consent(*, request: NotarizationRequest, user: User) -> NotarizationRequest:
    """The other side consents to ``request``. Trace ``notarization.consented``; the
    mediator is told (and refers it once every consent is in).

    Refuses, writing nothing: ``permission_denied``, ``already_consented``."""
    with transaction.atomic():
        locked = lock_case(request.case)
        current = NotarizationRequest.objects.select_for_update().get(pk=request.pk)
        side = acting_side(locked, user, _("Only the parties consent for themselves."))
        _awaiting(current)
        if has_consented(current, side):
            raise ConflictError(
                _("Your side's consent is already recorded."), code="already_consented"
            )
        _set_consent(current, side, user, timezone.now())
        current.save()
        payload: PartyConsented = {"subject": str(current.uuid), "side": side.value}
        case_trace(
            locked=locked,
            action="notarization.consented",
            actor=side_actor(user, side),
            payload=dict(payload),
        )
        _tell_runners_when_ready(locked, current)
    return current


def _tell_runners_when_ready(locked: Case, request: NotarizationRequest) -> None:
    if missing_consents(request):
        return
    notify(
        runners_of(locked),
        kind="notarization.ready",
        text=_(
            "Case %(case_no)s: every party consented to notarization; refer the agreement to "
            "%(office)s."
        )
        % {"case_no": locked.case_no, "office": request.notary_office.name},
        case_no=locked.case_no,
        url=case_path(locked, ANCHOR),
    )


def notarization_guarantor_consent(
    *, request: NotarizationRequest, user: User, material: Material | UUID | str | None = None
) -> NotarizationRequest:
    """The mediator (or an administrator) records the guarantor's written consent, with the
    case material that holds it when there is one. Trace ``notarization.consented`` (side
    ``guarantor``).

    Refuses, writing nothing: ``permission_denied``, ``no_guarantor``, ``already_consented``,
    ``invalid_material``."""
    with transaction.atomic():
        locked = lock_case(request.case)
        current = NotarizationRequest.objects.select_for_update().get(pk=request.pk)
        actor = runner_actor(
            locked, user, _("The mediator records the guarantor's written consent.")
        )
        _awaiting(current)
        if not current.has_guarantor:
            raise ConflictError(_("This request names no guarantor."), code="no_guarantor")
        if has_consented(current, GUARANTOR):
            raise ConflictError(
                _("The guarantor's consent is already recorded."), code="already_consented"
            )
        found = _material_of(locked, material)
        current.guarantor_consent_at = timezone.now()
        current.guarantor_consent_recorded_by = user
        current.guarantor_consent_material = found
        current.save()
        payload: GuarantorConsented = {
            "subject": str(current.uuid),
            "side": GUARANTOR,
            "material": None if found is None else str(found.uuid),
        }
        case_trace(
            locked=locked, action="notarization.consented", actor=actor, payload=dict(payload)
        )
        _tell_runners_when_ready(locked, current)
    return current


def _material_of(case: Case, material: Material | UUID | str | None) -> Material | None:
    if material in (None, ""):
        return None
    if isinstance(material, Material):
        found = material if material.case_id == case.pk else None
    else:
        try:
            wanted = material if isinstance(material, UUID) else UUID(str(material))
        except ValueError:
            wanted = None
        found = Material.objects.filter(case=case, uuid=wanted).first() if wanted else None
    if found is None:
        message = _("Choose a file of this case.")
        raise ServiceError(message, code="invalid_material", fields={"material": [message]})
    return found


def _check_ready(case: Case, request: NotarizationRequest, user: User) -> Actor:
    actor = runner_actor(case, user, _("The mediator refers the agreement to the notary office."))
    _awaiting(request)
    missing = missing_consents(request)
    if missing:
        raise ConflictError(
            _("Every party must consent before the referral."),
            code="consent_missing",
            fields={"consents": missing},
        )
    return actor


def notarization_refer(*, request: NotarizationRequest, user: User) -> NotarizationRequest:
    """With every consent in, the mediator refers the agreement to the notary office: the
    referral letter is drafted and the office's notaries are told. Trace
    ``notarization.referred``.

    Preconditions: not inside a transaction (the letter is rendered and stored first).
    Refuses, writing nothing: ``permission_denied``, ``consent_missing``,
    ``already_consented`` (already referred)."""
    # The caller's object may predate a consent given since: check what is stored.
    request = NotarizationRequest.objects.select_related("case", "agreement", "notary_office").get(
        pk=request.pk
    )
    _check_ready(request.case, request, user)
    referral = draft_notarization_referral(
        agreement=request.agreement,
        notary_office=request.notary_office,
        creditor=Side(request.creditor),
        guarantor_name=request.guarantor_name,
        by=user,
    )
    with transaction.atomic():
        locked = lock_case(request.case)
        current = (
            NotarizationRequest.objects.select_for_update()
            .select_related("notary_office")
            .get(pk=request.pk)
        )
        actor = _check_ready(locked, current, user)
        current.status = NotarizationStatus.REFERRED
        current.referral = referral
        current.referred_by = user
        current.referred_at = timezone.now()
        current.save()
        payload: NotarizationReferred = {
            "request": str(current.uuid),
            "notary_office": current.notary_office_id,
            "referral": _ref("referral", referral),
        }
        case_trace(
            locked=locked, action="notarization.referred", actor=actor, payload=dict(payload)
        )
        values = {"case_no": locked.case_no, "office": current.notary_office.name}
        notify(
            both_sides(locked),
            kind="notarization.referred",
            text=_("Case %(case_no)s: the agreement was referred to %(office)s for notarization.")
            % values,
            case_no=locked.case_no,
            url=case_path(locked, ANCHOR),
        )
        notify(
            members_of(current.notary_office, Role.NOTARY),
            kind="notarization.referred",
            text=_("A mediation agreement of case %(case_no)s was referred to %(office)s.")
            % values,
            case_no=locked.case_no,
            url=outcomes_path("outcomes:notary_referral", uuid=current.uuid),
        )
    return current


def _ref(role: str, version: DocumentVersion) -> VersionRef:
    return {"role": role, "version": str(version.uuid), "sha256": version.sha256}


def check_notary(request: NotarizationRequest, user: User) -> None:
    if not has_role(user, Role.NOTARY, request.notary_office):
        raise NotAllowed(
            _("Only a notary of %(office)s records the outcome.")
            % {"office": request.notary_office.name}
        )


def notarization_record_outcome(
    *,
    request: NotarizationRequest,
    user: User,
    outcome: str,
    certificate_no: str = "",
    reason: str = "",
) -> NotarizationRequest:
    """A notary of the office records the outcome: notarized (with the notarial certificate's
    number) or refused (with the reason). Trace ``notarization.notarized`` /
    ``notarization.refused``; the parties and the mediator are told.

    Refuses, writing nothing: ``permission_denied`` (403), ``invalid_outcome``,
    ``certificate_no_required``, ``reason_required``, ``too_long`` (400), ``not_referred``
    (409)."""
    if outcome not in (Outcome.NOTARIZED, Outcome.REFUSED):
        message = _("Choose notarized or refused.")
        raise ServiceError(message, code="invalid_outcome", fields={"outcome": [message]})
    notarized = outcome == Outcome.NOTARIZED
    certificate_no = (certificate_no or "").strip()
    if notarized and not certificate_no:
        message = _("Enter the number of the notarial certificate.")
        raise ServiceError(
            message, code="certificate_no_required", fields={"certificate_no": [message]}
        )
    clean_note(certificate_no, field="certificate_no", required=False, max_length=REFERENCE_MAX)
    reason = clean_note(reason, field="reason", required=not notarized)
    with transaction.atomic():
        locked = lock_case(request.case)
        current = (
            NotarizationRequest.objects.select_for_update()
            .select_related("notary_office")
            .get(pk=request.pk)
        )
        check_notary(current, user)
        if current.status != NotarizationStatus.REFERRED:
            raise ConflictError(
                _("The outcome is recorded once, for a referred request."), code="not_referred"
            )
        current.status = NotarizationStatus.NOTARIZED if notarized else NotarizationStatus.REFUSED
        current.certificate_no = certificate_no if notarized else ""
        current.decision_reason = reason
        current.decided_by = user
        current.decided_at = timezone.now()
        current.save()
        payload: NotarizationDecided = {
            "request": str(current.uuid),
            "notary_office": current.notary_office_id,
            "certificate_no": current.certificate_no,
            "reason_sha256": text_sha256(reason),
        }
        case_trace(
            locked=locked,
            action=f"notarization.{current.status}",
            actor=Actor.for_user(user, role=Role.NOTARY),
            payload=dict(payload),
        )
        values = {
            "case_no": locked.case_no,
            "office": current.notary_office.name,
            "certificate": current.certificate_no,
        }
        if notarized:
            text = (
                _(
                    "Case %(case_no)s: %(office)s notarized the agreement with enforcement effect "
                    "(certificate %(certificate)s). If the debtor does not perform, the creditor "
                    "may apply to the court for enforcement directly."
                )
                % values
            )
        else:
            text = _("Case %(case_no)s: %(office)s refused to notarize the agreement.") % values
        notify(
            [*both_sides(locked), locked.mediator],
            kind=f"notarization.{current.status}",
            text=text,
            case_no=locked.case_no,
            url=case_path(locked, ANCHOR),
        )
    return current


def notarization_document_accessed(
    *, request: NotarizationRequest, user: User, role: str, version: DocumentVersion
) -> None:
    """Trace that ``user`` opened ``version`` (the referral letter or the agreement) of
    ``request`` (``notarization.document_accessed``), before the bytes are served.
    Precondition: the caller checked that ``user`` may read it."""
    with transaction.atomic():
        locked = lock_case(request.case)
        notary = has_role(user, Role.NOTARY, request.notary_office)
        payload: ReferralAccessed = {
            "request": str(request.uuid),
            "document": {"role": role, "version": str(version.uuid), "sha256": version.sha256},
        }
        case_trace(
            locked=locked,
            action="notarization.document_accessed",
            actor=Actor.for_user(
                user, role=Role.NOTARY.value if notary else case_role_of(case=locked, user=user)
            ),
            payload=dict(payload),
        )
