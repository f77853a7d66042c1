"""What the apps above documents follow, without documents importing them.

``on_document_sealed(callback)``: ``callback(version)`` runs inside the transaction that
records the organization's seal on ``version`` (performance tracking, the small-claim
proposal's outcome, …). Registered in the higher app's ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accord.documents.models import DocumentVersion

SealedCallback = Callable[["DocumentVersion"], None]

_sealed: list[SealedCallback] = []


def on_document_sealed(callback: SealedCallback) -> SealedCallback:
    if callback not in _sealed:
        _sealed.append(callback)
    return callback


def document_sealed(version: DocumentVersion) -> None:
    for callback in _sealed:
        callback(version)
