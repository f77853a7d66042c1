"""An evidence file over EVIDENCE_MAX_BYTES is dropped while it arrives
(accord.core.bodylimit.FileSizeLimitHandler) and refused on its field, on the page and in the
API; nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from accord.cases.models import Material
from tests.cases.conftest import api_client
from tests.cases.test_materials import PDF
from tests.core.test_body_limits import http_scope
from tests.rooms.conftest import session_cookie

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024


def padded_pdf(padding: int) -> bytes:
    """A whole PDF ``padding`` bytes longer: a comment before its ``%%EOF`` (the structure check
    of accord.cases.file_structure wants the end marker in the last KiB)."""
    head, eof = PDF[: -len(b"%%EOF\n")], b"%%EOF\n"
    return head + b"%" + b"x" * (padding - 2) + b"\n" + eof


BIG = padded_pdf(MiB + MiB // 2)


def test_the_api_refuses_an_oversized_file_with_too_large_on_its_field(case, alice, settings):
    settings.EVIDENCE_MAX_BYTES = MiB
    response = api_client(alice).post(
        f"/api/cases/{case.case_no}/evidence/",
        {"file": SimpleUploadedFile("big.pdf", BIG)},
        format="multipart",
    )
    assert response.status_code == 413, response.content
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert list(error["fields"]) == ["file"]
    assert Material.objects.count() == 0


def test_the_page_shows_the_size_refusal_on_the_file_field(client, case, alice, settings):
    settings.EVIDENCE_MAX_BYTES = MiB
    client.force_login(alice)
    response = client.post(
        f"/en/cases/{case.case_no}/evidence/", {"file": SimpleUploadedFile("big.pdf", BIG)}
    )
    assert response.status_code == 413
    groups = [g for g in response.content.decode().split('<div class="field') if 'name="file"' in g]
    assert groups and "At most 1 MB." in groups[0]
    assert Material.objects.count() == 0


def test_a_file_within_the_limit_is_stored(case, alice, settings):
    settings.EVIDENCE_MAX_BYTES = 2 * MiB
    response = api_client(alice).post(
        f"/api/cases/{case.case_no}/evidence/",
        {"file": SimpleUploadedFile("big.pdf", BIG)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["size"] == len(BIG)


# --- Through the whole ASGI application (body cap, Django, upload handler, service) ---

CSRF = "c" * 32


async def asgi_post(
    path: str, cookie: str, body: bytes, content_type: str, chunk: int, *, declared: bool
) -> Any:
    from config.asgi import application

    headers = [
        (b"cookie", f"sessionid={cookie}; csrftoken={CSRF}".encode()),
        (b"x-csrftoken", CSRF.encode()),
        (b"content-type", content_type.encode()),
    ]
    if declared:  # as browsers send uploads
        headers.append((b"content-length", str(len(body)).encode()))
    else:  # no declared length: counted as it arrives
        headers.append((b"transfer-encoding", b"chunked"))
    scope = http_scope(path, headers)
    communicator = ApplicationCommunicator(application, scope)
    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)]
    for i, piece in enumerate(pieces):
        more = i < len(pieces) - 1
        await communicator.send_input({"type": "http.request", "body": piece, "more_body": more})
    start = await communicator.receive_output(20)
    content = b""
    while True:
        message = await communicator.receive_output(20)
        content += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(20)
    # Django ran the view in asgiref's thread: its database connection is closed there.
    await sync_to_async(connections.close_all)()
    return start["status"], json.loads(content)


def multipart_file(data: bytes) -> tuple[bytes, str]:
    boundary = "asgi-boundary"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return (
        head + data + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


@pytest.mark.django_db(transaction=True)
async def test_through_asgi_a_normal_upload_works_and_an_endless_one_is_cut_off(
    case, alice, settings
):
    cookie = await database_sync_to_async(session_cookie)(alice)
    path = f"/api/cases/{case.case_no}/evidence/"
    body, content_type = multipart_file(padded_pdf(50_000))
    status, answer = await asgi_post(path, cookie, body, content_type, chunk=16_384, declared=True)
    assert status == 201, answer
    assert answer["size"] == len(PDF) + 50_000

    settings.EVIDENCE_MAX_BYTES = 20_000
    settings.ACCORD_UPLOAD_OVERHEAD_BYTES = 1_000  # cap: 21 000 bytes of body
    body, content_type = multipart_file(padded_pdf(500_000))
    status, answer = await asgi_post(path, cookie, body, content_type, chunk=8_192, declared=False)
    assert status == 413
    assert answer["error"]["code"] == "body_too_large"
    count = await database_sync_to_async(Material.objects.filter(case=case).count)()
    assert count == 1
