"""The errors the evaluation services raise of their own. Each ``code`` is documented in
docs/api.md; the others are plain ``ServiceError`` / ``ConflictError`` with a code."""

from __future__ import annotations

from accord.core.api import ConflictError


class ExpertConflict(ConflictError):
    """The expert declared a relationship that touches the case (``accord.conflicts``)."""

    code = "expert_conflict"
