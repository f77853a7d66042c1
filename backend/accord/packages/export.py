"""The evidence package of a case: a zip a court or notary checks offline.

Layout::

    manifest.json                      case, sessions, participants, documents, recordings,
                                       every file with its SHA-256 and size, the chain head
    trace.jsonl                        the case's chain, one event per line (canonical JSON)
    documents/<nnn>-<name>             the case's evidence files, as stored
    signed/<kind>-<lang>-<doc>-v<n>.pdf        each version of a document the platform drew
                                               up (agreement, notice, report, ...), as drafted
    signed/<kind>-<lang>-<doc>-v<n>-sealed.pdf its copy signed by the parties and sealed by
                                               the organization (PAdES B-T/B-LTA)
    recordings/<session>/<participant>.webm          finalized per-participant recordings
    recordings/<session>/<participant>-screen.webm   a participant's screen share, if any
    recordings/<session>/manifest.json               the recording manifest of the finalize
    anchors/<seq>.tsr                  RFC 3161 timestamp tokens (DER TimeStampToken) over the
                                       chain's head hash at <seq>, made by the TSA
    anchors/index.json                 seq, head hash, time and file of every token
    certificates/ca.pem                the trust roots (the TSA's and the seals' CA)
    certificates/tsa.pem               the certificates the tokens carry (the TSA's first)
    certificates/org-<id>.pem          the seal certificate chain of the case's organization
    verify.py                          the standalone verifier (standard library only)

Anchors and certificates are present when the chain has anchors up to the exported head, or
the organization has a seal certificate (``accord.trust``).

Exporting order (see :func:`export_case`): the ``case.exported`` event is
committed first, then the package is built from the chain up to and including
that event (events appended meanwhile are left out, so the package is one
consistent prefix of the chain whose head the manifest states). The package
cannot contain its own hash; after the build a ``case.package_sealed`` event
records the SHA-256 of ``manifest.json`` and of the zip, so the platform can
later confirm that a package someone holds is the one it produced.

Objects are streamed from S3 into the zip in chunks; nothing holds a whole file
in memory. The manifest states the hashes the platform *recorded* (the
evidence records and recording rows, which ``accord verify-case`` checks
against the trace), so a stored object that was changed produces a package
that ``verify.py`` rejects, naming the file. :class:`PackageResult` lists such
differences too, so the exporter sees them at once.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from minio.error import S3Error

from accord.accounts.models import User
from accord.audit.canonical import canonical_json, format_time
from accord.audit.models import TraceEvent
from accord.cases.models import Case, Material
from accord.core.storage import s3_client
from accord.documents.models import DocumentVersion
from accord.packages import services
from accord.recordings.models import RecordingFile, RecordingManifest
from accord.recordings.selectors import PendingFinalize, pending_finalizes
from accord.rooms.models import HearingSession, SessionParticipant
from accord.trust.models import ChainAnchor
from accord.trust.pki import certificate_chain_pem, pem_blocks, trust_roots_pem
from accord.trust.tsa import token_certificates_pem

PACKAGE_FORMAT = "accord-evidence-package"
PACKAGE_VERSION = 1
VERIFIER = Path(__file__).with_name("verify_package.py")
CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


class PackageError(Exception):
    """The package cannot be built (an object is missing from storage)."""


class FinalizePending(PackageError):
    """A hearing's recording exists but is not final yet: a package now would leave it out, so
    none is built (``accord export-case --wait`` waits for it)."""

    def __init__(self, pending: list[PendingFinalize]) -> None:
        self.pending = pending
        sessions = "; ".join(f"{p.session.pk} ({p.reason_text})" for p in pending)
        super().__init__(f"recording not final yet for hearing session {sessions}")


@dataclass(slots=True)
class PackageResult:
    case_no: str
    export_seq: int
    head_hash: str
    manifest_sha256: str
    package_sha256: str
    size: int
    files: int
    # Stored objects whose bytes differ from what the platform recorded: (path, recorded, actual).
    differences: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Written:
    path: str
    size: int
    sha256: str


def safe_name(name: str) -> str:
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    return cleaned[:120] or "file"


def _zip_info(path: str, moment: datetime, *, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=moment.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def _write_chunks(
    archive: zipfile.ZipFile,
    path: str,
    chunks: Iterator[bytes],
    moment: datetime,
    *,
    compress: bool,
) -> _Written:
    digest = hashlib.sha256()
    size = 0
    with archive.open(_zip_info(path, moment, compress=compress), "w", force_zip64=True) as target:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return _Written(path=path, size=size, sha256=digest.hexdigest())


def _object_chunks(bucket: str, key: str) -> Iterator[bytes]:
    try:
        response = s3_client().get_object(bucket, key)
    except S3Error as exc:
        raise PackageError(f"object {bucket}/{key} cannot be read: {exc.code}") from exc
    try:
        yield from response.stream(CHUNK)
    finally:
        response.close()
        response.release_conn()


def trace_line(event: TraceEvent, chain_key: str) -> str:
    """One line of ``trace.jsonl``: the hashed body plus ``prev_hash`` and ``hash``."""
    return canonical_json(
        {**event.body(chain_key), "prev_hash": event.prev_hash, "hash": event.hash}
    )


def _trace_chunks(case: Case, upto_seq: int, head: list[TraceEvent]) -> Iterator[bytes]:
    events = TraceEvent.objects.filter(chain_id=case.chain_id, seq__lte=upto_seq).order_by("seq")
    for event in events.iterator(chunk_size=500):
        head[:] = [event]
        yield (trace_line(event, case.chain_key) + "\n").encode("utf-8")


def _user_json(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    # A name, never a username or phone number (an applicant's username used to be one).
    return {"user_id": user.pk, "name": user.get_full_name()}


def _org_json(org: Any) -> dict[str, Any] | None:
    return None if org is None else {"code": org.code, "name": org.name}


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "case_no": case.case_no,
        "organization": _org_json(case.organization),
        "respondent": _org_json(case.respondent),
        "channel": case.channel,
        "state": case.state,
        "business_type": case.business_type,
        "dispute_nature": case.dispute_nature,
        "amount": None if case.amount is None else str(case.amount),
        "applicant_type": case.applicant_type,
        "applicant_name": case.applicant_name,
        "court": _org_json(case.court),
        "court_case_no": case.court_case_no,
        "entrusted_on": None if case.entrusted_on is None else case.entrusted_on.isoformat(),
        "referred_by": _org_json(case.referred_by),
        "regulator_reference": case.regulator_reference,
        "mediator": _user_json(case.mediator),
        "created_at": format_time(case.created_at),
    }


def _sessions(case: Case) -> list[dict[str, Any]]:
    sessions = []
    for session in HearingSession.objects.filter(case=case).order_by("scheduled_at", "id"):
        participants = SessionParticipant.objects.filter(session=session).order_by("id")
        sessions.append(
            {
                "id": str(session.id),
                "title": session.title,
                "scheduled_at": format_time(session.scheduled_at),
                "status": session.status,
                "ended_at": None if session.ended_at is None else format_time(session.ended_at),
                "participants": [
                    {
                        "id": str(p.pk),
                        "user_id": p.user_id,
                        "role": p.role,
                        "display_name": p.display_name,
                    }
                    for p in participants
                ],
            }
        )
    return sessions


@dataclass(frozen=True, slots=True)
class _StoredFile:
    """An object to copy into the package, with what the platform recorded about it."""

    path: str
    bucket: str
    key: str
    size: int
    sha256: str
    compress: bool
    section: str  # "documents" | "recordings"
    info: dict[str, Any]


def _documents(case: Case) -> list[_StoredFile]:
    files = []
    for index, evidence in enumerate(
        Material.objects.filter(case=case).select_related("uploaded_by").order_by("id"), start=1
    ):
        files.append(
            _StoredFile(
                path=f"documents/{index:03d}-{safe_name(evidence.name)}",
                bucket=evidence.bucket,
                key=evidence.object_key,
                size=evidence.size,
                sha256=evidence.sha256,
                compress=False,
                section="documents",
                info={
                    "evidence": str(evidence.uuid),
                    "name": evidence.name,
                    "content_type": evidence.content_type,
                    "uploaded_at": format_time(evidence.uploaded_at),
                    "uploaded_by": _user_json(evidence.uploaded_by),
                },
            )
        )
    return files


def _platform_documents(case: Case) -> list[_StoredFile]:
    """Every version of every document the platform drew up for the case (agreements,
    notices, reports, ...) and, for a sealed version, its sealed copy: the PDF a court
    validates (its PAdES seal against ``certificates/``)."""
    sealed_sizes = {
        str(event.payload.get("version")): int(event.payload.get("size") or 0)
        for event in TraceEvent.objects.filter(chain_id=case.chain_id, action="document.sealed")
    }
    files = []
    versions = (
        DocumentVersion.objects.filter(document__case=case)
        .select_related("document")
        .order_by("document_id", "number")
    )
    for version in versions:
        document = version.document
        stem = (
            f"signed/{document.kind}-{document.language}-{str(document.uuid)[:8]}-v{version.number}"
        )
        info = {
            "document": str(document.uuid),
            "kind": document.kind,
            "language": document.language,
            "version": str(version.uuid),
            "number": version.number,
            "status": version.status,
        }
        files.append(
            _StoredFile(
                path=f"{stem}.pdf",
                bucket=version.bucket,
                key=version.storage_key,
                size=version.size,
                sha256=version.sha256,
                compress=False,
                section="documents",
                info={**info, "copy": "drafted"},
            )
        )
        if version.sealed_key:
            files.append(
                _StoredFile(
                    path=f"{stem}-sealed.pdf",
                    bucket=version.bucket,
                    key=version.sealed_key,
                    size=sealed_sizes.get(str(version.uuid), 0),
                    sha256=version.sealed_sha256,
                    compress=False,
                    section="documents",
                    info={**info, "copy": "sealed"},
                )
            )
    return files


def _recordings(case: Case) -> tuple[list[_StoredFile], list[dict[str, Any]]]:
    """The latest finalize of every session: per-participant files and the recording manifest.
    Files deleted by retention are described (with their recorded hash) but not included."""
    bucket = settings.S3_BUCKET_RECORDINGS
    files: list[_StoredFile] = []
    gone: list[dict[str, Any]] = []
    for session in HearingSession.objects.filter(case=case).order_by("scheduled_at", "id"):
        manifest = RecordingManifest.objects.filter(session=session).order_by("-version").first()
        if manifest is None:
            continue
        base = {"session": str(session.id), "version": manifest.version}
        manifest_entry = {**base, "key": manifest.key, "sha256": manifest.sha256}
        if manifest.deleted_at is not None:
            gone.append({**manifest_entry, "deleted_at": format_time(manifest.deleted_at)})
        else:
            files.append(
                _StoredFile(
                    path=f"recordings/{session.id}/manifest.json",
                    bucket=bucket,
                    key=manifest.key,
                    size=manifest.size,
                    sha256=manifest.sha256,
                    compress=True,
                    section="recordings",
                    info={**base, "kind": "recording_manifest"},
                )
            )
        # The full files only: a plenary-only file (for caucus-excluded replay grants) holds
        # nothing its full file does not, and is named with its hash in the recording manifest.
        for item in RecordingFile.objects.filter(
            session=session, version=manifest.version, audience="all"
        ).order_by("participant_id", "source"):
            suffix = "-screen" if item.source == "screen" else ""
            info = {
                **base,
                "kind": "final_file",
                "participant": str(item.participant_id),
                "source": item.source,
                "duration_ms": item.duration_ms,
                "spans": item.spans,
            }
            if item.deleted_at is not None:
                gone.append(
                    {
                        **info,
                        "key": item.key,
                        "sha256": item.sha256,
                        "deleted_at": format_time(item.deleted_at),
                    }
                )
                continue
            files.append(
                _StoredFile(
                    path=f"recordings/{session.id}/{item.participant_id}{suffix}.webm",
                    bucket=bucket,
                    key=item.key,
                    size=item.size,
                    sha256=item.sha256,
                    compress=False,
                    section="recordings",
                    info=info,
                )
            )
    return files, gone


def _anchors(case: Case, upto_seq: int) -> tuple[bytes | None, list[tuple[str, bytes]]]:
    """The chain's anchors up to the exported head: the index and one token file each."""
    anchors = list(
        ChainAnchor.objects.filter(chain_id=case.chain_id, seq__lte=upto_seq).order_by("seq")
    )
    if not anchors:
        return None, []
    files = [(f"anchors/{anchor.seq}.tsr", bytes(anchor.token)) for anchor in anchors]
    index = {
        "format": "accord-chain-anchors/1",
        "token": "DER TimeStampToken (RFC 3161); its message imprint is the SHA-256 head hash",
        "anchors": [
            {
                "seq": anchor.seq,
                "head_hash": anchor.head_hash,
                "gen_time": format_time(anchor.gen_time),
                "reason": anchor.reason,
                "file": path,
            }
            for anchor, (path, _token) in zip(anchors, files, strict=True)
        ],
    }
    return (json.dumps(index, ensure_ascii=False, indent=2) + "\n").encode(), files


def _certificates(case: Case, anchor_files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """What validating the tokens and the organization's seals needs besides the files."""
    files: list[tuple[str, bytes]] = []
    org_chain = certificate_chain_pem(case.organization_id) if case.organization_id else b""
    if not anchor_files and not org_chain:
        return files
    roots = trust_roots_pem()
    if roots:
        files.append(("certificates/ca.pem", roots))
    if anchor_files:
        blocks: dict[bytes, None] = {}
        for _path, token in anchor_files:
            blocks.update(dict.fromkeys(pem_blocks(token_certificates_pem(token))))
        files.append(("certificates/tsa.pem", b"".join(blocks)))
    if org_chain:
        files.append((f"certificates/org-{case.organization_id}.pem", org_chain))
    return files


def build_package(
    *,
    case: Case,
    upto_seq: int,
    out: IO[bytes],
    exported_by: User | None,
    created_at: datetime,
) -> tuple[str, int, str, int, list[tuple[str, str, str]]]:
    """Write the zip to ``out``.

    Returns (manifest sha256, head seq, head hash, files listed, differences)."""
    listed: list[dict[str, Any]] = []
    sections: dict[str, list[dict[str, Any]]] = {"documents": [], "recordings": []}
    differences: list[tuple[str, str, str]] = []
    head: list[TraceEvent] = []
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        trace = _write_chunks(
            archive, "trace.jsonl", _trace_chunks(case, upto_seq, head), created_at, compress=True
        )
        listed.append({"path": trace.path, "size": trace.size, "sha256": trace.sha256})
        if not head or head[0].seq != upto_seq:
            raise PackageError(f"the chain of {case.case_no} does not reach seq {upto_seq}")
        recordings, gone = _recordings(case)
        for stored in [*_documents(case), *_platform_documents(case), *recordings]:
            written = _write_chunks(
                archive,
                stored.path,
                _object_chunks(stored.bucket, stored.key),
                created_at,
                compress=stored.compress,
            )
            if (written.sha256, written.size) != (stored.sha256, stored.size):
                differences.append((stored.path, stored.sha256, written.sha256))
            listed.append({"path": stored.path, "size": stored.size, "sha256": stored.sha256})
            sections[stored.section].append(
                {
                    "path": stored.path,
                    "bucket": stored.bucket,
                    "key": stored.key,
                    "size": stored.size,
                    "sha256": stored.sha256,
                    **stored.info,
                }
            )
        anchors_index, anchor_files = _anchors(case, upto_seq)
        extra = [*anchor_files, *_certificates(case, anchor_files)]
        if anchors_index is not None:
            extra.append(("anchors/index.json", anchors_index))
        for path, data in extra:
            written = _write_chunks(archive, path, iter([data]), created_at, compress=False)
            listed.append({"path": path, "size": written.size, "sha256": written.sha256})
        verifier = VERIFIER.read_bytes()
        manifest = {
            "format": PACKAGE_FORMAT,
            "version": PACKAGE_VERSION,
            "created_at": format_time(created_at),
            "exported_by": _user_json(exported_by) or {"system": "accord export-case"},
            "case": case_summary(case),
            "chain": {
                "key": case.chain_key,
                "file": "trace.jsonl",
                "head_seq": head[0].seq,
                "head_hash": head[0].hash,
                "export_event_seq": upto_seq,
                "hash_rule": "sha256(prev_hash_hex + canonical_json(body)), genesis 64 zeros",
            },
            "sessions": _sessions(case),
            "documents": sections["documents"],
            "recordings": sections["recordings"],
            "recordings_deleted": gone,
            "anchors": None if anchors_index is None else {"index": "anchors/index.json"},
            "certificates": sorted(path for path, _ in extra if path.startswith("certificates/")),
            "files": sorted(listed, key=lambda entry: entry["path"]),
            "verifier": {"path": "verify.py", "sha256": hashlib.sha256(verifier).hexdigest()},
        }
        manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
        archive.writestr(_zip_info("manifest.json", created_at, compress=True), manifest_bytes)
        archive.writestr(_zip_info("verify.py", created_at, compress=True), verifier)
    return (
        hashlib.sha256(manifest_bytes).hexdigest(),
        head[0].seq,
        head[0].hash,
        len(listed),
        differences,
    )


def _sha256_of(handle: IO[bytes]) -> tuple[int, str]:
    handle.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return size, digest.hexdigest()


def export_case(*, case: Case, user: User | None, out: IO[bytes], via: str) -> PackageResult:
    """Trace the export, build the package into ``out`` (a seekable, readable binary
    file opened for writing), then trace its hashes. Callers check permission
    (:func:`accord.replay.access.export_allowed`). Refused with :class:`FinalizePending`,
    before anything is traced or written, while a recording of the case is not final."""
    pending = pending_finalizes(case)
    if pending:
        raise FinalizePending(pending)
    event = services.case_exported(case=case, user=user, via=via)
    manifest_sha256, head_seq, head_hash, count, differences = build_package(
        case=case, upto_seq=event.seq, out=out, exported_by=user, created_at=event.occurred_at
    )
    size, package_sha256 = _sha256_of(out)
    services.case_package_sealed(
        case=case,
        user=user,
        export_seq=event.seq,
        manifest_sha256=manifest_sha256,
        package_sha256=package_sha256,
        size=size,
    )
    return PackageResult(
        case_no=case.case_no,
        export_seq=head_seq,
        head_hash=head_hash,
        manifest_sha256=manifest_sha256,
        package_sha256=package_sha256,
        size=size,
        files=count,
        differences=differences,
    )


def export_case_to_path(*, case: Case, user: User | None, path: Path, via: str) -> PackageResult:
    """:func:`export_case` into a file; a failed build leaves no half-written file behind."""
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("w+b") as out:
            result = export_case(case=case, user=user, out=out, via=via)
        shutil.move(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return result
