"""The demo court's docking: its API key and callback key, fixed so that the court simulator
``make up`` starts can sign as the court without asking the database (demo data only)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from accord.audit.actors import Actor
from accord.audit.services import trace_append
from accord.courts.models import CourtDocking, CourtKey
from accord.demo import data
from accord.orgs.models import Organization
from accord.orgs.services import org_chain

SEED = Actor.system("seed-demo")
DEMO_MEDIATION_ORG = "FMC"


def demo_court_docking(callback_url: str = "") -> dict[str, Any]:
    """Make (or update) the demo court's key and docking; what a court needs to sign."""
    court = Organization.objects.get(code=data.DEMO_COURT)
    organization = Organization.objects.get(code=DEMO_MEDIATION_ORG)
    with transaction.atomic():
        key, created = CourtKey.objects.get_or_create(
            key_id=data.DEMO_COURT_KEY_ID,
            defaults={"court": court, "secret": data.DEMO_COURT_SECRET},
        )
        docking, _ = CourtDocking.objects.get_or_create(court=court)
        changed = created
        if docking.default_organization_id is None:
            docking.default_organization = organization
            changed = True
        if callback_url and docking.callback_url != callback_url:
            docking.callback_url = callback_url
            docking.callback_key_id = data.DEMO_COURT_CALLBACK_KEY_ID
            docking.callback_secret = data.DEMO_COURT_CALLBACK_SECRET
            host = urlsplit(callback_url).netloc
            docking.material_hosts = host
            changed = True
        docking.save()
        if changed:
            trace_append(
                chain=org_chain(organization),
                action="court.docking_saved",
                actor=SEED,
                payload={
                    "court": court.pk,
                    "key_id": key.key_id,
                    "callback_key_id": docking.callback_key_id,
                    "callback_url_set": bool(docking.callback_url),
                },
            )
    return {
        "key_id": key.key_id,
        "secret": key.secret,
        "base_url": f"{settings.ACCORD_BASE_URL.rstrip('/')}/api/court/v1/",
        "callback_key_id": docking.callback_key_id or data.DEMO_COURT_CALLBACK_KEY_ID,
        "callback_secret": docking.callback_secret or data.DEMO_COURT_CALLBACK_SECRET,
        "callback_url": docking.callback_url,
        "court": court.code,
        "organization": organization.code,
    }
