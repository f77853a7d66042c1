"""Erasing a person's personal data: the registry of apps that hold some.

Accounts, cases and hearings each hold personal data about a person in ordinary, mutable
tables, and their trace events commit to some of it by keyed hashes (see
:mod:`accord.audit.personal`). The erasure service (``accord.accounts.services.person_erase``)
is in the identity layer; the apps above it register what they hold here, in their
``AppConfig.ready()``, so that no lower layer imports a higher one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from accord.audit.actors import Actor

DEFAULT_RETENTION_DAYS = 3 * 365


def personal_data_retention() -> timedelta:
    """How long personal data is kept once the last case of a person ended."""
    days = getattr(settings, "ACCORD_PERSONAL_DATA_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    return timedelta(days=int(days))


class StillNeeded(Exception):
    """The person's data must still be kept (an open case, the retention period)."""


@dataclass(frozen=True, slots=True)
class PersonalDataHolder:
    """What one app holds about a person.

    ``kept_until(user_id)`` is the moment the app may let go of it (``None``: no limit of
    its own); it raises :class:`StillNeeded` while the data is in use (an open case).
    ``erase(user_id, actor)`` erases it, traces the erasure on the chains it concerns (by
    ids only) and returns the data subjects (``case:<no>``…) whose keys must be destroyed.
    Both run inside the erasure's transaction; neither may do network I/O.
    """

    name: str
    kept_until: Callable[[int], datetime | None]
    erase: Callable[[int, Actor], Sequence[str]]


_holders: list[PersonalDataHolder] = []


def register_personal_data(holder: PersonalDataHolder) -> PersonalDataHolder:
    if all(existing.name != holder.name for existing in _holders):
        _holders.append(holder)
    return holder


def personal_data_holders() -> list[PersonalDataHolder]:
    return list(_holders)
