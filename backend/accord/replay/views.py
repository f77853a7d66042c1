"""The replay page of a hearing session and the streaming view of its final files.

Both answer 404 to whoever has no replay access (:mod:`accord.replay.access`), checked on
every request: a media URL is worth nothing without the session cookie of a user with access.
Media is streamed from the private recordings bucket with HTTP range support.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.models import User
from accord.core.api import ServiceError
from accord.core.storage import s3_client
from accord.recordings.models import Audience, RecordingFile
from accord.recordings.selectors import session_pending_finalize
from accord.replay import access as replay_access
from accord.replay import selectors, services
from accord.replay.access import Access
from accord.replay.forms import GrantForm
from accord.replay.models import ReplayGrant
from accord.rooms.models import HearingSession

CHUNK = 256 * 1024


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _session(request: HttpRequest, case_no: str, session_id: UUID) -> tuple[HearingSession, Access]:
    session, access = replay_access.access_session_for_replay(
        user=request.user, session_id=session_id
    )
    if session.case.case_no != case_no:
        raise Http404(_("No such hearing."))
    return session, access


@login_required
@require_GET
def replay(request: HttpRequest, case_no: str, session_id: UUID) -> HttpResponse:
    session, access = _session(request, case_no, session_id)
    timeline = selectors.session_timeline(session, access)
    services.replay_opened(session=session, user=_user(request), access=access)
    data = timeline.as_json()
    data["media"] = {
        str(f.pk): reverse(
            "replay:media",
            kwargs={"case_no": case_no, "session_id": session.pk, "file_id": f.pk},
        )
        for f in timeline.files
        if f.allowed
    }
    data["strings"] = {
        "play": _("Play"),
        "pause": _("Pause"),
        "not_recorded": _("Not recorded / not present"),
        "not_included": _("Not included in your access (private session)"),
        "loading": _("Loading…"),
        "plenary": _("Main room"),
        "caucus": _("Private session"),
        "waiting": _("Waiting room"),
        "nobody": _("Nobody in the room"),
        "speaking": _("Speaking"),
    }
    response = render(
        request,
        "replay/replay.html",
        {
            "session": session,
            "case": session.case,
            "access": access,
            "timeline": timeline,
            "data": data,
            # Said plainly: what is shown is not all that was recorded yet.
            "pending": session_pending_finalize(session),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Media --------------------------------------------------------------------------------

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(Exception):
    pass


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str, size: int) -> ByteRange | None:
    """One ``bytes=`` range of a ``size``-byte object; None for "the whole object" (no header,
    another unit, or several ranges, which this server answers whole); raises
    :class:`RangeNotSatisfiable` for a malformed or unsatisfiable bytes range."""
    header = header.strip()
    if not header or not header.startswith("bytes="):
        return None
    if "," in header:
        return None
    match = _RANGE.match(header.replace(" ", ""))
    if match is None:
        raise RangeNotSatisfiable(header)
    first, last = match.groups()
    if first == "" and last == "":
        raise RangeNotSatisfiable(header)
    if first == "":  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or (last != "" and int(last) < start):
        raise RangeNotSatisfiable(header)
    return ByteRange(start, end)


def _stream(key: str, offset: int, length: int) -> Generator[bytes]:
    response = s3_client().get_object(
        settings.S3_BUCKET_RECORDINGS, key, offset=offset, length=length
    )
    try:
        yield from response.stream(CHUNK)
    finally:
        response.close()
        response.release_conn()


async def _astream(key: str, offset: int, length: int) -> AsyncIterator[bytes]:
    """The same chunks for the ASGI server, read in a thread one at a time, so that a long
    range is neither held in memory nor read on after the player hangs up."""
    chunks = _stream(key, offset, length)

    def read() -> bytes | None:
        return next(chunks, None)

    try:
        while (chunk := await sync_to_async(read, thread_sensitive=False)()) is not None:
            yield chunk
    finally:
        await sync_to_async(chunks.close, thread_sensitive=False)()


def _file(session: HearingSession, file_id: int) -> RecordingFile:
    file = RecordingFile.objects.filter(
        session=session, pk=file_id, deleted_at__isnull=True
    ).first()
    if file is None:
        raise Http404(_("No such recording."))
    return file


@login_required
@require_http_methods(["GET", "HEAD"])
def media(request: HttpRequest, case_no: str, session_id: UUID, file_id: int) -> HttpResponseBase:
    session, access = _session(request, case_no, session_id)
    file = _file(session, file_id)
    if not access.include_caucus and not selectors.file_allowed(
        file, access, selectors.session_events(session)
    ):
        # A caucus-excluded grant and a file that holds caucus media (a full file whose
        # plenary-only file it is served instead, or an older one without): as if it did not
        # exist.
        raise Http404(_("No such recording."))
    size = file.size
    download = request.GET.get("download") == "1"
    byte_range: ByteRange | None = None
    if not download:
        try:
            byte_range = parse_range(request.headers.get("Range", ""), size)
        except RangeNotSatisfiable:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            refused["Accept-Ranges"] = "bytes"
            return refused
    part = byte_range or ByteRange(0, size - 1)
    head = request.method == "HEAD"
    if not head:
        # The first read of this file by this user is traced, page or no page (issue 13).
        services.media_read(session=session, file=file, user=_user(request))
    if download and not head:
        services.media_downloaded(
            case=session.case,
            user=_user(request),
            what={
                "session_id": str(session.pk),
                "participant_id": file.participant_id,
                "key": file.key,
                "sha256": file.sha256,
                "size": file.size,
                "version": file.version,
                "audience": file.audience,
                "via": "replay",
            },
        )
    if head or size == 0:
        response: HttpResponseBase = HttpResponse(status=206 if byte_range else 200)
    else:
        content = (
            _astream(file.key, part.start, part.length)
            if isinstance(request, ASGIRequest)
            else _stream(file.key, part.start, part.length)
        )
        response = StreamingHttpResponse(content, status=206 if byte_range else 200)
    response["Content-Type"] = "video/webm"
    response["Content-Length"] = str(part.length if size else 0)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = f'"{file.sha256}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if byte_range is not None:
        response["Content-Range"] = f"bytes {part.start}-{part.end}/{size}"
    if download:
        name = f"{session.case.case_no}-{session.pk}-{file.participant_id}"
        name += "-screen" if file.source == "screen" else ""
        name += "-plenary.webm" if file.audience == Audience.PLENARY else ".webm"
        disposition = content_disposition_header(as_attachment=True, filename=name)
        if disposition:
            response["Content-Disposition"] = disposition
    return response


# --- Replay grants (their form is on the verification page, accord.packages) ---------------

# The page the grant forms are on (accord.packages, a layer above, names its URL so).
VERIFY_PAGE = "packages:verify"


# A refused grant form is kept in the session for the verification page to show again with
# its field errors (the page belongs to accord.packages, a layer above: it asks
# :func:`grant_form_for`).
_REFUSED_FORM = "replay.refused_grant_form"
# Service error fields as the form names them.
_FORM_FIELD = {"user": "username", "expires_at": "days"}


def grant_form_for(request: HttpRequest, case_no: str) -> GrantForm:
    """The grant form of the verification page: empty, or the one just refused (once)."""
    kept = request.session.pop(_REFUSED_FORM, None) if hasattr(request, "session") else None
    if not isinstance(kept, dict) or kept.get("case_no") != case_no:
        return GrantForm()
    form = GrantForm(kept.get("data") or {})
    form.is_valid()
    for field, errors in (kept.get("errors") or {}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    return form


def _keep_refused(request: HttpRequest, case_no: str, form: GrantForm) -> None:
    request.session[_REFUSED_FORM] = {
        "case_no": case_no,
        "data": {k: request.POST.get(k, "") for k in ("username", "include_caucus", "days")},
        "errors": {field: [str(e) for e in errors] for field, errors in form.errors.items()},
    }


@login_required
@require_POST
def grant_create(request: HttpRequest, case_no: str) -> HttpResponse:
    user = _user(request)
    case = replay_access.access_case_for_granting(user=user, case_no=case_no)
    form = GrantForm(request.POST)
    if form.is_valid():
        grantee = User.objects.filter(
            username=form.cleaned_data["username"], is_active=True
        ).first()
        if grantee is None:
            form.add_error("username", _("No active user with this user name."))
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
                if not exc.fields:
                    form.add_error(None, exc.message)
                for field, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(_FORM_FIELD.get(field), error)
            else:
                messages.success(request, _("Access granted."))
                return redirect(VERIFY_PAGE, case_no=case.case_no)
    messages.error(request, _("Check the grant form."))
    _keep_refused(request, case.case_no, form)
    return redirect(VERIFY_PAGE, case_no=case.case_no)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, case_no: str, grant_id: int) -> HttpResponse:
    user = _user(request)
    case = replay_access.access_case_for_granting(user=user, case_no=case_no)
    grant = ReplayGrant.objects.filter(case=case, pk=grant_id).select_related("case").first()
    if grant is None:
        raise Http404(_("No such grant."))
    services.replay_revoke(grant=grant, by=user)
    messages.success(request, _("Access revoked."))
    return redirect(VERIFY_PAGE, case_no=case.case_no)
