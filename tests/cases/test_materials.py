"""Material upload against the real S3: type from the content, SHA-256 while
streaming, size limit, and no half record — or half object — on any failure."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.audit.models import TraceEvent
from accord.audit.personal import reveal
from accord.cases import services
from accord.cases.models import CaseState, Material
from accord.cases.services import materials as materials_module
from accord.core.api import ServiceError
from accord.core.storage import s3_client, sha256_of_object
from tests.cases.conftest import api_client, list_objects, snapshot

pytestmark = pytest.mark.django_db


def png_bytes(padding: int = 0) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    if padding:
        body += chunk(b"tEXt", b"c\x00" + b"x" * padding)
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 300
ZIP = b"PK\x03\x04" + b"\x00" * 100


class BreaksMidway(io.RawIOBase):
    """A client that disconnects: serves ``good`` bytes, then raises."""

    def __init__(self, good: bytes) -> None:
        self._good = io.BytesIO(good)
        self.reads_after_the_break = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._good.read(size if size >= 0 else -1)
        if chunk:
            return chunk
        self.reads_after_the_break += 1
        raise ConnectionResetError("client went away")


class MustNotBeRead(io.RawIOBase):
    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the stream was read although its size was already too large")


def upload(case, user, data: bytes | io.RawIOBase, name: str = "scan.pdf", size=None):
    stream: Any = io.BytesIO(data) if isinstance(data, bytes) else data
    return services.material_upload(case=case, user=user, name=name, stream=stream, size=size)


def prefix(case) -> str:
    return f"cases/{case.case_no}/evidence/"


def test_a_pdf_is_stored_with_its_hash_and_traced(case, alice, evidence_bucket):
    evidence = upload(case, alice, PDF, name="合同.pdf")
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.bucket == evidence_bucket
    assert evidence.object_key == f"cases/{case.case_no}/evidence/{evidence.uuid}"
    assert evidence.name == "合同.pdf"
    assert evidence.uploaded_by == alice
    assert sha256_of_object(evidence.bucket, evidence.object_key) == (len(PDF), evidence.sha256)
    stat = s3_client().stat_object(evidence.bucket, evidence.object_key)
    assert stat.content_type == "application/pdf"
    event = TraceEvent.objects.filter(chain=case.chain).latest("seq")
    assert event.action == "evidence.uploaded"
    assert event.payload == {
        "evidence": str(evidence.uuid),
        "name": event.payload["name"],
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": evidence.sha256,
        "bucket": evidence_bucket,
        "key": evidence.object_key,
    }
    assert event.actor["role"] == "applicant"
    # A file name may name a person: a keyed hash in the trace, the name itself erasable.
    assert event.payload["name"].startswith("hmac-sha256:")
    assert reveal(event.payload["name"]) == "合同.pdf"


def test_the_type_comes_from_the_content_not_the_name(case, alice):
    evidence = upload(case, alice, png_bytes(), name="receipt.pdf")
    assert evidence.content_type == "image/png"
    assert evidence.name == "receipt.pdf"


@pytest.mark.parametrize(
    "data,detected",
    [(EXE, "a Windows program"), (ZIP, "a ZIP archive"), (b"just text", "could not be recognised")],
    ids=["exe renamed pdf", "zip", "plain text"],
)
def test_a_disallowed_or_unknown_content_is_refused_and_nothing_is_written(
    case, alice, data, detected
):
    before = snapshot(prefix(case))
    with pytest.raises(ServiceError) as caught:
        upload(case, alice, data, name="invoice.pdf")
    assert caught.value.code == "unsupported_type"
    assert caught.value.http_status == 415
    assert "file" in caught.value.fields
    # Said in words (what the file is, what is accepted), never as a MIME type.
    assert detected in caught.value.message
    assert "Accepted: PDF documents, JPEG images, PNG images" in caught.value.message
    assert "up to 20 MB" in caught.value.message
    assert "application/" not in caught.value.message
    assert snapshot(prefix(case)) == before


def test_an_empty_file_is_refused(case, alice):
    before = snapshot(prefix(case))
    with pytest.raises(ServiceError) as caught:
        upload(case, alice, b"")
    assert caught.value.code == "empty_file"
    assert snapshot(prefix(case)) == before


def test_a_declared_size_over_the_limit_is_refused_before_reading(case, alice, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    before = snapshot(prefix(case))
    with pytest.raises(ServiceError) as caught:
        upload(case, alice, MustNotBeRead(), size=1001)
    assert caught.value.code == "too_large"
    assert caught.value.http_status == 413
    assert snapshot(prefix(case)) == before


def test_a_body_over_the_limit_is_stopped_while_streaming(case, alice, settings):
    """The size is not trusted: a stream that turns out larger is cut off and
    leaves no object behind."""
    settings.EVIDENCE_MAX_BYTES = 1000
    before = snapshot(prefix(case))
    with pytest.raises(ServiceError) as caught:
        upload(case, alice, png_bytes(padding=5000), size=None)
    assert caught.value.code == "too_large"
    assert snapshot(prefix(case)) == before


def test_exactly_the_limit_is_accepted(case, alice, settings):
    data = png_bytes(padding=100)
    settings.EVIDENCE_MAX_BYTES = len(data)
    assert upload(case, alice, data).size == len(data)


def test_an_interrupted_upload_leaves_no_record_and_no_object(case, alice):
    before = snapshot(prefix(case))
    stream = BreaksMidway(png_bytes(padding=20000))
    with pytest.raises(ServiceError) as caught:
        upload(case, alice, stream)
    assert caught.value.code == "upload_interrupted"
    assert stream.reads_after_the_break == 1
    assert snapshot(prefix(case)) == before


@pytest.mark.slow
def test_an_upload_interrupted_after_a_multipart_part_leaves_no_object(case, alice):
    """Past the first 5 MiB part, the S3 client has started a multipart upload;
    it must be aborted and nothing left under the key."""
    before = snapshot(prefix(case))
    stream = BreaksMidway(png_bytes(padding=7 * 1024 * 1024))
    with pytest.raises(ServiceError) as caught:
        upload(case, alice, stream)
    assert caught.value.code == "upload_interrupted"
    assert snapshot(prefix(case)) == before


@pytest.mark.slow
def test_a_large_file_is_streamed_in_parts_and_hashed_whole(case, alice):
    data = png_bytes(padding=6 * 1024 * 1024)
    evidence = upload(case, alice, data, size=len(data))
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert sha256_of_object(evidence.bucket, evidence.object_key) == (len(data), evidence.sha256)


def test_a_database_failure_after_the_upload_removes_the_object(case, alice, monkeypatch):
    before = snapshot(prefix(case))
    stored: list[str] = []
    real_put = s3_client().put_object

    def spy_put(bucket, key, *args, **kwargs):
        stored.append(key)
        return real_put(bucket, key, *args, **kwargs)

    def broken_trace(**kwargs):
        assert stored and stored[0] in list_objects(prefix(case)), "uploaded before the record"
        raise RuntimeError("database failure after the upload")

    monkeypatch.setattr(s3_client(), "put_object", spy_put)
    monkeypatch.setattr(materials_module, "trace_append", broken_trace)
    with pytest.raises(RuntimeError):
        upload(case, alice, PDF)
    assert snapshot(prefix(case)) == before


def test_evidence_is_refused_once_the_case_is_no_longer_open(case, drive, alice, ada):
    drive(case, CaseState.DECLINED)
    before = snapshot(prefix(case))
    with pytest.raises(ServiceError) as caught:
        upload(case, ada, PDF)
    assert caught.value.code == "case_not_open"
    assert snapshot(prefix(case)) == before


def test_only_those_who_see_the_case_can_upload(case, alice, ben, mia, charlie, bob):
    upload(case, ben, PDF)  # staff of the respondent institution
    for outsider in (charlie, bob, mia):  # mia is not (yet) the case's mediator
        with pytest.raises(ServiceError) as caught:
            upload(case, outsider, PDF)
        assert caught.value.code == "permission_denied"
    assert Material.objects.filter(case=case).count() == 1


def test_a_name_is_cleaned_of_paths_and_control_characters(case, alice):
    evidence = upload(case, alice, PDF, name="C:\\Users\\a\\..\\evil\x00\n.pdf")
    assert evidence.name == "evil.pdf"


# --- API and page ---------------------------------------------------------------


def test_api_upload_returns_the_record(case, alice):
    response = api_client(alice).post(
        f"/api/cases/{case.case_no}/evidence/",
        {"file": SimpleUploadedFile("photo.pdf", png_bytes(), content_type="application/pdf")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/png"
    assert body["sha256"] == hashlib.sha256(png_bytes()).hexdigest()
    listed = api_client(alice).get(f"/api/cases/{case.case_no}/evidence/").json()
    assert [item["uuid"] for item in listed] == [body["uuid"]]


def test_api_refusals_carry_their_codes(case, alice, charlie, settings):
    url = f"/api/cases/{case.case_no}/evidence/"
    response = api_client(alice).post(
        url, {"file": SimpleUploadedFile("setup.pdf", EXE)}, format="multipart"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (415, "unsupported_type")
    settings.EVIDENCE_MAX_BYTES = 10
    response = api_client(alice).post(
        url, {"file": SimpleUploadedFile("a.pdf", PDF)}, format="multipart"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (413, "too_large")
    response = api_client(alice).post(url, {}, format="multipart")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid")
    response = api_client(charlie).post(
        url, {"file": SimpleUploadedFile("a.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 404
    assert Material.objects.count() == 0


def test_the_page_uploads_and_lists_evidence(client, case, alice):
    client.force_login(alice)
    response = client.post(
        f"/cases/{case.case_no}/evidence/", {"file": SimpleUploadedFile("合同.pdf", PDF)}
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case.case_no}/").content.decode()
    # The type in words, not as a MIME type.
    assert "合同.pdf" in page and "PDF 文档" in page and "application/pdf" not in page


def test_the_page_shows_a_refusal_on_the_file_field(client, case, alice):
    client.force_login(alice)
    response = client.post(
        f"/en/cases/{case.case_no}/evidence/", {"file": SimpleUploadedFile("x.pdf", EXE)}
    )
    assert response.status_code == 415
    page = response.content.decode()
    groups = [g for g in page.split('<div class="field') if 'name="file"' in g]
    assert "This file is a Windows program" in groups[0]
    assert "MP3 audio, WAV audio or MP4 video, up to 20 MB" in groups[0]
    assert "x-msdownload" not in page
    assert Material.objects.count() == 0


def test_the_refusal_is_in_chinese_on_the_default_pages(client, case, alice):
    client.force_login(alice)
    response = client.post(
        f"/cases/{case.case_no}/evidence/", {"file": SimpleUploadedFile("x.pdf", EXE)}
    )
    page = response.content.decode()
    assert "该文件是Windows 程序" in page and "PDF 文档" in page and "20 MB" in page


def test_downloading_evidence_serves_the_bytes_and_traces_the_access(client, case, alice, ben):
    evidence = upload(case, alice, PDF, name="合同.pdf")
    client.force_login(ben)
    response = client.get(f"/cases/{case.case_no}/evidence/{evidence.uuid}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    event = TraceEvent.objects.filter(chain=case.chain).latest("seq")
    assert event.action == "evidence.accessed"
    assert event.actor["user_id"] == ben.pk and event.actor["role"] == "institution_staff"


def test_an_outsider_cannot_download_evidence(client, case, alice, charlie):
    evidence = upload(case, alice, PDF)
    client.force_login(charlie)
    assert client.get(f"/cases/{case.case_no}/evidence/{evidence.uuid}/").status_code == 404
