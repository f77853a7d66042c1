"""Material files: checked on their content, hashed while streamed to object
storage, recorded (row + trace event) only once the object is safely stored."""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterator
from typing import BinaryIO

import filetype
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from minio.error import S3Error
from minio.helpers import MIN_PART_SIZE

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.audit.personal import case_subject, seal
from accord.audit.services import trace_append
from accord.cases.errors import NotAllowed, StorageUnavailable, TooLarge, UnsupportedType
from accord.cases.file_kinds import accepted_in_words, file_kind
from accord.cases.file_structure import StructureCheck
from accord.cases.models import Case, Material
from accord.cases.payloads import EvidenceAccessed, EvidenceUploaded
from accord.cases.selectors import case_list_for_user, case_role_of
from accord.cases.states import OPEN_STATES
from accord.core.api import ConflictError, ServiceError
from accord.core.storage import remove_object, s3_client

logger = logging.getLogger(__name__)

# filetype looks at most at the first 8 KiB.
SNIFF_BYTES = 8192
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


class _LimitExceeded(Exception):
    pass


class _HashingReader:
    """What the S3 client reads: the sniffed head, then the rest of the stream.

    Hashes and counts every byte on the way, and stops the upload when the
    size limit is passed, so neither a lying ``size`` nor a huge body gets by.
    An exception from the source stream is remembered, to tell an interrupted
    upload from an object-storage failure.
    """

    def __init__(self, *, head: bytes, stream: BinaryIO, limit: int, check: StructureCheck) -> None:
        self._head = head
        self.check = check
        self._stream = stream
        self._limit = limit
        self.size = 0
        self.digest = hashlib.sha256()
        self.source_error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        if self._head:
            take = len(self._head) if size < 0 else min(size, len(self._head))
            chunk, self._head = self._head[:take], self._head[take:]
        else:
            try:
                chunk = self._stream.read(size)
            except BaseException as exc:
                self.source_error = exc
                raise
        self.size += len(chunk)
        if self.size > self._limit:
            raise _LimitExceeded
        self.digest.update(chunk)
        self.check.feed(chunk)
        return chunk


def _clean_name(name: str) -> str:
    base = _CONTROL_CHARS.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return (base or "evidence")[-255:]


def _discard(bucket: str, key: str) -> None:
    """Best effort: an object without a record must not stay behind."""
    try:
        remove_object(bucket, key)
    except Exception:  # the original failure matters more than this one
        logger.exception("could not remove orphan evidence object %s/%s", bucket, key)


def _check_may_upload(case: Case, user: User) -> None:
    if not case_list_for_user(user=user).filter(pk=case.pk).exists():
        raise NotAllowed(_("You may not add evidence to this case."))
    if case.state not in OPEN_STATES:
        raise ConflictError(
            _("Evidence can only be added while the case is open."), code="case_not_open"
        )


def _too_large(limit: int) -> TooLarge:
    megabytes = limit / (1024 * 1024)
    accepted = _("Accepted: %(accepted)s.") % {
        "accepted": accepted_in_words(settings.EVIDENCE_ALLOWED_TYPES, limit)
    }
    return TooLarge(
        _("The file is larger than %(mb).0f MB.") % {"mb": megabytes},
        fields={"file": [_("At most %(mb).0f MB.") % {"mb": megabytes}, accepted]},
    )


def _unsupported(kind: filetype.Type | None, allowed: list[str], limit: int) -> UnsupportedType:
    """The refusal says in words what the file is and what would be accepted."""
    accepted = _("Accepted: %(accepted)s.") % {"accepted": accepted_in_words(allowed, limit)}
    if kind is None:
        refused = _("The kind of this file could not be recognised, so it cannot be used.")
    else:
        refused = _("This file is a %(kind)s; it cannot be used as evidence.") % {
            "kind": file_kind(kind.mime, kind.extension)
        }
    return UnsupportedType(f"{refused} {accepted}", fields={"file": [refused, accepted]})


def _damaged(kind: filetype.Type) -> ServiceError:
    kind_words = file_kind(kind.mime, kind.extension)
    refused = _(
        "This %(kind)s is damaged or incomplete (perhaps cut short); nothing was kept. "
        "Please upload the whole file."
    ) % {"kind": kind_words}
    return ServiceError(
        refused,
        code="damaged_file",
        fields={"file": [_("A damaged or incomplete %(kind)s.") % {"kind": kind_words}]},
    )


def material_upload(
    *, case: Case, user: User, name: str, stream: BinaryIO, size: int | None = None
) -> Material:
    """Store one evidence file for ``case``, uploaded by ``user``.

    Preconditions: the caller has checked that ``user`` may see ``case``; not
    inside a transaction (the upload must not hold database locks).
    The type comes from the bytes (``filetype``), never from ``name``; it must
    be in ``EVIDENCE_ALLOWED_TYPES``. ``size`` (when the caller knows it) lets a
    too-large file be refused before reading; the limit is enforced while
    streaming as well. The object goes to ``cases/<case_no>/evidence/<uuid>``;
    then, in one transaction, the row and the ``evidence.uploaded`` event. If
    anything fails after the upload started, the object is removed again.

    The whole file's structure is checked as it streams (``file_structure``): a PDF without
    its trailer, a PNG without its header or end, an MP4 whose boxes run past its end is
    ``damaged_file``, and its object is removed.

    Raises: ``permission_denied``, ``case_not_open`` (409), ``empty_file``,
    ``too_large`` (413), ``unsupported_type`` (415), ``damaged_file``, ``upload_interrupted``,
    ``storage_unavailable`` (503).
    """
    _check_may_upload(case, user)
    limit: int = settings.EVIDENCE_MAX_BYTES
    if size is not None and size > limit:
        raise _too_large(limit)
    head = stream.read(SNIFF_BYTES)
    if not head:
        raise ServiceError(
            _("The file is empty."), code="empty_file", fields={"file": [_("Empty file.")]}
        )
    kind = filetype.guess(head)
    allowed: list[str] = settings.EVIDENCE_ALLOWED_TYPES
    if kind is None or kind.mime not in allowed:
        raise _unsupported(kind, allowed, limit)
    content_type: str = kind.mime
    bucket: str = settings.S3_BUCKET_EVIDENCE
    evidence_id = uuid.uuid4()
    key = f"cases/{case.case_no}/evidence/{evidence_id}"
    reader = _HashingReader(
        head=head, stream=stream, limit=limit, check=StructureCheck(content_type)
    )
    try:
        s3_client().put_object(
            bucket,
            key,
            reader,  # type: ignore[arg-type]  # duck-typed: minio only calls read()
            length=-1,
            part_size=MIN_PART_SIZE,
            content_type=content_type,
            num_parallel_uploads=1,
        )
    except _LimitExceeded:
        _discard(bucket, key)
        raise _too_large(limit) from None
    except Exception as exc:
        _discard(bucket, key)
        if reader.source_error is not None:
            raise ServiceError(
                _("The upload was interrupted; nothing was kept. Please try again."),
                code="upload_interrupted",
                fields={"file": [_("Interrupted.")]},
            ) from exc
        logger.exception("evidence upload to %s/%s failed", bucket, key)
        raise StorageUnavailable(_("File storage is unavailable; please try later.")) from exc
    except BaseException:
        _discard(bucket, key)
        raise
    problem = reader.check.problem()
    if problem is not None:
        _discard(bucket, key)
        logger.info("evidence upload refused as damaged (%s): %s", content_type, problem)
        raise _damaged(kind)
    sha256 = reader.digest.hexdigest()
    try:
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            _check_may_upload(locked, user)  # the case may have closed meanwhile
            evidence = Material.objects.create(
                uuid=evidence_id,
                case=locked,
                name=_clean_name(name),
                content_type=content_type,
                size=reader.size,
                sha256=sha256,
                bucket=bucket,
                object_key=key,
                uploaded_by=user,
            )
            payload: EvidenceUploaded = {
                "evidence": str(evidence_id),
                "name": seal(
                    subject=case_subject(locked.case_no), field="file_name", value=evidence.name
                ),
                "content_type": content_type,
                "size": reader.size,
                "sha256": sha256,
                "bucket": bucket,
                "key": key,
            }
            trace_append(
                chain=locked.chain,
                action="evidence.uploaded",
                actor=Actor.for_user(user, role=case_role_of(case=locked, user=user)),
                payload=dict(payload),
            )
    except BaseException:
        _discard(bucket, key)
        raise
    return evidence


def material_open(*, evidence: Material, user: User) -> Iterator[bytes]:
    """The stored bytes of ``evidence`` for ``user`` to download; the access is a
    trace event (``evidence.accessed``) committed before any byte is served.

    Preconditions: the caller has checked that ``user`` may see the case.
    """
    try:
        response = s3_client().get_object(evidence.bucket, evidence.object_key)
    except S3Error as exc:
        raise StorageUnavailable(_("The file cannot be read from storage.")) from exc
    try:
        with transaction.atomic():
            case = Case.objects.select_related("chain").get(pk=evidence.case_id)
            payload: EvidenceAccessed = {"evidence": str(evidence.uuid), "key": evidence.object_key}
            trace_append(
                chain=case.chain,
                action="evidence.accessed",
                actor=Actor.for_user(user, role=case_role_of(case=case, user=user)),
                payload=dict(payload),
            )
    except BaseException:
        response.close()
        response.release_conn()
        raise

    def chunks() -> Iterator[bytes]:
        try:
            yield from response.stream(64 * 1024)
        finally:
            response.close()
            response.release_conn()

    return chunks()
