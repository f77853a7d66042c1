"""Writes about organizations (R1, R17): creation, roles, mediation rules, complaint channels.

Each function runs in one transaction and appends exactly one event to the
organization's chain (``org:<CODE>``) when it changes something. Callers have
already authorized the actor (views use ``selectors.access_org_for_admin``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.accounts.services import user_chain
from accord.audit.actors import Actor
from accord.audit.models import TraceChain
from accord.audit.services import trace_append, trace_chain_of
from accord.core.api import ServiceError
from accord.core.changes import apply_changes
from accord.orgs.models import (
    MEDIATION_KINDS,
    ROLE_ORG_KINDS,
    ComplaintChannel,
    InstitutionSector,
    MediationRules,
    Membership,
    Organization,
    OrgKind,
    RecordingStart,
    Role,
    org_code_validator,
)

MAX_RULE_DAYS = 365
# Recordings are kept for years (1825 days by default); a century is surely a typo.
MAX_RETENTION_DAYS = 36500


def applicant_membership_ensure(user: User) -> bool:
    """The user's (active) applicant role, created or re-activated; True when it changed.
    Registered with ``accord.accounts.roles`` (accounts sits below orgs and cannot import it)."""
    membership, created = Membership.objects.get_or_create(
        user=user, organization=None, role=Role.APPLICANT, defaults={"is_active": True}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        return True
    return created


def _refuse(message: str, *, code: str, field: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, fields={field: [message]} if field else None)


def org_chain(organization: Organization) -> TraceChain:
    """The organization's chain, created on first use. Call inside ``transaction.atomic()``."""
    return trace_chain_of(organization, key=f"org:{organization.code}")


def organization_create(
    *,
    kind: str,
    code: str,
    name: str,
    actor: Actor,
    name_en: str = "",
    region: str = "",
    address: str = "",
    phone: str = "",
    website: str = "",
    sector: str = "",
) -> Organization:
    """A new organization with its chain; mediation organizations get default rules."""
    if kind not in OrgKind.values:
        raise _refuse(_("Choose a kind of organization."), code="kind_invalid", field="kind")
    try:
        org_code_validator(code)
    except ValidationError as exc:
        raise _refuse(str(exc.messages[0]), code="code_invalid", field="code") from exc
    if Organization.objects.filter(code=code).exists():
        raise _refuse(_("This code is taken."), code="code_taken", field="code")
    if not name.strip():
        raise _refuse(_("Enter a name."), code="name_required", field="name")
    if sector and (kind != OrgKind.FINANCIAL_INSTITUTION or sector not in InstitutionSector.values):
        message = _("Only financial institutions have a sector, one of the listed ones.")
        raise _refuse(message, code="sector_invalid", field="sector")
    with transaction.atomic():
        organization = Organization.objects.create(
            kind=kind,
            code=code,
            name=name.strip(),
            name_en=name_en,
            region=region,
            address=address,
            phone=phone,
            website=website,
            sector=sector,
        )
        if kind in MEDIATION_KINDS:
            MediationRules.objects.create(organization=organization)
        trace_append(
            chain=org_chain(organization),
            action="org.created",
            actor=actor,
            payload={
                "org_id": organization.pk,
                "code": code,
                "kind": kind,
                "name": organization.name,
            },
        )
    return organization


# --- Roles -----------------------------------------------------------------


def membership_grant(
    *, organization: Organization | None, user: User, role: str, actor: Actor
) -> Membership:
    """Give ``user`` the ``role`` (in ``organization`` when the role is held in one).

    Only roles that ``ROLE_ORG_KINDS`` allows in the organization's kind; a
    deactivated membership is reactivated rather than duplicated. Roles held
    without an organization (applicant, system administrator) are traced on
    the user's chain.
    """
    if role not in Role.values:
        raise _refuse(_("Choose a role."), code="role_unknown", field="role")
    kinds = ROLE_ORG_KINDS[role]
    if organization is None and kinds is not None:
        message = _("This role is held in an organization.")
        raise _refuse(message, code="organization_required", field="role")
    if organization is not None and (kinds is None or organization.kind not in kinds):
        message = _("A %(kind)s cannot have the role “%(role)s”.") % {
            "kind": organization.get_kind_display(),
            "role": Role(role).label,
        }
        raise _refuse(message, code="role_not_allowed", field="role")
    if not user.is_active:
        raise _refuse(_("This account is disabled."), code="user_inactive", field="user")
    with transaction.atomic():
        existing = (
            Membership.objects.select_for_update()
            .filter(user=user, organization=organization, role=role)
            .first()
        )
        if existing is not None and existing.is_active:
            message = _("%(user)s already has this role here.") % {"user": user.get_full_name()}
            raise _refuse(message, code="already_member", field="user")
        if existing is not None:
            existing.is_active = True
            existing.save(update_fields=["is_active"])
            membership = existing
        else:
            membership = Membership.objects.create(user=user, organization=organization, role=role)
        trace_append(
            chain=org_chain(organization) if organization is not None else user_chain(user),
            action="membership.granted",
            actor=actor,
            payload={
                "membership_id": membership.pk,
                "user_id": user.pk,
                "role": role,
                "reactivated": existing is not None,
            },
        )
    return membership


def membership_deactivate(*, membership: Membership, actor: Actor) -> None:
    """End a role. The last active administrator of an organization cannot be removed."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        if not locked.is_active:
            message = _("This membership is already inactive.")
            raise _refuse(message, code="already_inactive")
        organization = locked.organization
        if organization is not None and locked.role == Role.ORG_ADMIN:
            # Lock every admin row of the organization so two removals cannot both pass.
            admins = list(
                Membership.objects.select_for_update()
                .filter(organization=organization, role=Role.ORG_ADMIN, is_active=True)
                .values_list("pk", flat=True)
            )
            if admins == [locked.pk]:
                message = _("An organization needs at least one active administrator.")
                raise _refuse(message, code="last_admin")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        trace_append(
            chain=org_chain(organization) if organization is not None else user_chain(locked.user),
            action="membership.deactivated",
            actor=actor,
            payload={
                "membership_id": locked.pk,
                "user_id": locked.user_id,
                "role": locked.role,
            },
        )
    membership.is_active = False


# --- Mediation rules (R1, R11) ---------------------------------------------------


PROCEDURE_RANGES: dict[str, tuple[int, int]] = {
    "answer_days": (1, MAX_RULE_DAYS),
    "recusal_decision_days": (1, MAX_RULE_DAYS),
    "transfer_decision_days": (1, MAX_RULE_DAYS),
    "mediator_idle_days": (1, 3650),
    "mediator_min_score": (0, 100),
}
MAX_REMINDER_DAYS = 30


def parse_reminder_days(value: str) -> tuple[int, ...]:
    """ "3,1" → (3, 1): distinct working-day counts, largest first; ValueError when malformed."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    days = sorted({int(part) for part in parts}, reverse=True)
    if not days or any(not 1 <= day <= MAX_REMINDER_DAYS for day in days):
        raise ValueError(value)
    return tuple(days)


def _procedure_settings(procedure: dict[str, int | str]) -> dict[str, int | bool | str]:
    wanted: dict[str, int | bool | str] = {}
    for field, value in procedure.items():
        if field == "reminder_days":
            try:
                days = parse_reminder_days(str(value))
            except ValueError:
                message = _(
                    "Enter working days before the deadline, like 3,1 (each 1 to %(max)d)."
                ) % {"max": MAX_REMINDER_DAYS}
                raise _refuse(message, code="invalid", field=field) from None
            wanted[field] = ",".join(str(day) for day in days)
            continue
        if field not in PROCEDURE_RANGES or not isinstance(value, int):
            raise _refuse(_("Unknown setting."), code="invalid", field=field)
        low, high = PROCEDURE_RANGES[field]
        if not low <= value <= high:
            message = _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}
            raise _refuse(message, code="days_out_of_range", field=field)
        wanted[field] = value
    return wanted


def mediation_rules_update(
    *,
    organization: Organization,
    actor: Actor,
    fee_free: bool,
    days_simple: int,
    days_normal: int,
    days_complex: int,
    count_working_days: bool,
    acceptance_days: int,
    record_caucus: bool | None = None,
    recording_retention_days: int | None = None,
    recording_start: str | None = None,
    procedure: dict[str, int | str] | None = None,
) -> MediationRules:
    """Change a mediation organization's internal time limits; no change, no event.

    ``procedure`` holds the procedure's other settings by field name, each optional:
    ``answer_days``, ``recusal_decision_days``, ``transfer_decision_days`` (working days,
    1–365), ``reminder_days`` ("3,1": working days before a deadline, each 1–30),
    ``mediator_idle_days`` (1–3650), ``mediator_min_score`` (0–100)."""
    if not organization.is_mediation_org:
        message = _("Only mediation organizations have mediation rules.")
        raise _refuse(message, code="not_mediation_org")
    days = {
        "days_simple": days_simple,
        "days_normal": days_normal,
        "days_complex": days_complex,
        "acceptance_days": acceptance_days,
    }
    for field, value in days.items():
        if not 1 <= value <= MAX_RULE_DAYS:
            message = _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_RULE_DAYS}
            raise _refuse(message, code="days_out_of_range", field=field)
    if not days_simple <= days_normal <= days_complex:
        message = _("Simple cases cannot take longer than normal ones, nor normal than complex.")
        raise _refuse(message, code="days_out_of_order", field="days_normal")
    wanted: dict[str, int | bool | str] = {
        **days,
        "fee_free": fee_free,
        "count_working_days": count_working_days,
    }
    if record_caucus is not None:
        wanted["record_caucus"] = record_caucus
    if recording_start:  # None or blank keeps the current policy
        if recording_start not in RecordingStart.values:
            message = _("Choose when the recording starts.")
            raise _refuse(message, code="invalid", field="recording_start")
        wanted["recording_start"] = recording_start
    if recording_retention_days is not None:
        if not 1 <= recording_retention_days <= MAX_RETENTION_DAYS:
            message = _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_RETENTION_DAYS}
            raise _refuse(message, code="days_out_of_range", field="recording_retention_days")
        wanted["recording_retention_days"] = recording_retention_days
    wanted.update(_procedure_settings(procedure or {}))
    with transaction.atomic():
        rules, _created = MediationRules.objects.select_for_update().get_or_create(
            organization=organization
        )
        changes = apply_changes(rules, wanted)
        if not changes:
            return rules
        rules.save(update_fields=sorted(changes))
        trace_append(
            chain=org_chain(organization),
            action="rules.updated",
            actor=actor,
            payload={"rules_id": rules.pk, "changes": changes},
        )
    return rules


# --- Complaint channels (R17) -----------------------------------------------------


def _clean_channel(
    *, organization: Organization, scope: str, name: str, phone: str, url: str, address: str
) -> dict[str, str]:
    if organization.kind != OrgKind.FINANCIAL_INSTITUTION:
        message = _("Only financial institutions publish complaint channels.")
        raise _refuse(message, code="not_institution")
    if scope not in ComplaintChannel.Scope.values:
        raise _refuse(_("Choose internal or external."), code="scope_invalid", field="scope")
    data = {
        "scope": scope,
        "name": name.strip(),
        "phone": phone.strip(),
        "url": url.strip(),
        "address": address.strip(),
    }
    if not data["name"]:
        raise _refuse(_("Enter a name for the channel."), code="name_required", field="name")
    if data["url"]:
        try:
            URLValidator(schemes=["http", "https"])(data["url"])
        except ValidationError as exc:
            raise _refuse(_("Enter a valid web address."), code="url_invalid", field="url") from exc
    if not (data["phone"] or data["url"] or data["address"]):
        message = _("Give at least one way to reach this channel: phone, web address or address.")
        raise _refuse(message, code="contact_required", field="phone")
    return data


def complaint_channel_create(
    *,
    organization: Organization,
    actor: Actor,
    scope: str,
    name: str,
    phone: str = "",
    url: str = "",
    address: str = "",
) -> ComplaintChannel:
    data = _clean_channel(
        organization=organization, scope=scope, name=name, phone=phone, url=url, address=address
    )
    with transaction.atomic():
        channel = ComplaintChannel.objects.create(organization=organization, **data)
        trace_append(
            chain=org_chain(organization),
            action="complaint_channel.created",
            actor=actor,
            payload={"channel_id": channel.pk, **data},
        )
    return channel


def complaint_channel_update(
    *,
    channel: ComplaintChannel,
    actor: Actor,
    scope: str,
    name: str,
    phone: str = "",
    url: str = "",
    address: str = "",
) -> ComplaintChannel:
    """Edit a published channel; no change, no event."""
    organization = channel.organization
    data = _clean_channel(
        organization=organization, scope=scope, name=name, phone=phone, url=url, address=address
    )
    with transaction.atomic():
        locked = ComplaintChannel.objects.select_for_update().get(pk=channel.pk)
        changes = apply_changes(locked, data)
        if not changes:
            return locked
        locked.save(update_fields=sorted(changes))
        trace_append(
            chain=org_chain(organization),
            action="complaint_channel.updated",
            actor=actor,
            payload={"channel_id": locked.pk, "changes": changes},
        )
    return locked


def complaint_channel_delete(*, channel: ComplaintChannel, actor: Actor) -> None:
    organization = channel.organization
    with transaction.atomic():
        locked = ComplaintChannel.objects.select_for_update().get(pk=channel.pk)
        payload = {"channel_id": locked.pk, "scope": locked.scope, "name": locked.name}
        locked.delete()
        trace_append(
            chain=org_chain(organization),
            action="complaint_channel.deleted",
            actor=actor,
            payload=payload,
        )
