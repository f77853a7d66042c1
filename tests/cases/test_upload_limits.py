"""An evidence file over EVIDENCE_MAX_BYTES is dropped while it arrives
(accord.core.bodylimit.FileSizeLimitHandler) and refused on its field, on the page and in the
API; nothing is stored."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.cases.models import Material
from tests.cases.conftest import api_client
from tests.cases.test_materials import PDF

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
BIG = PDF + b"%" * (MiB + MiB // 2)


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
