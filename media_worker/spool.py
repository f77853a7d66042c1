"""The recording spool: segment files on local disk between the recorder and object storage.

Layout under the root (docs/recording.md): an open segment is `<key>.part`; a closed one is
`<key>` (the `.webm`) plus its metadata `<key>.json`, written through `<key>.json.tmp`. Segments
the web refuses are moved under `quarantine/` and kept there.

The spool keeps its size in a counter updated on every write, rename and delete, so the
recorder can ask `accepting()` per frame without a walk of the tree. All methods run on the
event loop's thread; only the uploader's object-storage calls run elsewhere, and they only
read closed files.
"""

from __future__ import annotations

import io
import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from media_contract import registration

logger = logging.getLogger(__name__)

PART = ".part"
META = ".json"
META_TMP = ".json.tmp"
QUARANTINE = "quarantine"
NEARLY_FULL = "spool_nearly_full"
FULL = "spool_full"
NEARLY_FULL_RATIO = 0.8
COMPACT_FORMAT = registration.COMPACT_FORMAT
COMPACT_LENGTH = len("20261127T180000000000Z")

Alert = Callable[[str, str], None]


def iso_utc(moment: datetime) -> str:
    """The contract's timestamp form: `2026-11-27T18:00:00.000000Z`."""
    return registration.wire_time(moment)


@dataclass(frozen=True, slots=True)
class KeyParts:
    session: str
    participant: str
    track: str
    started: datetime
    worker: str

    @property
    def stream(self) -> str:
        """The per-track prefix `session/participant/track` the upload order is kept within."""
        return f"{self.session}/{self.participant}/{self.track}"


def parse_key(key: str) -> KeyParts:
    """Split `<session>/<participant>/<track>/<started compact>-<worker>.webm`."""
    parts = key.split("/")
    if len(parts) != 4 or not parts[3].endswith(".webm"):
        raise ValueError(f"not a segment key: {key!r}")
    session, participant, track, name = parts
    stem = name.removesuffix(".webm")
    compact, dash, worker = (
        stem[:COMPACT_LENGTH],
        stem[COMPACT_LENGTH:][:1],
        stem[COMPACT_LENGTH + 1 :],
    )
    if dash != "-" or not worker:
        raise ValueError(f"not a segment key: {key!r}")
    # strptime raises ValueError for a malformed timestamp, as documented above.
    started = datetime.strptime(compact, COMPACT_FORMAT).replace(tzinfo=UTC)
    return KeyParts(session, participant, track, started, worker)


def stream_of(key: str) -> str:
    return key.rsplit("/", 1)[0]


@dataclass(frozen=True, slots=True)
class Segment:
    """A closed segment waiting for upload and registration."""

    key: str
    path: Path
    meta_path: Path
    meta: dict[str, Any]
    queued_at: float

    @property
    def stream(self) -> str:
        return stream_of(self.key)

    @property
    def session(self) -> str:
        return self.key.split("/", 1)[0]


@dataclass(frozen=True, slots=True)
class Interruption:
    """A gap in a track's recording, for `/internal/media/interruptions`."""

    session: str
    participant: str
    track: str
    worker: str
    start: str
    end: str
    reason: str
    discarded_bytes: int

    def body(self) -> registration.InterruptionBody:
        return {
            "session": self.session,
            "participant": self.participant,
            "track": self.track,
            "worker": self.worker,
            "from": self.start,
            "to": self.end,
            "reason": self.reason,
            "discarded_bytes": self.discarded_bytes,
        }


class _PartFile(io.BufferedWriter):
    """The recorder's open segment file: every write is added to the spool's size."""

    def __init__(self, raw: io.FileIO, counted: Callable[[int], None]) -> None:
        super().__init__(raw)
        self._counted = counted

    def write(self, data: Any) -> int:
        written = super().write(data)
        self._counted(written)
        return written


class Spool:
    """The recorder's `SegmentSink` and the uploader's queue."""

    def __init__(
        self,
        root: Path,
        limit_bytes: int,
        *,
        alert: Alert | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = root
        self.limit = limit_bytes
        self.alert = alert
        self.clock = clock
        self.bytes = 0
        self.quarantined = 0
        self.level: str | None = None
        self._open: dict[str, tuple[_PartFile, list[int]]] = {}
        self._queues: dict[str, deque[Segment]] = {}
        self._listeners: list[Callable[[], None]] = []
        self.root.mkdir(parents=True, exist_ok=True)

    # -- the recorder's side (SegmentSink) ------------------------------------------------

    def accepting(self) -> bool:
        """False at or over the limit: the recorder opens no new segment then."""
        return self.bytes < self.limit

    def open(self, key: str) -> BinaryIO:
        path = self._part_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        written = [0]

        def counted(size: int) -> None:
            written[0] += size
            self._add(size)

        handle = _PartFile(io.FileIO(path, "w"), counted)
        self._open[key] = (handle, written)
        return handle

    def commit(self, key: str, meta: Mapping[str, Any]) -> None:
        """Make `<key>.part` a closed segment: fsync, rename, write `<key>.json`, queue it."""
        part = self._part_path(key)
        counted = self._close_part(key, part)
        final = self.root / key
        os.replace(part, final)
        size = final.stat().st_size
        meta_path = self._write_meta(key, meta)
        _fsync_dir(final.parent)
        # The buffered writer counted what it was handed; the disk has the last word.
        self._add(size - counted + meta_path.stat().st_size)
        self._enqueue(Segment(key, final, meta_path, dict(meta), self.clock()))

    def discard(self, key: str) -> None:
        part = self._part_path(key)
        counted = self._close_part(key, part, sync=False)
        part.unlink(missing_ok=True)
        self._add(-counted)

    # -- the uploader's side -----------------------------------------------------------------

    def add_listener(self, listener: Callable[[], None]) -> None:
        """`listener()` runs whenever a segment is queued (the uploader's wake-up)."""
        self._listeners.append(listener)

    def streams(self) -> list[str]:
        return [stream for stream, queue in self._queues.items() if queue]

    def head(self, stream: str) -> Segment | None:
        queue = self._queues.get(stream)
        return queue[0] if queue else None

    def pending(self) -> Iterator[Segment]:
        for queue in self._queues.values():
            yield from queue

    @property
    def pending_count(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    def has_pending(self, session: str) -> bool:
        return any(segment.session == session for segment in self.pending())

    def has_open(self, session: str) -> bool:
        return any(key.split("/", 1)[0] == session for key in self._open)

    def oldest_pending_age(self) -> int:
        oldest = min((segment.queued_at for segment in self.pending()), default=None)
        return 0 if oldest is None else max(0, int(self.clock() - oldest))

    def done(self, segment: Segment) -> None:
        """The segment is stored and registered: delete it (the `.webm` first, so a lone
        `.json` found at start means "already done", never "lost")."""
        self._dequeue(segment)
        freed = 0
        for path in (segment.path, segment.meta_path):
            try:
                freed += path.stat().st_size
                path.unlink()
            except FileNotFoundError:
                pass
        self._add(-freed)
        self._prune(segment.path.parent)

    def quarantine(self, segment: Segment) -> Path:
        """Move a refused segment under `quarantine/`; it stays there (and counts)."""
        self._dequeue(segment)
        target = self.root / QUARANTINE / segment.key
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(segment.path, target)
        os.replace(segment.meta_path, target.with_name(target.name + META))
        self.quarantined += 1
        return target

    # -- start-up --------------------------------------------------------------------------

    def recover(self) -> list[Interruption]:
        """Scan the spool after a (re)start: queue closed segments, delete what was open at
        the crash and return one `worker_restart` interruption per deleted part.

        Closed means a `.webm` with a readable `.json`; a `.webm` without one, like a `.part`,
        was cut short. A lone `.json` belongs to a segment deleted after registration.
        """
        self._queues.clear()
        quarantine = self.root / QUARANTINE
        files = sorted(p for p in self.root.rglob("*") if p.is_file())
        ours = [p for p in files if quarantine not in p.parents]
        for path in ours:
            if path.name.endswith(META_TMP):
                path.unlink()
        interruptions: list[Interruption] = []
        closed: list[Segment] = []
        for path in ours:
            key = path.relative_to(self.root).as_posix()
            if key.endswith(PART) or key.endswith(".webm"):
                key = key.removesuffix(PART)
                meta_path = self.root / (key + META)
                meta = _read_meta(meta_path) if not path.name.endswith(PART) else None
                if meta is not None:
                    closed.append(Segment(key, path, meta_path, meta, path.stat().st_mtime))
                    continue
                interruption = self._interrupted(key, path)
                if interruption is not None:
                    interruptions.append(interruption)
                path.unlink()
            elif key.endswith(META) and not (self.root / key.removesuffix(META)).exists():
                path.unlink(missing_ok=True)
        for directory in sorted({p.parent for p in ours}, key=lambda d: -len(d.parts)):
            self._prune(directory)
        self.bytes = sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())
        self.quarantined = sum(1 for p in quarantine.rglob("*.webm") if p.is_file())
        for segment in sorted(closed, key=lambda s: s.key):
            self._enqueue(segment)
        self._check_level()
        return interruptions

    # -- internals -------------------------------------------------------------------------

    def _part_path(self, key: str) -> Path:
        stream_of(key)  # a key without a prefix is a recorder bug; fail early
        return self.root / (key + PART)

    def _close_part(self, key: str, part: Path, *, sync: bool = True) -> int:
        """Close the open handle (if the recorder did not); return the bytes counted for it."""
        entry = self._open.pop(key, None)
        if entry is None:
            counted = part.stat().st_size if part.exists() else 0
            self._add(counted)  # unknown to this spool's counter until now
        else:
            handle, written = entry
            if not handle.closed:
                handle.flush()
                if sync:
                    os.fsync(handle.fileno())
                handle.close()
                sync = False
            counted = written[0]
        if sync and part.exists():
            fd = os.open(part, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        return counted

    def _prune(self, directory: Path) -> None:
        """Remove emptied track, participant and session directories (never the root)."""
        while directory != self.root and self.root in directory.parents:
            try:
                directory.rmdir()
            except OSError:  # not empty (or already gone)
                return
            directory = directory.parent

    def _write_meta(self, key: str, meta: Mapping[str, Any]) -> Path:
        meta_path = self.root / (key + META)
        tmp = self.root / (key + META_TMP)
        with open(tmp, "wb") as handle:
            handle.write(json.dumps(dict(meta), sort_keys=True).encode())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, meta_path)
        return meta_path

    def _interrupted(self, key: str, path: Path) -> Interruption | None:
        try:
            parts = parse_key(key)
        except ValueError:
            logger.warning("spool: deleting %s, which is not a segment of ours", path)
            return None
        stat = path.stat()
        ended = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
        return Interruption(
            session=parts.session,
            participant=parts.participant,
            track=parts.track,
            worker=parts.worker,
            start=iso_utc(parts.started),
            end=iso_utc(max(ended, parts.started)),
            reason="worker_restart",
            discarded_bytes=stat.st_size,
        )

    def _enqueue(self, segment: Segment) -> None:
        queue = self._queues.setdefault(segment.stream, deque())
        queue.append(segment)
        for listener in self._listeners:
            listener()

    def _dequeue(self, segment: Segment) -> None:
        queue = self._queues.get(segment.stream)
        if queue and queue[0] is segment:
            queue.popleft()
        elif queue and segment in queue:
            queue.remove(segment)
        if queue is not None and not queue:
            del self._queues[segment.stream]

    def _add(self, delta: int) -> None:
        self.bytes += delta
        self._check_level()

    def _check_level(self) -> None:
        if self.bytes >= self.limit:
            level: str | None = FULL
        elif self.bytes >= self.limit * NEARLY_FULL_RATIO:
            level = NEARLY_FULL
        else:
            level = None
        if level == self.level:
            return
        previous, self.level = self.level, level
        percent = self.bytes * 100 // max(self.limit, 1)
        if level is None:
            logger.info("spool: back to %d%% of its limit", percent)
            return
        message = (
            f"Recording spool at {percent}% of its limit: no new segment is opened until "
            "uploads free space."
            if level == FULL
            else f"Recording spool at {percent}% of its limit: uploads are falling behind."
        )
        logger.warning("spool: %s (was %s): %s", level, previous, message)
        if self.alert is not None:
            self.alert(level, message)


def _read_meta(path: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
