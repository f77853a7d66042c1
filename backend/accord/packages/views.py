"""The verification page of a case and the evidence package download.

The page also shows (and holds the forms of) the case's replay grants (``accord.replay``) and
the legal holds on its recordings with the retention dates they override
(``accord.recordings``); those apps' views take the forms. Every view answers 404 to whoever
may not use it (:mod:`accord.replay.access`).
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accord.accounts.models import User
from accord.audit.verify import verify_all
from accord.cases.models import Case
from accord.cases.selectors import case_timeline
from accord.packages.export import FinalizePending, PackageError, export_case
from accord.recordings.forms import HoldForm
from accord.recordings.models import LegalHold
from accord.recordings.selectors import may_hold, pending_finalizes, retention_days, retention_of
from accord.replay import access
from accord.replay.views import grant_form_for


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


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
        "packages/verify.html",
        {
            "case": case,
            "report": report,
            "chain": case.chain,
            "may_export": access.export_allowed(user, case),
            "may_grant": may_grant,
            "grants": access.grants_of(case) if may_grant else [],
            "grant_form": grant_form_for(request, case.case_no) if may_grant else None,
            "may_hold": holding,
            "active_holds": [hold for hold in holds if hold.is_active],
            "released_holds": [hold for hold in holds if not hold.is_active],
            "hold_form": (hold_form or HoldForm()) if holding else None,
            "retention_days": retention_days(case),
            "retention": retention_of(case),
            "trace": case_timeline(case=case),
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
        return redirect("packages:verify", case_no=case.case_no)
    except PackageError:
        spool.close()
        messages.error(request, _("The package could not be built: a stored file is missing."))
        return redirect("packages:verify", case_no=case.case_no)
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
