"""Organization pages: the public list of institutions (R17) and the admin pages for staff.

Admin views resolve the organization with ``access_org_for_admin`` (404 for
outsiders), parse a form and call one service in ``orgs.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.accounts.selectors import user_by_username_or_phone
from accord.audit.actors import Actor
from accord.core.api import ServiceError
from accord.orgs import services
from accord.orgs.forms import ChannelForm, GrantRoleForm, RulesForm
from accord.orgs.models import (
    ComplaintChannel,
    MediationRules,
    Membership,
    Organization,
    OrgKind,
    Role,
)
from accord.orgs.selectors import (
    access_org_for_admin,
    mediation_contacts,
    members_of,
    organizations_administered_by,
    published_institutions,
)

OrgView = Callable[..., HttpResponse]


def org_admin_view(view: OrgView) -> OrgView:
    """Staff sign-in required; ``code`` in the URL becomes the administered ``organization``."""

    @login_required(login_url="accounts:staff_signin")
    @wraps(view)
    def wrapper(request: HttpRequest, code: str, **kwargs: Any) -> HttpResponse:
        organization = access_org_for_admin(request.user, code)
        return view(request, organization, **kwargs)

    return wrapper


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, role=Role.ORG_ADMIN)


def _status(form_has_errors: bool, exc: ServiceError | None) -> int:
    if exc is not None:
        return exc.http_status
    return 400 if form_has_errors else 200


# --- Public ---------------------------------------------------------------


@require_GET
def institutions(request: HttpRequest) -> HttpResponse:
    """Financial institutions' complaint channels and the mediation organizations (R17)."""
    context = {"institutions": published_institutions(), "mediation_orgs": mediation_contacts()}
    return render(request, "orgs/institutions.html", context)


# --- Organization admin ------------------------------------------------------------


@login_required(login_url="accounts:staff_signin")
@require_GET
def manage_index(request: HttpRequest) -> HttpResponse:
    organizations = list(organizations_administered_by(request.user))
    if not organizations:
        raise Http404("no organization to manage")
    if len(organizations) == 1:
        return redirect("orgs:manage", code=organizations[0].code)
    return render(request, "orgs/manage_index.html", {"organizations": organizations})


def _render_manage(
    request: HttpRequest,
    organization: Organization,
    form: GrantRoleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "organization": organization,
        "members": members_of(organization),
        "form": form or GrantRoleForm(organization=organization),
        "rules": MediationRules.objects.filter(organization=organization).first(),
        "channel_count": organization.complaint_channels.count(),
    }
    return render(request, "orgs/manage.html", context, status=status)


@org_admin_view
@require_GET
def manage(request: HttpRequest, organization: Organization) -> HttpResponse:
    return _render_manage(request, organization)


@org_admin_view
@require_POST
def member_grant(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = GrantRoleForm(request.POST, organization=organization)
    refusal: ServiceError | None = None
    if form.is_valid():
        user: User | None = user_by_username_or_phone(form.cleaned_data["user"])
        if user is None:
            form.add_error("user", _("No user has this username or mobile number."))
        else:
            try:
                services.membership_grant(
                    organization=organization,
                    user=user,
                    role=form.cleaned_data["role"],
                    actor=_actor(request),
                )
            except ServiceError as exc:
                refusal = exc
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(user)s is now %(role)s.")
                    % {"user": user, "role": Role(form.cleaned_data["role"]).label},
                )
                return redirect("orgs:manage", code=organization.code)
    return _render_manage(request, organization, form, _status(True, refusal))


@org_admin_view
@require_POST
def member_deactivate(
    request: HttpRequest, organization: Organization, membership_id: int
) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=membership_id, organization=organization)
    try:
        services.membership_deactivate(membership=membership, actor=_actor(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _render_manage(request, organization, status=exc.http_status)
    messages.success(request, _("The role was removed."))
    return redirect("orgs:manage", code=organization.code)


@org_admin_view
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, organization: Organization) -> HttpResponse:
    """A mediation organization's internal time limits (R1, R11)."""
    if not organization.is_mediation_org:
        raise Http404("not a mediation organization")
    # Read only: a missing rules row is created (and traced) by the service on save.
    current = MediationRules.objects.filter(organization=organization).first() or (
        MediationRules(organization=organization)
    )
    form = RulesForm(request.POST or None, initial=RulesForm.initial_from(current))
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            data = {
                name: value
                for name, value in form.cleaned_data.items()
                if name not in RulesForm.PROCEDURE_FIELDS
            }
            services.mediation_rules_update(
                organization=organization,
                actor=_actor(request),
                procedure=form.procedure(),
                **data,
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("The rules were saved."))
            return redirect("orgs:manage", code=organization.code)
    context = {"organization": organization, "form": form}
    return render(request, "orgs/rules.html", context, status=_status(bool(form.errors), refusal))


def _institution_or_404(organization: Organization) -> None:
    if organization.kind != OrgKind.FINANCIAL_INSTITUTION:
        raise Http404("not a financial institution")


@org_admin_view
@require_http_methods(["GET", "POST"])
def channels(request: HttpRequest, organization: Organization) -> HttpResponse:
    """The institution's published complaint channels, and a form to add one (R17)."""
    _institution_or_404(organization)
    form = ChannelForm(request.POST or None)
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_channel_create(
                organization=organization, actor=_actor(request), **form.cleaned_data
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("The channel is published."))
            return redirect("orgs:channels", code=organization.code)
    context = {
        "organization": organization,
        "channels": organization.complaint_channels.all(),
        "form": form,
    }
    return render(
        request, "orgs/channels.html", context, status=_status(bool(form.errors), refusal)
    )


@org_admin_view
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, organization: Organization, channel_id: int) -> HttpResponse:
    _institution_or_404(organization)
    channel = get_object_or_404(ComplaintChannel, pk=channel_id, organization=organization)
    form = ChannelForm(request.POST or None, initial=ChannelForm.initial_from(channel))
    refusal: ServiceError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_channel_update(
                channel=channel, actor=_actor(request), **form.cleaned_data
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("The channel was saved."))
            return redirect("orgs:channels", code=organization.code)
    context = {"organization": organization, "channel": channel, "form": form}
    return render(
        request, "orgs/channel_edit.html", context, status=_status(bool(form.errors), refusal)
    )


@org_admin_view
@require_POST
def channel_delete(
    request: HttpRequest, organization: Organization, channel_id: int
) -> HttpResponse:
    _institution_or_404(organization)
    channel = get_object_or_404(ComplaintChannel, pk=channel_id, organization=organization)
    services.complaint_channel_delete(channel=channel, actor=_actor(request))
    messages.success(request, _("The channel was removed."))
    return redirect("orgs:channels", code=organization.code)
