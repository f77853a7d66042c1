"""Declaring, editing and withdrawing a mediator's relationships (an independent expert's too).

By the mediator themselves or by an administrator of the mediation organization they are a
mediator (or expert) of. Each write is one transaction with one event on that organization's chain
(``org:<CODE>``, ``orgs.services.org_chain``): the relationship by id, its kind, institution
and dates; never the person's name or ID number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.cases.errors import NotAllowed
from accord.cases.scope import credit_code_is_valid
from accord.conflicts.matching import normalize_identifier
from accord.conflicts.models import INSTITUTION_KINDS, Relationship, RelationshipKind
from accord.core.api import ServiceError
from accord.orgs.models import MEDIATION_KINDS, Organization, Role
from accord.orgs.selectors import has_role
from accord.orgs.services import org_chain

_ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
NAME_MAX = 200


@dataclass(frozen=True, kw_only=True)
class RelationshipInput:
    """What a declaration says. Fields the kind does not use are dropped (a kinship has no
    institution nor period; an employment names no person)."""

    kind: str
    person_name: str = ""
    person_id_number: str = ""
    institution: Organization | None = None
    started_on: dt.date | None = None
    ended_on: dt.date | None = None


def _bad(field: str, message: str) -> ServiceError:
    return ServiceError(message, code="invalid", fields={field: [message]})


def clean_input(data: RelationshipInput) -> RelationshipInput:
    """The declaration as stored, or ``invalid`` (400) with the field at fault."""
    try:
        kind = RelationshipKind(data.kind)
    except ValueError:
        raise _bad("kind", _("Choose the kind of relationship.")) from None
    name = " ".join(data.person_name.split())
    identifier = normalize_identifier(data.person_id_number)
    if len(name) > NAME_MAX:
        raise _bad("person_name", _("At most %(max)d characters.") % {"max": NAME_MAX})
    if identifier and not (_ID_NUMBER_RE.match(identifier) or credit_code_is_valid(identifier)):
        raise _bad(
            "person_id_number",
            _("Give an 18-character ID card number or unified social credit code."),
        )
    if kind in INSTITUTION_KINDS:
        if data.institution is None:
            raise _bad("institution", _("Name the institution."))
        if data.started_on is None:
            raise _bad("started_on", _("Give the date it started."))
        if data.ended_on is not None and data.ended_on < data.started_on:
            raise _bad("ended_on", _("It cannot end before it started."))
        return RelationshipInput(
            kind=kind,
            institution=data.institution,
            started_on=data.started_on,
            ended_on=data.ended_on,
        )
    if kind == RelationshipKind.PRIOR_INVOLVEMENT and data.institution is not None:
        if name or identifier:
            raise _bad("institution", _("Name either an institution or a person, not both."))
        return RelationshipInput(kind=kind, institution=data.institution)
    if not name:
        raise _bad("person_name", _("Give the person's name."))
    return RelationshipInput(kind=kind, person_name=name, person_id_number=identifier)


# Who declares relationships with an organization: its mediators, and its independent experts
# (a neutral evaluation runs the same conflict check on the expert it appoints).
DECLARING_ROLES = (Role.MEDIATOR, Role.EXPERT)


def _authorize(
    by: User, mediator: User, organization: Organization, *, declaring: bool = False
) -> Actor:
    """The mediator (or expert) themselves or an administrator of ``organization``; a new
    declaration is for a mediator or expert of the organization (an existing one may be
    corrected or withdrawn after they left)."""
    own_role = next((r for r in DECLARING_ROLES if has_role(mediator, r, organization)), None)
    if declaring and (organization.kind not in MEDIATION_KINDS or own_role is None):
        raise ServiceError(
            _("Not a mediator of this organization."),
            code="invalid_mediator",
            fields={"mediator": [_("Not a mediator of this organization.")]},
        )
    if by.pk == mediator.pk:
        return Actor.for_user(by, role=own_role or Role.MEDIATOR)
    if has_role(by, Role.ORG_ADMIN, organization):
        return Actor.for_user(by, role=Role.ORG_ADMIN)
    raise NotAllowed(_("Only the mediator or an administrator of the organization may do this."))


def _facts(relationship: Relationship) -> dict[str, object]:
    """What the trace says of a relationship: nothing that identifies a person."""
    return {
        "relationship": relationship.pk,
        "mediator": {"user_id": relationship.mediator_id},
        "kind": relationship.kind,
        "institution": relationship.institution_id,
        "started_on": relationship.started_on.isoformat() if relationship.started_on else None,
        "ended_on": relationship.ended_on.isoformat() if relationship.ended_on else None,
        "identified": bool(relationship.person_id_number),
    }


def relationship_declare(
    *, mediator: User, organization: Organization, by: User, data: RelationshipInput
) -> Relationship:
    """Declare a relationship of ``mediator``; trace ``relationship.declared`` on the
    organization's chain. Refuses ``invalid`` / ``invalid_mediator`` (400) and
    ``permission_denied`` (403)."""
    actor = _authorize(by, mediator, organization, declaring=True)
    cleaned = clean_input(data)
    with transaction.atomic():
        relationship = Relationship.objects.create(
            mediator=mediator,
            organization=organization,
            kind=cleaned.kind,
            person_name=cleaned.person_name,
            person_id_number=cleaned.person_id_number,
            institution=cleaned.institution,
            started_on=cleaned.started_on,
            ended_on=cleaned.ended_on,
            declared_by=by,
        )
        trace_append(
            chain=org_chain(organization),
            action="relationship.declared",
            actor=actor,
            payload=_facts(relationship),
        )
    return relationship


_EDITABLE = (
    "kind",
    "person_name",
    "person_id_number",
    "institution",
    "started_on",
    "ended_on",
)


def _withdrawn() -> ServiceError:
    return ServiceError(_("This relationship was withdrawn."), code="withdrawn")


def relationship_update(
    *, relationship: Relationship, by: User, data: RelationshipInput
) -> Relationship:
    """Correct a declaration; trace ``relationship.updated`` with the names of the fields
    that changed. Refuses as :func:`relationship_declare`, ``withdrawn`` and ``unchanged``."""
    actor = _authorize(by, relationship.mediator, relationship.organization)
    cleaned = clean_input(data)
    with transaction.atomic():
        locked = Relationship.objects.select_for_update().get(pk=relationship.pk)
        if locked.withdrawn_at is not None:
            raise _withdrawn()
        changed = [
            name
            for name in _EDITABLE
            if getattr(locked, "institution_id" if name == "institution" else name)
            != (
                (cleaned.institution.pk if cleaned.institution else None)
                if name == "institution"
                else getattr(cleaned, name)
            )
        ]
        if not changed:
            raise ServiceError(_("Nothing was changed."), code="unchanged")
        for name in changed:
            setattr(locked, name, getattr(cleaned, name))
        locked.save(update_fields=[*changed, "updated_at"])
        trace_append(
            chain=org_chain(locked.organization),
            action="relationship.updated",
            actor=actor,
            payload={**_facts(locked), "changed": changed},
        )
    return locked


def relationship_withdraw(*, relationship: Relationship, by: User) -> Relationship:
    """Withdraw a declaration (it no longer counts); trace ``relationship.withdrawn``.
    Refuses ``permission_denied`` (403) and ``withdrawn`` (400)."""
    actor = _authorize(by, relationship.mediator, relationship.organization)
    with transaction.atomic():
        locked = Relationship.objects.select_for_update().get(pk=relationship.pk)
        if locked.withdrawn_at is not None:
            raise _withdrawn()
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = by
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
        trace_append(
            chain=org_chain(locked.organization),
            action="relationship.withdrawn",
            actor=actor,
            payload={"relationship": locked.pk, "mediator": {"user_id": locked.mediator_id}},
        )
    return locked
