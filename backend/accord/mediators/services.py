"""Writes about mediators on the roster: profiles, photos, qualifications, status and exit.

Each function runs in one transaction and appends one event to the organization's chain
(``orgs.services.org_chain``: mediators have no chain of their own). Payloads carry ids,
choice values and, for free text, its SHA-256 — never a name or the text itself. Callers have
authorized the actor as an administrator of the organization (views use
``orgs.selectors.access_org_for_admin``).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import BinaryIO

import filetype
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.models import TraceChain
from accord.audit.services import trace_append
from accord.cases.models import Case
from accord.cases.services import RemovalCause, case_remove_mediator
from accord.cases.services.assignment import MEDIATED_STATES
from accord.core.api import ConflictError, ServiceError
from accord.core.storage import put_object, remove_object
from accord.mediators.models import (
    MediatorProfile,
    MediatorStatus,
    Qualification,
    QualificationKind,
    Specialty,
    StatusChange,
)
from accord.orgs.models import Membership, Role
from accord.orgs.services import org_chain

logger = logging.getLogger(__name__)

MAX_YEARS = 80
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


def refuse(message: str, *, code: str, field: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, fields={field: [message]} if field else None)


def text_digest(text: str) -> str:
    """What the trace keeps of a free text (a reason, comments): its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def required_text(value: str, *, field: str = "reason") -> str:
    value = value.strip()
    if not value:
        raise refuse(_("Give a reason."), code="reason_required", field=field)
    return value


def _check_mediator_membership(membership: Membership) -> None:
    if membership.role != Role.MEDIATOR or membership.organization is None:
        raise refuse(
            _("Only a mediator membership has a roster profile."),
            code="not_a_mediator",
            field="membership",
        )


@dataclass(frozen=True, kw_only=True)
class ProfileData:
    specialties: list[str]
    years_of_experience: int
    languages: str = ""


def _clean_profile(data: ProfileData) -> ProfileData:
    unknown = [value for value in data.specialties if value not in Specialty.values]
    if unknown:
        raise refuse(_("Choose specialties from the list."), code="invalid", field="specialties")
    if not 0 <= data.years_of_experience <= MAX_YEARS:
        message = _("Years of experience are between 0 and %(max)d.") % {"max": MAX_YEARS}
        raise refuse(message, code="invalid", field="years_of_experience")
    # The list's order, once each: the roster reads the same whatever the form sent.
    specialties = [value for value in Specialty.values if value in set(data.specialties)]
    return ProfileData(
        specialties=specialties,
        years_of_experience=data.years_of_experience,
        languages=" ".join(data.languages.split())[:200],
    )


def mediator_profile_save(
    *, membership: Membership, data: ProfileData, actor: Actor
) -> MediatorProfile:
    """Create the profile of a mediator membership, or update it. Traces
    ``mediator.profile_created`` or ``mediator.profile_updated`` (with the names of the fields
    that changed; nothing when nothing did). Refuses ``not_a_mediator`` and ``invalid``."""
    _check_mediator_membership(membership)
    data = _clean_profile(data)
    assert membership.organization is not None
    with transaction.atomic():
        profile = (
            MediatorProfile.objects.select_for_update(of=("self",))
            .filter(membership=membership)
            .order_by("pk")
            .first()
        )
        created = profile is None
        if profile is None:
            profile = MediatorProfile(membership=membership)
        changed = [
            name
            for name in ("specialties", "years_of_experience", "languages")
            if getattr(profile, name) != getattr(data, name)
        ]
        if not created and not changed:
            return profile
        profile.specialties = data.specialties
        profile.years_of_experience = data.years_of_experience
        profile.languages = data.languages
        profile.save()
        trace_append(
            chain=org_chain(membership.organization),
            action="mediator.profile_created" if created else "mediator.profile_updated",
            actor=actor,
            payload={
                "profile_id": profile.pk,
                "membership_id": membership.pk,
                "user_id": membership.user_id,
                "fields": changed,
            },
        )
    return profile


def _lock_profile(profile: MediatorProfile) -> MediatorProfile:
    return (
        MediatorProfile.objects.select_for_update(of=("self",))
        .select_related("membership__organization", "membership__user")
        .get(pk=profile.pk)
    )


def chain_of(profile: MediatorProfile) -> TraceChain:
    """The chain of the profile's organization (call inside ``transaction.atomic()``)."""
    organization = profile.membership.organization
    assert organization is not None
    return org_chain(organization)


# --- Photo ----------------------------------------------------------------------------


def mediator_photo_set(
    *, profile: MediatorProfile, stream: BinaryIO, actor: Actor, size: int | None = None
) -> MediatorProfile:
    """Store an image (JPEG, PNG or WebP, at most 2 MB; the kind is read from the bytes) as
    the profile's photo, replacing the former one. Not inside a transaction: the upload holds
    no lock. Traces ``mediator.photo_set`` (the hash). Refuses ``empty_file``, ``too_large``
    and ``unsupported_type``."""
    if size is not None and size > PHOTO_MAX_BYTES:
        raise refuse(_("A photo is at most 2 MB."), code="too_large", field="photo")
    data = stream.read(PHOTO_MAX_BYTES + 1)
    if not data:
        raise refuse(_("The file is empty."), code="empty_file", field="photo")
    if len(data) > PHOTO_MAX_BYTES:
        raise refuse(_("A photo is at most 2 MB."), code="too_large", field="photo")
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in PHOTO_TYPES:
        raise refuse(
            _("A photo is a JPEG, PNG or WebP image."), code="unsupported_type", field="photo"
        )
    sha256 = hashlib.sha256(data).hexdigest()
    bucket: str = settings.S3_BUCKET_DOCUMENTS
    key = f"mediators/{profile.pk}/photo-{uuid.uuid4()}"
    put_object(
        bucket=bucket,
        key=key,
        data=BytesIO(data),
        size=len(data),
        content_type=kind.mime,
        sha256=sha256,
    )
    try:
        with transaction.atomic():
            locked = _lock_profile(profile)
            previous = locked.photo_key
            locked.photo_key = key
            locked.photo_content_type = kind.mime
            locked.photo_sha256 = sha256
            locked.save(update_fields=["photo_key", "photo_content_type", "photo_sha256"])
            trace_append(
                chain=chain_of(locked),
                action="mediator.photo_set",
                actor=actor,
                payload={"profile_id": locked.pk, "sha256": sha256, "key": key},
            )
    except BaseException:
        _discard(bucket, key)
        raise
    if previous:
        transaction.on_commit(lambda: _discard(bucket, previous))
    return locked


def mediator_photo_remove(*, profile: MediatorProfile, actor: Actor) -> MediatorProfile:
    """Take the photo off the roster (``mediator.photo_removed``); the object goes after
    the commit. Refuses ``no_photo`` (409)."""
    bucket: str = settings.S3_BUCKET_DOCUMENTS
    with transaction.atomic():
        locked = _lock_profile(profile)
        if not locked.photo_key:
            raise ConflictError(_("There is no photo."), code="no_photo")
        previous = locked.photo_key
        locked.photo_key = locked.photo_content_type = locked.photo_sha256 = ""
        locked.save(update_fields=["photo_key", "photo_content_type", "photo_sha256"])
        trace_append(
            chain=chain_of(locked),
            action="mediator.photo_removed",
            actor=actor,
            payload={"profile_id": locked.pk},
        )
        transaction.on_commit(lambda: _discard(bucket, previous))
    return locked


def _discard(bucket: str, key: str) -> None:
    try:
        remove_object(bucket, key)
    except Exception:  # a stray object is harmless; the failure that led here matters more
        logger.exception("could not remove photo object %s/%s", bucket, key)


# --- Qualifications -------------------------------------------------------------------


def qualification_add(
    *,
    profile: MediatorProfile,
    kind: str,
    title: str,
    certificate_no: str,
    issued_on: date | None,
    actor: Actor,
) -> Qualification:
    """A finance or law qualification with its certificate (``mediator.qualification_added``:
    the ids and the kind; the certificate number stays in the table). Refuses ``invalid``
    for a missing or future field."""
    if kind not in QualificationKind.values:
        raise refuse(_("Choose finance or law."), code="invalid", field="kind")
    title = title.strip()
    if not title:
        raise refuse(_("Name the qualification."), code="invalid", field="title")
    certificate_no = certificate_no.strip()
    if not certificate_no:
        raise refuse(_("Enter the certificate number."), code="invalid", field="certificate_no")
    if issued_on is None or issued_on > timezone.localdate():
        message = _("Enter the date of issue (not in the future).")
        raise refuse(message, code="invalid", field="issued_on")
    with transaction.atomic():
        locked = _lock_profile(profile)
        qualification = Qualification.objects.create(
            profile=locked,
            kind=kind,
            title=title[:200],
            certificate_no=certificate_no[:64],
            issued_on=issued_on,
        )
        trace_append(
            chain=chain_of(locked),
            action="mediator.qualification_added",
            actor=actor,
            payload={"profile_id": locked.pk, "qualification_id": qualification.pk, "kind": kind},
        )
    return qualification


def qualification_remove(*, qualification: Qualification, actor: Actor) -> None:
    with transaction.atomic():
        locked = _lock_profile(qualification.profile)
        removed = Qualification.objects.filter(pk=qualification.pk, profile=locked).delete()[0]
        if not removed:
            raise ConflictError(_("This qualification was already removed."), code="gone")
        trace_append(
            chain=chain_of(locked),
            action="mediator.qualification_removed",
            actor=actor,
            payload={"profile_id": locked.pk, "qualification_id": qualification.pk},
        )


# --- Status ---------------------------------------------------------------------------


def _record_status(
    locked: MediatorProfile, to: MediatorStatus, reason: str, user: User
) -> StatusChange:
    change = StatusChange.objects.create(
        profile=locked,
        from_status=locked.status,
        to_status=to,
        reason=reason,
        decided_by=user,
    )
    locked.status = to
    locked.status_changed_at = change.decided_at
    locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    return change


def mediator_status_change(
    *, profile: MediatorProfile, to: str, reason: str, user: User
) -> StatusChange:
    """Suspend an active mediator or reinstate a suspended (or exited) one, with a reason;
    traced ``mediator.status_changed``. Exit has its own decision (:func:`mediator_exit`).
    Refuses ``invalid_status`` (400: not active or suspended), ``reason_required`` (400),
    ``same_status`` (409) and ``exited`` (409: an exited mediator is only reinstated)."""
    if to not in (MediatorStatus.ACTIVE, MediatorStatus.SUSPENDED):
        raise refuse(
            _("Choose active or suspended (an exit is decided on its own page)."),
            code="invalid_status",
            field="status",
        )
    target = MediatorStatus(to)
    reason = required_text(reason)
    with transaction.atomic():
        locked = _lock_profile(profile)
        if locked.status == target:
            message = _("The mediator is already %(status)s.") % {"status": target.label}
            raise ConflictError(message, code="same_status", fields={"status": [message]})
        if locked.status == MediatorStatus.EXITED and target != MediatorStatus.ACTIVE:
            message = _("An exited mediator can only be reinstated.")
            raise ConflictError(message, code="exited", fields={"status": [message]})
        change = _record_status(locked, target, reason, user)
        trace_append(
            chain=chain_of(locked),
            action="mediator.status_changed",
            actor=Actor.for_user(user, role=Role.ORG_ADMIN),
            payload={
                "profile_id": locked.pk,
                "status_change_id": change.pk,
                "from": change.from_status,
                "to": change.to_status,
                "reason_sha256": text_digest(reason),
            },
        )
    profile.status = locked.status
    return change


def open_cases_of(profile: MediatorProfile) -> list[Case]:
    """The cases this mediator still mediates in the organization (assigned or mediating)."""
    return list(
        Case.objects.filter(
            organization=profile.membership.organization,
            mediator_id=profile.membership.user_id,
            state__in=MEDIATED_STATES,
        ).order_by("created_at", "id")
    )


def mediator_exit(
    *, profile: MediatorProfile, reasons: str, user: User, remove_from_cases: bool = False
) -> StatusChange:
    """The exit decision (R5): the mediator leaves the roster at once (the public roster reads
    the status on every request), traced ``mediator.exited`` with the open cases they still
    held. Their open cases keep them unless ``remove_from_cases``: then each is taken off them
    (``cases.services.case_remove_mediator``, cause ``exited``; an assigned case goes back to
    accepted, a case in mediation waits for a new mediator) in the same transaction.
    Refuses ``reason_required`` (400) and ``same_status`` (409: already exited)."""
    reasons = required_text(reasons, field="reasons")
    actor = Actor.for_user(user, role=Role.ORG_ADMIN)
    with transaction.atomic():
        locked = _lock_profile(profile)
        if locked.status == MediatorStatus.EXITED:
            message = _("The mediator has already exited.")
            raise ConflictError(message, code="same_status", fields={"reasons": [message]})
        cases = open_cases_of(locked)
        change = _record_status(locked, MediatorStatus.EXITED, reasons, user)
        trace_append(
            chain=chain_of(locked),
            action="mediator.exited",
            actor=actor,
            payload={
                "profile_id": locked.pk,
                "status_change_id": change.pk,
                "from": change.from_status,
                "reason_sha256": text_digest(reasons),
                "open_case_ids": [case.pk for case in cases],
                "removed_from_cases": remove_from_cases,
            },
        )
        if remove_from_cases:
            _remove_from(cases, actor)
    profile.status = locked.status
    return change


def _remove_from(cases: Iterable[Case], actor: Actor) -> None:
    reason = _("The mediator left the roster.")
    for case in cases:
        case_remove_mediator(case=case, actor=actor, cause=RemovalCause.EXITED, reason=reason)
