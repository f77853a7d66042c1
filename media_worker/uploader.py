"""Drain the spool: upload each closed segment, register it with the web, then delete it.

One asyncio task; the blocking `minio` calls run in a thread. Segments of one track
(`session/participant/track`) go strictly in order: a failing segment holds back the rest of
its track, with a backoff of 1 s doubling to 30 s, while other tracks go on. A segment the web
refuses for good (409, 404, 400, or 422 other than `object_missing`) is quarantined, kept and
alerted; `object_missing` means the object must be uploaded again.

The uploader also reports the spool's interruptions (from `Spool.recover`) and, once every
segment of a closed session is registered, tells the web the worker holds nothing more of it
(`/internal/media/flushed`). Sessions waiting for that report are remembered in the spool
(`flush-pending/`), so a restart does not forget them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast

import urllib3
from minio import Minio
from minio.sse import Sse, SseKMS, SseS3
from urllib3.util import Retry, Timeout

from media_contract.heartbeat import SpoolStatus
from media_contract.registration import InterruptionBody, SegmentBody
from media_contract.sse import NO_SSE, ServerSideEncryption
from media_worker.registrar import Outcome, Registrar
from media_worker.spool import Interruption, Segment, Spool

logger = logging.getLogger(__name__)

QUARANTINED = "segment_quarantined"
FLUSH_DIR = "flush-pending"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")

Alert = Callable[[str, str], None]


class ObjectStore(Protocol):
    """The part of `minio.Minio` the uploader uses."""

    def fput_object(
        self, bucket_name: str, object_name: str, file_path: str, content_type: str = ...
    ) -> Any: ...


class _EncryptingMinio(Minio):
    """Asks for the configured server-side encryption on every put (``S3_SSE``)."""

    def __init__(self, *args: Any, sse: ServerSideEncryption, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sse: Sse | None = None
        if sse.mode == "s3":
            self._sse = SseS3()
        elif sse.mode == "kms":
            self._sse = SseKMS(sse.kms_key_id, {})

    def put_object(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("sse") is None and len(args) < 7:
            kwargs["sse"] = self._sse
        return super().put_object(*args, **kwargs)


def make_store(
    endpoint: str,
    access_key: str,
    secret_key: str,
    *,
    secure: bool,
    region: str,
    sse: ServerSideEncryption | None = None,
) -> Minio:
    """A Minio client that fails fast: the uploader retries on its own schedule, so the
    library's default five retries and five-minute timeouts would only hide an outage.
    Every segment put asks for ``sse`` (server-side encryption; none by default)."""
    http = urllib3.PoolManager(
        timeout=Timeout(connect=5.0, read=60.0),
        retries=Retry(total=1, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
        maxsize=4,
    )
    return _EncryptingMinio(
        endpoint,
        access_key=access_key,
        secret_key=secret_key,
        secure=secure,
        region=region,
        http_client=http,
        sse=sse or NO_SSE,
    )


def content_type(meta: Mapping[str, Any]) -> str:
    return "video/webm" if meta.get("kind") == "video" else "audio/webm"


@dataclass(slots=True)
class Backoff:
    """When a failed step may be tried again."""

    start: float
    limit: float
    delay: float = 0.0
    retry_at: float = 0.0

    @property
    def failing(self) -> bool:
        return self.delay > 0

    def ready(self, now: float) -> bool:
        return now >= self.retry_at

    def failed(self, now: float) -> float:
        self.delay = self.start if self.delay == 0 else min(self.delay * 2, self.limit)
        self.retry_at = now + self.delay
        return self.delay

    def reset(self) -> None:
        self.delay = 0.0
        self.retry_at = 0.0


@dataclass(slots=True)
class _Track:
    backoff: Backoff
    uploaded: str | None = None  # the key of the head segment once it is in the store


class Uploader:
    def __init__(
        self,
        spool: Spool,
        registrar: Registrar,
        store: ObjectStore,
        *,
        bucket: str,
        worker_id: str,
        alert: Alert | None = None,
        backoff_start: float = 1.0,
        backoff_max: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spool = spool
        self.registrar = registrar
        self.store = store
        self.bucket = bucket
        self.worker_id = worker_id
        self.alert = alert
        self.backoff_start = backoff_start
        self.backoff_max = backoff_max
        self.monotonic = monotonic
        self.uploads = 0
        self._tracks: dict[str, _Track] = {}
        self._interruptions: deque[InterruptionBody] = deque()
        self._interruption_backoff = self._backoff()
        self._closing: dict[str, Backoff] = {}
        self._wake = asyncio.Event()
        self._flush_dir = spool.root / FLUSH_DIR
        for marker in sorted(self._flush_dir.glob("*")) if self._flush_dir.is_dir() else []:
            self._closing[marker.name] = self._backoff()
        spool.add_listener(self._wake.set)

    # -- what other parts of the worker call -----------------------------------------------

    def report(self, interruptions: list[Interruption]) -> None:
        """Queue interruptions for the web; they are posted until it accepts them."""
        for interruption in interruptions:
            self.on_interruption(interruption.body())

    def on_interruption(self, body: InterruptionBody) -> None:
        """The body of one `/internal/media/interruptions` (the SFU's recorders call this)."""
        self._interruptions.append(body.copy())
        self._wake.set()

    def on_session_closed(self, session_id: str) -> None:
        """The recorder closed every segment of this session (the room closed): report
        `flushed` once all of them are registered."""
        if session_id in self._closing:
            return
        self._closing[session_id] = self._backoff()
        if _SAFE_NAME.match(session_id):
            self._flush_dir.mkdir(parents=True, exist_ok=True)
            (self._flush_dir / session_id).touch()
        self._wake.set()

    def stats(self) -> SpoolStatus:
        streams = set(self.spool.streams())
        failing = self._interruption_backoff.failing or any(
            track.backoff.failing for stream, track in self._tracks.items() if stream in streams
        )
        return SpoolStatus(
            bytes=self.spool.bytes,
            limit=self.spool.limit,
            pending=self.spool.pending_count,
            oldest_pending_age=self.spool.oldest_pending_age(),
            upload_failing=failing,
            alert=self.spool.level,
            quarantined=self.spool.quarantined,
        )

    # -- the task ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Drain until `stop` is set; a segment being uploaded then is finished, the rest
        stays in the spool for the next start."""
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                self._wake.clear()
                await self.step(stop)
                if stop.is_set():
                    break
                delay = self._next_delay()
                if delay == 0:
                    continue
                waking = asyncio.ensure_future(self._wake.wait())
                await asyncio.wait({waking, stopping}, timeout=delay, return_when="FIRST_COMPLETED")
                waking.cancel()
        finally:
            stopping.cancel()

    async def step(self, stop: asyncio.Event | None = None) -> None:
        """One pass: the head segment of each ready track, then the reports."""
        for stream in self.spool.streams():
            if stop is not None and stop.is_set():
                return
            track = self._tracks.setdefault(stream, _Track(self._backoff()))
            segment = self.spool.head(stream)
            if segment is not None and track.backoff.ready(self.monotonic()):
                await self._process(segment, track)
        self._forget_idle_tracks()
        await self._report_interruptions()
        await self._report_flushed()

    # -- internals ---------------------------------------------------------------------------

    def _backoff(self) -> Backoff:
        return Backoff(self.backoff_start, self.backoff_max)

    def _next_delay(self) -> float:
        """Seconds until something is due (0: go again now; capped so nothing is missed)."""
        now = self.monotonic()
        due: list[float] = []
        for stream in self.spool.streams():
            track = self._tracks.get(stream)
            due.append(0.0 if track is None else max(0.0, track.backoff.retry_at - now))
        if self._interruptions:
            due.append(max(0.0, self._interruption_backoff.retry_at - now))
        for session, backoff in self._closing.items():
            if not self.spool.has_pending(session) and not self.spool.has_open(session):
                due.append(max(0.0, backoff.retry_at - now))
        return min(due, default=self.backoff_max)

    async def _process(self, segment: Segment, track: _Track) -> None:
        if track.uploaded != segment.key:
            try:
                await asyncio.to_thread(
                    self.store.fput_object,
                    self.bucket,
                    segment.key,
                    str(segment.path),
                    content_type=content_type(segment.meta),
                )
            except Exception as exc:  # minio's S3Error, urllib3's errors, OSError: all retried
                self._failed(track, segment, f"upload: {exc}")
                return
            track.uploaded = segment.key
            self.uploads += 1
        # The sidecar the recorder wrote through SegmentSink.commit: a SegmentBody.
        answer = await self.registrar.register_segment(cast(SegmentBody, segment.meta))
        if answer.ok:
            self.spool.done(segment)
            if track.backoff.failing:
                logger.info("uploader: %s is moving again", segment.stream)
            track.backoff.reset()
            track.uploaded = None
        elif answer.object_missing:
            track.uploaded = None  # the store lost it, or holds another size: upload again
            self._failed(track, segment, f"register: {answer}")
        elif answer.outcome is Outcome.REFUSED:
            target = self.spool.quarantine(segment)
            track.backoff.reset()
            track.uploaded = None
            message = f"Recording segment {segment.key} refused by the web ({answer}); kept."
            logger.error("uploader: %s in %s", message, target)
            if self.alert is not None:
                self.alert(QUARANTINED, message)
        else:
            self._failed(track, segment, f"register: {answer}")

    def _failed(self, track: _Track, segment: Segment, reason: str) -> None:
        first = not track.backoff.failing
        delay = track.backoff.failed(self.monotonic())
        log = logger.warning if first else logger.info
        log("uploader: %s failed (%s); again in %.1fs", segment.key, reason, delay)

    def _forget_idle_tracks(self) -> None:
        streams = set(self.spool.streams())
        for stream in [s for s in self._tracks if s not in streams]:
            del self._tracks[stream]

    async def _report_interruptions(self) -> None:
        backoff = self._interruption_backoff
        while self._interruptions and backoff.ready(self.monotonic()):
            body = self._interruptions[0]
            answer = await self.registrar.report_interruption(body)
            if answer.outcome is Outcome.RETRY:
                delay = backoff.failed(self.monotonic())
                logger.warning(
                    "uploader: interruption report failed (%s); again in %.1fs", answer, delay
                )
                return
            if not answer.ok:
                logger.error("uploader: interruption %s refused: %s", body, answer)
            self._interruptions.popleft()
            backoff.reset()

    async def _report_flushed(self) -> None:
        for session, backoff in list(self._closing.items()):
            if self.spool.has_pending(session) or self.spool.has_open(session):
                continue
            if not backoff.ready(self.monotonic()):
                continue
            answer = await self.registrar.report_flushed(session, self.worker_id)
            if answer.outcome is Outcome.RETRY:
                delay = backoff.failed(self.monotonic())
                logger.warning(
                    "uploader: flushed %s failed (%s); again in %.1fs", session, answer, delay
                )
                continue
            if not answer.ok:
                logger.error("uploader: flushed %s refused: %s", session, answer)
            del self._closing[session]
            (self._flush_dir / session).unlink(missing_ok=True)
