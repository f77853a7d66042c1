"""What higher layers do when a case changes state, without cases importing them.

``cases`` sits below the apps that work on a case (hearings, documents, deadlines). An app that
must act when a case moves (``rooms`` cancels the hearings of a withdrawn or closed case)
registers a callback here from its ``AppConfig.ready()``; :func:`case_transitioned` calls every
callback inside the transition's transaction, so what they write (and trace) commits or rolls
back with the move itself. A callback that raises refuses the move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.models import Case, CaseState


@dataclass(frozen=True, kw_only=True)
class CaseTransition:
    """A move of ``case`` (locked, already saved in its new state) by ``actor``."""

    case: Case
    previous: CaseState
    state: CaseState
    actor: Actor


TransitionHook = Callable[[CaseTransition], object]

_transition_hooks: list[TransitionHook] = []


def on_case_transition(hook: TransitionHook) -> TransitionHook:
    """Register ``hook`` (once; registering it again changes nothing). Usable as a decorator."""
    if hook not in _transition_hooks:
        _transition_hooks.append(hook)
    return hook


def case_transitioned(transition: CaseTransition) -> None:
    """Call every registered hook; inside the transition's ``transaction.atomic()``."""
    for hook in list(_transition_hooks):
        hook(transition)


# --- Assignment checks --------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AssignmentAttempt:
    """``mediator`` is about to become the mediator of ``case`` (locked), by ``actor``.

    ``override_reason`` is the written reason an administrator gave to assign despite a
    conflict the checks would otherwise refuse ("" when there is none; the services refuse an
    override without one before any check runs).
    """

    case: Case
    mediator: User
    actor: Actor
    override_reason: str = ""


AssignmentCheck = Callable[[AssignmentAttempt], object]

_assignment_checks: list[AssignmentCheck] = []


def on_assignment_check(check: AssignmentCheck) -> AssignmentCheck:
    """Register ``check`` (the roster refuses a suspended mediator, conflicts refuse a
    conflicted one). A check refuses by raising a ``ServiceError``; it runs inside the
    assignment's transaction, so what it writes (an override's trace event) commits with it."""
    if check not in _assignment_checks:
        _assignment_checks.append(check)
    return check


def assignment_checked(attempt: AssignmentAttempt) -> None:
    for check in list(_assignment_checks):
        check(attempt)


# --- Other case events --------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CaseEvent:
    """Something other than a move happened to ``case`` (locked): ``action`` is the trace
    event's action (``case.complexity_changed``, ``case.mediator_replaced``,
    ``case.mediator_removed``, ``case.materials_signed``, ``case.answered``,
    ``case.transfer_*``), ``payload`` its payload."""

    case: Case
    action: str
    actor: Actor
    payload: dict[str, object]


CaseEventHook = Callable[[CaseEvent], object]

_event_hooks: list[CaseEventHook] = []


def on_case_event(hook: CaseEventHook) -> CaseEventHook:
    """Register ``hook`` (deadlines recount, replay revokes a removed mediator's grants)."""
    if hook not in _event_hooks:
        _event_hooks.append(hook)
    return hook


def case_event_happened(event: CaseEvent) -> None:
    """Call every registered hook; inside the transaction that traced the event."""
    for hook in list(_event_hooks):
        hook(event)
