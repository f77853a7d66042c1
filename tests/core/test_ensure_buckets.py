"""`accord ensure-buckets` against the run's real S3."""

from __future__ import annotations

import secrets
from io import StringIO

from django.core.management import call_command


def test_it_creates_missing_buckets_and_is_safe_to_repeat(s3, settings):
    suffix = secrets.token_hex(4)
    settings.S3_BUCKET_EVIDENCE = f"ev-{suffix}"
    settings.S3_BUCKET_RECORDINGS = f"rec-{suffix}"
    settings.S3_BUCKET_DOCUMENTS = f"doc-{suffix}"

    first, second = StringIO(), StringIO()
    call_command("ensure_buckets", stdout=first)
    call_command("ensure_buckets", stdout=second)

    assert first.getvalue().splitlines() == [
        f"bucket ev-{suffix}: created",
        f"bucket rec-{suffix}: created",
        f"bucket doc-{suffix}: created",
    ]
    assert second.getvalue().count(": exists") == 3
    for bucket in (f"ev-{suffix}", f"rec-{suffix}", f"doc-{suffix}"):
        assert s3.bucket_exists(bucket)
