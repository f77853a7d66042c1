"""Judicial confirmation of a sealed agreement (司法确认, R13; R7: online).

The parties apply jointly to the competent court within 30 days after the agreement took
effect (民事诉讼法 art. 205): the court that entrusted the case, else the one they choose.
One side applies (:func:`confirmation_apply`: the application with the statement of both
parties is drafted, document kind ``confirmation_application``), the other joins on that
version (:func:`confirmation_consent`); then the platform builds the package (agreement,
record, application, identities: :mod:`accord.outcomes.package`) and files it. A clerk of
that court records the ruling (:func:`confirmation_record_outcome`); sending and receiving
online is the court docking's.

Trace events on the case's chain: ``confirmation.requested``, ``confirmation.consented``,
``confirmation.filed`` (the package's hash and every document in it by version and hash, the
identities file by hash only), ``confirmation.confirmed`` / ``confirmation.rejected``,
``confirmation.package_downloaded``.

Refusals (``ServiceError``; nothing is written):

=========================  ===================================================================
code                       meaning
=========================  ===================================================================
``permission_denied``      (403) not a party (applying, joining), not a clerk of that court
``court_required``         (400) a case no court entrusted: choose the court
``invalid_court``          (400) not an active court
``court_fixed``            (400) a court-entrusted case goes to the entrusting court
``confirmation_exists``    (409) this agreement already has an application
``confirmation_late``      (409) the 30 days after the agreement took effect have passed
``already_consented``      (409) this side already applied or joined
``not_filed``              (409) the court records a ruling on a filed application only
``invalid_outcome``        (400) confirmed or rejected
``ruling_no_required``     (400) the ruling's number
``reason_required``        (400) a rejection says why
``invalid_date``           (400) the ruling's day is not before the filing nor in the future
``too_long``               (400) a text over its limit
=========================  ===================================================================
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed, StorageUnavailable
from accord.cases.models import Case, IntakeChannel
from accord.cases.selectors import case_role_of
from accord.cases.services.transitions import case_trace, lock_case
from accord.core.api import ConflictError, ServiceError
from accord.core.storage import remove_object, s3_client
from accord.inbox.services import notify
from accord.orgs.models import Organization, OrgKind, Role
from accord.orgs.selectors import has_role
from accord.outcomes import hooks
from accord.outcomes.drafting import draft_confirmation_statement
from accord.outcomes.models import (
    ConfirmationApplication,
    ConfirmationStatus,
    SealedAgreement,
    Side,
)
from accord.outcomes.package import BuiltPackage, build_package
from accord.outcomes.payloads import (
    ConfirmationDecided,
    ConfirmationFiled,
    ConfirmationRequested,
    PackageAccessed,
    PartyConsented,
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
    side_actor,
    side_users,
    text_sha256,
)

logger = logging.getLogger(__name__)

ANCHOR = "judicial-confirmation"


class Outcome:
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


def competent_court(case: Case, chosen: Organization | str | None) -> Organization:
    """The court the application goes to: the entrusting court of a court-entrusted case
    (choosing another is refused), else the active court the parties chose."""
    entrusting = case.court if case.channel == IntakeChannel.COURT else None
    if entrusting is not None:
        code = chosen.code if isinstance(chosen, Organization) else (chosen or "")
        if code and code.strip().upper() != entrusting.code:
            message = _("A case a court entrusted is confirmed by that court: %(court)s.") % {
                "court": entrusting.name
            }
            raise ServiceError(message, code="court_fixed", fields={"court": [message]})
        return entrusting
    if not chosen:
        message = _("Choose the court to apply to.")
        raise ServiceError(message, code="court_required", fields={"court": [message]})
    return active_organization(chosen, kinds=[OrgKind.COURT], field="court", code="invalid_court")


def _check_in_time(agreement: SealedAgreement) -> None:
    if timezone.localdate() > agreement.confirmation_due_on:
        raise ConflictError(
            _(
                "Judicial confirmation is applied for within 30 days after the agreement took "
                "effect; that was until %(due)s."
            )
            % {"due": agreement.confirmation_due_on.isoformat()},
            code="confirmation_late",
        )


def _check_may_apply(agreement: SealedAgreement, user: User) -> Side:
    side = acting_side(agreement.case, user, _("Only the parties apply for judicial confirmation."))
    if ConfirmationApplication.objects.filter(agreement=agreement).exists():
        raise ConflictError(
            _("This agreement already has an application for judicial confirmation."),
            code="confirmation_exists",
        )
    _check_in_time(agreement)
    return side


def _set_consent(application: ConfirmationApplication, side: Side, user: User) -> None:
    now = timezone.now()
    if side == Side.APPLICANT:
        application.applicant_consent_by, application.applicant_consent_at = user, now
    else:
        application.institution_consent_by, application.institution_consent_at = user, now


def has_consented(application: ConfirmationApplication, side: Side | str) -> bool:
    if side == Side.APPLICANT:
        return application.applicant_consent_at is not None
    return application.institution_consent_at is not None


def confirmation_apply(
    *, agreement: SealedAgreement, user: User, court: Organization | str | None = None
) -> ConfirmationApplication:
    """``user``'s side (the applicant, or the institution's staff) applies for judicial
    confirmation of ``agreement`` to the competent court; the application with the
    statement of both parties is drafted, and the other side is asked to join. Trace
    ``confirmation.requested``.

    Preconditions: the caller checked that ``user`` may see the case; not inside a
    transaction (the statement is rendered and stored first). Refuses, writing nothing:
    ``permission_denied``, ``court_required``, ``invalid_court``, ``court_fixed``,
    ``confirmation_exists``, ``confirmation_late``."""
    case = agreement.case
    side = _check_may_apply(agreement, user)
    target = competent_court(case, court)
    statement = draft_confirmation_statement(agreement=agreement, court=target, by=user)
    with transaction.atomic():
        locked = lock_case(case)
        current = SealedAgreement.objects.select_for_update().get(pk=agreement.pk)
        side = _check_may_apply(current, user)
        application = ConfirmationApplication(
            case=locked, agreement=current, court=target, statement=statement, requested_by=user
        )
        _set_consent(application, side, user)
        application.save()
        payload: ConfirmationRequested = {
            "application": str(application.uuid),
            "agreement": str(current.version.uuid),
            "court": target.pk,
            "side": side.value,
            "statement": {
                "role": "statement",
                "version": str(statement.uuid),
                "sha256": statement.sha256,
            },
            "due": current.confirmation_due_on.isoformat(),
        }
        case_trace(
            locked=locked,
            action="confirmation.requested",
            actor=side_actor(user, side),
            payload=dict(payload),
        )
        notify(
            side_users(locked, other_side(side)),
            kind="confirmation.requested",
            text=_(
                "Case %(case_no)s: %(side)s applies to %(court)s for judicial confirmation of "
                "the agreement and asks you to join the application by %(due)s."
            )
            % {
                "case_no": locked.case_no,
                "side": side.label,
                "court": target.name,
                "due": current.confirmation_due_on.isoformat(),
            },
            case_no=locked.case_no,
            url=case_path(locked, ANCHOR),
        )
    return application


def _check_may_join(application: ConfirmationApplication, user: User) -> Side:
    side = acting_side(
        application.case, user, _("Only the parties apply for judicial confirmation.")
    )
    if application.status != ConfirmationStatus.AWAITING_CONSENT or has_consented(
        application, side
    ):
        raise ConflictError(
            _("Your side has already joined this application."), code="already_consented"
        )
    _check_in_time(application.agreement)
    return side


def _discard(package: BuiltPackage) -> None:
    try:
        remove_object(package.bucket, package.key)
    except Exception:  # the original failure matters more
        logger.exception("could not remove the unfiled package %s", package.key)


def confirmation_consent(
    *, application: ConfirmationApplication, user: User
) -> ConfirmationApplication:
    """The other side joins ``application`` (on the statement as drafted). With both sides
    in, the package is built and the application is filed with the court, whose clerks are
    told. Traces ``confirmation.consented`` and ``confirmation.filed``.

    Preconditions as :func:`confirmation_apply`. Refuses, writing nothing:
    ``permission_denied``, ``already_consented``, ``confirmation_late``."""
    _check_may_join(application, user)
    # The side that applied consented then: this one completes the joint application.
    try:
        package = build_package(application)
    except ServiceError:
        raise
    except Exception as exc:
        logger.exception("building the confirmation package %s failed", application.uuid)
        raise StorageUnavailable(
            _("The application package could not be stored; please try later.")
        ) from exc
    try:
        with transaction.atomic():
            locked = lock_case(application.case)
            current = (
                ConfirmationApplication.objects.select_for_update()
                .select_related("agreement", "court", "statement")
                .get(pk=application.pk)
            )
            side = _check_may_join(current, user)
            _set_consent(current, side, user)
            current.save()
            consented: PartyConsented = {"subject": str(current.uuid), "side": side.value}
            actor = side_actor(user, side)
            case_trace(
                locked=locked,
                action="confirmation.consented",
                actor=actor,
                payload=dict(consented),
            )
            _file(locked, current, package, actor)
    except BaseException:
        _discard(package)
        raise
    application.refresh_from_db()
    return application


def _file(
    locked: Case, application: ConfirmationApplication, package: BuiltPackage, actor: Actor
) -> None:
    application.status = ConfirmationStatus.FILED
    application.package_bucket = package.bucket
    application.package_key = package.key
    application.package_sha256 = package.sha256
    application.package_size = package.size
    application.filed_at = timezone.now()
    application.save()
    payload: ConfirmationFiled = {
        "application": str(application.uuid),
        "court": application.court_id,
        "package_sha256": package.sha256,
        "package_size": package.size,
        "key": package.key,
        "documents": package.documents,
        "identities_sha256": package.identities_sha256,
        "applicant": locked.applicant_id,
        "respondent": locked.respondent_id,
    }
    case_trace(locked=locked, action="confirmation.filed", actor=actor, payload=dict(payload))
    hooks.confirmation_filed(application)
    values = {"case_no": locked.case_no, "court": application.court.name}
    notify(
        [*both_sides(locked), locked.mediator],
        kind="confirmation.filed",
        text=_(
            "Case %(case_no)s: the application for judicial confirmation was filed with %(court)s."
        )
        % values,
        case_no=locked.case_no,
        url=case_path(locked, ANCHOR),
    )
    notify(
        members_of(application.court, Role.COURT_CLERK),
        kind="confirmation.filed",
        text=_("An application for judicial confirmation of case %(case_no)s awaits the court.")
        % values,
        case_no=locked.case_no,
        url=court_path(application),
    )


def court_path(application: ConfirmationApplication) -> str:
    """The clerk's page of ``application`` (for the clerks' notice)."""
    return outcomes_path("outcomes:court_confirmation", uuid=application.uuid)


def check_court_clerk(application: ConfirmationApplication, user: User) -> None:
    if not has_role(user, Role.COURT_CLERK, application.court):
        raise NotAllowed(
            _("Only a clerk of %(court)s records its ruling.") % {"court": application.court.name}
        )


def confirmation_record_outcome(
    *,
    application: ConfirmationApplication,
    user: User,
    outcome: str,
    ruling_no: str,
    reason: str = "",
    decided_on: dt.date | None = None,
) -> ConfirmationApplication:
    """A clerk of the application's court records the ruling: confirmed (the agreement can
    be enforced by the court) or rejected with its reason, with the ruling's number and day
    (today by default). Trace ``confirmation.confirmed`` / ``confirmation.rejected``; the
    parties and the mediator are told.

    Refuses, writing nothing: ``permission_denied`` (403), ``invalid_outcome``,
    ``ruling_no_required``, ``reason_required``, ``invalid_date``, ``too_long`` (400),
    ``not_filed`` (409)."""
    if outcome not in (Outcome.CONFIRMED, Outcome.REJECTED):
        message = _("Choose confirmed or rejected.")
        raise ServiceError(message, code="invalid_outcome", fields={"outcome": [message]})
    ruling_no = (ruling_no or "").strip()
    if not ruling_no:
        message = _("Enter the number of the court's ruling.")
        raise ServiceError(message, code="ruling_no_required", fields={"ruling_no": [message]})
    clean_note(ruling_no, field="ruling_no", required=True, max_length=REFERENCE_MAX)
    reason = clean_note(reason, field="reason", required=outcome == Outcome.REJECTED)
    today = timezone.localdate()
    decided_on = decided_on or today
    with transaction.atomic():
        locked = lock_case(application.case)
        current = (
            ConfirmationApplication.objects.select_for_update()
            .select_related("court")
            .get(pk=application.pk)
        )
        check_court_clerk(current, user)
        if current.status != ConfirmationStatus.FILED:
            raise ConflictError(
                _("The court records its ruling on a filed application that awaits it."),
                code="not_filed",
            )
        assert current.filed_at is not None
        if decided_on > today or decided_on < timezone.localdate(current.filed_at):
            message = _("The day of the ruling is between the filing and today.")
            raise ServiceError(message, code="invalid_date", fields={"decided_on": [message]})
        confirmed = outcome == Outcome.CONFIRMED
        current.status = ConfirmationStatus.CONFIRMED if confirmed else ConfirmationStatus.REJECTED
        current.ruling_no = ruling_no
        current.decision_reason = reason
        current.decided_on = decided_on
        current.decided_by = user
        current.decided_at = timezone.now()
        current.save()
        payload: ConfirmationDecided = {
            "application": str(current.uuid),
            "court": current.court_id,
            "ruling_no": ruling_no,
            "decided_on": decided_on.isoformat(),
            "reason_sha256": text_sha256(reason),
        }
        case_trace(
            locked=locked,
            action=f"confirmation.{current.status}",
            actor=Actor.for_user(user, role=Role.COURT_CLERK),
            payload=dict(payload),
        )
        values = {"case_no": locked.case_no, "court": current.court.name, "ruling": ruling_no}
        if confirmed:
            text = (
                _(
                    "Case %(case_no)s: %(court)s confirmed the mediation agreement (ruling "
                    "%(ruling)s). If a party refuses to perform it, the other may apply to the "
                    "court for enforcement."
                )
                % values
            )
        else:
            text = (
                _(
                    "Case %(case_no)s: %(court)s rejected the application for judicial "
                    "confirmation (ruling %(ruling)s)."
                )
                % values
            )
        notify(
            [*both_sides(locked), locked.mediator],
            kind=f"confirmation.{current.status}",
            text=text,
            case_no=locked.case_no,
            url=case_path(locked, ANCHOR),
        )
    return current


def confirmation_package_open(
    *, application: ConfirmationApplication, user: User
) -> Iterator[bytes]:
    """The stored package of a filed application for ``user`` to download; the access is a
    trace event (``confirmation.package_downloaded``) committed before any byte is served.

    Precondition: the caller checked that ``user`` may read the application (a clerk of its
    court, or someone who sees the case)."""
    if not application.package_key:
        raise ConflictError(_("The application has not been filed yet."), code="not_filed")
    try:
        response = s3_client().get_object(application.package_bucket, application.package_key)
    except Exception as exc:
        raise StorageUnavailable(_("The package cannot be read from storage.")) from exc
    try:
        with transaction.atomic():
            locked = lock_case(application.case)
            clerk = has_role(user, Role.COURT_CLERK, application.court)
            role = Role.COURT_CLERK.value if clerk else case_role_of(case=locked, user=user)
            payload: PackageAccessed = {
                "application": str(application.uuid),
                "package_sha256": application.package_sha256,
            }
            case_trace(
                locked=locked,
                action="confirmation.package_downloaded",
                actor=Actor.for_user(user, role=role),
                payload=dict(payload),
            )
    except BaseException:
        response.close()
        response.release_conn()
        raise

    def chunks() -> Iterator[bytes]:
        try:
            yield from response.stream(64 * 1024)
        finally:
            response.close()
            response.release_conn()

    return chunks()
