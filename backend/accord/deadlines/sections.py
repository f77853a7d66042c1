"""The "Time limits" section of the case page (:mod:`accord.cases.sections`): each deadline
with its start, due date (and why it is provisional), status and extensions; the parties'
consent buttons and the mediator's or administrator's extension links."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.sections import SectionContent
from accord.cases.selectors import case_parties
from accord.cases.states import Party
from accord.deadlines.extensions import outside_trial_period
from accord.deadlines.models import ConsentParty, Deadline, DeadlineKind, ExtensionStatus
from accord.deadlines.selectors import ExtensionView, deadlines_of_case, extension_view

_RUNNERS = frozenset({Party.MEDIATOR, Party.ORG_ADMIN})


@dataclass(frozen=True, slots=True)
class ExtensionRow:
    view: ExtensionView
    # The parties the viewer answers for that have not answered yet.
    answer_as: list[tuple[str, str]]
    may_apply: bool


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    deadline: Deadline
    extensions: list[ExtensionRow]
    may_request: bool
    may_set_court_period: bool


def _row(deadline: Deadline, case: Case, parties: frozenset[Party]) -> DeadlineRow:
    runner = bool(parties & _RUNNERS)
    rows = []
    for extension in deadline.extensions.all():
        view = extension_view(extension, case)
        answered = {c.party for c in view.consents if c.consents is not None}
        answer_as = [
            (party.value, str(party.label))
            for party in ConsentParty
            if Party(party.value) in parties and party.value not in answered
        ]
        pending = view.pending and deadline.is_open
        rows.append(
            ExtensionRow(
                view=view,
                answer_as=answer_as if pending else [],
                may_apply=pending and runner,
            )
        )
    pending_any = any(e.status == ExtensionStatus.PENDING for e in deadline.extensions.all())
    return DeadlineRow(
        deadline=deadline,
        extensions=rows,
        may_request=runner and deadline.is_open and not pending_any,
        may_set_court_period=(
            Party.ORG_ADMIN in parties
            and deadline.is_open
            and deadline.kind == DeadlineKind.COURT_MEDIATION
        ),
    )


def deadlines_section(request: HttpRequest, case: Case) -> SectionContent | None:
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return None
    deadlines = list(deadlines_of_case(case))
    if not deadlines:
        return None
    parties = case_parties(case=case, user=user)
    return SectionContent(
        template="deadlines/_case_deadlines.html",
        context={
            "deadline_rows": [_row(d, case, parties) for d in deadlines],
            "outside_trial_period": outside_trial_period(case),
        },
        order=5,
    )
