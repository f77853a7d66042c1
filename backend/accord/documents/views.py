"""Documents pages reached from the case page: the mediator's drafting page (agreement,
record), sending a draft to signing, each signer's signing page, and the PDFs. Thin: parse,
authorize (404 for what is not yours), call one service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.forms import add_service_error
from accord.accounts.models import User
from accord.cases.models import Case
from accord.cases.selectors import access_case, case_parties
from accord.cases.states import Party
from accord.core.api import ServiceError
from accord.documents.forms import DRAFT_FORMS, DraftForm, SignForm, form_data, rows_of
from accord.documents.models import Document, DocumentKind, DocumentVersion, VersionStatus
from accord.documents.render import case_particulars
from accord.documents.selectors import (
    access_version,
    awaits_signature_of,
    document_of_kind,
    signing_status,
)
from accord.documents.services import document_draft, document_send_to_signing, version_pdf
from accord.documents.signing import (
    document_sign,
    image_from_data_url,
    signer_side,
    signing_code_request,
)


def _user(request: HttpRequest) -> User:
    """Precondition: behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


def _mediator_case(request: HttpRequest, case_no: str) -> Case:
    """The case when the signed-in user is its mediator (404 otherwise)."""
    case = access_case(user=_user(request), case_no=case_no)
    if Party.MEDIATOR not in case_parties(case=case, user=_user(request)):
        raise Http404
    return case


def _version_of(case: Case, version_uuid: UUID) -> DocumentVersion:
    try:
        return DocumentVersion.objects.select_related("document", "document__case").get(
            uuid=version_uuid, document__case=case
        )
    except DocumentVersion.DoesNotExist:
        raise Http404 from None


def _draft_page(
    request: HttpRequest,
    *,
    case: Case,
    kind: str,
    document: Document | None,
    form: DraftForm,
    status: int = 200,
) -> HttpResponse:
    versions = list(document.versions.order_by("-number")) if document is not None else []
    current = versions[0] if versions else None
    context: dict[str, Any] = {
        "case": case,
        "kind": kind,
        "kind_label": DocumentKind(kind).label,
        "particulars": case_particulars(case),
        "form": form,
        "list_errors": {name: form.list_errors.get(name, []) for name in form.rows},
        "item_rows": form.row_list("items") if "items" in form.rows else [],
        "obligation_rows": form.row_list("obligations") if "obligations" in form.rows else [],
        "document": document,
        "versions": versions,
        "current": current,
        "may_send": current is not None and current.status == VersionStatus.DRAFT,
        "sealed": any(v.status == VersionStatus.SEALED for v in versions),
    }
    return render(request, "documents/draft.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, case_no: str, kind: str) -> HttpResponse:
    """The mediator drafts the agreement or the record (each save: a new version)."""
    if kind not in DRAFT_FORMS:
        raise Http404
    case = _mediator_case(request, case_no)
    document = document_of_kind(case, kind)
    current = document.current if document is not None else None
    form_class = DRAFT_FORMS[kind]
    if request.method != "POST":
        if current is None:
            form = form_class()
        else:
            form = form_class(
                initial=form_data(kind, current.fields), rows=rows_of(kind, current.fields)
            )
        return _draft_page(request, case=case, kind=kind, document=document, form=form)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            version = document_draft(
                case=case,
                kind=kind,
                fields=form.document_fields(),
                by=_user(request),
                document=document,
            )
        except ServiceError as exc:
            form.show_refusal(exc)
            status = exc.http_status
        else:
            messages.success(
                request,
                _("Version %(number)d was drafted.") % {"number": version.number},
            )
            return redirect("documents:draft", case_no=case.case_no, kind=kind)
    else:
        status = 400
    return _draft_page(request, case=case, kind=kind, document=document, form=form, status=status)


@login_required
@require_POST
def send_to_signing(request: HttpRequest, case_no: str, version_uuid: UUID) -> HttpResponse:
    """The mediator sends the current draft out for signing (after the content check)."""
    case = _mediator_case(request, case_no)
    version = _version_of(case, version_uuid)
    kind = version.document.kind
    if kind not in DRAFT_FORMS:
        raise Http404
    try:
        document_send_to_signing(version=version, by=_user(request))
    except ServiceError as exc:
        form = DRAFT_FORMS[kind](form_data(kind, version.fields))
        form.is_valid()
        form.show_refusal(exc)
        return _draft_page(
            request,
            case=case,
            kind=kind,
            document=version.document,
            form=form,
            status=exc.http_status,
        )
    messages.success(request, _("The version was sent out for signing."))
    return redirect("documents:sign", case_no=case.case_no, version_uuid=version.uuid)


def _sign_page(
    request: HttpRequest,
    *,
    case: Case,
    version: DocumentVersion,
    form: SignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    side = signer_side(version=version, user=_user(request))
    current = version.document.current
    may_sign = (
        awaits_signature_of(version, side) and current is not None and current.pk == version.pk
    )
    if form is None:
        form = SignForm(initial={"shown_sha256": version.sha256})
    context = {
        "case": case,
        "version": version,
        "document": version.document,
        "current": current,
        "side": side,
        "may_sign": may_sign,
        "statuses": signing_status(version),
        "form": form,
    }
    return render(request, "documents/sign.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, case_no: str, version_uuid: UUID) -> HttpResponse:
    """A signer's page: the exact version (PDF and SHA-256), the code, the signature."""
    case = access_case(user=_user(request), case_no=case_no)
    version = _version_of(case, version_uuid)
    if request.method != "POST":
        return _sign_page(request, case=case, version=version)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _sign_page(request, case=case, version=version, form=form, status=400)
    try:
        image = image_from_data_url(form.cleaned_data["image"])
        document_sign(
            version=version,
            user=_user(request),
            code=form.cleaned_data["code"],
            shown_sha256=form.cleaned_data["shown_sha256"],
            image=image,
        )
    except ServiceError as exc:
        add_service_error(form, exc)
        if exc.fields:
            form.add_error(None, exc.message)
        return _sign_page(request, case=case, version=version, form=form, status=exc.http_status)
    messages.success(request, _("You signed this version."))
    return redirect("documents:sign", case_no=case.case_no, version_uuid=version.uuid)


@login_required
@require_POST
def sign_code(request: HttpRequest, case_no: str, version_uuid: UUID) -> HttpResponse:
    """Send the signer a one-time code by text message."""
    case = access_case(user=_user(request), case_no=case_no)
    version = _version_of(case, version_uuid)
    try:
        signing_code_request(version=version, user=_user(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A code was sent to your mobile phone."))
    return redirect("documents:sign", case_no=case.case_no, version_uuid=version.uuid)


@login_required
@xframe_options_sameorigin
def version_download(
    request: HttpRequest, case_no: str, version_uuid: UUID, sealed: bool = False
) -> HttpResponseBase:
    """One version's PDF (``sealed``: the organization's sealed copy); shown framed on the
    signing page (same origin only)."""
    version = access_version(user=request.user, case_no=case_no, version_uuid=version_uuid)
    try:
        pdf = version_pdf(version, sealed=sealed)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("cases:detail", case_no=case_no)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{case_no}-{version.document.kind}-v{version.number}{'-sealed' if sealed else ''}.pdf"
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=name) or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
