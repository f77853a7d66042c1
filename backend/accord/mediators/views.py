"""Public roster pages (R3): the roster with its filters, the photos, and the parties'
feedback form on a closed case."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accord.accounts.models import User
from accord.cases.forms import add_service_error
from accord.cases.selectors import access_case
from accord.core.api import ServiceError
from accord.core.storage import s3_client
from accord.mediators.feedback import feedback_submit, side_of
from accord.mediators.forms import FeedbackForm, RosterFilterForm
from accord.mediators.models import Feedback
from accord.mediators.selectors import (
    public_profile_with_photo,
    public_roster,
    roster_organizations,
)


@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    """Every organization's mediators (or one's), by specialty; no contact data. Not cached:
    a status change shows on the next request."""
    organizations = roster_organizations()
    form = RosterFilterForm(request.GET or None, organizations=organizations)
    organization = None
    specialty = ""
    if form.is_valid():
        code = form.cleaned_data["org"]
        organization = organizations.filter(code=code).first() if code else None
        specialty = form.cleaned_data["specialty"]
    profiles = public_roster(organization=organization, specialty=specialty)
    groups: dict[int, tuple[object, list[object]]] = {}
    for profile in profiles:
        org = profile.membership.organization
        assert org is not None
        groups.setdefault(org.pk, (org, []))[1].append(profile)
    context = {"form": form, "groups": list(groups.values()), "organization": organization}
    response = render(request, "mediators/roster.html", context)
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def photo(request: HttpRequest, profile_id: int) -> StreamingHttpResponse:
    profile = public_profile_with_photo(profile_id)
    stored = s3_client().get_object(settings.S3_BUCKET_DOCUMENTS, profile.photo_key)

    def chunks() -> Iterator[bytes]:
        try:
            yield from stored.stream(64 * 1024)
        finally:
            stored.close()
            stored.release_conn()

    response = StreamingHttpResponse(chunks(), content_type=profile.photo_content_type)
    response["Cache-Control"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, case_no: str) -> HttpResponse:
    """The viewer's party side answers once; anyone else (or a case without an invitation for
    their side) gets 404."""
    user = request.user
    assert isinstance(user, User)
    case = access_case(user=user, case_no=case_no)
    side = side_of(case=case, user=user)
    invitation = Feedback.objects.filter(case=case, side=side).first() if side else None
    if invitation is None:
        raise Http404("no feedback to give")
    form = FeedbackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                feedback_submit(
                    case=case,
                    user=user,
                    satisfaction=form.cleaned_data["satisfaction"],
                    fair=form.cleaned_data["fair"],
                    comment=form.cleaned_data["comment"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("Thank you: your feedback was recorded."))
                return redirect("cases:detail", case_no=case.case_no)
        else:
            status = 400
    context = {"case": case, "form": form, "invitation": invitation}
    return render(request, "mediators/feedback.html", context, status=status)
