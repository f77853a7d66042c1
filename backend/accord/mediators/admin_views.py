"""The organization administrator's roster pages (R3, R5), reached from the organization's
admin page. Each view resolves the organization with ``access_org_for_admin`` (404 for
outsiders and for organizations that are not mediation organizations), parses one form and
calls one service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.forms import add_service_error
from accord.core.api import ServiceError
from accord.mediators import records, services
from accord.mediators.figures import case_figures, default_period, rules_of
from accord.mediators.forms import (
    AssessmentForm,
    ExitForm,
    GuidanceForm,
    ProfileForm,
    QualificationForm,
    RewardPenaltyForm,
    StatusForm,
    TrainingForm,
)
from accord.mediators.models import GuidanceSession, MediatorProfile, Qualification
from accord.mediators.selectors import (
    access_mediator_membership,
    admin_roster,
    profile_of,
    profiles_of,
)
from accord.orgs.models import Membership, Organization, Role
from accord.orgs.selectors import access_org_for_admin

View = Callable[..., HttpResponse]


def roster_admin_view(view: View) -> View:
    """Staff sign-in; ``code`` becomes the administered mediation ``organization``."""

    @login_required(login_url="accounts:staff_signin")
    @wraps(view)
    def wrapper(request: HttpRequest, code: str, **kwargs: Any) -> HttpResponse:
        organization = access_org_for_admin(request.user, code)
        if not organization.is_mediation_org:
            raise Http404("not a mediation organization")
        return view(request, organization, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, role=Role.ORG_ADMIN)


def _membership_and_profile(
    organization: Organization, membership_id: int
) -> tuple[Membership, MediatorProfile]:
    membership = access_mediator_membership(organization, membership_id)
    profile = profile_of(membership)
    if profile is None:
        raise Http404("no profile yet")
    return membership, profile


def _to_detail(organization: Organization, membership: Membership) -> HttpResponse:
    return redirect("mediators:detail", code=organization.code, membership_id=membership.pk)


# --- Roster ------------------------------------------------------------------------------


@roster_admin_view
@require_GET
def manage_roster(request: HttpRequest, organization: Organization) -> HttpResponse:
    context = {
        "organization": organization,
        "rows": admin_roster(organization),
        "rules": rules_of(organization),
    }
    return render(request, "mediators/manage_roster.html", context)


def _render_detail(
    request: HttpRequest,
    organization: Organization,
    membership: Membership,
    profile: MediatorProfile | None,
    status: int = 200,
    **forms_: forms.Form,
) -> HttpResponse:
    context: dict[str, Any] = {
        "organization": organization,
        "membership": membership,
        "profile": profile,
        "qualification_form": QualificationForm(),
        "reward_form": RewardPenaltyForm(),
        "training_form": TrainingForm(),
    }
    context.update(forms_)
    if profile is not None:
        context.update(
            qualifications=profile.qualifications.all(),
            status_changes=profile.status_changes.select_related("decided_by"),
            assessments=profile.assessments.select_related("assessor"),
            rewards=profile.rewards_penalties.all(),
            trainings=profile.trainings.all(),
            guidance=profile.guidance_sessions.all(),
        )
    return render(request, "mediators/detail.html", context, status=status)


@roster_admin_view
@require_GET
def detail(request: HttpRequest, organization: Organization, membership_id: int) -> HttpResponse:
    membership = access_mediator_membership(organization, membership_id)
    return _render_detail(request, organization, membership, profile_of(membership))


@roster_admin_view
@require_http_methods(["GET", "POST"])
def profile_edit(
    request: HttpRequest, organization: Organization, membership_id: int
) -> HttpResponse:
    membership = access_mediator_membership(organization, membership_id)
    profile = profile_of(membership)
    form = ProfileForm(
        request.POST or None, request.FILES or None, initial=ProfileForm.initial_from(profile)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                profile = services.mediator_profile_save(
                    membership=membership,
                    data=services.ProfileData(
                        specialties=form.cleaned_data["specialties"],
                        years_of_experience=form.cleaned_data["years_of_experience"],
                        languages=form.cleaned_data["languages"],
                    ),
                    actor=_actor(request),
                )
                upload = form.cleaned_data["photo"]
                if upload is not None:
                    services.mediator_photo_set(
                        profile=profile, stream=upload, size=upload.size, actor=_actor(request)
                    )
                elif form.cleaned_data["remove_photo"] and profile.photo_key:
                    services.mediator_photo_remove(profile=profile, actor=_actor(request))
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The profile was saved."))
                return _to_detail(organization, membership)
    context = {
        "organization": organization,
        "membership": membership,
        "profile": profile,
        "form": form,
    }
    return render(request, "mediators/profile_edit.html", context, status=status)


# --- Qualifications, rewards and penalties, training (forms on the detail page) -----------


@roster_admin_view
@require_POST
def qualification_add(
    request: HttpRequest, organization: Organization, membership_id: int
) -> HttpResponse:
    membership, profile = _membership_and_profile(organization, membership_id)
    form = QualificationForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.qualification_add(profile=profile, actor=_actor(request), **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
            status = exc.http_status
        else:
            messages.success(request, _("The qualification was added."))
            return _to_detail(organization, membership)
    return _render_detail(
        request, organization, membership, profile, status, qualification_form=form
    )


@roster_admin_view
@require_POST
def qualification_remove(
    request: HttpRequest, organization: Organization, membership_id: int, qualification_id: int
) -> HttpResponse:
    membership, profile = _membership_and_profile(organization, membership_id)
    qualification = get_object_or_404(Qualification, pk=qualification_id, profile=profile)
    try:
        services.qualification_remove(qualification=qualification, actor=_actor(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The qualification was removed."))
    return _to_detail(organization, membership)


@roster_admin_view
@require_POST
def reward_add(
    request: HttpRequest, organization: Organization, membership_id: int
) -> HttpResponse:
    membership, profile = _membership_and_profile(organization, membership_id)
    form = RewardPenaltyForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            records.reward_penalty_record(profile=profile, user=_user(request), **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
            status = exc.http_status
        else:
            messages.success(request, _("The record was added."))
            return _to_detail(organization, membership)
    return _render_detail(request, organization, membership, profile, status, reward_form=form)


@roster_admin_view
@require_POST
def training_add(
    request: HttpRequest, organization: Organization, membership_id: int
) -> HttpResponse:
    membership, profile = _membership_and_profile(organization, membership_id)
    form = TrainingForm(request.POST)
    status = 400
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            records.training_record(
                profile=profile,
                kind=data["kind"],
                on=data["date"],
                hours=data["hours"],
                provider=data["provider"],
                topic=data["topic"],
                user=_user(request),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            status = exc.http_status
        else:
            messages.success(request, _("The training was recorded."))
            return _to_detail(organization, membership)
    return _render_detail(request, organization, membership, profile, status, training_form=form)


# --- Status, exit, assessment (pages of their own) ----------------------------------------


@roster_admin_view
@require_http_methods(["GET", "POST"])
def status_change(
    request: HttpRequest, organization: Organization, membership_id: int
) -> HttpResponse:
    membership, profile = _membership_and_profile(organization, membership_id)
    form = StatusForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.mediator_status_change(
                    profile=profile,
                    to=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    user=_user(request),
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The status was changed."))
                return _to_detail(organization, membership)
    context = {
        "organization": organization,
        "membership": membership,
        "profile": profile,
        "form": form,
    }
    return render(request, "mediators/status.html", context, status=status)


@roster_admin_view
@require_http_methods(["GET", "POST"])
def exit_decision(
    request: HttpRequest, organization: Organization, membership_id: int
) -> HttpResponse:
    """The exit confirmation lists the mediator's open cases: they keep the mediator unless
    the administrator also takes them off (then each waits for a new mediator)."""
    membership, profile = _membership_and_profile(organization, membership_id)
    form = ExitForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.mediator_exit(
                    profile=profile,
                    reasons=form.cleaned_data["reasons"],
                    remove_from_cases=form.cleaned_data["remove_from_cases"],
                    user=_user(request),
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The mediator has left the roster."))
                return _to_detail(organization, membership)
    context = {
        "organization": organization,
        "membership": membership,
        "profile": profile,
        "form": form,
        "open_cases": services.open_cases_of(profile),
    }
    return render(request, "mediators/exit.html", context, status=status)


@roster_admin_view
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, organization: Organization, membership_id: int) -> HttpResponse:
    """The figures of the chosen period (GET ``period_start``/``period_end``; the last twelve
    months by default) beside the form; recording computes them again and keeps them."""
    membership, profile = _membership_and_profile(organization, membership_id)
    start, end = default_period()
    if request.method == "POST":
        form = AssessmentForm(request.POST)
    else:
        form = AssessmentForm(
            request.GET if "period_start" in request.GET else None,
            initial={"period_start": start, "period_end": end},
        )
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["period_start"]
        end = form.cleaned_data["period_end"]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                records.assessment_record(
                    profile=profile,
                    score=form.cleaned_data["score"],
                    comments=form.cleaned_data["comments"],
                    period_start=start,
                    period_end=end,
                    assessor=_user(request),
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The assessment was recorded."))
                return _to_detail(organization, membership)
    figures = (
        case_figures(profile=profile, period_start=start, period_end=end) if start <= end else None
    )
    context = {
        "organization": organization,
        "membership": membership,
        "profile": profile,
        "form": form,
        "figures": figures,
        "start": start,
        "end": end,
    }
    return render(request, "mediators/assess.html", context, status=status)


# --- Guidance sessions -------------------------------------------------------------------


@roster_admin_view
@require_http_methods(["GET", "POST"])
def guidance(request: HttpRequest, organization: Organization) -> HttpResponse:
    profiles = profiles_of(organization)
    form = GuidanceForm(request.POST or None, profiles=profiles)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                records.guidance_session_record(
                    organization=organization,
                    on=data["date"],
                    court=data["court"],
                    topic=data["topic"],
                    hours=data["hours"],
                    attendees=list(data["attendees"]),
                    user=_user(request),
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The guidance session was recorded."))
                return redirect("mediators:guidance", code=organization.code)
    sessions = GuidanceSession.objects.filter(organization=organization).prefetch_related(
        "attendees__membership__user"
    )
    context = {"organization": organization, "form": form, "sessions": sessions}
    return render(request, "mediators/guidance.html", context, status=status)
