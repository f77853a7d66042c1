"""Benchmark of the SFU core (not a test): N synthetic publishers in one room, everyone
subscribed to everyone, for a fixed time.

    .venv/bin/python -m bench.sfu [--publishers 3 5 7] [--seconds 15] [--decode] [--stock]
        [--write]

The SFU runs alone in a child process (the worker's SFU class, driven by the same messages the
web sends, over a pipe) so that its CPU time is not mixed with the clients'. The clients are
aiortc peers in this process that publish pre-encoded VP8 (640x360, ~800 kbit/s) and Opus as
`av.Packet`s and tap what they receive before decoding.

Reported, over a steady-state window after a warm-up:
- CPU seconds of the SFU process per forwarded stream-second (a stream = one publisher's
  audio or video to one subscriber);
- loss introduced by the SFU: frames offered to a subscriber's slot but never handed to its
  sender (bounded-queue drops), and end-to-end: frames the clients did not receive (this also
  counts loopback UDP drops when the client process itself cannot keep up).
`--decode` is the baseline: the same, plus aiortc's own decoder on every published stream, as
aiortc does by default (a decode-and-re-encode SFU would pay the re-encoding on top), on
aiortc's stock jitter buffer. `--stock` also runs passthrough on aiortc's stock jitter buffer
instead of Accord's reassembly (media_worker/reassembly.py, MEDIA_WORKER_LOSS_REPAIR=0).
`--write` replaces the SFU section of docs/performance.md with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import multiprocessing
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import av

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
BEGIN, END = "<!-- bench/sfu.py:begin -->", "<!-- bench/sfu.py:end -->"


def encode_vp8(width: int = 640, height: int = 360, frames: int = 90) -> tuple[bytes, ...]:
    """A webcam-like stream: a moving gradient with a moving detailed block, ~800 kbit/s CBR,
    one keyframe (then keyframes only on request, like browsers and aiortc)."""
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuv420p"
    codec.bit_rate = 800_000
    codec.gop_size = 3000
    codec.time_base = Fraction(1, 30)
    codec.options = {
        "deadline": "realtime",
        "lag-in-frames": "0",
        "cpu-used": "8",
        "minrate": "800000",
        "maxrate": "800000",
        "bufsize": "800000",
    }
    noise = os.urandom(width * 64)
    ramp = bytes(range(256)) * (width * height // 256 + 2)
    packets: list[bytes] = []
    for i in range(frames):
        luma = bytearray(ramp[i * 4 : i * 4 + width * height])
        left = (i * 8) % (width - 160)
        for row in range(64):
            start = (100 + row) * width + left
            luma[start : start + 160] = noise[row * width + i % 64 : row * width + i % 64 + 160]
        frame = av.VideoFrame(width, height, "yuv420p")
        frame.planes[0].update(bytes(luma))
        frame.planes[1].update(bytes([128]) * (width * height // 4))
        frame.planes[2].update(bytes([(i * 3) % 256]) * (width * height // 4))
        frame.pts = i
        packets += [bytes(p) for p in codec.encode(frame)]
    return tuple(packets)


# --- The SFU process ---------------------------------------------------------------------


REASSEMBLY, STOCK, DECODE = "reassembly", "stock", "decode"
MODE_LABELS = {
    REASSEMBLY: "passthrough",
    STOCK: "passthrough on aiortc's jitter buffer (before issue 10)",
    DECODE: "passthrough + aiortc decode (baseline)",
}


def _sfu_process(conn: Connection, mode: str) -> None:
    asyncio.run(_serve(conn, mode))


def _decode_too() -> None:
    """Baseline: give every tapped stream aiortc's decoder as well (aiortc's default cost)."""
    from aiortc.codecs import get_decoder
    from aiortc.jitterbuffer import JitterFrame

    from media_worker import aiortc_hooks

    tap = aiortc_hooks.tap_encoded_frames

    def tap_and_decode(receiver: Any, sink: Callable[..., None]) -> None:
        decoders: dict[str, Any] = {}

        def both(codec: Any, frame: JitterFrame) -> None:
            decoder = decoders.setdefault(codec.mimeType, get_decoder(codec))
            with contextlib.suppress(av.FFmpegError):  # as aiortc: logged, not fatal
                decoder.decode(frame)
            sink(codec, frame)

        tap(receiver, both)

    aiortc_hooks.tap_encoded_frames = tap_and_decode


async def _serve(conn: Connection, mode: str) -> None:
    if mode == DECODE:
        _decode_too()
    from media_worker.sfu import SFU

    loop = asyncio.get_running_loop()

    async def reply(channel: str, message: Any) -> None:
        conn.send(dict(message))

    sfu = SFU(reply, loss_repair=mode == REASSEMBLY)
    while True:
        message = await loop.run_in_executor(None, conn.recv)
        if message["type"] == "bench.stats":
            conn.send({"type": "bench.stats", **_stats(sfu)})
        elif message["type"] == "bench.stop":
            await sfu.close()
            conn.send({"type": "bench.stopped"})
            return
        else:
            await sfu.handle(message)


def _stats(sfu: Any) -> dict[str, float]:
    tracks = [
        slot.track
        for room in sfu.rooms.values()
        for participant in room.participants.values()
        for slot in participant.slots
    ]
    return {
        "cpu": time.process_time(),
        "offered": sum(t.offered for t in tracks),
        "forwarded": sum(t.forwarded for t in tracks),
        "dropped": sum(t.dropped for t in tracks),
        "streams": sum(1 for t in tracks if t.source is not None),
    }


# --- The clients -------------------------------------------------------------------------


@dataclass
class Result:
    publishers: int
    mode: str
    seconds: float
    streams: int
    cpu_seconds: float
    sfu_loss: float
    end_to_end_loss: float

    @property
    def cpu_per_stream_second(self) -> float:
        return self.cpu_seconds / (self.streams * self.seconds)


def _is_answer_for(name: str, reply: dict[str, Any]) -> bool:
    return reply["type"] == "media.answer" and reply["participant"] == name


class _Pipe:
    """Request/response over the pipe; replies for clients are routed by reply channel."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.replies: dict[str, list[dict[str, Any]]] = {}

    async def call(self, message: dict[str, Any], until: Callable[[dict[str, Any]], bool]) -> Any:
        loop = asyncio.get_running_loop()
        self.conn.send(message)
        while True:
            reply = await loop.run_in_executor(None, self.conn.recv)
            self.replies.setdefault(str(reply.get("participant")), []).append(reply)
            if until(reply):
                return reply


async def run_once(publishers: int, seconds: float, mode: str, video: tuple[bytes, ...]) -> Result:
    from tests.media_worker.media import PacketTrack, opus_packets
    from tests.media_worker.peers import ClientPeer

    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_sfu_process, args=(child, mode), daemon=True
    )
    process.start()
    pipe = _Pipe(parent)
    clients = [
        ClientPeer(
            f"p{i}",
            microphone=PacketTrack("audio", opus_packets()),
            camera=PacketTrack("video", video),
        )
        for i in range(publishers)
    ]
    try:
        for client in clients:
            answer = await pipe.call(
                {
                    "type": "room.offer",
                    "room": "bench",
                    "participant": client.name,
                    "sdp": await client.offer(),
                    "reply_channel": client.name,
                    "group": "plenary",
                    "muted": False,
                    "can_screen": False,
                },
                functools.partial(_is_answer_for, client.name),
            )
            await client.accept(answer["sdp"])
        await asyncio.sleep(3.0)  # warm-up: ICE, DTLS, first keyframes
        stats = {"type": "bench.stats"}

        def is_stats(reply: dict[str, Any]) -> bool:
            return reply["type"] == "bench.stats"

        before = await pipe.call(stats, is_stats)
        received_before = sum(len(v) for c in clients for v in c.received.values())
        await asyncio.sleep(seconds)
        after = await pipe.call(stats, is_stats)
        received_after = sum(len(v) for c in clients for v in c.received.values())
        await pipe.call({"type": "bench.stop"}, lambda r: r["type"] == "bench.stopped")
    finally:
        for client in clients:
            await client.close()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
    offered = after["offered"] - before["offered"]
    forwarded = after["forwarded"] - before["forwarded"]
    received = received_after - received_before
    return Result(
        publishers=publishers,
        mode=mode,
        seconds=seconds,
        streams=int(after["streams"]),
        cpu_seconds=after["cpu"] - before["cpu"],
        sfu_loss=max(0.0, 1 - forwarded / offered) if offered else 0.0,
        end_to_end_loss=max(0.0, 1 - received / offered) if offered else 0.0,
    )


def table(results: list[Result]) -> str:
    lines = [
        "| publishers | forwarded streams | mode | SFU CPU s per stream-second "
        "| SFU CPU (% of a core) | loss in SFU | loss end to end |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        mode = MODE_LABELS[r.mode]
        lines.append(
            f"| {r.publishers} | {r.streams} | {mode} | {r.cpu_per_stream_second:.5f} "
            f"| {100 * r.cpu_seconds / r.seconds:.0f} % | {100 * r.sfu_loss:.2f} % "
            f"| {100 * r.end_to_end_loss:.2f} % |"
        )
    return "\n".join(lines)


def write_doc(results: list[Result], command: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    section = (
        f"{BEGIN}\nMeasured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, `{command}`:\n\n"
        f"{table(results)}\n{END}"
    )
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publishers", type=int, nargs="+", default=[3, 5, 7])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--decode", action="store_true", help="also run the decoding baseline")
    parser.add_argument(
        "--stock", action="store_true", help="also run passthrough on aiortc's jitter buffer"
    )
    parser.add_argument("--write", action="store_true", help="write docs/performance.md")
    args = parser.parse_args()
    video = encode_vp8()
    results = []
    for n in args.publishers:
        modes = [REASSEMBLY] + ([STOCK] if args.stock else []) + ([DECODE] if args.decode else [])
        for mode in modes:
            result = asyncio.run(run_once(n, args.seconds, mode, video))
            print(table([result]).splitlines()[-1], flush=True)
            results.append(result)
    print(table(results))
    if args.write:
        command = "python -m bench.sfu " + " ".join(
            [f"--publishers {' '.join(map(str, args.publishers))}", f"--seconds {args.seconds:g}"]
            + (["--decode"] if args.decode else [])
            + (["--stock"] if args.stock else [])
        )
        write_doc(results, command)


if __name__ == "__main__":
    main()
