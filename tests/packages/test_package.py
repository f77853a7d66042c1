"""`accord export-case` and the shipped verify.py: an untouched package passes under an
isolated system Python; every kind of tampering with the zip is named."""

from __future__ import annotations

import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accord.audit.models import TraceEvent
from accord.cases.models import Case, Material
from accord.core.storage import s3_client
from accord.packages.export import export_case_to_path
from tests.packages.conftest import PDF, rewrite_zip, run_verifier

pytestmark = pytest.mark.django_db


def export(case: Case, tmp_path: Path, *args: str) -> tuple[Path, str]:
    target = tmp_path / "package.zip"
    out = StringIO()
    call_command("export_case", case.case_no, str(target), *args, stdout=out, stderr=StringIO())
    return target, out.getvalue()


def members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_an_untouched_package_verifies_offline(documented, hearing, tmp_path):
    package, out = export(documented, tmp_path)
    assert f"Exported case {documented.case_no}" in out
    content = members(package)
    assert {"manifest.json", "trace.jsonl", "verify.py"} <= set(content)
    documents = sorted(name for name in content if name.startswith("documents/"))
    assert documents == ["documents/001-借款合同.pdf", "documents/002-statement.pdf"]
    assert content["documents/001-借款合同.pdf"] == PDF

    manifest = json.loads(content["manifest.json"])
    assert manifest["case"]["case_no"] == documented.case_no
    assert [s["id"] for s in manifest["sessions"]] == [str(hearing.id)]
    assert len(manifest["sessions"][0]["participants"]) == 3
    assert {f["path"] for f in manifest["files"]} == set(content) - {"manifest.json", "verify.py"}

    result = run_verifier(package)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"OK: evidence package of case {documented.case_no}" in result.stdout
    assert f"head: seq {manifest['chain']['head_seq']}" in result.stdout
    assert "files: 3 listed" in result.stdout


def test_exporting_is_traced_before_the_build_and_sealed_after(documented, tmp_path):
    package, _ = export(documented, tmp_path)
    manifest = json.loads(members(package)["manifest.json"])
    lines = members(package)["trace.jsonl"].decode().splitlines()
    last = json.loads(lines[-1])
    # The package's trace ends with its own export event.
    assert last["action"] == "case.exported"
    assert last["seq"] == manifest["chain"]["head_seq"] == len(lines)
    sealed = TraceEvent.objects.get(chain=documented.chain, action="case.package_sealed")
    assert sealed.seq == last["seq"] + 1
    assert sealed.payload["export_seq"] == last["seq"]
    import hashlib

    assert sealed.payload["package_sha256"] == hashlib.sha256(package.read_bytes()).hexdigest()
    assert (
        sealed.payload["manifest_sha256"]
        == hashlib.sha256(members(package)["manifest.json"]).hexdigest()
    )


def test_every_trace_line_is_the_hashed_body_plus_its_links(documented, tmp_path):
    package, _ = export(documented, tmp_path)
    lines = members(package)["trace.jsonl"].decode().splitlines()
    events = TraceEvent.objects.filter(chain=documented.chain).order_by("seq")
    for line, event in zip(lines, events, strict=False):
        parsed = json.loads(line)
        assert parsed == {
            **event.body(documented.chain_key),
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }


def test_a_changed_document_byte_is_named(documented, tmp_path):
    package, _ = export(documented, tmp_path)
    name = "documents/002-statement.pdf"
    data = bytearray(members(package)[name])
    data[10] ^= 0x01
    tampered = tmp_path / "tampered.zip"
    rewrite_zip(package, tampered, {name: bytes(data)})
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert f"FAILED: {name}: SHA-256 expected" in result.stdout
    assert "actual" in result.stdout


def _trace(package: Path) -> list[str]:
    return members(package)["trace.jsonl"].decode().splitlines(keepends=True)


def test_a_deleted_trace_line_is_named_by_seq(documented, tmp_path):
    package, _ = export(documented, tmp_path)
    lines = _trace(package)
    del lines[2]  # seq 3
    tampered = tmp_path / "tampered.zip"
    rewrite_zip(package, tampered, {"trace.jsonl": "".join(lines).encode()})
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert "trace.jsonl line 3 (event seq 4): seq: expected seq 3, found 4" in result.stdout


def test_two_swapped_trace_lines_are_caught(documented, tmp_path):
    package, _ = export(documented, tmp_path)
    lines = _trace(package)
    lines[3], lines[4] = lines[4], lines[3]
    tampered = tmp_path / "tampered.zip"
    rewrite_zip(package, tampered, {"trace.jsonl": "".join(lines).encode()})
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert "trace.jsonl line 4 (event seq 5): seq: expected seq 4, found 5" in result.stdout


def test_an_edited_event_is_named_by_seq_and_field(documented, tmp_path):
    package, _ = export(documented, tmp_path)
    lines = _trace(package)
    event = json.loads(lines[1])
    event["actor"]["label"] = "someone-else"
    from accord.audit.canonical import canonical_json

    lines[1] = canonical_json(event) + "\n"
    tampered = tmp_path / "tampered.zip"
    rewrite_zip(package, tampered, {"trace.jsonl": "".join(lines).encode()})
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert "trace.jsonl line 2 (event seq 2): hash: stated" in result.stdout


def test_a_cut_off_trace_tail_is_caught_by_the_manifest_head(documented, tmp_path):
    package, _ = export(documented, tmp_path)
    lines = _trace(package)
    tampered = tmp_path / "tampered.zip"
    rewrite_zip(package, tampered, {"trace.jsonl": "".join(lines[:-1]).encode()})
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert "chain head: the manifest states seq" in result.stdout


def test_an_added_or_removed_file_is_named(documented, tmp_path):
    package, _ = export(documented, tmp_path)
    extra = tmp_path / "extra.zip"
    rewrite_zip(package, extra, {})
    with zipfile.ZipFile(extra, "a") as archive:
        archive.writestr("documents/003-forged.pdf", PDF)
    result = run_verifier(extra)
    assert result.returncode == 1
    assert "documents/003-forged.pdf: in the package but not listed" in result.stdout

    missing = tmp_path / "missing.zip"
    rewrite_zip(package, missing, {"documents/001-借款合同.pdf": None})
    result = run_verifier(missing)
    assert result.returncode == 1
    assert "documents/001-借款合同.pdf: listed in the manifest but missing" in result.stdout


def test_a_manifest_hash_that_disagrees_with_the_trace_is_named(documented, tmp_path):
    """Swapping a document *and* its manifest entry still contradicts the hashed trace."""
    package, _ = export(documented, tmp_path)
    content = members(package)
    manifest = json.loads(content["manifest.json"])
    forged = PDF.replace(b"1 0 obj", b"9 0 obj")
    import hashlib

    digest = hashlib.sha256(forged).hexdigest()
    for section in ("documents", "files"):
        for entry in manifest[section]:
            if entry["path"] == "documents/001-借款合同.pdf":
                entry["sha256"] = digest
    tampered = tmp_path / "tampered.zip"
    rewrite_zip(
        package,
        tampered,
        {
            "manifest.json": json.dumps(manifest, ensure_ascii=False).encode(),
            "documents/001-借款合同.pdf": forged,
        },
    )
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert "payload sha256 of cases/" in result.stdout
    assert "documents/001-借款合同.pdf" in result.stdout


def test_the_verifier_checks_an_unpacked_directory_from_inside(documented, tmp_path):
    package, _ = export(documented, tmp_path)
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(unpacked)
    import subprocess

    from tests.packages.conftest import system_python

    result = subprocess.run(
        [system_python(), "-I", "-S", "verify.py"],
        cwd=unpacked,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout
    (unpacked / "documents" / "002-statement.pdf").write_bytes(b"changed")
    result = run_verifier(unpacked, unpacked / "verify.py")
    assert result.returncode == 1
    assert "documents/002-statement.pdf: SHA-256 expected" in result.stdout


def test_a_changed_stored_object_is_exported_as_is_and_rejected(
    documented, tmp_path, evidence_bucket
):
    evidence = Material.objects.filter(case=documented).order_by("id").first()
    assert evidence is not None
    forged = PDF.replace(b"1 0 obj", b"7 0 obj")
    import io

    s3_client().put_object(evidence.bucket, evidence.object_key, io.BytesIO(forged), len(forged))
    target = tmp_path / "package.zip"
    err = StringIO()
    call_command("export_case", documented.case_no, str(target), stdout=StringIO(), stderr=err)
    assert "WARNING documents/001-借款合同.pdf" in err.getvalue()
    result = run_verifier(target)
    assert result.returncode == 1
    assert "documents/001-借款合同.pdf: SHA-256 expected" in result.stdout


def test_export_refuses_an_unknown_case_and_a_user_without_access(
    documented, charlie, mia, tmp_path
):
    with pytest.raises(CommandError, match="no case 'NOPE-2026-00001'"):
        call_command("export_case", "NOPE-2026-00001", str(tmp_path / "x.zip"))
    for user in (charlie, mia):
        with pytest.raises(CommandError, match="may export"):
            call_command(
                "export_case", documented.case_no, str(tmp_path / "x.zip"), "--user", user.username
            )
    assert not (tmp_path / "x.zip").exists()
    assert not TraceEvent.objects.filter(chain=documented.chain, action="case.exported").exists()


def test_export_on_behalf_of_an_auditor_names_them(documented, audrey, tmp_path):
    package, _ = export(documented, tmp_path, "--user", "audrey")
    manifest = json.loads(members(package)["manifest.json"])
    assert manifest["exported_by"] == {"user_id": audrey.pk, "name": "Audrey"}
    event = TraceEvent.objects.get(chain=documented.chain, action="case.exported")
    assert event.actor["user_id"] == audrey.pk
    assert event.actor["role"] == "auditor"


def test_the_package_is_written_to_a_path_atomically(documented, tmp_path, monkeypatch):
    from accord.packages import export as package_module

    def boom(*args: object, **kwargs: object) -> None:
        raise package_module.PackageError("storage gone")

    monkeypatch.setattr(package_module, "_documents", boom)
    with pytest.raises(package_module.PackageError):
        export_case_to_path(case=documented, user=None, path=tmp_path / "p.zip", via="command")
    assert list(tmp_path.iterdir()) == []


def _recorded_session(hearing, alice, ben) -> dict[str, bytes]:
    """A finalized recording as the recordings app leaves it: final files and a recording
    manifest in the recordings bucket, their rows, and the ``recording.finalized`` event."""
    import hashlib
    import io

    from django.conf import settings
    from django.db import transaction

    from accord.audit.actors import Actor
    from accord.audit.services import trace_append
    from accord.recordings.models import RecordingFile, RecordingManifest

    objects: dict[str, bytes] = {}
    files = []
    for user, source in ((alice, "av"), (ben, "av"), (ben, "screen")):
        participant = hearing.participants.get(user=user)
        suffix = "-screen" if source == "screen" else ""
        key = f"{hearing.id}/final/{participant.pk}{suffix}.webm"
        data = b"\x1a\x45\xdf\xa3" + f"{key}".encode() * 50
        objects[key] = data
        files.append((participant, source, key, data))
    manifest_key = f"{hearing.id}/manifest.json"
    manifest_body = json.dumps({"session": str(hearing.id), "files": sorted(objects)}).encode()
    objects[manifest_key] = manifest_body
    for key, data in objects.items():
        s3_client().put_object(settings.S3_BUCKET_RECORDINGS, key, io.BytesIO(data), len(data))
    digest = hashlib.sha256(manifest_body).hexdigest()
    with transaction.atomic():
        RecordingManifest.objects.create(
            session=hearing, version=1, key=manifest_key, size=len(manifest_body), sha256=digest
        )
        for participant, source, key, data in files:
            RecordingFile.objects.create(
                session=hearing,
                participant=participant,
                source=source,
                version=1,
                key=key,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                duration_ms=1000,
                spans=[],
            )
        trace_append(
            chain=hearing.case.chain,
            action="recording.finalized",
            actor=Actor.system("finalize"),
            payload={
                "session_id": str(hearing.id),
                "version": 1,
                "manifest_key": manifest_key,
                "sha256": digest,
                "size": len(manifest_body),
                "segments": 0,
                "files": [
                    {
                        "key": key,
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "size": len(data),
                        "participant_id": participant.pk,
                        "source": source,
                    }
                    for participant, source, key, data in files
                ],
            },
        )
    return objects


def test_recordings_are_packaged_per_participant_and_checked_against_the_trace(
    documented, hearing, alice, ben, tmp_path
):
    _recorded_session(hearing, alice, ben)
    package, _ = export(documented, tmp_path)
    content = members(package)
    a = hearing.participants.get(user=alice).pk
    b = hearing.participants.get(user=ben).pk
    recordings = sorted(name for name in content if name.startswith("recordings/"))
    assert recordings == sorted(
        [
            f"recordings/{hearing.id}/{a}.webm",
            f"recordings/{hearing.id}/{b}.webm",
            f"recordings/{hearing.id}/{b}-screen.webm",
            f"recordings/{hearing.id}/manifest.json",
        ]
    )
    result = run_verifier(package)
    assert result.returncode == 0, result.stdout
    assert "objects named by the trace and matched to the manifest: 6" in result.stdout

    # A recording swapped together with its manifest entry still contradicts the trace.
    import hashlib

    manifest = json.loads(content["manifest.json"])
    path = f"recordings/{hearing.id}/{b}-screen.webm"
    forged = b"\x1a\x45\xdf\xa3forged"
    for section in ("recordings", "files"):
        for entry in manifest[section]:
            if entry["path"] == path:
                entry["sha256"] = hashlib.sha256(forged).hexdigest()
                entry["size"] = len(forged)
    tampered = tmp_path / "tampered.zip"
    rewrite_zip(
        package,
        tampered,
        {"manifest.json": json.dumps(manifest).encode(), path: forged},
    )
    result = run_verifier(tampered)
    assert result.returncode == 1
    assert f"payload sha256 of {hearing.id}/final/{b}-screen.webm" in result.stdout
