"""The case state machine: one table says which moves exist and who may make them."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accord.cases.models import CaseState
from accord.orgs.models import Role


class Party(StrEnum):
    """How a user stands to one case (derived by ``selectors.case_parties``)."""

    APPLICANT = "applicant"  # the case's applicant account
    ORG_ADMIN = "org_admin"  # administrator of the case's mediation organization
    MEDIATOR = "mediator"  # the case's assigned mediator, still a mediator there
    INSTITUTION = "institution"  # staff of the financial institution the case is against


# The trace records the actor's role; a party maps onto the role it stems from.
PARTY_ROLE: Mapping[Party, str] = {
    Party.APPLICANT: Role.APPLICANT,
    Party.ORG_ADMIN: Role.ORG_ADMIN,
    Party.MEDIATOR: Role.MEDIATOR,
    Party.INSTITUTION: Role.INSTITUTION_STAFF,
}

# When a user is more than one party, the trace names the role in this order.
PARTY_PRECEDENCE = (Party.MEDIATOR, Party.ORG_ADMIN, Party.INSTITUTION, Party.APPLICANT)

S = CaseState
_ADMIN = frozenset({Party.ORG_ADMIN})
_RUNNER = frozenset({Party.MEDIATOR, Party.ORG_ADMIN})
_APPLICANT = frozenset({Party.APPLICANT})
# Moves no party makes by asking for the state: a service makes them as part of something
# else (the institution's answer declining mediation: ``services.answers``).
_BY_SERVICE: frozenset[Party] = frozenset()

TRANSITIONS: Mapping[tuple[CaseState, CaseState], frozenset[Party]] = {
    (S.SUBMITTED, S.ACCEPTED): _ADMIN,
    (S.SUBMITTED, S.DECLINED): _ADMIN,
    (S.ACCEPTED, S.ASSIGNED): _ADMIN,
    (S.ASSIGNED, S.MEDIATING): _RUNNER,
    (S.MEDIATING, S.AGREEMENT): _RUNNER,
    (S.MEDIATING, S.FAILED): _RUNNER,
    (S.MEDIATING, S.TERMINATED): _RUNNER,
    # The institution declines to mediate (its answer, ``services.answers``).
    (S.ACCEPTED, S.NOT_MEDIATED): _BY_SERVICE,
    (S.ASSIGNED, S.NOT_MEDIATED): _BY_SERVICE,
    # Withdrawal: the applicant, from any open state before a final outcome.
    (S.SUBMITTED, S.WITHDRAWN): _APPLICANT,
    (S.ACCEPTED, S.WITHDRAWN): _APPLICANT,
    (S.ASSIGNED, S.WITHDRAWN): _APPLICANT,
    (S.MEDIATING, S.WITHDRAWN): _APPLICANT,
    (S.AGREEMENT, S.CLOSED): _RUNNER,
    (S.FAILED, S.CLOSED): _RUNNER,
    (S.TERMINATED, S.CLOSED): _RUNNER,
    (S.WITHDRAWN, S.CLOSED): _RUNNER,
    (S.DECLINED, S.CLOSED): _RUNNER,
    (S.NOT_MEDIATED, S.CLOSED): _RUNNER,
}

# Open: the case is still in progress; evidence may be added.
OPEN_STATES = frozenset({S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.MEDIATING})
OUTCOME_STATES = frozenset(
    {S.AGREEMENT, S.FAILED, S.TERMINATED, S.WITHDRAWN, S.DECLINED, S.NOT_MEDIATED}
)
# A decline must say why (R12: "declines and states why"); so must a termination.
REASON_REQUIRED = frozenset({S.DECLINED, S.TERMINATED})


def targets_from(state: CaseState | str) -> list[CaseState]:
    """The states a case in ``state`` can move to, in declaration order."""
    return [to for (frm, to) in TRANSITIONS if frm == state]


def is_legal(frm: CaseState | str, to: CaseState | str) -> bool:
    return (CaseState(frm), CaseState(to)) in TRANSITIONS


# What the button that makes a move says: the action, never the state it leads to.
ACTION_LABELS: Mapping[CaseState, str | Promise] = {
    S.ACCEPTED: _("Accept the case"),
    S.DECLINED: _("Decline the case"),
    S.ASSIGNED: _("Assign a mediator"),
    S.MEDIATING: _("Start mediation"),
    S.AGREEMENT: _("Record the agreement"),
    S.FAILED: _("Record that mediation failed"),
    S.TERMINATED: _("Terminate the mediation"),
    S.WITHDRAWN: _("Withdraw the application"),
    S.NOT_MEDIATED: _("Decline to mediate"),
    S.CLOSED: _("Close the case"),
}

# Moves that end or refuse something and cannot be undone: the page asks again first.
CONFIRM_REQUIRED = frozenset({S.DECLINED, S.FAILED, S.TERMINATED, S.WITHDRAWN, S.CLOSED})
# Moves that refuse or give up (styled apart from the moves that take a case forward).
REFUSING = frozenset({S.DECLINED, S.FAILED, S.TERMINATED, S.WITHDRAWN})

# The question asked before a move in ``CONFIRM_REQUIRED``.
CONFIRM_QUESTIONS: Mapping[CaseState, str | Promise] = {
    S.DECLINED: _("Decline this case? The applicant is told the reason; this cannot be undone."),
    S.FAILED: _("Record that mediation failed? This ends the mediation."),
    S.TERMINATED: _("Terminate the mediation? This ends it and cannot be undone."),
    S.WITHDRAWN: _(
        "Withdraw your application? The mediation stops and the case cannot be reopened."
    ),
    S.CLOSED: _("Close the case? Nothing more can be done on it afterwards."),
}
