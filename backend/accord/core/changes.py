"""Field-by-field edits that say what they changed (for the trace)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models


def apply_changes(instance: models.Model, wanted: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Set ``wanted`` on ``instance``; return ``{field: {"from", "to"}}`` for what differed.

    The caller saves with ``update_fields=sorted(changes)`` and traces ``changes``;
    an empty result means nothing to save and nothing to trace.
    """
    changes = {
        field: {"from": getattr(instance, field), "to": value}
        for field, value in wanted.items()
        if getattr(instance, field) != value
    }
    for field in changes:
        setattr(instance, field, wanted[field])
    return changes
