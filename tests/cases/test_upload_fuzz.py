"""Bad evidence files get a clear refusal and leave nothing behind (issue 13): wrong types,
lying extensions, empty and oversized files, truncated or broken PDFs, PNGs, MP4s and WAVs,
an archive. Through the service, the API (documented JSON error codes) and the case page (an
error on the file field)."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import pytest

from accord.cases.file_structure import StructureCheck
from accord.cases.models import Material
from accord.core.api import ServiceError
from tests.cases.conftest import api_client, snapshot
from tests.cases.test_materials import PDF, png_bytes, upload

pytestmark = pytest.mark.django_db


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


MP4 = (
    box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    + box(b"moov", b"\x00" * 200)
    + box(b"mdat", b"\x01" * 20_000)
)


def wav_bytes(frames: int = 4000) -> bytes:
    data = b"\x00\x01" * frames
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def broken_png_header() -> bytes:
    good = png_bytes()
    return good[:8] + b"\x00\x00\x00\x0dIHDX" + good[16:]


def zip_of_zeros() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner.bin", b"\x00" * 5_000_000)
    return buffer.getvalue()


WHOLE = {"pdf": PDF, "png": png_bytes(), "mp4": MP4, "wav": wav_bytes()}

DAMAGED = [
    ("a PDF cut in half", PDF[: len(PDF) // 2], "scan.pdf"),
    ("a PNG cut short", png_bytes(padding=2000)[:1500], "photo.png"),
    ("a PNG with a broken header", broken_png_header(), "photo.png"),
    ("an MP4 cut in half", MP4[: len(MP4) // 2], "video.mp4"),
    ("an MP4 without moov", box(b"ftyp", b"isom\x00\x00\x02\x00") + box(b"mdat", b"x"), "v.mp4"),
    ("a WAV cut short", wav_bytes()[:3000], "call.wav"),
]

REFUSED_TYPES = [
    ("a .mp4 that is text", b"this is not a video, just text\n" * 20, "video.mp4"),
    ("a program named .pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 300, "scan.pdf"),
    ("a zip of zeros named .png", zip_of_zeros(), "photo.png"),
    ("random bytes", bytes(range(256)) * 10, "evidence.jpg"),
    # No ftyp where the sniff looks for it: not recognised as MP4 at all.
    ("an MP4 whose first box is not ftyp", box(b"moov", b"") + MP4, "video.mp4"),
]


@pytest.mark.parametrize("kind", sorted(WHOLE))
def test_whole_files_pass_the_structure_check(kind: str) -> None:
    mime = {"pdf": "application/pdf", "png": "image/png", "mp4": "video/mp4", "wav": "audio/x-wav"}
    data = WHOLE[kind]
    for step in (1, 7, 4096, len(data)):  # however the stream is cut into reads
        check = StructureCheck(mime[kind])
        for start in range(0, len(data), step):
            check.feed(data[start : start + step])
        assert check.problem() is None, (kind, step)


@pytest.mark.parametrize(("what", "data", "name"), DAMAGED, ids=[d[0] for d in DAMAGED])
def test_a_damaged_file_is_refused_and_nothing_is_kept(case, alice, what, data, name) -> None:
    before = snapshot(f"cases/{case.case_no}/evidence/")
    with pytest.raises(ServiceError) as caught:
        upload(case, alice, data, name=name)
    assert caught.value.code == "damaged_file", what
    assert caught.value.fields["file"]
    assert snapshot(f"cases/{case.case_no}/evidence/") == before


@pytest.mark.parametrize(("what", "data", "name"), REFUSED_TYPES, ids=[d[0] for d in REFUSED_TYPES])
def test_a_file_of_a_refused_type_is_refused_whatever_its_name(case, alice, what, data, name):
    before = snapshot(f"cases/{case.case_no}/evidence/")
    with pytest.raises(ServiceError) as caught:
        upload(case, alice, data, name=name)
    assert (caught.value.code, caught.value.http_status) == ("unsupported_type", 415), what
    assert snapshot(f"cases/{case.case_no}/evidence/") == before


def _post(client: Any, case: Any, data: bytes, name: str) -> Any:
    file = io.BytesIO(data)
    file.name = name
    return client.post(f"/api/cases/{case.case_no}/evidence/", {"file": file}, format="multipart")


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (PDF[: len(PDF) // 2], "scan.pdf", 400, "damaged_file"),
        (MP4[:100], "video.mp4", 400, "damaged_file"),
        (b"plain text\n" * 10, "video.mp4", 415, "unsupported_type"),
        (b"", "empty.pdf", 400, "invalid"),  # DRF refuses an empty upload before the service
    ],
)
def test_the_api_answers_the_documented_json_error(case, alice, data, name, status, code):
    before = snapshot(f"cases/{case.case_no}/evidence/")
    response = _post(api_client(alice), case, data, name)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["fields"]["file"]
    assert snapshot(f"cases/{case.case_no}/evidence/") == before


def test_the_api_refuses_an_oversized_file_with_413(case, alice, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    response = _post(api_client(alice), case, png_bytes(padding=5000), "big.png")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_the_page_shows_a_damaged_file_on_the_file_field(client, case, alice):
    client.force_login(alice)
    file = io.BytesIO(PDF[: len(PDF) // 2])
    file.name = "scan.pdf"
    response = client.post(f"/en/cases/{case.case_no}/evidence/", {"file": file})
    assert response.status_code == 400
    page = response.content.decode()
    groups = [g for g in page.split('<div class="field') if 'name="file"' in g]
    assert "A damaged or incomplete PDF document." in groups[0]
    assert Material.objects.count() == 0
