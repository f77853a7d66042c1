"""The orphan check of `accord verify-case`: every recording object stored under a
session of the case is registered in the case's trace.

``accord.recordings.verification`` re-reads every *registered* segment, final file
and manifest; this check covers the other direction: an object under
``<session_id>/`` in the recordings bucket that no ``recording.segment`` event
names (a segment slipped in, or one whose registration was removed) is a failure.
Final files (``<session_id>/final/``), recording manifests
(``<session_id>/manifest*.json``) and the composite export (``<session_id>/export/``) are left
to the recordings check.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from minio.error import S3Error
from urllib3.exceptions import HTTPError

from accord.audit.models import TraceChain, TraceEvent
from accord.audit.verify import Failure, VerifyReport, register_object_check
from accord.cases.models import Case
from accord.core.storage import s3_client
from accord.rooms.models import HearingSession


def is_segment_key(session_id: str, key: str) -> bool:
    rest = key[len(session_id) + 1 :]
    if rest.startswith(("final/", "export/")):
        return False
    return not (rest.startswith("manifest") and rest.endswith(".json"))


def registered_segment_keys(chain: TraceChain) -> set[str]:
    keys = set()
    for payload in TraceEvent.objects.filter(chain=chain, action="recording.segment").values_list(
        "payload", flat=True
    ):
        if isinstance(payload, dict) and isinstance(payload.get("key"), str):
            keys.add(payload["key"])
    return keys


@register_object_check
def check_unregistered_recording_objects(chain: TraceChain, report: VerifyReport) -> None:
    if not apps.is_installed("accord.recordings"):
        return
    case = Case.objects.filter(chain=chain).first()
    if case is None:
        return
    bucket = settings.S3_BUCKET_RECORDINGS
    registered: set[str] | None = None
    sessions = HearingSession.objects.filter(case=case).order_by("scheduled_at", "id")
    for session_id in sessions.values_list("id", flat=True):
        prefix = f"{session_id}/"
        try:
            objects = list(s3_client().list_objects(bucket, prefix, recursive=True))
        except S3Error as exc:
            if exc.code == "NoSuchBucket":
                return
            report.failures.append(
                Failure(f"objects {bucket}/{prefix}", f"cannot be listed: {exc.code}")
            )
            return
        except HTTPError as exc:
            report.failures.append(
                Failure(f"objects {bucket}/{prefix}", f"object storage unreachable: {exc}")
            )
            return
        for obj in objects:
            key = str(obj.object_name)
            if not is_segment_key(str(session_id), key):
                continue
            if registered is None:
                registered = registered_segment_keys(chain)
            report.objects_checked += 1
            if key not in registered:
                report.failures.append(
                    Failure(
                        f"object {bucket}/{key}",
                        "stored under a session of the case but no recording.segment event "
                        "registers it",
                    )
                )
