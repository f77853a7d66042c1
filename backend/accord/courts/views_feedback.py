"""The feedback page of an entrusted case that ended: draft the letter (from the case), send
it to the court, record the return of the materials. For the organization's administrators;
the work is in ``services.feedback``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.core.api import ServiceError
from accord.courts.feedback_forms import FeedbackLetterForm, MaterialsReturnForm
from accord.courts.models import CourtFeedback
from accord.courts.services import feedback as services
from accord.orgs.models import Role
from accord.orgs.selectors import has_role


def _feedback(request: HttpRequest, uuid: str) -> CourtFeedback:
    feedback = (
        CourtFeedback.objects.select_related(
            "entrustment__court", "entrustment__organization", "entrustment__case", "deadline"
        )
        .filter(entrustment__uuid=uuid)
        .first()
    )
    if feedback is None or not has_role(
        request.user, Role.ORG_ADMIN, feedback.entrustment.organization
    ):
        raise Http404
    return feedback


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def feedback_page(request: HttpRequest, uuid: str) -> HttpResponse:
    feedback = _feedback(request, uuid)
    case = feedback.entrustment.case
    assert case is not None
    initial = services.feedback_fields(feedback)
    letter_form = FeedbackLetterForm(
        request.POST if request.method == "POST" and "draft" in request.POST else None,
        initial={**initial, "attachments": "\n".join(initial["attachments"])},
        prefix="letter",
    )
    return_form = MaterialsReturnForm(
        request.POST if request.method == "POST" and "return" in request.POST else None,
        prefix="return",
    )
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if "draft" in request.POST and letter_form.is_valid():
                services.feedback_draft(
                    feedback=feedback,
                    user=_user(request),
                    outcome=letter_form.cleaned_data["outcome"],
                    text=letter_form.cleaned_data["text"],
                    attachments=letter_form.attachment_list(),
                )
                messages.success(request, _("The letter was drafted: check it, then send it."))
                return redirect(request.path)
            elif "send" in request.POST:
                services.feedback_send(feedback=feedback, user=_user(request))
                messages.success(request, _("The feedback letter was sent to the court."))
                return redirect(request.path)
            elif "return" in request.POST and return_form.is_valid():
                services.materials_return(
                    feedback=feedback,
                    user=_user(request),
                    method=return_form.cleaned_data["method"],
                    note=return_form.cleaned_data["note"],
                )
                messages.success(request, _("The return of the materials was recorded."))
                return redirect(request.path)
        except ServiceError as exc:
            form = return_form if "return" in request.POST else letter_form
            if "send" in request.POST:
                messages.error(request, exc.message)
            else:
                add_service_error(form, exc)
            status = exc.http_status
    feedback.refresh_from_db()
    return render(
        request,
        "courts/feedback.html",
        {
            "feedback": feedback,
            "entrustment": feedback.entrustment,
            "case": case,
            "draft": services.current_letter(case),
            "letter_form": letter_form,
            "return_form": return_form,
        },
        status=status,
    )
