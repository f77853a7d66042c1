"""Erasing a person's personal data once the retention period is over (PIPL).

The trace is never touched: its events name people by id and commit to personal values
by keyed hashes. Erasure blanks the mutable tables (the account here, the party
particulars of the person's cases, their names in hearings: see
:mod:`accord.audit.erasure`) and destroys the keys, so every chain still verifies and
nothing it committed to can be recovered. The erasure is traced, by ids only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import SignInCode, User
from accord.accounts.services.accounts import user_chain
from accord.audit.actors import Actor
from accord.audit.erasure import StillNeeded, personal_data_holders
from accord.audit.personal import subject_erase, user_subject
from accord.audit.services import trace_append
from accord.core.api import ServiceError
from accord.core.crypto import lookup_hash


@dataclass(frozen=True, slots=True)
class Erasure:
    user_id: int
    subjects: tuple[str, ...]
    values_destroyed: int


def person_erasable_after(*, user: User) -> datetime | None:
    """When ``user``'s personal data may be erased (``None``: now). Raises
    :class:`StillNeeded` while a case of theirs is open."""
    limits = [holder.kept_until(user.pk) for holder in personal_data_holders()]
    known = [limit for limit in limits if limit is not None]
    return max(known) if known else None


def person_erase(*, user: User, actor: Actor, now: datetime | None = None) -> Erasure:
    """Erase the personal data of ``user`` and of the cases they brought.

    Refuses (``ServiceError``, code ``still_needed``) while a case of theirs is open or
    its retention period runs. One transaction; no network I/O.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.erased_at is not None:
            raise ServiceError(_("This person's data was already erased."), code="already_erased")
        try:
            after = person_erasable_after(user=locked)
        except StillNeeded as exc:
            raise ServiceError(str(exc), code="still_needed") from exc
        if after is not None and after > now:
            raise ServiceError(
                _("The retention period runs until %(date)s.")
                % {"date": timezone.localtime(after).strftime("%Y-%m-%d")},
                code="still_needed",
            )
        subjects = [user_subject(locked.pk)]
        for holder in personal_data_holders():
            subjects.extend(holder.erase(locked.pk, actor))
        if locked.phone:
            SignInCode.objects.filter(phone_lookup=lookup_hash(locked.phone)).delete()
        locked.username = f"erased-{locked.pk}"
        locked.display_name = ""
        locked.phone = None
        locked.email = ""
        locked.totp_secret = ""
        locked.totp_confirmed_at = None
        locked.is_active = False
        locked.erased_at = now
        locked.set_unusable_password()
        locked.save()
        destroyed = sum(subject_erase(subject=subject) for subject in dict.fromkeys(subjects))
        trace_append(
            chain=user_chain(locked),
            action="person.erased",
            actor=actor,
            payload={"user_id": locked.pk, "subjects": len(dict.fromkeys(subjects))},
        )
    return Erasure(
        user_id=locked.pk, subjects=tuple(dict.fromkeys(subjects)), values_destroyed=destroyed
    )
