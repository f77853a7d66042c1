"""Court docking pages for the administrators of mediation organizations: the inbox of
entrustments courts pushed (accept or decline each), the callbacks owed to courts (resend a
dead letter), and the dockings the organization configures for courts (callback address,
material hosts, the courts' API keys).

Thin: find the object among the user's organizations (403 for a page that lists them when the
user administers none, 404 for an object that is not theirs), parse a form, call one service in
``courts.services``; a refusal goes back on the form, nothing changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.core.api import ServiceError
from accord.courts.forms import AcceptForm, DeclineForm, DockingCreateForm, DockingForm
from accord.courts.models import (
    CallbackStatus,
    CourtCallback,
    CourtDocking,
    CourtKey,
    Entrustment,
    EntrustmentStatus,
)
from accord.courts.services.callbacks import callback_resend
from accord.courts.services.entrustments import entrustment_accept, entrustment_decline
from accord.courts.services.keys import (
    court_key_create,
    court_key_revoke,
    court_key_rotate,
    docking_save,
)
from accord.orgs.models import MEDIATION_KINDS, Organization, Role

RECENT = 50


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _admin_orgs(request: HttpRequest) -> QuerySet[Organization]:
    """The mediation organizations the user administers (entrustments only go to those)."""
    if request.user.pk is None:
        return Organization.objects.none()
    return (
        Organization.objects.filter(
            memberships__user_id=int(request.user.pk),
            memberships__role=Role.ORG_ADMIN,
            memberships__is_active=True,
            kind__in=MEDIATION_KINDS,
        )
        .distinct()
        .order_by("name")
    )


def _admin_orgs_or_403(request: HttpRequest) -> QuerySet[Organization]:
    organizations = _admin_orgs(request)
    if not organizations.exists():
        raise PermissionDenied
    return organizations


def _status(exc: ServiceError | None) -> int:
    return exc.http_status if exc is not None else 400


# --- Entrustments ----------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    organizations = _admin_orgs_or_403(request)
    entrustments = Entrustment.objects.filter(organization__in=organizations).select_related(
        "court", "organization"
    )
    pending = entrustments.filter(status=EntrustmentStatus.PENDING).order_by("received_at")
    decided = entrustments.exclude(status=EntrustmentStatus.PENDING).order_by("-received_at")
    context = {
        "pending": list(pending),
        "decided": list(decided[:RECENT]),
        "several": organizations.count() > 1,
    }
    return render(request, "courts/inbox.html", context)


def _entrustment(request: HttpRequest, uuid: Any) -> Entrustment:
    entrustment = (
        Entrustment.objects.select_related("court", "organization", "case")
        .filter(uuid=uuid, organization__in=_admin_orgs(request))
        .first()
    )
    if entrustment is None:
        raise Http404
    return entrustment


def _render_entrustment(
    request: HttpRequest,
    entrustment: Entrustment,
    *,
    accept_form: AcceptForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "entrustment": entrustment,
        "pending": entrustment.status == EntrustmentStatus.PENDING,
        "accept_form": accept_form or AcceptForm(prefix="accept"),
        "decline_form": decline_form or DeclineForm(prefix="decline"),
        "materials": entrustment.materials.all(),
        "callbacks": entrustment.callbacks.order_by("created_at"),
    }
    return render(request, "courts/entrustment.html", context, status=status)


@login_required
@require_GET
def entrustment_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    return _render_entrustment(request, _entrustment(request, uuid))


@login_required
@require_POST
def entrustment_accept_view(request: HttpRequest, uuid: Any) -> HttpResponse:
    entrustment = _entrustment(request, uuid)
    form = AcceptForm(request.POST, prefix="accept")
    refusal: ServiceError | None = None
    if form.is_valid():
        try:
            case = entrustment_accept(
                entrustment=entrustment,
                user=_user(request),
                materials_signed_on=form.cleaned_data["materials_signed_on"],
                complexity=form.cleaned_data["complexity"],
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Accepted: case %(no)s is open; the court is told.") % {"no": case.case_no},
            )
            return redirect("courts:entrustment", uuid=entrustment.uuid)
    return _render_entrustment(request, entrustment, accept_form=form, status=_status(refusal))


@login_required
@require_POST
def entrustment_decline_view(request: HttpRequest, uuid: Any) -> HttpResponse:
    entrustment = _entrustment(request, uuid)
    form = DeclineForm(request.POST, prefix="decline")
    refusal: ServiceError | None = None
    if form.is_valid():
        try:
            entrustment_decline(
                entrustment=entrustment, user=_user(request), reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("Declined; the court is told the reason."))
            return redirect("courts:entrustment", uuid=entrustment.uuid)
    return _render_entrustment(request, entrustment, decline_form=form, status=_status(refusal))


# --- Callbacks --------------------------------------------------------------------


@login_required
@require_GET
def callbacks(request: HttpRequest) -> HttpResponse:
    organizations = _admin_orgs_or_403(request)
    owed = CourtCallback.objects.filter(organization__in=organizations).select_related(
        "court", "entrustment"
    )
    context = {
        "callbacks": owed.filter(status=CallbackStatus.DEAD),
        "recent": owed.exclude(status=CallbackStatus.DEAD)[:RECENT],
    }
    return render(request, "courts/callbacks.html", context)


@login_required
@require_POST
def callback_resend_view(request: HttpRequest, callback_id: int) -> HttpResponse:
    callback = (
        CourtCallback.objects.select_related("organization", "court")
        .filter(pk=callback_id, organization__in=_admin_orgs(request))
        .first()
    )
    if callback is None:
        raise Http404
    try:
        callback_resend(callback=callback, user=_user(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The message to %(court)s is sent again.") % {"court": callback.court.name}
        )
    return redirect("courts:callbacks")


# --- Dockings and keys -----------------------------------------------------------


def _dockings_page(
    request: HttpRequest,
    organizations: QuerySet[Organization],
    form: DockingCreateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    dockings = (
        CourtDocking.objects.filter(default_organization__in=organizations)
        .select_related("court", "default_organization")
        .order_by("court__name")
    )
    context = {
        "dockings": dockings,
        "form": form or DockingCreateForm(organizations=organizations),
    }
    return render(request, "courts/dockings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def dockings(request: HttpRequest) -> HttpResponse:
    organizations = _admin_orgs_or_403(request)
    if request.method != "POST":
        return _dockings_page(request, organizations)
    form = DockingCreateForm(request.POST, organizations=organizations)
    refusal: ServiceError | None = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            docking = docking_save(
                court=data["court"],
                organization=data["organization"],
                user=_user(request),
                callback_url=data["callback_url"],
                callback_key_id=data["callback_key_id"],
                callback_secret=data["callback_secret"],
                material_hosts=data["material_hosts"],
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("%(court)s docks with Accord.") % {"court": docking.court.name}
            )
            return redirect("courts:docking", court_code=docking.court.code)
    return _dockings_page(request, organizations, form, status=_status(refusal))


def _docking(request: HttpRequest, court_code: str) -> CourtDocking:
    docking = (
        CourtDocking.objects.select_related("court", "default_organization")
        .filter(court__code=court_code, default_organization__in=_admin_orgs(request))
        .first()
    )
    if docking is None:
        raise Http404
    return docking


def _docking_initial(docking: CourtDocking) -> dict[str, Any]:
    return {
        "organization": docking.default_organization,
        "callback_url": docking.callback_url,
        "callback_key_id": docking.callback_key_id,
        "material_hosts": docking.material_hosts,
    }


def _render_docking(
    request: HttpRequest,
    docking: CourtDocking,
    *,
    form: DockingForm | None = None,
    new_key: CourtKey | None = None,
    secret: str = "",
    replaced: CourtKey | None = None,
    status: int = 200,
) -> HttpResponse:
    organizations = _admin_orgs(request)
    context = {
        "docking": docking,
        "court": docking.court,
        "form": form or DockingForm(initial=_docking_initial(docking), organizations=organizations),
        "keys": CourtKey.objects.filter(court=docking.court).order_by("-created_at"),
        "new_key": new_key,
        "secret": secret,
        "replaced": replaced,
    }
    response = render(request, "courts/docking.html", context, status=status)
    if secret:
        # The secret is on this page only: no cache, no back button showing it again.
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def docking_edit(request: HttpRequest, court_code: str) -> HttpResponse:
    docking = _docking(request, court_code)
    if request.method != "POST":
        return _render_docking(request, docking)
    form = DockingForm(request.POST, organizations=_admin_orgs(request))
    refusal: ServiceError | None = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            docking_save(
                court=docking.court,
                organization=data["organization"],
                user=_user(request),
                callback_url=data["callback_url"],
                callback_key_id=data["callback_key_id"],
                callback_secret=data["callback_secret"],
                material_hosts=data["material_hosts"],
            )
        except ServiceError as exc:
            refusal = exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("The docking is saved."))
            if CourtDocking.objects.filter(
                pk=docking.pk, default_organization__in=_admin_orgs(request)
            ).exists():
                return redirect("courts:docking", court_code=docking.court.code)
            return redirect("courts:dockings")
    return _render_docking(request, docking, form=form, status=_status(refusal))


def _key(docking: CourtDocking, key_pk: int) -> CourtKey:
    key = CourtKey.objects.select_related("court").filter(pk=key_pk, court=docking.court).first()
    if key is None:
        raise Http404
    return key


@login_required
@require_POST
def key_create(request: HttpRequest, court_code: str) -> HttpResponse:
    docking = _docking(request, court_code)
    try:
        key, secret = court_key_create(court=docking.court, user=_user(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("courts:docking", court_code=docking.court.code)
    return _render_docking(request, docking, new_key=key, secret=secret)


@login_required
@require_POST
def key_rotate(request: HttpRequest, court_code: str, key_pk: int) -> HttpResponse:
    docking = _docking(request, court_code)
    old = _key(docking, key_pk)
    try:
        key, secret = court_key_rotate(key=old, user=_user(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("courts:docking", court_code=docking.court.code)
    return _render_docking(request, docking, new_key=key, secret=secret, replaced=old)


@login_required
@require_POST
def key_revoke(request: HttpRequest, court_code: str, key_pk: int) -> HttpResponse:
    docking = _docking(request, court_code)
    key = _key(docking, key_pk)
    try:
        court_key_revoke(key=key, user=_user(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Key %(key)s is revoked: the court API refuses it from now on.")
            % {"key": key.key_id},
        )
    return redirect("courts:docking", court_code=docking.court.code)
