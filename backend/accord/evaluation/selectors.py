"""Reads of neutral evaluations, already filtered by what the user may see.

Who sees what:

- an evaluation is seen by whoever may see or audit its case (the parties, the case's mediator,
  the organization's administrators, auditors …) and by the experts appointed to it;
- the appointed expert sees the case itself (its page, the application, the institution's
  answer and the materials) only once they declared their independence, while the appointment
  stands and they are an expert of the case's organization: :func:`expert_case_ids` widens
  ``cases.audit_scope`` (read only; the applicant's contact details stay masked) and nothing
  else — never another case;
- drafts of the report are the expert's; the delivered report is seen by everyone who sees the
  evaluation.

Anything else is "not found" (:class:`Http404`), never "forbidden".
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.cases.models import Case, CaseState, Material, RespondentAnswer
from accord.cases.selectors import (
    answer_of,
    case_list_for_audit,
    case_list_for_user,
    case_parties,
    materials_of_case,
)
from accord.cases.states import Party
from accord.evaluation.models import (
    INSTITUTION_GROUNDS,
    LIVE_APPOINTMENT_STATUSES,
    OPEN_STATUSES,
    ORGANIZATION_GROUNDS,
    AppointmentStatus,
    Evaluation,
    EvaluationGround,
    EvaluationStatus,
    ExpertAppointment,
    RequestedAs,
)
from accord.orgs.models import Organization, Role
from accord.orgs.selectors import has_role, organizations_where

AnyUser = User | AnonymousUser

# An evaluation is asked for, and worked on, while the case is being mediated.
EVALUATION_STATES = frozenset({CaseState.ACCEPTED, CaseState.ASSIGNED, CaseState.MEDIATING})

# The expert reads the case while evaluating it and after reporting (to answer for the report).
_EXPERT_READS = (EvaluationStatus.IN_PROGRESS, EvaluationStatus.REPORTED)


def _active(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def experts_of(*, organization: Organization) -> QuerySet[User]:
    """Users who hold an active independent-expert membership in ``organization``."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__organization=organization,
            memberships__role=Role.EXPERT,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("display_name", "username")
    )


def expert_case_ids(user: User) -> QuerySet[ExpertAppointment, int]:
    """The ids of the cases ``user`` evaluates as a declared expert: registered with
    ``cases.audit_scope`` (they read those case pages and their materials, read only)."""
    return ExpertAppointment.objects.filter(
        expert=user,
        status=AppointmentStatus.DECLARED,
        evaluation__status__in=_EXPERT_READS,
        evaluation__case__organization__in=organizations_where(user, Role.EXPERT),
    ).values_list("evaluation__case_id", flat=True)


def live_appointment(evaluation: Evaluation) -> ExpertAppointment | None:
    return (
        ExpertAppointment.objects.filter(
            evaluation=evaluation, status__in=LIVE_APPOINTMENT_STATUSES
        )
        .select_related("expert")
        .first()
    )


def appointment_of(evaluation: Evaluation, user: AnyUser) -> ExpertAppointment | None:
    """``user``'s standing appointment to ``evaluation``, while they are an expert of the
    case's organization."""
    active = _active(user)
    if active is None:
        return None
    appointment = live_appointment(evaluation)
    if appointment is None or appointment.expert_id != active.pk:
        return None
    if not has_role(active, Role.EXPERT, evaluation.case.organization):
        return None
    return appointment


def is_declared_expert(evaluation: Evaluation, user: AnyUser) -> bool:
    """Whether ``user`` evaluates ``evaluation``'s case as a declared expert now."""
    appointment = appointment_of(evaluation, user)
    return (
        appointment is not None
        and appointment.status == AppointmentStatus.DECLARED
        and evaluation.status in _EXPERT_READS
    )


def evaluations_of_case(case: Case) -> QuerySet[Evaluation]:
    """The case's evaluations, newest first."""
    return Evaluation.objects.filter(case=case).select_related(
        "requested_by", "delivered_version", "report"
    )


def open_evaluation(case: Case) -> Evaluation | None:
    return evaluations_of_case(case).filter(status__in=OPEN_STATUSES).first()


def appointments_of(evaluation: Evaluation) -> QuerySet[ExpertAppointment]:
    """Every appointment to ``evaluation``, oldest first."""
    return ExpertAppointment.objects.filter(evaluation=evaluation).select_related(
        "expert", "appointed_by"
    )


def appointments_for_expert(user: AnyUser) -> QuerySet[ExpertAppointment]:
    """Every appointment of ``user`` as an expert, newest first (their evaluations)."""
    active = _active(user)
    if active is None:
        return ExpertAppointment.objects.none()
    return (
        ExpertAppointment.objects.filter(expert=active)
        .select_related("evaluation__case__organization", "evaluation__case__respondent")
        .order_by("-appointed_at", "-id")
    )


def _visible_q(user: User) -> Q:
    return (
        Q(case__in=case_list_for_user(user=user).values("pk"))
        | Q(case__in=case_list_for_audit(user=user).values("pk"))
        | Q(appointments__expert=user)
    )


def access_evaluation(*, user: AnyUser, evaluation_uuid: UUID | str) -> Evaluation:
    """The evaluation, or :class:`Http404` when it does not exist or ``user`` may not see it."""
    active = _active(user)
    if active is None:
        raise Http404(_("No such evaluation."))
    try:
        return (
            Evaluation.objects.filter(_visible_q(active))
            .distinct()
            .select_related("case__organization", "case__respondent", "case__chain")
            .get(uuid=evaluation_uuid)
        )
    except (Evaluation.DoesNotExist, ValueError) as exc:
        raise Http404(_("No such evaluation.")) from exc


def may_administer(case: Case, user: AnyUser) -> bool:
    """Administrators of the case's organization appoint, replace and cancel."""
    return has_role(user, Role.ORG_ADMIN, case.organization)


def requesting_side(case: Case, user: AnyUser) -> RequestedAs | None:
    """As whom ``user`` may ask for an evaluation of ``case``: the case's mediator, an
    administrator of its organization, or staff of the respondent institution."""
    parties = case_parties(case=case, user=user)
    if Party.MEDIATOR in parties:
        return RequestedAs.MEDIATOR
    if Party.ORG_ADMIN in parties:
        return RequestedAs.ORG_ADMIN
    if Party.INSTITUTION in parties:
        return RequestedAs.INSTITUTION
    return None


def grounds_for(side: RequestedAs) -> list[EvaluationGround]:
    """The grounds ``side`` may ask on, in display order."""
    allowed = INSTITUTION_GROUNDS if side == RequestedAs.INSTITUTION else ORGANIZATION_GROUNDS
    return [ground for ground in EvaluationGround if ground in allowed]


def may_request(case: Case, user: AnyUser) -> bool:
    return (
        case.state in EVALUATION_STATES
        and requesting_side(case, user) is not None
        and open_evaluation(case) is None
    )


def may_see_report(evaluation: Evaluation, user: AnyUser) -> bool:
    """The delivered report: everyone who sees the evaluation (callers checked that)."""
    del user
    return evaluation.delivered_version_id is not None


def waiting_for_expert(organization: Organization) -> QuerySet[Evaluation]:
    """Open evaluations of ``organization``'s cases, oldest first (the administrators' list)."""
    return (
        Evaluation.objects.filter(case__organization=organization, status__in=OPEN_STATUSES)
        .select_related("case", "requested_by")
        .order_by("requested_at", "id")
    )


@dataclass(frozen=True, slots=True)
class Dossier:
    """What the declared expert evaluates: the application, the institution's answer and the
    materials. Never the applicant's contact details."""

    case: Case
    answer: RespondentAnswer | None
    materials: list[Material]


def dossier(case: Case) -> Dossier:
    return Dossier(
        case=case,
        answer=answer_of(case=case),
        materials=list(materials_of_case(case=case)),
    )


def sees_case(case: Case, user: AnyUser) -> bool:
    """Whether ``user`` may see or audit ``case`` (the declared expert audits it)."""
    active = _active(user)
    if active is None:
        return False
    return (
        case_list_for_user(user=active).filter(pk=case.pk).exists()
        or case_list_for_audit(user=active).filter(pk=case.pk).exists()
    )


@dataclass(frozen=True, slots=True)
class Viewer:
    """How a user who sees an evaluation stands to it (what the page and the API show)."""

    sees_case: bool
    is_admin: bool
    appointment: ExpertAppointment | None
    declared: bool

    @property
    def awaiting_declaration(self) -> bool:
        return (
            self.appointment is not None
            and self.appointment.status == AppointmentStatus.AWAITING_DECLARATION
            and self.appointment.evaluation.is_open
        )

    @property
    def reads_request(self) -> bool:
        """The request's words are part of the case: not before the declaration."""
        return self.sees_case or self.declared


def viewer_of(evaluation: Evaluation, user: AnyUser) -> Viewer:
    appointment = appointment_of(evaluation, user)
    if appointment is not None:
        appointment.evaluation = evaluation
    return Viewer(
        sees_case=sees_case(evaluation.case, user),
        is_admin=may_administer(evaluation.case, user),
        appointment=appointment,
        declared=is_declared_expert(evaluation, user),
    )
