"""API writes are rate-limited per user (accord.core.throttles), in the shared Redis cache;
reads are not; past the rate: 429 ``throttled`` in the error shape with ``Retry-After``."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.cases.models import Consultation, Material
from tests.cases.conftest import api_client
from tests.cases.test_materials import PDF

pytestmark = pytest.mark.django_db


def test_writes_past_the_rate_get_429_with_retry_after(alice, bob, settings):
    settings.ACCORD_API_WRITE_RATE = "3/min"
    client = api_client(alice)
    for _ in range(3):  # refused as invalid, but counted: the limit comes first
        assert client.post("/api/consultations/", {}, format="json").status_code == 400
    response = client.post("/api/consultations/", {}, format="json")
    assert response.status_code == 429
    error = response.json()["error"]
    assert (error["code"], error["fields"]) == ("throttled", {})
    assert 0 < int(response["Retry-After"]) <= 60
    # Reads are not limited; another user has their own count.
    assert client.get("/api/consultations/").status_code == 200
    assert api_client(bob).post("/api/consultations/", {}, format="json").status_code == 400
    assert Consultation.objects.count() == 0


def test_uploads_have_their_own_rate(case, alice, settings):
    settings.ACCORD_API_UPLOAD_RATE = "1/hour"
    settings.ACCORD_API_WRITE_RATE = "100/min"
    client = api_client(alice)
    url = f"/api/cases/{case.case_no}/evidence/"

    def upload() -> int:
        response = client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}, format="multipart")
        return int(response.status_code)

    assert upload() == 201
    assert upload() == 429
    assert Material.objects.count() == 1
    # Other writes still go through.
    assert client.post("/api/consultations/", {}, format="json").status_code == 400


def test_an_empty_rate_does_not_limit(alice, settings):
    settings.ACCORD_API_WRITE_RATE = ""
    client = api_client(alice)
    statuses = {client.post("/api/consultations/", {}, format="json").status_code for _ in range(5)}
    assert statuses == {400}
