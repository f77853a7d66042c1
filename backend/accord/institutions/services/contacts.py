"""The institution's mediation contacts (R17): the local mediation organizations it works
with and the desk that answers its customers there.

Events on the institution's chain: ``mediation_contact.created``, ``.updated`` (the fields
that changed; texts by SHA-256) and ``.deleted``. The contact person's name, the phone and the
e-mail stay in the row: the trace names only which of them changed.

Refusals (nothing is written):

===========================  ====  ==========================================================
code                         HTTP  meaning
===========================  ====  ==========================================================
``permission_denied``        403   not staff or an administrator of the institution
``not_mediation_org``        400   the organization named is not an active mediation
                                   organization (field ``organization``)
``desk_required``            400   no desk name (field ``desk``)
``contact_required``         400   neither a phone nor an e-mail (field ``phone``)
``email_invalid``            400   a malformed e-mail (field ``email``)
===========================  ====  ==========================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.services import trace_append
from accord.core.changes import apply_changes
from accord.institutions.models import MediationContact
from accord.institutions.services import keeper_actor, refuse
from accord.orgs.models import MEDIATION_KINDS, Organization
from accord.orgs.services import org_chain
from accord.outcomes.services.common import text_sha256

# Fields whose values never enter a trace (personal data or free text).
PRIVATE_FIELDS = frozenset({"contact_person", "phone", "email"})
HASHED_FIELDS = frozenset({"desk", "note"})


@dataclass(frozen=True, kw_only=True)
class ContactInput:
    organization: Organization
    desk: str
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    note: str = ""
    order: int = 0


def _clean(data: ContactInput) -> dict[str, Any]:
    organization = data.organization
    if organization.kind not in MEDIATION_KINDS or not organization.is_active:
        raise refuse(
            _("Choose an active mediation organization."),
            code="not_mediation_org",
            field="organization",
        )
    cleaned: dict[str, Any] = {
        "organization": organization,
        "desk": data.desk.strip(),
        "contact_person": data.contact_person.strip(),
        "phone": data.phone.strip(),
        "email": data.email.strip(),
        "note": data.note.strip(),
        "order": max(0, int(data.order)),
    }
    if not cleaned["desk"]:
        raise refuse(_("Enter the desk's name."), code="desk_required", field="desk")
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError as exc:
            raise refuse(
                _("Enter a valid e-mail address."), code="email_invalid", field="email"
            ) from exc
    if not (cleaned["phone"] or cleaned["email"]):
        raise refuse(
            _("Give a phone or an e-mail for this desk."), code="contact_required", field="phone"
        )
    return cleaned


def _traced(field: str, value: Any) -> Any:
    if field == "organization":
        return value.pk if isinstance(value, Organization) else value
    if field in HASHED_FIELDS:
        return {"sha256": text_sha256(str(value))}
    return value


def _traced_changes(changes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, change in changes.items():
        if field in PRIVATE_FIELDS:
            out[field] = "changed"
        else:
            out[field] = {key: _traced(field, value) for key, value in change.items()}
    return out


def mediation_contact_create(
    *, institution: Organization, user: User, data: ContactInput
) -> MediationContact:
    actor = keeper_actor(user, institution)
    cleaned = _clean(data)
    with transaction.atomic():
        contact = MediationContact.objects.create(institution=institution, **cleaned)
        trace_append(
            chain=org_chain(institution),
            action="mediation_contact.created",
            actor=actor,
            payload={
                "contact_id": contact.pk,
                "organization_id": contact.organization_id,
                "desk_sha256": text_sha256(contact.desk),
                "order": contact.order,
            },
        )
    return contact


def mediation_contact_update(
    *, contact: MediationContact, user: User, data: ContactInput
) -> MediationContact:
    """Edit a contact; no change, no event."""
    institution = contact.institution
    actor = keeper_actor(user, institution)
    cleaned = _clean(data)
    with transaction.atomic():
        locked = MediationContact.objects.select_for_update().get(pk=contact.pk)
        changes = apply_changes(locked, cleaned)
        if not changes:
            return locked
        locked.save(update_fields=[*sorted(changes), "updated_at"])
        trace_append(
            chain=org_chain(institution),
            action="mediation_contact.updated",
            actor=actor,
            payload={"contact_id": locked.pk, "changes": _traced_changes(changes)},
        )
    return locked


def mediation_contact_delete(*, contact: MediationContact, user: User) -> None:
    institution = contact.institution
    actor = keeper_actor(user, institution)
    with transaction.atomic():
        locked = MediationContact.objects.select_for_update().get(pk=contact.pk)
        payload = {"contact_id": locked.pk, "organization_id": locked.organization_id}
        locked.delete()
        trace_append(
            chain=org_chain(institution),
            action="mediation_contact.deleted",
            actor=actor,
            payload=payload,
        )
