"""Every write of outcomes, each in one transaction with its trace event.

Import from here: ``from accord.outcomes.services import obligation_confirm``.
"""

from accord.outcomes.services.confirmation import (
    confirmation_apply,
    confirmation_consent,
    confirmation_package_open,
    confirmation_record_outcome,
)
from accord.outcomes.services.failure import failure_notice_issue, failure_refer
from accord.outcomes.services.notarization import (
    notarization_consent,
    notarization_document_accessed,
    notarization_guarantor_consent,
    notarization_record_outcome,
    notarization_refer,
    notarization_request,
)
from accord.outcomes.services.performance import obligation_confirm, performance_open

__all__ = [
    "confirmation_apply",
    "confirmation_consent",
    "confirmation_package_open",
    "confirmation_record_outcome",
    "failure_notice_issue",
    "failure_refer",
    "notarization_consent",
    "notarization_document_accessed",
    "notarization_guarantor_consent",
    "notarization_record_outcome",
    "notarization_refer",
    "notarization_request",
    "obligation_confirm",
    "performance_open",
]
