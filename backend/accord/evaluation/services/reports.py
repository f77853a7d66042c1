"""The expert's advisory report: drafted as a document of kind ``evaluation_report``
(``accord.documents``: rendered to PDF, stored, hashed into the case's trace, each draft a new
version), delivered to the parties marked advisory (仅供参考: it binds nobody), and opened.

Rendering and storing happen in ``documents.services.document_draft`` before this app's
transaction locks anything (no object-storage I/O under a row lock); the evaluation then links
the document in its own transaction. A draft made while the evaluation changed under it (the
expert was replaced in between) stays a version of its document, traced, and is refused here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.errors import NotAllowed
from accord.cases.selectors import case_role_of
from accord.core.api import ConflictError, ServiceError
from accord.documents.models import DocumentKind, DocumentVersion
from accord.documents.services import document_draft, version_pdf
from accord.evaluation.models import AppointmentStatus, Evaluation, EvaluationStatus
from accord.evaluation.selectors import appointment_of, is_declared_expert
from accord.evaluation.services.common import (
    lock,
    optional_text,
    people_of_case,
    required_text,
    tell,
    trace,
)
from accord.orgs.models import Role

# The advisory marking the report carries (R6: an evaluation is advice, not a decision).
ADVISORY_NOTICE = {
    "zh-hans": "本评估报告为独立专家的中立评估意见，仅供参考，对各方当事人不具有约束力。",
    "en": (
        "This report is the neutral evaluation of an independent expert. It is advisory, for "
        "reference only (仅供参考), and binds none of the parties."
    ),
}
REPORT_LANGUAGES = frozenset(ADVISORY_NOTICE)


@dataclass(frozen=True, kw_only=True)
class ReportInput:
    """What the expert writes: the questions evaluated, the facts found (from the parties'
    statements and evidence), the analysis and the opinion."""

    questions: str
    findings: str
    analysis: str = ""
    opinion: str


def _fields(
    evaluation: Evaluation, expert: User, report: ReportInput, language: str
) -> dict[str, str]:
    problems: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for name in ("questions", "findings", "opinion"):
        try:
            cleaned[name] = required_text(getattr(report, name), name)
        except ServiceError as exc:
            problems.update(exc.fields)
    try:
        cleaned["analysis"] = optional_text(report.analysis, "analysis")
    except ServiceError as exc:
        problems.update(exc.fields)
    if problems:
        raise ServiceError(
            _("The report is incomplete: see the fields."),
            code="report_incomplete",
            fields=problems,
        )
    if language not in REPORT_LANGUAGES:
        message = _("Choose Chinese or English.")
        raise ServiceError(message, code="invalid", fields={"language": [message]})
    return {
        "expert_name": expert.display_name,
        "ground": str(evaluation.get_ground_display()),
        **cleaned,
        "advisory_notice": ADVISORY_NOTICE[language],
    }


def _writer(evaluation: Evaluation, user: User) -> None:
    """``user`` writes the report: the declared expert of an evaluation under way."""
    appointment = appointment_of(evaluation, user)
    if appointment is None or appointment.status != AppointmentStatus.DECLARED:
        raise NotAllowed(_("Only the expert who declared their independence writes the report."))
    if evaluation.status != EvaluationStatus.IN_PROGRESS:
        raise ConflictError(
            _("The report of this evaluation can no longer be written."), code="illegal_state"
        )


def evaluation_report_draft(
    *, evaluation: Evaluation, user: User, report: ReportInput, language: str = "zh-hans"
) -> DocumentVersion:
    """The declared expert drafts the report (again: each draft is a new version of the
    report's document). Trace ``document.drafted`` (documents) and
    ``evaluation.report_drafted`` (the document's uuid, version number and SHA-256).

    Refuses, writing nothing: ``report_incomplete`` (400: ``questions``, ``findings`` or
    ``opinion`` missing; ``fields`` names them), ``invalid``, ``document_invalid`` (400, from
    documents), ``permission_denied`` (403), ``illegal_state`` (409: not under way)."""
    _writer(evaluation, user)
    fields = _fields(evaluation, user, report, language)
    version = document_draft(
        case=evaluation.case,
        kind=DocumentKind.EVALUATION_REPORT,
        fields=fields,
        by=user,
        language=language,
        document=evaluation.report,
    )
    with transaction.atomic():
        locked_case, locked = lock(evaluation)
        _writer(locked, user)
        if locked.report_id not in (None, version.document_id):
            raise ConflictError(
                _("The report changed meanwhile: reload the page."), code="illegal_state"
            )
        locked.report = version.document
        locked.save(update_fields=["report"])
        trace(
            locked_case,
            "evaluation.report_drafted",
            Actor.for_user(user, role=Role.EXPERT),
            locked,
            document=str(version.document.uuid),
            number=version.number,
            sha256=version.sha256,
        )
    evaluation.report = version.document
    return version


def evaluation_report_deliver(*, evaluation: Evaluation, user: User) -> Evaluation:
    """The declared expert delivers the latest draft to the parties: the evaluation is
    reported; the applicant, the institution's staff, the mediator and the administrators are
    told it is advisory. Trace ``evaluation.reported`` (the version delivered and
    ``advisory: true``). Refuses ``permission_denied`` (403), ``report_missing`` and
    ``illegal_state`` (409)."""
    with transaction.atomic():
        locked_case, locked = lock(evaluation)
        _writer(locked, user)
        version = locked.report.current if locked.report is not None else None
        if version is None:
            raise ConflictError(_("Draft the report before delivering it."), code="report_missing")
        locked.status = EvaluationStatus.REPORTED
        locked.delivered_version = version
        locked.delivered_at = timezone.now()
        locked.save(update_fields=["status", "delivered_version", "delivered_at"])
        trace(
            locked_case,
            "evaluation.reported",
            Actor.for_user(user, role=Role.EXPERT),
            locked,
            document=str(version.document.uuid),
            number=version.number,
            sha256=version.sha256,
            advisory=True,
        )
        tell(
            [*people_of_case(locked_case), locked.requested_by],
            locked_case,
            kind="evaluation.reported",
            text=_(
                "Case %(case_no)s: the independent expert's neutral evaluation report is on the "
                "case page. It is advisory, for reference only (仅供参考): it binds no party."
            )
            % {"case_no": locked_case.case_no},
        )
    return locked


def report_version_for(evaluation: Evaluation, user: User) -> DocumentVersion | None:
    """The version of the report ``user`` may open: the delivered one, or for the declared
    expert the latest draft."""
    if evaluation.delivered_version is not None:
        return evaluation.delivered_version
    if is_declared_expert(evaluation, user) and evaluation.report is not None:
        return evaluation.report.current
    return None


def evaluation_report_open(*, evaluation: Evaluation, user: User) -> tuple[DocumentVersion, bytes]:
    """The PDF of the report version ``user`` may open (:func:`report_version_for`); the
    opening is traced ``evaluation.report_opened`` once the bytes were read. Preconditions:
    the caller checked that ``user`` sees the evaluation. Refuses ``report_missing`` (409)."""
    version = report_version_for(evaluation, user)
    if version is None:
        raise ConflictError(_("There is no report to open yet."), code="report_missing")
    data = version_pdf(version)
    role = Role.EXPERT.value if is_declared_expert(evaluation, user) else None
    with transaction.atomic():
        locked_case, locked = lock(evaluation)
        trace(
            locked_case,
            "evaluation.report_opened",
            Actor.for_user(user, role=role or case_role_of(case=locked_case, user=user)),
            locked,
            document=str(version.document.uuid),
            number=version.number,
            sha256=version.sha256,
        )
    return version, data
