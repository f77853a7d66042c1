"""What apps above outcomes follow of it, without outcomes importing them.

``on_confirmation_filed``: an application for judicial confirmation was filed with its court
(courts tells the court's platform). Hooks run in the filing's transaction, after its trace
event; a hook that raises refuses the filing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accord.outcomes.models import ConfirmationApplication

FiledHook = Callable[["ConfirmationApplication"], object]

_filed_hooks: list[FiledHook] = []


def on_confirmation_filed(hook: FiledHook) -> FiledHook:
    """Register ``hook`` (once; registering it again changes nothing)."""
    if hook not in _filed_hooks:
        _filed_hooks.append(hook)
    return hook


def confirmation_filed(application: ConfirmationApplication) -> None:
    for hook in list(_filed_hooks):
        hook(application)
