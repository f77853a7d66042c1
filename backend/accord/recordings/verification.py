"""Object checks for `accord verify-case` (recordings).

The trace is the reference: ``recording.segment`` events for segments, ``recording.finalized``
for final files and manifests, ``recording.deleted`` for what retention removed. Every stored
object is re-read and its size and SHA-256 compared with its record *and* its event; an object
deleted by retention must be named, with the same hash, by a deletion event.

Only the latest version of a session's final files and ``manifest.json`` are in the store (a
re-finalize rewrites them); earlier versions are checked against their events, not re-read.
``manifest-v<n>.json`` objects are never rewritten and are always re-read. Likewise only the
latest ``recording.composited`` composite of a session is in the store (``export/
composite.webm``); earlier ones are checked against their events.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from minio.error import S3Error
from urllib3.exceptions import HTTPError

from accord.audit.models import TraceChain, TraceEvent
from accord.audit.verify import Failure, VerifyReport, register_object_check
from accord.cases.models import Case
from accord.core.storage import s3_client, sha256_of_object
from accord.recordings.models import (
    RecordingComposite,
    RecordingFile,
    RecordingManifest,
    RecordingSegment,
)
from accord.rooms.models import HearingSession


def _where(key: str) -> str:
    return f"object {settings.S3_BUCKET_RECORDINGS}/{key}"


def _payloads(chain: TraceChain, action: str) -> list[dict[str, Any]]:
    return [
        event.payload
        for event in TraceEvent.objects.filter(chain=chain, action=action).order_by("seq")
        if isinstance(event.payload, dict)
    ]


def _compare_stored(key: str, size: int, sha256: str, report: VerifyReport) -> None:
    where = _where(key)
    try:
        stored_size, digest = sha256_of_object(settings.S3_BUCKET_RECORDINGS, key)
    except S3Error as exc:
        report.failures.append(Failure(where, f"cannot be read from object storage: {exc.code}"))
        return
    except HTTPError as exc:
        report.failures.append(Failure(where, f"object storage unreachable: {exc}"))
        return
    if stored_size != size:
        report.failures.append(
            Failure(where, f"size is {stored_size} bytes, the record says {size}")
        )
    elif digest != sha256:
        report.failures.append(Failure(where, f"SHA-256 is {digest}, the record says {sha256}"))


def _compare_traced(
    where: str, what: str, record: dict[str, Any], traced: dict[str, Any], report: VerifyReport
) -> bool:
    for name, value in record.items():
        if traced.get(name) != value:
            report.failures.append(
                Failure(
                    where,
                    f"{what} record {name} {value!r} differs from the trace's {traced.get(name)!r}",
                )
            )
            return False
    return True


class _Deletions:
    def __init__(self, chain: TraceChain) -> None:
        self.hashes: dict[str, set[str]] = defaultdict(set)
        for payload in _payloads(chain, "recording.deleted"):
            for item in payload.get("objects") or []:
                if isinstance(item, dict):
                    self.hashes[str(item.get("key"))].add(str(item.get("sha256")))

    def check(self, key: str, sha256: str, report: VerifyReport) -> None:
        if sha256 not in self.hashes.get(key, set()):
            report.failures.append(
                Failure(
                    _where(key),
                    f"marked deleted but no recording.deleted event names it with SHA-256 {sha256}",
                )
            )


def _check_segments(
    chain: TraceChain, case: Case, deletions: _Deletions, report: VerifyReport
) -> None:
    traced = {str(p.get("key")): p for p in _payloads(chain, "recording.segment")}
    segments = RecordingSegment.objects.filter(session__case=case).order_by("id")
    for segment in segments:
        report.objects_checked += 1
        where = _where(segment.key)
        event = traced.pop(segment.key, None)
        if event is None:
            report.failures.append(Failure(where, "no recording.segment event names it"))
            continue
        record = {"size": segment.size, "sha256": segment.sha256}
        if not _compare_traced(where, "segment", record, event, report):
            continue
        if segment.deleted_at is not None:
            deletions.check(segment.key, segment.sha256, report)
        else:
            _compare_stored(segment.key, segment.size, segment.sha256, report)
    for key in traced:
        report.failures.append(
            Failure(_where(key), "the trace records this segment but its record is missing")
        )


def _check_finalized(
    chain: TraceChain, case: Case, deletions: _Deletions, report: VerifyReport
) -> None:
    events = {
        (str(p.get("session_id")), p.get("version")): p
        for p in _payloads(chain, "recording.finalized")
    }
    manifests = list(RecordingManifest.objects.filter(session__case=case).order_by("id"))
    latest: dict[str, int] = {}
    for manifest in manifests:
        session = str(manifest.session_id)
        latest[session] = max(latest.get(session, 0), manifest.version)
    for manifest in manifests:
        report.objects_checked += 1
        session = str(manifest.session_id)
        where = _where(manifest.key)
        event = events.pop((session, manifest.version), None)
        if event is None:
            report.failures.append(
                Failure(where, f"no recording.finalized event for version {manifest.version}")
            )
            continue
        record = {"manifest_key": manifest.key, "sha256": manifest.sha256, "size": manifest.size}
        if not _compare_traced(where, "manifest", record, event, report):
            continue
        is_latest = manifest.version == latest[session]
        if manifest.deleted_at is not None:
            deletions.check(manifest.key, manifest.sha256, report)
        else:
            if is_latest or manifest.version > 1:
                _compare_stored(manifest.key, manifest.size, manifest.sha256, report)
            if is_latest and manifest.version > 1:  # manifest.json is the latest's copy
                _compare_stored(f"{session}/manifest.json", manifest.size, manifest.sha256, report)
        _check_files(manifest, event, is_latest, deletions, report)
    for session, version in events:
        report.failures.append(
            Failure(
                f"recording of session {session}",
                f"the trace records finalize version {version} but its manifest record is missing",
            )
        )


def _check_files(
    manifest: RecordingManifest,
    event: dict[str, Any],
    is_latest: bool,
    deletions: _Deletions,
    report: VerifyReport,
) -> None:
    traced = {str(f.get("key")): f for f in event.get("files") or [] if isinstance(f, dict)}
    files = RecordingFile.objects.filter(
        session_id=manifest.session_id, version=manifest.version
    ).order_by("id")
    for item in files:
        report.objects_checked += 1
        where = _where(item.key)
        entry = traced.pop(item.key, None)
        if entry is None:
            report.failures.append(
                Failure(where, f"the recording.finalized event of v{item.version} does not list it")
            )
            continue
        record = {"size": item.size, "sha256": item.sha256}
        if not _compare_traced(where, "final file", record, entry, report):
            continue
        if item.deleted_at is not None:
            deletions.check(item.key, item.sha256, report)
        elif is_latest:
            _compare_stored(item.key, item.size, item.sha256, report)
    for key in traced:
        report.failures.append(
            Failure(
                _where(key),
                f"the recording.finalized event of v{manifest.version} lists this file but its "
                "record is missing",
            )
        )


def _check_composites(
    chain: TraceChain, case: Case, deletions: _Deletions, report: VerifyReport
) -> None:
    traced = {p.get("composite_id"): p for p in _payloads(chain, "recording.composited")}
    composites = list(RecordingComposite.objects.filter(session__case=case).order_by("id"))
    latest: dict[str, int] = {}
    for composite in composites:  # by id: the last one made holds the key
        latest[str(composite.session_id)] = composite.pk
    for composite in composites:
        report.objects_checked += 1
        where = _where(composite.key)
        event = traced.pop(composite.pk, None)
        if event is None:
            report.failures.append(
                Failure(where, f"no recording.composited event names composite {composite.pk}")
            )
            continue
        record = {
            "key": composite.key,
            "size": composite.size,
            "sha256": composite.sha256,
            "manifest_version": composite.manifest_version,
        }
        if not _compare_traced(where, "composite", record, event, report):
            continue
        if composite.deleted_at is not None:
            deletions.check(composite.key, composite.sha256, report)
        elif latest[str(composite.session_id)] == composite.pk:
            _compare_stored(composite.key, composite.size, composite.sha256, report)
    for composite_id, event in traced.items():
        report.failures.append(
            Failure(
                _where(str(event.get("key"))),
                f"the trace records composite {composite_id} but its record is missing",
            )
        )


@register_object_check
def check_recording_objects(chain: TraceChain, report: VerifyReport) -> None:
    """Re-read every stored recording object of the chain's case and compare it with its
    record and its event; deleted ones against their deletion event."""
    case = Case.objects.filter(chain=chain).first()
    if case is None:
        return
    deletions = _Deletions(chain)
    _check_segments(chain, case, deletions, report)
    _check_finalized(chain, case, deletions, report)
    _check_composites(chain, case, deletions, report)


# --- Objects nobody registered ------------------------------------------------------------
# The other direction: an object under ``<session_id>/`` in the recordings bucket that no
# ``recording.segment`` event names (a segment slipped in, or one whose registration was
# removed) is a failure. Final files (``<session_id>/final/``), recording manifests
# (``<session_id>/manifest*.json``) and the composite export (``<session_id>/export/``) are
# checked above.


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
