"""Judicial confirmation (R13) and recusal through the court API.

The parties apply on Accord (outcomes); once both joined, the application and its package are
filed with the competent court. A court with a docking hears of it by callback
(``confirmation.filed``, :func:`confirmation_filed_callback`, an ``outcomes.hooks`` hook),
lists and downloads what was filed with it, and records its ruling: the same services as a
clerk's page, acting as the court's platform account (``services.platform``). A court may
require the recusal of the mediator of a case it entrusted (conflicts'
``recusal_required_by_court``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accord.conflicts.models import RecusalApplication
from accord.conflicts.services.recusal import recusal_required_by_court
from accord.core.api import ConflictError
from accord.courts.models import CourtDocking, Entrustment, EntrustmentStatus
from accord.courts.services.platform import platform_user
from accord.orgs.models import Organization
from accord.outcomes.models import ConfirmationApplication, ConfirmationStatus
from accord.outcomes.services.confirmation import (
    confirmation_package_open,
    confirmation_record_outcome,
)


def confirmation_status(application: ConfirmationApplication) -> dict[str, Any]:
    """What the court reads of an application filed with it (``GET confirmations/{id}``)."""
    case = application.case
    entrustment = Entrustment.objects.filter(case=case, court=application.court).first()
    filed = application.package_key != ""
    return {
        "confirmation_id": str(application.uuid),
        "status": application.status,
        "case_no": case.case_no,
        "organization": case.organization.code,
        "entrustment_id": str(entrustment.uuid) if entrustment is not None else None,
        "court_case_no": entrustment.court_case_no if entrustment is not None else None,
        "filed_at": application.filed_at.isoformat() if application.filed_at else None,
        "package": (
            {
                "sha256": application.package_sha256,
                "size": application.package_size,
                "path": f"/api/court/v1/confirmations/{application.uuid}/package",
            }
            if filed
            else None
        ),
        "ruling": (
            {
                "ruling_no": application.ruling_no,
                "decided_on": application.decided_on.isoformat()
                if application.decided_on
                else None,
                "reason": application.decision_reason,
            }
            if application.status in (ConfirmationStatus.CONFIRMED, ConfirmationStatus.REJECTED)
            else None
        ),
    }


def confirmation_filed_callback(application: ConfirmationApplication) -> None:
    """``outcomes.hooks.on_confirmation_filed``: tell a docked court what was filed with it
    (in the filing's transaction: a rolled-back filing tells it nothing)."""
    from accord.courts.services.callbacks import callback_enqueue

    docking = CourtDocking.objects.filter(court_id=application.court_id).first()
    if docking is None or not docking.callback_url:
        return  # a court without a platform reads its clerks' page
    case = application.case
    entrustment = Entrustment.objects.filter(case=case, court_id=application.court_id).first()
    callback_enqueue(
        kind="confirmation.filed",
        data=confirmation_status(application),
        entrustment=entrustment,
        court=application.court,
        organization=case.organization,
        court_case_no=entrustment.court_case_no if entrustment is not None else None,
    )


def court_confirmations(court: Organization, status: str = "") -> QuerySet[ConfirmationApplication]:
    found = ConfirmationApplication.objects.filter(court=court).exclude(
        status=ConfirmationStatus.AWAITING_CONSENT
    )
    if status:
        found = found.filter(status=status)
    return found.select_related("case__organization", "court").order_by("filed_at", "pk")


def confirmation_outcome_by_court(
    *,
    application: ConfirmationApplication,
    outcome: str,
    ruling_no: str,
    decided_on: dt.date | None,
    reason: str,
) -> ConfirmationApplication:
    """The court's platform records its ruling (what ``confirmation_record_outcome``
    refuses, it refuses)."""
    return confirmation_record_outcome(
        application=application,
        user=platform_user(application.court),
        outcome=outcome,
        ruling_no=ruling_no,
        reason=reason,
        decided_on=decided_on,
    )


def confirmation_package_by_court(application: ConfirmationApplication) -> Iterator[bytes]:
    """The filed package for the court's platform (the download is traced)."""
    return confirmation_package_open(application=application, user=platform_user(application.court))


def recusal_by_court(*, entrustment: Entrustment, reason: str) -> RecusalApplication:
    """The court requires the recusal of the mediator of the case it entrusted."""
    if entrustment.status != EntrustmentStatus.ACCEPTED or entrustment.case is None:
        raise ConflictError(
            _("The organization has not accepted this entrustment: there is no mediator yet."),
            code="illegal_state",
        )
    return recusal_required_by_court(
        case=entrustment.case, clerk=platform_user(entrustment.court), reason=reason
    )
