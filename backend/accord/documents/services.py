"""Drafting documents: each draft is a rendered, stored, hashed PDF version.

``document_draft`` renders and stores before its transaction (no object storage I/O under a
row lock); the row and the trace event ``document.drafted`` are written together; if that
transaction fails the stored object is removed again. Nothing of a person goes into the trace
in clear: the version is named by uuid, key and SHA-256 (the PDF holds the particulars and is
in object storage, readable only through the case's access rules).
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from minio.error import S3Error

from accord.accounts.models import User
from accord.audit.actors import Actor
from accord.cases.models import Case
from accord.cases.selectors import case_role_of
from accord.cases.services.transitions import case_trace, lock_case
from accord.core.storage import s3_client
from accord.documents.checks import agreement_problems, clean_fields
from accord.documents.errors import (
    AgreementIncomplete,
    DocumentInvalid,
    DocumentSealed,
    DocumentStorageUnavailable,
    VersionConflict,
    VersionNotCurrent,
)
from accord.documents.models import (
    Document,
    DocumentKind,
    DocumentLanguage,
    DocumentVersion,
    VersionStatus,
)
from accord.documents.render import case_particulars, render_pdf

logger = logging.getLogger(__name__)


def _actor(case: Case, user: User) -> Actor:
    return Actor.for_user(user, role=case_role_of(case=case, user=user))


def _discard(bucket: str, key: str) -> None:
    try:
        s3_client().remove_object(bucket, key)
    except Exception:
        logger.warning("could not remove unreferenced document object %s/%s", bucket, key)


def store_pdf(*, case: Case, name: str, pdf: bytes) -> tuple[str, str, str]:
    """Put ``pdf`` under the case's documents; (bucket, key, sha256). No transaction open."""
    bucket: str = settings.S3_BUCKET_DOCUMENTS
    key = f"cases/{case.case_no}/documents/{name}.pdf"
    try:
        s3_client().put_object(
            bucket, key, io.BytesIO(pdf), length=len(pdf), content_type="application/pdf"
        )
    except (S3Error, OSError) as exc:
        logger.exception("document upload to %s/%s failed", bucket, key)
        raise DocumentStorageUnavailable(
            _("Document storage is unavailable; please try later.")
        ) from exc
    return bucket, key, hashlib.sha256(pdf).hexdigest()


@dataclass(frozen=True, slots=True)
class PreparedVersion:
    """A version rendered and stored, not yet recorded (:func:`document_prepare`)."""

    case: Case
    kind: str
    language: str
    fields: dict[str, Any]
    document: Document | None
    number: int
    version_uuid: uuid.UUID
    bucket: str
    key: str
    sha256: str
    size: int

    def discard(self) -> None:
        """Remove the stored object (the transaction that would record it failed)."""
        _discard(self.bucket, self.key)


def document_prepare(
    *,
    case: Case,
    kind: str,
    fields: dict[str, Any],
    language: str = DocumentLanguage.ZH_HANS,
    document: Document | None = None,
) -> PreparedVersion:
    """Check, render and store a new version; nothing is written to the database. Not inside
    a transaction. Record it with :func:`document_record` inside the caller's transaction, or
    :meth:`PreparedVersion.discard` it. Raises what :func:`document_draft` raises."""
    if kind not in DocumentKind.values:
        raise DocumentInvalid(_("Unknown document kind."), fields={"kind": [_("Unknown kind.")]})
    if language not in DocumentLanguage.values:
        raise DocumentInvalid(
            _("Choose Chinese or English."), fields={"language": [_("Unknown language.")]}
        )
    if document is not None and (document.kind != kind or document.case_id != case.pk):
        raise DocumentInvalid(_("This is not a document of that kind on this case."))
    cleaned, problems = clean_fields(kind, fields)
    if problems:
        raise DocumentInvalid(_("Some fields are not valid: see the fields."), fields=problems)
    _refuse_sealed(document)
    number = (document.versions.count() + 1) if document is not None else 1
    cleaned["case"] = case_particulars(case)
    language = document.language if document is not None else language
    pdf = render_pdf(kind=kind, language=language, fields=cleaned, number=number)
    version_id = uuid.uuid4()
    bucket, key, sha256 = store_pdf(case=case, name=f"{version_id}", pdf=pdf)
    return PreparedVersion(
        case=case,
        kind=kind,
        language=language,
        fields=cleaned,
        document=document,
        number=number,
        version_uuid=version_id,
        bucket=bucket,
        key=key,
        sha256=sha256,
        size=len(pdf),
    )


def document_record(*, prepared: PreparedVersion, by: User) -> DocumentVersion:
    """Write the row of a prepared version and its ``document.drafted`` event (locks the
    case; runs in the caller's transaction when there is one). Does not discard the stored
    object on failure: the caller does (:meth:`PreparedVersion.discard`)."""
    with transaction.atomic():
        locked = lock_case(prepared.case)
        document = prepared.document
        if document is None:
            document = Document.objects.create(
                case=locked, kind=prepared.kind, language=prepared.language, created_by=by
            )
        else:
            document = Document.objects.select_for_update().get(pk=document.pk)
            _refuse_sealed(document)
        number = document.versions.count() + 1
        if number != prepared.number:
            # Another draft was numbered and rendered meanwhile: this PDF states the wrong
            # version number. Refused; the caller discards the stored object.
            raise VersionConflict(
                _("Another version was drafted meanwhile: reload and draft again.")
            )
        document.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.SIGNING]).update(
            status=VersionStatus.SUPERSEDED
        )
        version = DocumentVersion.objects.create(
            uuid=prepared.version_uuid,
            document=document,
            number=number,
            fields=prepared.fields,
            bucket=prepared.bucket,
            storage_key=prepared.key,
            sha256=prepared.sha256,
            size=prepared.size,
            created_by=by,
        )
        case_trace(
            locked=locked,
            action="document.drafted",
            actor=_actor(locked, by),
            payload={
                "document": str(document.uuid),
                "version": str(version.uuid),
                "kind": prepared.kind,
                "language": prepared.language,
                "number": number,
                "bucket": prepared.bucket,
                "key": prepared.key,
                "size": prepared.size,
                "sha256": prepared.sha256,
            },
        )
    return version


def document_draft(
    *,
    case: Case,
    kind: str,
    fields: dict[str, Any],
    by: User,
    language: str = DocumentLanguage.ZH_HANS,
    document: Document | None = None,
) -> DocumentVersion:
    """A new version of ``document`` (or the first version of a new document of ``kind``).

    Preconditions: the caller has checked that ``by`` may draft this kind on this case; not
    inside a transaction (rendering and storing happen first). The case's particulars are
    read from the case and frozen into the version's ``fields["case"]``. The previous version
    is superseded (signatures given on it no longer count).

    Raises ``document_invalid`` (400, field errors: malformed fields, unknown kind or
    language), ``document_sealed`` (409: the document is sealed, it cannot change),
    ``version_conflict`` (409: another version was drafted meanwhile; the stored PDF is
    discarded), ``storage_unavailable`` (503)."""
    prepared = document_prepare(
        case=case, kind=kind, fields=fields, language=language, document=document
    )
    try:
        return document_record(prepared=prepared, by=by)
    except BaseException:
        prepared.discard()
        raise


def _refuse_sealed(document: Document | None) -> None:
    if document is not None and document.versions.filter(status=VersionStatus.SEALED).exists():
        raise DocumentSealed(_("This document is sealed: it can no longer change."))


def document_send_to_signing(*, version: DocumentVersion, by: User) -> DocumentVersion:
    """Put the latest draft of a document out for signing, after the content check.

    Preconditions: the caller has checked that ``by`` may do this (the case's mediator or an
    administrator of its organization). Trace ``document.sent_to_signing`` (version, SHA-256).
    Raises ``agreement_incomplete`` (400, field errors from the content check),
    ``illegal_state`` (409: not the current draft)."""
    if version.document.kind == DocumentKind.AGREEMENT:
        problems = agreement_problems(version.fields)
        if problems:
            raise AgreementIncomplete(
                _("The agreement is not ready for signing: see the fields."), fields=problems
            )
    with transaction.atomic():
        locked_case = lock_case(version.document.case)
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != VersionStatus.DRAFT:
            raise VersionNotCurrent(
                _("This version is no longer the current draft: reload the page.")
            )
        locked.status = VersionStatus.SIGNING
        locked.save(update_fields=["status"])
        case_trace(
            locked=locked_case,
            action="document.sent_to_signing",
            actor=_actor(locked_case, by),
            payload={
                "document": str(locked.document.uuid),
                "version": str(locked.uuid),
                "sha256": locked.sha256,
            },
        )
    return locked


def read_object(bucket: str, key: str) -> bytes:
    try:
        response = s3_client().get_object(bucket, key)
    except (S3Error, OSError) as exc:
        raise DocumentStorageUnavailable(_("The document cannot be read from storage.")) from exc
    try:
        data: bytes = response.read()
    finally:
        response.close()
        response.release_conn()
    return data


def version_pdf(version: DocumentVersion, *, sealed: bool = False) -> bytes:
    """The stored PDF of ``version`` (the sealed one when ``sealed`` and there is one)."""
    if sealed and version.sealed_key:
        return read_object(version.bucket, version.sealed_key)
    return read_object(version.bucket, version.storage_key)
