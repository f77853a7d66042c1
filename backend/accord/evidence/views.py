"""The verification page of a case, the evidence package download, replay grants, and
legal holds on the case's recordings (with the retention dates they override).

Every view answers 404 to whoever may not use it (:mod:`accord.evidence.access`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accord.accounts.models import User
from accord.audit.verify import verify_all
from accord.cases.models import Case
from accord.cases.selectors import case_parties
from accord.cases.states import Party
from accord.core.api import ServiceError
from accord.evidence import access, services
from accord.evidence.forms import GrantForm, HoldForm
from accord.evidence.models import ReplayGrant
from accord.evidence.package import FinalizePending, PackageError, export_case
from accord.recordings.models import LegalHold
from accord.recordings.selectors import pending_finalizes
from accord.recordings.services import legal_hold_place, legal_hold_release, retention_days
from accord.rooms.models import HearingSession


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@dataclass(frozen=True, slots=True)
class Retention:
    """How long a hearing's recordings are kept: ``keep_until`` is ``None`` while the
    hearing has not ended."""

    session: HearingSession
    keep_until: datetime | None


def may_hold(user: User, case: Case) -> bool:
    """Administrators of the case's organization place and release legal holds (the
    services check it again)."""
    return Party.ORG_ADMIN in case_parties(case=case, user=user)


def _retention(case: Case) -> list[Retention]:
    kept = timedelta(days=retention_days(case))
    return [
        Retention(
            session=session,
            keep_until=None if session.ended_at is None else session.ended_at + kept,
        )
        for session in HearingSession.objects.filter(case=case).order_by("scheduled_at", "pk")
    ]


def _verify_page(
    request: HttpRequest, case: Case, user: User, hold_form: HoldForm | None = None
) -> HttpResponse:
    report = verify_all(case.chain)
    case.chain.refresh_from_db()
    may_grant = access.may_grant(user, case)
    holding = may_hold(user, case)
    holds = LegalHold.objects.filter(case=case).select_related("placed_by", "released_by")
    return render(
        request,
        "evidence/verify.html",
        {
            "case": case,
            "report": report,
            "chain": case.chain,
            "may_export": access.export_allowed(user, case),
            "may_grant": may_grant,
            "grants": access.grants_of(case) if may_grant else [],
            "grant_form": GrantForm() if may_grant else None,
            "may_hold": holding,
            "active_holds": [hold for hold in holds if hold.is_active],
            "released_holds": [hold for hold in holds if not hold.is_active],
            "hold_form": (hold_form or HoldForm()) if holding else None,
            "retention_days": retention_days(case),
            "retention": _retention(case),
            "pending": pending_finalizes(case),
            "now": timezone.now(),
        },
        status=400 if hold_form is not None and hold_form.errors else 200,
    )


@login_required
@require_GET
def verify(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = access.access_case_for_verification(user=user, case_no=case_no)
    return _verify_page(request, case, user)


@login_required
@require_POST
def package_download(request: HttpRequest, case_no: str) -> HttpResponseBase:
    user = _user(request)
    case = access.access_case_for_export(user=user, case_no=case_no)
    # Built on disk (the package may be large), streamed from there; deleted on close.
    spool = tempfile.TemporaryFile(prefix="accord-package-")  # noqa: SIM115 (FileResponse closes it)
    try:
        result = export_case(case=case, user=user, out=spool, via="download")
    except FinalizePending:  # a package now would leave out a recording that exists
        spool.close()
        messages.error(
            request,
            _(
                "A hearing's recording is not final yet, so the package would leave it out. "
                "Export once it is finalized (this page says when)."
            ),
        )
        return redirect("evidence:verify", case_no=case.case_no)
    except PackageError:
        spool.close()
        messages.error(request, _("The package could not be built: a stored file is missing."))
        return redirect("evidence:verify", case_no=case.case_no)
    except BaseException:
        spool.close()
        raise
    response = FileResponse(spool, content_type="application/zip")
    response["Content-Length"] = str(result.size)
    filename = f"{case.case_no}-evidence-{result.export_seq}.zip"
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    if disposition:
        response["Content-Disposition"] = disposition
    response["X-Package-SHA256"] = result.package_sha256
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def grant_create(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = access.access_case_for_granting(user=user, case_no=case_no)
    form = GrantForm(request.POST)
    if form.is_valid():
        grantee = User.objects.filter(
            username=form.cleaned_data["username"], is_active=True
        ).first()
        if grantee is None:
            messages.error(request, _("No active user with this user name."))
        else:
            days = form.cleaned_data["days"]
            try:
                services.replay_grant(
                    case=case,
                    user=grantee,
                    by=user,
                    include_caucus=form.cleaned_data["include_caucus"],
                    expires_at=None if days is None else timezone.now() + timedelta(days=days),
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Access granted."))
    else:
        messages.error(request, _("Check the grant form."))
    return redirect("evidence:verify", case_no=case.case_no)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, case_no: str, grant_id: int) -> HttpResponse:
    user = _user(request)
    case = access.access_case_for_granting(user=user, case_no=case_no)
    grant = ReplayGrant.objects.filter(case=case, pk=grant_id).select_related("case").first()
    if grant is None:
        raise Http404(_("No such grant."))
    services.replay_revoke(grant=grant, by=user)
    messages.success(request, _("Access revoked."))
    return redirect("evidence:verify", case_no=case.case_no)


def _case_for_holding(user: User, case_no: str) -> Case:
    """The case, or 404 for whoever may not place or release its holds."""
    case = access.access_case_for_verification(user=user, case_no=case_no)
    if not may_hold(user, case):
        raise Http404(_("No such case."))
    return case


@login_required
@require_POST
def hold_place(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = _case_for_holding(user, case_no)
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            legal_hold_place(case=case, reason=form.cleaned_data["reason"], by=user)
        except ServiceError as exc:
            form.add_error("reason" if exc.code == "reason_required" else None, exc.message)
        else:
            messages.success(request, _("Legal hold placed: the recordings are kept."))
            return redirect("evidence:verify", case_no=case.case_no)
    return _verify_page(request, case, user, hold_form=form)


@login_required
@require_POST
def hold_release(request: HttpRequest, case_no: str, hold_id: int) -> HttpResponse:
    user = _user(request)
    case = _case_for_holding(user, case_no)
    hold = LegalHold.objects.filter(case=case, pk=hold_id).select_related("case").first()
    if hold is None:
        raise Http404(_("No such legal hold."))
    try:
        legal_hold_release(hold=hold, by=user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Legal hold released."))
    return redirect("evidence:verify", case_no=case.case_no)
