"""What a recorded hearing left behind, read the way an auditor would: objects in the stack's
object storage, rows and trace events through `accord shell`, media through ffmpeg/ffprobe."""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from minio import Minio

from tests.browser.people import poll
from tests.browser.stack import BrowserStack

# Printed by `accord shell -c`: the session's registered segments and its case's trace.
_DUMP = """
import json
from accord.audit.models import TraceEvent
from accord.recordings.models import RecordingSegment
from accord.rooms.models import HearingSession
session = HearingSession.objects.select_related("case").get(pk="{session_id}")
segments = [
    dict(key=s.key, participant=str(s.participant_id), track=s.track, kind=s.kind,
         size=s.size, sha256=s.sha256, started_at=s.started_at.isoformat(),
         ended_at=s.ended_at.isoformat(), duration_ms=s.duration_ms, deleted=bool(s.deleted_at))
    for s in RecordingSegment.objects.filter(session=session)
]
# The case's chain holds every hearing of the case: keep this session's events.
mine = str(session.pk)
events = [
    dict(seq=e.seq, action=e.action, payload=e.payload, at=e.occurred_at.isoformat())
    for e in TraceEvent.objects.filter(chain=session.case.chain).order_by("seq")
    if e.payload.get("session_id") == mine or str(e.payload.get("key", "")).startswith(mine)
]
print(json.dumps(dict(case_no=session.case.case_no, segments=segments, events=events)))
"""


@dataclass
class Recorded:
    case_no: str
    segments: list[dict[str, Any]]
    events: list[dict[str, Any]]

    def of(self, action: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["action"] == action]


def recorded(stack: BrowserStack, session_id: str) -> Recorded:
    out = stack.accord("shell", "-c", _DUMP.replace("{session_id}", session_id))
    data = json.loads(out.strip().splitlines()[-1])
    return Recorded(data["case_no"], data["segments"], data["events"])


def s3_client(stack: BrowserStack) -> Minio:
    return Minio(
        stack.s3.endpoint,
        access_key=stack.s3.access_key,
        secret_key=stack.s3.secret_key,
        secure=False,
    )


def bucket(stack: BrowserStack) -> str:
    return stack.env.get("S3_BUCKET_RECORDINGS", "accord-recordings")


def stored_keys(stack: BrowserStack, session_id: str) -> dict[str, int]:
    """Every object under the session's prefix, with its size."""
    client = s3_client(stack)
    return {
        o.object_name: o.size or 0
        for o in client.list_objects(bucket(stack), prefix=f"{session_id}/", recursive=True)
        if o.object_name
    }


def segment_keys(keys: dict[str, int]) -> set[str]:
    """Segments only: not the finalized files or the manifests."""
    return {
        k for k in keys if "/final/" not in k and not k.rsplit("/", 1)[-1].startswith("manifest")
    }


def read_object(stack: BrowserStack, key: str) -> bytes:
    response = s3_client(stack).get_object(bucket(stack), key)
    try:
        return response.read()
    finally:
        response.close()
        response.release_conn()


def wait_manifest(stack: BrowserStack, session_id: str, timeout: float = 120) -> dict[str, Any]:
    key = f"{session_id}/manifest.json"
    poll(lambda: key in stored_keys(stack, session_id), "the session's manifest", timeout)
    return dict(json.loads(read_object(stack, key)))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_errors(path: str) -> str:
    """What `ffmpeg -v error` says while decoding every stream of `path` (empty: clean).

    `-enc_time_base -1` keeps the decoded frames on the file's own (millisecond) clock: by
    default the null sink re-times video onto a guessed frame rate (e.g. 20 fps), and a
    camera's variable frame intervals then collide there, which its muxer reports as "non
    monotonically increasing dts" — a message about the sink, not about decoding.
    """
    done = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-i",
            path,
            "-enc_time_base",
            "-1",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return (done.stderr.strip() + (f" (exit {done.returncode})" if done.returncode else "")).strip()


def first_video_frame_is_key(path: str) -> bool:
    done = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-read_intervals",
            "%+#1",
            "-show_entries",
            "frame=key_frame",
            "-of",
            "csv=p=0",
            path,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip().splitlines()[:1] == ["1"]


def stream_kinds(path: str) -> list[str]:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", path],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return sorted(done.stdout.split())


def when(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["at"])
