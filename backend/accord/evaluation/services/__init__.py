"""Every write of neutral evaluations, each in one transaction with its trace event.

Import from here: ``from accord.evaluation.services import evaluation_request``.
"""

from accord.evaluation.services.appointments import (
    appointment_declare_independence,
    appointment_decline,
    evaluation_appoint_expert,
    evaluation_replace_expert,
)
from accord.evaluation.services.common import text_sha256
from accord.evaluation.services.reports import (
    ADVISORY_NOTICE,
    ReportInput,
    evaluation_report_deliver,
    evaluation_report_draft,
    evaluation_report_open,
    report_version_for,
)
from accord.evaluation.services.requests import (
    evaluation_cancel,
    evaluation_request,
    evaluations_follow_event,
    evaluations_follow_transition,
)

__all__ = [
    "ADVISORY_NOTICE",
    "ReportInput",
    "appointment_declare_independence",
    "appointment_decline",
    "evaluation_appoint_expert",
    "evaluation_cancel",
    "evaluation_replace_expert",
    "evaluation_report_deliver",
    "evaluation_report_draft",
    "evaluation_report_open",
    "evaluation_request",
    "evaluations_follow_event",
    "evaluations_follow_transition",
    "report_version_for",
    "text_sha256",
]
