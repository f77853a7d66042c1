"""The feedback letter (委托调解反馈函) and the return of the court's materials (R11).

Placeholder until the feedback letter lands: no letter, no return record yet.
"""

from __future__ import annotations

from typing import Any

from accord.courts.models import Entrustment


def feedback_status(entrustment: Entrustment) -> dict[str, Any] | None:
    return None


def return_status(entrustment: Entrustment) -> dict[str, Any] | None:
    return None
