"""Object checks for `accord verify-case` (evidence files).

The trace's ``evidence.uploaded`` events are the reference: the evidence table
is an ordinary, mutable table, so a record could be edited to match a swapped
object. Each object is checked against its record *and* its hash-chained event.
"""

from __future__ import annotations

from typing import Any

from minio.error import S3Error
from urllib3.exceptions import HTTPError

from accord.audit.models import TraceChain, TraceEvent
from accord.audit.verify import Failure, VerifyReport, register_object_check
from accord.cases.models import Case, Material
from accord.core.storage import sha256_of_object


def _where(bucket: str, key: str) -> str:
    return f"object {bucket}/{key}"


def _check_one(evidence: Material, traced: dict[str, Any] | None, report: VerifyReport) -> None:
    where = _where(evidence.bucket, evidence.object_key)
    if traced is None:
        report.failures.append(Failure(where, "no evidence.uploaded event in the trace names it"))
        return
    for name, recorded in (("size", evidence.size), ("sha256", evidence.sha256)):
        if traced.get(name) != recorded:
            report.failures.append(
                Failure(
                    where,
                    f"evidence record {name} {recorded!r} differs from the trace's "
                    f"{traced.get(name)!r}",
                )
            )
            return
    try:
        size, digest = sha256_of_object(evidence.bucket, evidence.object_key)
    except S3Error as exc:
        report.failures.append(Failure(where, f"cannot be read from object storage: {exc.code}"))
        return
    except HTTPError as exc:
        report.failures.append(Failure(where, f"object storage unreachable: {exc}"))
        return
    if size != evidence.size:
        report.failures.append(
            Failure(where, f"size is {size} bytes, the record says {evidence.size}")
        )
    elif digest != evidence.sha256:
        report.failures.append(
            Failure(where, f"SHA-256 is {digest}, the record says {evidence.sha256}")
        )


@register_object_check
def check_material_objects(chain: TraceChain, report: VerifyReport) -> None:
    """Re-read every evidence object of the chain's case from S3 and compare its
    size and SHA-256 with the record and with the ``evidence.uploaded`` event."""
    case = Case.objects.filter(chain=chain).first()
    if case is None:
        return
    traced: dict[str, dict[str, Any]] = {}
    for event in TraceEvent.objects.filter(chain=chain, action="evidence.uploaded"):
        payload = event.payload if isinstance(event.payload, dict) else {}
        traced[str(payload.get("key"))] = payload
    for evidence in Material.objects.filter(case=case).order_by("id"):
        report.objects_checked += 1
        _check_one(evidence, traced.pop(evidence.object_key, None), report)
    for key, payload in traced.items():
        report.failures.append(
            Failure(
                _where(str(payload.get("bucket")), key),
                "the trace records this upload but the evidence record is missing",
            )
        )
