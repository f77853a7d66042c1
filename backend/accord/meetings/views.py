"""Joint-meeting pages, under the scope they are watched through (``/meetings/<scope>/``):
the list, a new meeting, the meeting page with the forms of its parts, the edit form, the
printable minutes and the follow-up done form. Thin: parse, authorize (404 for what is not
yours), call one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.alerts.models import Alert
from accord.analytics.scope import Scope, scope_for
from accord.cases.models import Case
from accord.core.api import ServiceError
from accord.meetings.forms import (
    AlertForm,
    AttendanceForm,
    AttendeeForm,
    CaseForm,
    DecisionForm,
    DoneForm,
    FollowUpForm,
    MeetingForm,
)
from accord.meetings.models import FollowUp, FollowUpStatus, JointMeeting, MeetingAttendee
from accord.meetings.selectors import (
    CONVENING_KINDS,
    attachable_alerts,
    attending_organizations,
    may_close,
    may_convene,
    may_manage,
    meeting_in,
    meeting_organizations,
    meetings_in,
    staff_users,
)
from accord.meetings.services import meetings as services


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _scope(request: HttpRequest, key: str) -> tuple[User, Scope]:
    user = _user(request)
    return user, scope_for(user, key)


def _managed(request: HttpRequest, key: str, pk: int) -> tuple[User, Scope, JointMeeting]:
    """The meeting, for a writer of its convening organization; 404 for everyone else."""
    user, scope = _scope(request, key)
    meeting = meeting_in(scope, pk)
    if not may_manage(user, scope, meeting):
        raise Http404
    return user, scope, meeting


def _meeting_url(scope: Scope, meeting: JointMeeting, anchor: str = "") -> str:
    url = reverse("meetings:detail", kwargs={"scope": scope.key, "pk": meeting.pk})
    return f"{url}#{anchor}" if anchor else url


def alert_url(scope: Scope, alert: Alert) -> str:
    """The alert's page (``alerts:detail``) when the alerts app has one, else ``""``."""
    for kwargs in ({"scope": scope.key, "pk": alert.pk}, {"pk": alert.pk}):
        try:
            return reverse("alerts:detail", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


# --- The list and a new meeting -----------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest, scope: str) -> HttpResponse:
    user, watched = _scope(request, scope)
    today = timezone.localdate()
    meetings = (
        meetings_in(watched)
        .annotate(
            overdue=Count(
                "follow_ups",
                filter=Q(follow_ups__status=FollowUpStatus.OPEN, follow_ups__due_on__lt=today),
                distinct=True,
            ),
            open_follow_ups=Count(
                "follow_ups", filter=Q(follow_ups__status=FollowUpStatus.OPEN), distinct=True
            ),
        )
        .order_by("-starts_at", "-pk")
    )
    context = {
        "scope": watched,
        "meetings": list(meetings),
        "may_convene": may_convene(user, watched),
    }
    return render(request, "meetings/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, scope: str) -> HttpResponse:
    user = _user(request)
    watched = scope_for(user, scope, *CONVENING_KINDS)
    if not may_convene(user, watched) or watched.organization is None:
        raise Http404
    form = MeetingForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                meeting = services.meeting_create(
                    organization=watched.organization, data=form.meeting_input(), by=user
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The meeting was recorded."))
                return redirect(_meeting_url(watched, meeting))
    context = {"scope": watched, "form": form, "meeting": None}
    return render(request, "meetings/meeting_form.html", context, status=status)


# --- The meeting page -----------------------------------------------------------------------


def _part_forms(meeting: JointMeeting, data: Any = None, bound: str = "") -> dict[str, Any]:
    """The forms of the meeting's parts; the one named ``bound`` takes ``data``."""

    def d(name: str) -> Any:
        return data if name == bound else None

    owners = meeting_organizations(meeting)
    users = staff_users()
    return {
        "attendee_form": AttendeeForm(
            d("attendee"), organizations=attending_organizations(), users=users
        ),
        "case_form": CaseForm(d("case")),
        "alert_form": AlertForm(
            d("alert"), alerts=attachable_alerts(meeting).exclude(joint_meetings=meeting)
        ),
        "decision_form": DecisionForm(d("decision")),
        "follow_up_form": FollowUpForm(d("follow_up"), organizations=owners, users=users),
    }


def _detail(
    request: HttpRequest,
    user: User,
    scope: Scope,
    meeting: JointMeeting,
    *,
    forms_: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    manage = may_manage(user, scope, meeting)
    follow_ups = list(
        meeting.follow_ups.select_related("owner_organization", "owner_user", "meeting")
    )
    for follow_up in follow_ups:
        follow_up.closeable = follow_up.status == FollowUpStatus.OPEN and may_close(  # type: ignore[attr-defined]
            user, scope, follow_up
        )
    context: dict[str, Any] = {
        "scope": scope,
        "meeting": meeting,
        "manage": manage and meeting.is_open,
        "may_hold_or_cancel": manage and meeting.status == "planned",
        "attendees": list(meeting.attendees.select_related("organization", "user")),
        "cases": list(meeting.cases.order_by("case_no")),
        "alerts": [(alert, alert_url(scope, alert)) for alert in meeting.alerts.all()],
        "decisions": list(meeting.decisions.all()),
        "follow_ups": follow_ups,
        "overdue": sum(1 for f in follow_ups if f.is_overdue),
        "attendance_form": AttendanceForm(),
    }
    if manage and meeting.is_open:
        context.update(forms_ or _part_forms(meeting))
    return render(request, "meetings/detail.html", context, status=status)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    user, watched = _scope(request, scope)
    return _detail(request, user, watched, meeting_in(watched, pk))


@login_required
@require_GET
def meeting_minutes(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    watched = _scope(request, scope)[1]
    meeting = meeting_in(watched, pk)
    context = {
        "scope": watched,
        "meeting": meeting,
        "attendees": list(meeting.attendees.select_related("organization", "user")),
        "cases": list(meeting.cases.order_by("case_no")),
        "alerts": list(meeting.alerts.all()),
        "decisions": list(meeting.decisions.all()),
        "follow_ups": list(meeting.follow_ups.select_related("owner_organization", "owner_user")),
    }
    return render(request, "meetings/minutes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    user, watched, meeting = _managed(request, scope, pk)
    if not meeting.is_open:
        raise Http404
    form = MeetingForm(
        request.POST if request.method == "POST" else None, initial=MeetingForm.of(meeting)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.meeting_update(meeting=meeting, data=form.meeting_input(), by=user)
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The meeting was saved."))
                return redirect(_meeting_url(watched, meeting))
    context = {"scope": watched, "form": form, "meeting": meeting}
    return render(request, "meetings/meeting_form.html", context, status=status)


def _refused(request: HttpRequest, exc: ServiceError) -> None:
    details = [m for msgs in exc.fields.values() for m in msgs if m != exc.message]
    messages.error(request, " ".join([exc.message, *(str(d) for d in details)]))


@login_required
@require_POST
def meeting_hold(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    user, watched, meeting = _managed(request, scope, pk)
    try:
        services.meeting_hold(meeting=meeting, by=user)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The meeting was recorded as held."))
    return redirect(_meeting_url(watched, meeting))


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    user, watched, meeting = _managed(request, scope, pk)
    try:
        services.meeting_cancel(meeting=meeting, by=user)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The meeting was cancelled."))
    return redirect(_meeting_url(watched, meeting))


def _part(
    request: HttpRequest,
    scope: str,
    pk: int,
    *,
    name: str,
    anchor: str,
    done: str,
) -> HttpResponse:
    """Post one part form of the meeting page: on success back to the page, else the page
    with the form's field errors."""
    user, watched, meeting = _managed(request, scope, pk)
    part_forms = _part_forms(meeting, request.POST, bound=name)
    form: forms.Form = part_forms[f"{name}_form"]
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            if name == "attendee":
                services.attendee_add(
                    meeting=meeting,
                    organization=data["organization"],
                    user=data["user"],
                    name=data["name"],
                    position=data["position"],
                    attendance=data["attendance"],
                    by=user,
                )
            elif name == "case":
                services.case_attach(meeting=meeting, case_no=data["case_no"], by=user)
            elif name == "alert":
                services.alert_attach(meeting=meeting, alert=data["alert"], by=user)
            elif name == "decision":
                services.decision_add(meeting=meeting, text=data["text"], by=user)
            else:
                services.follow_up_add(
                    meeting=meeting,
                    text=data["text"],
                    owner_organization=data["owner_organization"],
                    owner_user=data["owner_user"],
                    due_on=data["due_on"],
                    by=user,
                )
        except ServiceError as exc:
            add_service_error(form, exc)
            status = exc.http_status
        else:
            messages.success(request, done)
            return redirect(_meeting_url(watched, meeting, anchor))
    return _detail(request, user, watched, meeting, forms_=part_forms, status=status)


@login_required
@require_POST
def attendee_add(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    return _part(
        request, scope, pk, name="attendee", anchor="attendees", done=_("The attendee was added.")
    )


@login_required
@require_POST
def case_attach(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    return _part(
        request, scope, pk, name="case", anchor="cases", done=_("The case was put on the meeting.")
    )


@login_required
@require_POST
def alert_attach(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    return _part(
        request,
        scope,
        pk,
        name="alert",
        anchor="alerts",
        done=_("The alert was put on the meeting."),
    )


@login_required
@require_POST
def decision_add(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    return _part(
        request, scope, pk, name="decision", anchor="decisions", done=_("The decision was added.")
    )


@login_required
@require_POST
def follow_up_add(request: HttpRequest, scope: str, pk: int) -> HttpResponse:
    return _part(
        request,
        scope,
        pk,
        name="follow_up",
        anchor="follow-ups",
        done=_("The follow-up was added."),
    )


def _attendee(meeting: JointMeeting, attendee_id: int) -> MeetingAttendee:
    return get_object_or_404(
        MeetingAttendee.objects.select_related("meeting__organization", "organization"),
        pk=attendee_id,
        meeting=meeting,
    )


@login_required
@require_POST
def attendee_mark(request: HttpRequest, scope: str, pk: int, attendee_id: int) -> HttpResponse:
    user, watched, meeting = _managed(request, scope, pk)
    attendee = _attendee(meeting, attendee_id)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an attendance."))
    else:
        try:
            services.attendee_mark(
                attendee=attendee, attendance=form.cleaned_data["attendance"], by=user
            )
        except ServiceError as exc:
            _refused(request, exc)
    return redirect(_meeting_url(watched, meeting, "attendees"))


@login_required
@require_POST
def attendee_remove(request: HttpRequest, scope: str, pk: int, attendee_id: int) -> HttpResponse:
    user, watched, meeting = _managed(request, scope, pk)
    attendee = _attendee(meeting, attendee_id)
    try:
        services.attendee_remove(attendee=attendee, by=user)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The attendee was removed."))
    return redirect(_meeting_url(watched, meeting, "attendees"))


@login_required
@require_POST
def case_detach(request: HttpRequest, scope: str, pk: int, case_id: int) -> HttpResponse:
    user, watched, meeting = _managed(request, scope, pk)
    case = get_object_or_404(Case, pk=case_id, joint_meetings=meeting)
    try:
        services.case_detach(meeting=meeting, case=case, by=user)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The case was taken off the meeting."))
    return redirect(_meeting_url(watched, meeting, "cases"))


@login_required
@require_POST
def alert_detach(request: HttpRequest, scope: str, pk: int, alert_id: int) -> HttpResponse:
    user, watched, meeting = _managed(request, scope, pk)
    alert = get_object_or_404(Alert, pk=alert_id, joint_meetings=meeting)
    try:
        services.alert_detach(meeting=meeting, alert=alert, by=user)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The alert was taken off the meeting."))
    return redirect(_meeting_url(watched, meeting, "alerts"))


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_done(request: HttpRequest, scope: str, pk: int, follow_up_id: int) -> HttpResponse:
    user, watched = _scope(request, scope)
    meeting = meeting_in(watched, pk)
    follow_up: FollowUp = get_object_or_404(
        FollowUp.objects.select_related("meeting__organization", "owner_organization"),
        pk=follow_up_id,
        meeting=meeting,
    )
    if follow_up.status != FollowUpStatus.OPEN or not may_close(user, watched, follow_up):
        raise Http404
    form = DoneForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.follow_up_done(
                    follow_up=follow_up, note=form.cleaned_data["note"], by=user
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The follow-up was marked done."))
                return redirect(_meeting_url(watched, meeting, "follow-ups"))
    context = {"scope": watched, "meeting": meeting, "follow_up": follow_up, "form": form}
    return render(request, "meetings/follow_up_done.html", context, status=status)
