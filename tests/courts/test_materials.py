"""Fetching the materials a court names (materials.py) from the court simulator: a material
whose hash is the one named is stored in the documents bucket; a mismatch is never kept and
the court is told; a material that cannot be fetched is given up after FETCH_ATTEMPTS and the
court is told; a URL on a host the docking does not allow is refused at the push."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from minio import Minio

from accord.audit.models import TraceEvent
from accord.core.storage import sha256_of_object
from accord.courts.materials import FETCH_ATTEMPTS, FetchFailed, material_fetch
from accord.courts.models import Entrustment, EntrustmentMaterial, MaterialStatus
from tests.courts.sim_support import World, entrustment_body, push, pushed, sim, world

pytestmark = pytest.mark.django_db

__all__ = ["sim", "world"]  # fixtures

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 512 + "起诉状".encode() + b"\n%%EOF\n"


def _objects(s3: Minio, entrustment: Entrustment) -> list[str]:
    prefix = f"court-materials/{entrustment.uuid}/"
    found = s3.list_objects(settings.S3_BUCKET_DOCUMENTS, prefix=prefix, recursive=True)
    return [str(obj.object_name) for obj in found]


def test_a_material_that_hashes_as_named_is_stored_with_that_hash(
    world: World, s3: Minio, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    digest = hashlib.sha256(PDF).hexdigest()
    url = world.sim.add_material("起诉状.pdf", PDF)
    material = {"name": "起诉状", "sha256": digest.upper(), "url": url}
    with django_capture_on_commit_callbacks(execute=True):
        entrustment = pushed(world, materials=[material])
    stored = EntrustmentMaterial.objects.get(entrustment=entrustment)
    assert stored.status == MaterialStatus.STORED
    assert stored.sha256 == stored.actual_sha256 == digest
    assert stored.size == len(PDF) and stored.attempts == 0
    assert stored.bucket == settings.S3_BUCKET_DOCUMENTS
    assert _objects(s3, entrustment) == [stored.object_key]
    assert sha256_of_object(stored.bucket, stored.object_key) == (len(PDF), digest)
    assert TraceEvent.objects.filter(action="entrustment.material_stored").count() == 1
    assert world.sim.events == []  # nothing to tell the court


def test_a_mismatch_is_not_kept_and_the_court_is_told(
    world: World, s3: Minio, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    named = hashlib.sha256(b"the file the court meant").hexdigest()
    actual = hashlib.sha256(PDF).hexdigest()
    url = world.sim.add_material("evidence.pdf", PDF)
    with django_capture_on_commit_callbacks(execute=True):
        entrustment = pushed(world, materials=[{"name": "证据", "sha256": named, "url": url}])
    material = EntrustmentMaterial.objects.get(entrustment=entrustment)
    assert material.status == MaterialStatus.MISMATCH
    assert material.actual_sha256 == actual
    assert material.object_key == "" and material.bucket == ""
    assert _objects(s3, entrustment) == []
    (event,) = world.sim.events
    assert event["event"] == "materials.mismatch"
    assert event["entrustment_id"] == str(entrustment.uuid)
    assert event["data"] == {
        "name": "证据",
        "position": 0,
        "expected_sha256": named,
        "actual_sha256": actual,
    }
    traced = TraceEvent.objects.get(action="entrustment.material_mismatch")
    assert traced.payload["actual_sha256"] == actual


def test_a_material_that_cannot_be_fetched_is_unavailable_after_the_last_attempt(
    world: World, s3: Minio, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    url = world.sim.material_url("never-uploaded.pdf")
    digest = hashlib.sha256(PDF).hexdigest()
    # Pushed outside a captured commit: the fetch task is not run; the attempts are made here.
    entrustment = pushed(world, materials=[{"name": "证据", "sha256": digest, "url": url}])
    material = EntrustmentMaterial.objects.get(entrustment=entrustment)
    for attempt in range(1, FETCH_ATTEMPTS):
        with pytest.raises(FetchFailed):
            material_fetch(material.pk)
        material.refresh_from_db()
        assert (material.status, material.attempts) == (MaterialStatus.FETCHING, attempt)
        assert material.error == "HTTP 404"
    assert world.sim.events == []
    with django_capture_on_commit_callbacks(execute=True):
        assert material_fetch(material.pk) == MaterialStatus.UNAVAILABLE
    material.refresh_from_db()
    assert material.status == MaterialStatus.UNAVAILABLE
    assert material.attempts == FETCH_ATTEMPTS
    assert _objects(s3, entrustment) == []
    (event,) = world.sim.events
    assert event["event"] == "materials.unavailable"
    assert event["data"] == {"name": "证据", "position": 0, "error": "HTTP 404"}
    # Given up: a late task does not fetch again or tell the court twice.
    world.sim.add_material("never-uploaded.pdf", PDF)
    assert material_fetch(material.pk) == MaterialStatus.UNAVAILABLE
    assert len(world.sim.events) == 1


def test_a_material_on_a_host_the_docking_does_not_allow_is_refused_at_the_push(
    world: World,
) -> None:
    digest = hashlib.sha256(PDF).hexdigest()
    allowed = world.sim.add_material("ok.pdf", PDF)
    other_port = f"http://127.0.0.1:{world.sim.port + 1}/materials/ok.pdf"
    materials = [
        {"name": "a", "sha256": digest, "url": allowed},
        {"name": "b", "sha256": digest, "url": other_port},
        {"name": "c", "sha256": digest, "url": "http://files.example.org/ok.pdf"},
    ]
    response = push(world, entrustment_body(materials=materials))
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert sorted(error["fields"]) == ["materials.1.url", "materials.2.url"]
    assert not Entrustment.objects.exists()
    assert not EntrustmentMaterial.objects.exists()
