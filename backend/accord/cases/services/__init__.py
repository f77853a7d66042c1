"""Every write to cases and consultations, each in one transaction with its trace event.

Import from here: ``from accord.cases.services import case_apply``.
"""

from accord.cases.scope import CaseApplication
from accord.cases.services.answers import case_answer
from accord.cases.services.assignment import (
    RemovalCause,
    case_remove_mediator,
    case_replace_mediator,
    case_set_complexity,
)
from accord.cases.services.consultations import (
    consultation_answer,
    consultation_convert_to_case,
    consultation_create,
)
from accord.cases.services.intake import (
    case_apply,
    case_assign_by_regulator,
    case_entrust_by_court,
    format_case_no,
    intake_year,
)
from accord.cases.services.materials import material_open, material_upload
from accord.cases.services.transfers import (
    case_transfer_accept,
    case_transfer_decline,
    case_transfer_request,
)
from accord.cases.services.transitions import (
    case_accept,
    case_assign_mediator,
    case_close,
    case_decline,
    case_record_outcome,
    case_sign_for_materials,
    case_start_mediation,
    case_transition,
    case_withdraw,
)

__all__ = [
    "CaseApplication",
    "RemovalCause",
    "case_accept",
    "case_answer",
    "case_apply",
    "case_assign_by_regulator",
    "case_assign_mediator",
    "case_close",
    "case_decline",
    "case_entrust_by_court",
    "case_record_outcome",
    "case_remove_mediator",
    "case_replace_mediator",
    "case_set_complexity",
    "case_sign_for_materials",
    "case_start_mediation",
    "case_transfer_accept",
    "case_transfer_decline",
    "case_transfer_request",
    "case_transition",
    "case_withdraw",
    "consultation_answer",
    "consultation_convert_to_case",
    "consultation_create",
    "format_case_no",
    "intake_year",
    "material_open",
    "material_upload",
]
