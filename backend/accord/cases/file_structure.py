"""Is an evidence file whole? Checked on the bytes as they stream past (issue 13).

The type is read from the first bytes (``filetype``'s magic numbers); that says nothing about
the rest: a PDF cut in half, a PNG whose header is broken or a video whose upload stopped
midway all sniff fine. ``StructureCheck`` is fed every byte of the upload in order (it keeps
only a small head, a tail and a few counters: nothing is decoded, no whole file is held) and
then says what is wrong, if anything:

- PDF: ``%PDF-`` at the start and the ``%%EOF`` marker in the last 1 KiB (where readers look
  for it: a file cut short has none);
- PNG: the signature followed by an ``IHDR`` chunk of 13 bytes with a non-zero size, and the
  ``IEND`` chunk at the end;
- MP4: top-level boxes that tile the file exactly (each box's size from its header; a box
  running past the end is a cut file), the first one ``ftyp``, a ``moov`` among them;
- WAV: the RIFF size in the header is no more than what arrived.

JPEG and MP3 are checked on their magic number only: a JPEG may legitimately carry data after
its end marker (phones append motion-photo videos), and MP3 has no container to check.
"""

from __future__ import annotations

import struct

TAIL_BYTES = 2048
HEAD_BYTES = 64
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_IEND = b"IEND\xaeB`\x82"
MP4_MAX_BOXES = 10_000


class StructureCheck:
    def __init__(self, mime: str) -> None:
        self.mime = mime
        self.size = 0
        self._head = b""
        self._tail = b""
        # MP4: where the next top-level box starts, and the bytes of its header so far.
        self._box_at = 0
        self._box_header = b""
        self._boxes: list[bytes] = []
        self._box_error: str | None = None

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if len(self._head) < HEAD_BYTES:
            self._head += chunk[: HEAD_BYTES - len(self._head)]
        if self.mime == "video/mp4" and self._box_error is None:
            self._feed_boxes(chunk)
        self.size += len(chunk)
        self._tail = (self._tail + chunk[-TAIL_BYTES:])[-TAIL_BYTES:]

    def _feed_boxes(self, chunk: bytes) -> None:
        start = self.size  # the file offset of chunk[0]
        end = start + len(chunk)
        while self._box_error is None and self._box_at != -1 and self._box_at < end:
            if self._box_at >= start:
                relative = self._box_at - start
                header = chunk[relative : relative + 16]
            else:  # begun in an earlier chunk
                header = self._box_header + chunk[: 16 - len(self._box_header)]
            complete = len(header) >= 16 or (len(header) >= 8 and header[:4] != b"\x00\x00\x00\x01")
            if not complete:
                self._box_header = header
                return
            self._box_header = b""
            size, kind = struct.unpack(">I4s", header[:8])
            minimum = 8
            if size == 1:  # a 64-bit size follows the type
                size = struct.unpack(">Q", header[8:16])[0]
                minimum = 16
            if not all(32 <= byte < 127 for byte in kind):
                self._box_error = "a box header is broken"
                return
            self._boxes.append(kind)
            if size == 0:  # the last box, running to the end of the file
                self._box_at = -1
                return
            if size < minimum:
                self._box_error = "a box header is broken"
                return
            if len(self._boxes) > MP4_MAX_BOXES:
                self._box_error = "too many top-level boxes"
                return
            self._box_at += size

    def problem(self) -> str | None:
        """What is wrong with the file as received, in English (for logs), or ``None``."""
        if self.mime == "application/pdf":
            if not self._head.startswith(b"%PDF-"):
                return "no PDF header"
            if b"%%EOF" not in self._tail[-1024:]:
                return "no PDF trailer (the file is cut short)"
        elif self.mime == "image/png":
            if not self._head.startswith(PNG_SIGNATURE) or self._head[8:16] != (
                b"\x00\x00\x00\rIHDR"
            ):
                return "no PNG header"
            width, height = struct.unpack(">II", self._head[16:24])
            if width == 0 or height == 0:
                return "a PNG of no size"
            if PNG_IEND not in self._tail[-64:]:
                return "no PNG end (the file is cut short)"
        elif self.mime == "video/mp4":
            return self._mp4_problem()
        elif self.mime in ("audio/x-wav", "audio/wav"):
            if self._head[:4] != b"RIFF" or self._head[8:12] != b"WAVE":
                return "no WAV header"
            (declared,) = struct.unpack("<I", self._head[4:8])
            if declared + 8 > self.size:
                return "the WAV data is cut short"
        return None

    def _mp4_problem(self) -> str | None:
        if self._box_error is not None:
            return self._box_error
        if not self._boxes or self._boxes[0] != b"ftyp":
            return "no ftyp box first"
        if b"moov" not in self._boxes:
            return "no moov box"
        if self._box_at != -1 and self._box_at != self.size:
            return "the last box runs past the end (the file is cut short)"
        return None
