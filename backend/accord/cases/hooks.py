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
