"""A court's docking and API keys, configured on Accord's side (R7, docs/court-api.md).

The platform, not the court, sets a docking up: an administrator of the mediation organization
a court's entrustments go to by default (``CourtDocking.default_organization``) records where
callbacks go (URL, key id, secret), which hosts materials may be fetched from, and makes the
keys the court signs its requests with. A key's secret is returned once, when it is made, and
never shown again; revoking a key makes the court API answer ``key_unknown`` for it. Rotating
makes a new key and leaves the old one valid until it is revoked, so the court can switch over
without a gap.

Trace events on the default organization's chain: ``court.docking_saved``,
``court.key_created``, ``court.key_rotated``, ``court.key_revoked``. Their payloads name the
court by id and keys by key id; never a secret.

Refusals (``ServiceError``, nothing written):

=======================  ====================================================================
code                     meaning
=======================  ====================================================================
``permission_denied``    (403) not an administrator of the docking's organization
``validation_failed``    (400) the docking form names something Accord cannot take, by field
``not_docked``           (409) a key for a court with no docking yet
``key_revoked``          (409) revoking or rotating a key that is already revoked
=======================  ====================================================================
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.cases.errors import NotAllowed
from accord.core.api import ConflictError, ServiceError
from accord.courts.models import CourtDocking, CourtKey
from accord.courts.services.common import docking_chain, require_admin
from accord.orgs.models import Organization, OrgKind, Role

KEY_ID_MAX = 64
SECRET_MAX = 128
HOSTS_MAX = 500
HOST_RE = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::[0-9]{1,5})?")


def _docking_admin(user: User, court: Organization) -> CourtDocking:
    """The court's docking, once ``user`` is shown to administer its default organization."""
    docking = (
        CourtDocking.objects.select_related("court", "default_organization")
        .filter(court=court)
        .first()
    )
    if docking is None or docking.default_organization is None:
        raise ConflictError(
            _("This court has no docking with a mediation organization yet."), code="not_docked"
        )
    require_admin(user, docking.default_organization)
    return docking


def _new_key(court: Organization, user: User) -> tuple[CourtKey, str]:
    secret = secrets.token_urlsafe(32)
    key_id = f"ck_{court.code.lower()}_{secrets.token_hex(6)}"[:KEY_ID_MAX]
    key = CourtKey.objects.create(court=court, key_id=key_id, secret=secret, created_by=user)
    return key, secret


def _actor(user: User) -> Actor:
    return Actor.for_user(user, role=Role.ORG_ADMIN)


def court_key_create(*, court: Organization, user: User) -> tuple[CourtKey, str]:
    """A new API key for ``court``; the secret is returned here and never again."""
    docking = _docking_admin(user, court)
    assert docking.default_organization is not None
    with transaction.atomic():
        key, secret = _new_key(court, user)
        trace_append(
            chain=docking_chain(docking.default_organization),
            action="court.key_created",
            actor=_actor(user),
            payload={"court": court.pk, "key_id": key.key_id},
        )
    return key, secret


def _lock_active(key: CourtKey) -> CourtKey:
    locked = CourtKey.objects.select_for_update().select_related("court").get(pk=key.pk)
    if locked.revoked_at is not None:
        raise ConflictError(_("This key is already revoked."), code="key_revoked")
    return locked


def court_key_rotate(*, key: CourtKey, user: User) -> tuple[CourtKey, str]:
    """A new key replacing ``key``; the old one stays valid until it is revoked."""
    docking = _docking_admin(user, key.court)
    assert docking.default_organization is not None
    with transaction.atomic():
        old = _lock_active(key)
        new, secret = _new_key(old.court, user)
        trace_append(
            chain=docking_chain(docking.default_organization),
            action="court.key_rotated",
            actor=_actor(user),
            payload={"court": old.court_id, "key_id": new.key_id, "replaces": old.key_id},
        )
    return new, secret


def court_key_revoke(*, key: CourtKey, user: User) -> CourtKey:
    """From now on the court API refuses ``key`` (``key_unknown``)."""
    docking = _docking_admin(user, key.court)
    assert docking.default_organization is not None
    with transaction.atomic():
        locked = _lock_active(key)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        trace_append(
            chain=docking_chain(docking.default_organization),
            action="court.key_revoked",
            actor=_actor(user),
            payload={"court": locked.court_id, "key_id": locked.key_id},
        )
    return locked


def _hosts(text: str, fields: dict[str, list[str]]) -> str:
    hosts = [host.strip().lower() for host in (text or "").split(",") if host.strip()]
    bad = [host for host in hosts if not HOST_RE.fullmatch(host)]
    if bad:
        fields["material_hosts"] = [
            _("Not a host name (or host:port): %(hosts)s") % {"hosts": ", ".join(bad)}
        ]
    joined = ",".join(dict.fromkeys(hosts))
    if len(joined) > HOSTS_MAX:
        fields["material_hosts"] = [_("At most %(n)d characters.") % {"n": HOSTS_MAX}]
    return joined


def _callback_url(url: str, fields: dict[str, list[str]]) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        fields["callback_url"] = [_("Enter an http or https address.")]
        return url
    if len(url) > 500 or not urlsplit(url).hostname:
        fields["callback_url"] = [_("Enter an http or https address.")]
    return url


def docking_save(
    *,
    court: Organization,
    organization: Organization,
    user: User,
    callback_url: str,
    callback_key_id: str,
    callback_secret: str = "",
    material_hosts: str = "",
) -> CourtDocking:
    """Create or change the docking of ``court`` with ``organization`` (its default mediation
    organization). An empty ``callback_secret`` keeps the one stored.

    Only an administrator of ``organization`` sets it up; a docking that already belongs to an
    organization is changed only by that organization's administrators (a docking without one
    is left to the system administrator, in Django's admin)."""
    require_admin(user, organization)
    fields: dict[str, list[str]] = {}
    if court.kind != OrgKind.COURT:
        fields["court"] = [_("Only a court docks with Accord.")]
    if not organization.is_mediation_org:
        fields["organization"] = [_("Entrustments go to a mediation organization.")]
    url = _callback_url(callback_url, fields)
    key_id = (callback_key_id or "").strip()
    secret = (callback_secret or "").strip()
    if len(key_id) > KEY_ID_MAX:
        fields["callback_key_id"] = [_("At most %(n)d characters.") % {"n": KEY_ID_MAX}]
    if len(secret) > SECRET_MAX:
        fields["callback_secret"] = [_("At most %(n)d characters.") % {"n": SECRET_MAX}]
    hosts = _hosts(material_hosts, fields)
    with transaction.atomic():
        docking = CourtDocking.objects.select_for_update().filter(court=court).first()
        created = docking is None
        if docking is not None:
            owner = docking.default_organization
            if owner is None or not _administers(user, owner):
                raise NotAllowed(_("This court's docking is configured by another organization."))
        else:
            docking = CourtDocking(court=court)
        if url and not key_id:
            fields["callback_key_id"] = [_("Callbacks are signed: name the court's key id.")]
        if url and not (secret or docking.callback_secret):
            fields["callback_secret"] = [_("Callbacks are signed: give the court's secret.")]
        if fields:
            raise ServiceError(
                _("The docking has invalid fields."), code="validation_failed", fields=fields
            )
        secret_changed = bool(secret) and secret != docking.callback_secret
        docking.default_organization = organization
        docking.callback_url = url
        docking.callback_key_id = key_id
        if secret:
            docking.callback_secret = secret
        docking.material_hosts = hosts
        docking.save()
        payload: dict[str, object] = {
            "court": court.pk,
            "created": created,
            "callback_url": url,
            "callback_key_id": key_id,
            "callback_secret_changed": secret_changed,
            "material_hosts": hosts,
        }
        trace_append(
            chain=docking_chain(organization),
            action="court.docking_saved",
            actor=_actor(user),
            payload=payload,
        )
    return docking


def _administers(user: User, organization: Organization) -> bool:
    try:
        require_admin(user, organization)
    except NotAllowed:
        return False
    return True
