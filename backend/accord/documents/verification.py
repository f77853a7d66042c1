"""Object checks for `accord verify-case` (document PDFs, drafts and sealed copies).

The trace's ``document.drafted`` and ``document.sealed`` events are the reference: each
version's stored PDF must have the size and SHA-256 the trace recorded, and the version row
must say the same as its event (a row edited to match a swapped object shows)."""

from __future__ import annotations

from typing import Any

from minio.error import S3Error
from urllib3.exceptions import HTTPError

from accord.audit.models import TraceChain, TraceEvent
from accord.audit.verify import Failure, VerifyReport
from accord.core.storage import sha256_of_object
from accord.documents.models import DocumentVersion

TRACED = {
    "document.drafted": ("storage_key", "sha256"),
    "document.sealed": ("sealed_key", "sealed_sha256"),
}


def _rehash(bucket: str, key: str, sha256: str, report: VerifyReport) -> None:
    where = f"object {bucket}/{key}"
    try:
        _, digest = sha256_of_object(bucket, key)
    except S3Error as exc:
        report.failures.append(Failure(where, f"cannot be read from object storage: {exc.code}"))
        return
    except HTTPError as exc:
        report.failures.append(Failure(where, f"object storage unreachable: {exc}"))
        return
    if digest != sha256:
        report.failures.append(Failure(where, f"SHA-256 is {digest}, the trace says {sha256}"))


def check_document_objects(chain: TraceChain, report: VerifyReport) -> None:
    traced: dict[tuple[str, str], dict[str, Any]] = {}
    for event in TraceEvent.objects.filter(chain=chain, action__in=list(TRACED)).order_by("seq"):
        payload = event.payload or {}
        if isinstance(payload.get("version"), str):
            traced[(event.action, payload["version"])] = payload
    versions = DocumentVersion.objects.filter(document__case__chain=chain).select_related(
        "document"
    )
    for version in versions:
        for action, (key_field, sha_field) in TRACED.items():
            key = getattr(version, key_field)
            if not key:
                continue
            where = f"document {version.uuid} ({action})"
            traced_payload = traced.get((action, str(version.uuid)))
            if traced_payload is None:
                report.failures.append(Failure(where, f"no {action} event in the trace names it"))
                continue
            recorded_sha = traced_payload.get("sha256")
            if traced_payload.get("key") != key or recorded_sha != getattr(version, sha_field):
                report.failures.append(
                    Failure(where, "the version's record differs from its trace event")
                )
                continue
            _rehash(version.bucket, key, str(recorded_sha), report)
        report.objects_checked += 1
