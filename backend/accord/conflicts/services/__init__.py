"""Every write of conflicts, each in one transaction with its trace event.

Import from here: ``from accord.conflicts.services import recusal_apply``.
"""

from accord.conflicts.services.recusal import (
    pending_lapse,
    recusal_apply,
    recusal_decide,
    recusal_required_by_court,
    recusal_self,
    text_sha256,
)
from accord.conflicts.services.relationships import (
    RelationshipInput,
    relationship_declare,
    relationship_update,
    relationship_withdraw,
)

__all__ = [
    "RelationshipInput",
    "pending_lapse",
    "recusal_apply",
    "recusal_decide",
    "recusal_required_by_court",
    "recusal_self",
    "relationship_declare",
    "relationship_update",
    "relationship_withdraw",
    "text_sha256",
]
