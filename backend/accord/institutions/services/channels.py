"""Complaint channels kept by the institution's staff: the orgs services, after the keeper
check (``permission_denied``, 403, for anyone else). Events as in ``orgs.services``."""

from __future__ import annotations

from accord.accounts.models import User
from accord.institutions.services import keeper_actor
from accord.orgs import services as org_services
from accord.orgs.models import ComplaintChannel, Organization


def channel_create(
    *,
    institution: Organization,
    user: User,
    scope: str,
    name: str,
    phone: str = "",
    url: str = "",
    address: str = "",
) -> ComplaintChannel:
    return org_services.complaint_channel_create(
        organization=institution,
        actor=keeper_actor(user, institution),
        scope=scope,
        name=name,
        phone=phone,
        url=url,
        address=address,
    )


def channel_update(
    *,
    channel: ComplaintChannel,
    user: User,
    scope: str,
    name: str,
    phone: str = "",
    url: str = "",
    address: str = "",
) -> ComplaintChannel:
    return org_services.complaint_channel_update(
        channel=channel,
        actor=keeper_actor(user, channel.organization),
        scope=scope,
        name=name,
        phone=phone,
        url=url,
        address=address,
    )


def channel_delete(*, channel: ComplaintChannel, user: User) -> None:
    org_services.complaint_channel_delete(
        channel=channel, actor=keeper_actor(user, channel.organization)
    )
