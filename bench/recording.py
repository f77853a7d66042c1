"""Benchmark of the recorder (not a test): the same N streams recorded by Accord's passthrough
recorder and by aiortc's stock `MediaRecorder`, one after the other in one run.

    .venv/bin/python -m bench.recording [--publishers 1 3 6] [--seconds 20] [--write]

Each publisher sends VP8 640x360 at ~800 kbit/s (30 fps) and Opus (50 frames/s) — 2 streams.
- *passthrough* (media_worker/recorder.py): the encoded frames, as the SFU taps them, go into
  one `TrackRecorder` per stream (WebM segments of 10 s written to a spool directory and hashed
  while written); nothing is decoded or encoded.
- *stock* (`aiortc.contrib.media.MediaRecorder`): what aiortc does with a received track — the
  frames are decoded (aiortc's VP8 and Opus decoders), then MediaRecorder encodes them again
  (libvpx VP8, libopus) into one WebM per publisher.

Both are fed the same encoded frames as fast as they take them; the figure is CPU seconds of
this process (all threads) per recorded stream-second of media. Output bitrate is reported from
the files written; the passthrough output is checked to hold the sender's bitstream unchanged
(every recorded frame payload equals the frame sent). `--write` replaces the recording section
of docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import math
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from aiortc.codecs import get_decoder
from aiortc.contrib.media import MediaRecorder
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from bench.sfu import encode_vp8
from media_worker.clock import PublisherClock, TrackClock
from media_worker.frames import EncodedFrame
from media_worker.recorder import DirectorySink, TrackRecorder

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
BEGIN, END = "<!-- bench/recording.py:begin -->", "<!-- bench/recording.py:end -->"
FPS = 30
VIDEO_RATE = 90_000
AUDIO_RATE = 48_000
AUDIO_FRAME = 960  # 20 ms at 48 kHz

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=VIDEO_RATE, payloadType=96)
OPUS = RTCRtpCodecParameters(
    mimeType="audio/opus", clockRate=AUDIO_RATE, channels=2, payloadType=111
)


def encode_opus(frames: int = 250) -> tuple[bytes, ...]:
    """Speech-like audio: a tone sweeping under an envelope, 20 ms Opus frames at ~32 kbit/s."""
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.layout, codec.format = AUDIO_RATE, "stereo", "s16"
    codec.bit_rate = 32_000
    codec.time_base = Fraction(1, AUDIO_RATE)
    packets: list[bytes] = []
    for i in range(frames):
        frame = av.AudioFrame(format="s16", layout="stereo", samples=AUDIO_FRAME)
        samples = bytearray()
        for n in range(AUDIO_FRAME):
            t = (i * AUDIO_FRAME + n) / AUDIO_RATE
            value = int(
                8000 * (0.5 + 0.5 * ((i // 25) % 2)) * math.sin(2 * math.pi * (200 + 5 * i) * t)
            )
            samples += value.to_bytes(2, "little", signed=True) * 2
        frame.planes[0].update(bytes(samples))
        frame.sample_rate, frame.pts = AUDIO_RATE, i * AUDIO_FRAME
        packets += [bytes(p) for p in codec.encode(frame)]
    packets += [bytes(p) for p in codec.encode(None)]
    return tuple(packets[:frames])


@dataclass
class Media:
    video: tuple[bytes, ...]
    audio: tuple[bytes, ...]

    def video_frame(self, i: int) -> bytes:
        # The first frame is the only keyframe of the clip; later loops reuse the deltas.
        return self.video[0] if i == 0 else self.video[1 + (i - 1) % (len(self.video) - 1)]

    def audio_frame(self, i: int) -> bytes:
        return self.audio[i % len(self.audio)]


@dataclass
class Result:
    publishers: int
    streams: int
    mode: str
    media_seconds: float
    cpu_seconds: float
    output_bytes: int
    bit_exact: str

    @property
    def cpu_per_stream_second(self) -> float:
        return self.cpu_seconds / (self.streams * self.media_seconds)

    @property
    def kbit_per_stream(self) -> float:
        return self.output_bytes * 8 / 1000 / self.media_seconds / self.publishers


def passthrough(media: Media, publishers: int, seconds: float, out: Path) -> Result:
    sink = DirectorySink(out)
    recorders: list[tuple[TrackRecorder, str]] = []
    for p in range(publishers):
        clock = PublisherClock()
        for track, rate in (("camera", VIDEO_RATE), ("microphone", AUDIO_RATE)):
            recorder = TrackRecorder(
                session="bench",
                participant=str(p),
                track=track,
                worker="bench",
                sink=sink,
                clock=TrackClock(rate, clock),
                request_keyframe=lambda: None,
            )
            recorders.append((recorder, track))
    video_frames, audio_frames = int(seconds * FPS), int(seconds * 50)
    start = time.time()
    cpu0 = time.process_time()
    # Interleave as they would arrive: 5 audio frames per 3 video frames.
    for a in range(audio_frames):
        arrival = start + a * 0.02
        for recorder, track in recorders:
            if track == "microphone":
                ts = recorder.clock.frame((a * AUDIO_FRAME) & 0xFFFFFFFF, arrival)
                recorder.push(
                    EncodedFrame(media.audio_frame(a), ts, AUDIO_RATE, "audio/opus", True)
                )
        v = a * FPS // 50
        if (a * FPS) % 50 < FPS and v < video_frames:
            for recorder, track in recorders:
                if track == "camera":
                    data = media.video_frame(v)
                    ts = recorder.clock.frame((v * VIDEO_RATE // FPS) & 0xFFFFFFFF, arrival)
                    recorder.push(EncodedFrame(data, ts, VIDEO_RATE, "video/vp8", v == 0))
    for recorder, _ in recorders:
        recorder.close()
    cpu = time.process_time() - cpu0
    files = sorted(out.rglob("*.webm"))
    exact = _bit_exact(files, media, video_frames, audio_frames)
    return Result(
        publishers,
        publishers * 2,
        "passthrough (Accord)",
        seconds,
        cpu,
        sum(f.stat().st_size for f in files),
        exact,
    )


def _bit_exact(files: list[Path], media: Media, video_frames: int, audio_frames: int) -> str:
    """Demux publisher 0's segments and compare every payload with what was sent."""
    video: list[bytes] = []
    audio: list[bytes] = []
    for path in files:
        if "/0/" not in str(path):
            continue
        with av.open(str(path)) as container:
            for packet in container.demux():
                if packet.size:
                    target = video if packet.stream.type == "video" else audio
                    target.append(bytes(packet))
    sent_video = [media.video_frame(i) for i in range(video_frames)]
    sent_audio = [media.audio_frame(i) for i in range(audio_frames)]
    same = video == sent_video and audio == sent_audio
    return "yes" if same else f"NO ({len(video)}/{video_frames} video, {len(audio)} audio)"


class DecodedTrack(MediaStreamTrack):
    """A received track as aiortc hands it to an application: decoded frames."""

    def __init__(self, kind: str, payloads: list[bytes], codec: RTCRtpCodecParameters) -> None:
        super().__init__()
        self.kind = kind
        self._payloads = payloads
        self._decoder = get_decoder(codec)
        self._pending: list[av.frame.Frame] = []
        self._i = 0
        self._codec = codec

    async def recv(self) -> av.frame.Frame:
        from aiortc.jitterbuffer import JitterFrame

        while not self._pending:
            if self._i >= len(self._payloads):
                self.stop()
                raise MediaStreamError
            step = VIDEO_RATE // FPS if self.kind == "video" else AUDIO_FRAME
            frame = JitterFrame(data=self._payloads[self._i], timestamp=self._i * step)
            self._pending = list(self._decoder.decode(frame))
            self._i += 1
        return self._pending.pop(0)


async def _stock_async(media: Media, publishers: int, seconds: float, out: Path) -> int:
    video_frames, audio_frames = int(seconds * FPS), int(seconds * 50)
    recorders = []
    for p in range(publishers):
        recorder = MediaRecorder(str(out / f"{p}.webm"))
        recorder.addTrack(
            DecodedTrack("video", [media.video_frame(i) for i in range(video_frames)], VP8)
        )
        recorder.addTrack(
            DecodedTrack("audio", [media.audio_frame(i) for i in range(audio_frames)], OPUS)
        )
        recorders.append(recorder)
    for recorder in recorders:
        await recorder.start()
    # MediaRecorder runs until its tracks end; then stop() closes the container.
    while any(t.readyState == "live" for r in recorders for t in _tracks(r)):
        await asyncio.sleep(0.05)
    for recorder in recorders:
        await recorder.stop()
    return sum(f.stat().st_size for f in out.glob("*.webm"))


def _tracks(recorder: MediaRecorder) -> list[MediaStreamTrack]:
    return list(recorder._MediaRecorder__tracks)  # type: ignore[attr-defined]


def stock(media: Media, publishers: int, seconds: float, out: Path) -> Result:
    cpu0 = time.process_time()
    size = asyncio.run(_stock_async(media, publishers, seconds, out))
    cpu = time.process_time() - cpu0
    return Result(
        publishers,
        publishers * 2,
        "aiortc MediaRecorder (decode + re-encode)",
        seconds,
        cpu,
        size,
        "no (re-encoded)",
    )


def table(results: list[Result]) -> str:
    lines = [
        "| publishers | streams | recorder | CPU s per stream-second | ratio "
        "| output kbit/s per publisher | sender's bitstream kept |",
        "|---|---|---|---|---|---|---|",
    ]
    by_n: dict[int, dict[str, Result]] = {}
    for r in results:
        by_n.setdefault(r.publishers, {})[r.mode] = r
    for r in results:
        pair = by_n[r.publishers]
        ours = next(v for k, v in pair.items() if k.startswith("passthrough"))
        ratio = r.cpu_per_stream_second / ours.cpu_per_stream_second
        lines.append(
            f"| {r.publishers} | {r.streams} | {r.mode} | {r.cpu_per_stream_second:.5f} | "
            f"{ratio:.1f}× | {r.kbit_per_stream:.0f} | {r.bit_exact} |"
        )
    return "\n".join(lines)


def write_doc(results: list[Result], command: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    block = (
        f"{BEGIN}\nMeasured {datetime.date.today()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, `{command}`:\n\n"
        f"{table(results)}\n{END}"
    )
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text += "\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.recording")
    parser.add_argument("--publishers", type=int, nargs="+", default=[1, 3, 6])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--write", action="store_true")
    options = parser.parse_args()
    media = Media(video=encode_vp8(frames=90), audio=encode_opus())
    results: list[Result] = []
    for n in options.publishers:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(passthrough(media, n, options.seconds, Path(tmp)))
        with tempfile.TemporaryDirectory() as tmp:
            results.append(stock(media, n, options.seconds, Path(tmp)))
        print(table(results), flush=True)
    command = "python -m bench.recording " + " ".join(sys.argv[1:])
    if options.write:
        write_doc(results, command.replace(" --write", "").strip())


if __name__ == "__main__":
    main()
