"""Pins every aiortc 1.16 internal that media_worker.aiortc_hooks relies on: these fail first
when an aiortc upgrade moves them, before the SFU silently decodes again or loses PLIs."""

from __future__ import annotations

import asyncio
import inspect
import queue
import threading
from fractions import Fraction

import aiortc.rtcrtpreceiver
import aiortc.rtcrtpsender
import av
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtpparameters import (
    RTCRtpCodecParameters,
    RTCRtpDecodingParameters,
    RTCRtpReceiveParameters,
    RTCRtpRtxParameters,
)
from aiortc.rtp import (
    RTCP_PSFB_FIR,
    RTCP_PSFB_PLI,
    RTCP_RTPFB_NACK,
    RtcpPsfbPacket,
    RtcpRtpfbPacket,
    RtpPacket,
)

from media_worker import aiortc_hooks
from tests.media_worker.media import PacketTrack, vp8_packets
from tests.media_worker.peers import wait_until
from tests.media_worker.test_reassembly import vp8_frame

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)


def test_the_receiver_still_feeds_its_decoder_through_a_queue_we_can_replace():
    source = inspect.getsource(RTCRtpReceiver._handle_rtp_packet)
    assert "self.__decoder_queue.put((codec, encoded_frame))" in source
    assert "self.__jitter_buffer.add(packet)" in source
    assert "self.__decoder_thread" in source
    receive = inspect.getsource(RTCRtpReceiver.receive)
    assert "target=decoder_worker" in receive
    assert "self.__decoder_queue" in receive


async def test_a_tapped_receiver_hands_over_frames_and_its_decoder_thread_decodes_nothing(
    monkeypatch,
):
    calls = []
    monkeypatch.setattr(aiortc.rtcrtpreceiver, "get_decoder", lambda codec: calls.append(codec))
    pc = RTCPeerConnection()
    receiver = pc.addTransceiver("video").receiver
    assert isinstance(getattr(receiver, aiortc_hooks._DECODER_QUEUE), queue.Queue)
    frames = []
    aiortc_hooks.tap_encoded_frames(receiver, lambda codec, frame: frames.append(frame.data))
    assert aiortc_hooks.is_tapped(receiver)

    tap = getattr(receiver, aiortc_hooks._DECODER_QUEUE)
    tap.put((VP8, JitterFrame(b"\x10frame", 0)))
    tap.put(None)  # what aiortc's __stop_decoder sends
    # The decoder thread as aiortc starts it, with the tap for its input.
    out: asyncio.Queue = asyncio.Queue()
    worker = threading.Thread(
        target=aiortc.rtcrtpreceiver.decoder_worker,
        args=(asyncio.get_running_loop(), tap, out, threading.Event()),
    )
    worker.start()
    worker.join(timeout=2)

    assert not worker.is_alive()
    assert frames == [b"\x10frame"]
    assert calls == []
    assert await asyncio.wait_for(out.get(), 1) is None  # the remote track just ends
    await pc.close()


async def test_an_untapped_receiver_decodes_which_is_what_the_tap_prevents(monkeypatch):
    calls = []
    real = aiortc.rtcrtpreceiver.get_decoder

    def spy(codec):
        calls.append(codec)
        return real(codec)

    monkeypatch.setattr(aiortc.rtcrtpreceiver, "get_decoder", spy)
    sender_pc, receiver_pc = RTCPeerConnection(), RTCPeerConnection()
    sender_pc.addTrack(PacketTrack("video", vp8_packets()))
    await sender_pc.setLocalDescription(await sender_pc.createOffer())
    await receiver_pc.setRemoteDescription(sender_pc.localDescription)
    await receiver_pc.setLocalDescription(await receiver_pc.createAnswer())
    await sender_pc.setRemoteDescription(receiver_pc.localDescription)
    try:
        await wait_until(lambda: calls, timeout=5, what="aiortc creates a decoder")
    finally:
        await sender_pc.close()
        await receiver_pc.close()


async def test_a_senders_pli_and_fir_go_to_our_callback():
    assert "self._send_keyframe()" in inspect.getsource(RTCRtpSender._handle_rtcp_packet)
    pc = RTCPeerConnection()
    sender = pc.addTransceiver("video").sender
    asked = []
    aiortc_hooks.on_keyframe_request(sender, lambda: asked.append(1))

    for fmt in (RTCP_PSFB_PLI, RTCP_PSFB_FIR):
        await sender._handle_rtcp_packet(RtcpPsfbPacket(fmt=fmt, ssrc=1, media_ssrc=sender._ssrc))

    assert asked == [1, 1]
    await pc.close()


async def test_picture_loss_goes_to_every_source_the_receiver_heard():
    pc = RTCPeerConnection()
    receiver = pc.addTransceiver("video").receiver
    params = inspect.signature(receiver._send_rtcp_pli).parameters
    assert list(params) == ["media_ssrc"]
    sent = []

    async def record(media_ssrc: int) -> None:
        sent.append(media_ssrc)

    receiver._send_rtcp_pli = record  # type: ignore[method-assign]
    assert await aiortc_hooks.send_picture_loss(receiver) is False  # heard nobody yet

    heard = getattr(receiver, "_RTCRtpReceiver__active_ssrc")  # noqa: B009
    heard[1234] = aiortc.rtcrtpreceiver.clock.current_datetime()
    assert await aiortc_hooks.send_picture_loss(receiver) is True
    assert sent == [1234]
    await pc.close()


async def test_a_sender_packs_an_av_packet_without_encoding_it(monkeypatch):
    source = inspect.getsource(RTCRtpSender._next_encoded_frame)
    assert "self.__encoder.pack(data)" in source
    encoded = []
    monkeypatch.setattr(aiortc.codecs.vpx.Vp8Encoder, "encode", lambda *args: encoded.append(args))

    class OnePacket(MediaStreamTrack):
        kind = "video"

        async def recv(self) -> av.Packet:
            packet = av.Packet(vp8_packets()[0])
            packet.pts, packet.time_base = 3000, Fraction(1, 90000)
            return packet

    pc = RTCPeerConnection()
    sender = pc.addTransceiver(OnePacket()).sender
    frame = await sender._next_encoded_frame(VP8)

    assert frame is not None and frame.payloads
    assert frame.timestamp == 3000
    assert encoded == []
    await pc.close()


async def test_the_negotiated_codec_is_read_from_the_transceiver():
    offerer, answerer = RTCPeerConnection(), RTCPeerConnection()
    offerer.addTransceiver("video", direction="recvonly")
    await offerer.setLocalDescription(await offerer.createOffer())
    await answerer.setRemoteDescription(offerer.localDescription)
    transceiver = answerer.getTransceivers()[0]

    assert isinstance(transceiver._codecs, list)
    assert aiortc_hooks.negotiated_mime_type(transceiver) == "video/vp8"
    await offerer.close()
    await answerer.close()


async def test_audio_frames_leave_the_jitter_buffer_as_soon_as_they_are_whole():
    from aiortc.jitterbuffer import JitterBuffer
    from aiortc.rtp import RtpPacket

    pc = RTCPeerConnection()
    receiver = pc.addTransceiver("audio").receiver
    held = getattr(receiver, aiortc_hooks._JITTER_BUFFER)
    assert (held.capacity, held._prefetch) == (16, 4)  # aiortc's own: 80 ms held back
    aiortc_hooks.forward_audio_at_once(receiver)
    buffer = getattr(receiver, aiortc_hooks._JITTER_BUFFER)
    assert isinstance(buffer, JitterBuffer)

    out = []
    for seq in range(3):
        packet = RtpPacket(sequence_number=seq, timestamp=seq * 960)
        packet._data = bytes([seq])  # type: ignore[attr-defined]
        out.append(buffer.add(packet)[1])

    # Frame 0 is out as soon as frame 1 starts (the end of a frame is the next one's start).
    assert out[0] is None and out[1] is not None and out[1].data == b"\x00"
    await pc.close()


def test_sender_reports_still_reach_the_receiver_through_an_instance_lookup():
    from aiortc.rtcdtlstransport import RTCDtlsTransport, RtpRouter

    assert "await recipient._handle_rtcp_packet(packet)" in inspect.getsource(
        RTCDtlsTransport._handle_rtcp_data
    )
    assert "isinstance(packet, RtcpSrPacket)" in inspect.getsource(RtpRouter.route_rtcp)
    handle = inspect.getsource(RTCRtpReceiver._handle_rtcp_packet)
    assert "isinstance(packet, RtcpSrPacket)" in handle
    receive = inspect.getsource(RTCRtpReceiver._handle_rtp_packet)
    assert "self.__timestamp_mapper.map(" in receive
    assert "self.__rtx_ssrc.get(packet.ssrc)" in receive


async def test_a_real_senders_reports_reach_the_callback_on_the_frames_timescale():
    """An SR from a real aiortc sender: NTP of now, and an RTP timestamp that, less the
    receiver's origin, lands among the frame timestamps the tap hands over."""
    import time

    from media_worker.clock import ntp_to_unix

    sender_pc, receiver_pc = RTCPeerConnection(), RTCPeerConnection()
    sender = sender_pc.addTrack(PacketTrack("video", vp8_packets()))
    receiver = receiver_pc.addTransceiver("video", direction="recvonly").receiver
    frames: list[tuple[float, int]] = []
    reports: list[tuple[float, int, int, int, int | None]] = []
    aiortc_hooks.tap_encoded_frames(
        receiver, lambda codec, frame: frames.append((time.time(), frame.timestamp))
    )
    aiortc_hooks.on_sender_report(
        receiver,
        lambda ssrc, ntp, rtp: reports.append(
            (time.time(), ssrc, ntp, rtp, aiortc_hooks.rtp_timestamp_origin(receiver))
        ),
    )
    assert aiortc_hooks.rtp_timestamp_origin(receiver) is None
    await sender_pc.setLocalDescription(await sender_pc.createOffer())
    await receiver_pc.setRemoteDescription(sender_pc.localDescription)
    await receiver_pc.setLocalDescription(await receiver_pc.createAnswer())
    await sender_pc.setRemoteDescription(receiver_pc.localDescription)
    try:
        await wait_until(
            lambda: any(origin is not None for *_, origin in reports),
            timeout=8,
            what="a sender report after the first frame",
        )
        arrival, ssrc, ntp, rtp, origin = next(r for r in reports if r[4] is not None)
        assert ssrc == sender._ssrc
        assert abs(ntp_to_unix(ntp) - arrival) < 0.5
        assert origin is not None
        on_frames_scale = (rtp - origin) % (1 << 32)
        # aiortc stamps an SR with its last sent packet; the jitter buffer hands that frame
        # over once the next frame starts arriving, so it may come just after the report.
        await wait_until(
            lambda: any(timestamp == on_frames_scale for _, timestamp in frames),
            timeout=5,
            what=f"the frame at the report's RTP time {on_frames_scale}",
        )
    finally:
        await sender_pc.close()
        await receiver_pc.close()


def test_the_receiver_still_depayloads_and_unwraps_rtx_before_its_jitter_buffer_and_nacks():
    source = inspect.getsource(RTCRtpReceiver._handle_rtp_packet)
    unwrap = source.index("packet = unwrap_rtx(")
    nack = source.index(
        "if self.__nack_generator is not None and self.__nack_generator.add(packet)"
    )
    depayload = source.index("packet._data = depayload(codec, packet.payload)")
    add = source.index("pli_flag, encoded_frame = self.__jitter_buffer.add(packet)")
    assert unwrap < nack < depayload < add
    init = inspect.getsource(RTCRtpReceiver.__init__)
    assert "self.__codecs: dict[int, RTCRtpCodecParameters] = {}" in init
    assert "self.__nack_generator = NackGenerator()" in init
    assert "self.__timestamp_mapper = TimestampMapper()" in init
    assert list(inspect.signature(RTCRtpReceiver._send_rtcp_nack).parameters) == [
        "self",
        "media_ssrc",
        "lost",
    ]


async def test_a_reassembled_receiver_takes_aiortcs_packets_and_sends_its_own_nacks():
    pc = RTCPeerConnection()
    receiver = pc.addTransceiver("video").receiver
    getattr(receiver, aiortc_hooks._CODECS)[96] = VP8  # what receive() fills in
    receiver._set_rtcp_ssrc(5678)
    sent: list = []

    async def send_rtcp(packet) -> None:
        sent.append(packet)

    receiver._send_rtcp = send_rtcp  # type: ignore[method-assign]
    frames: list[JitterFrame] = []
    aiortc_hooks.reassemble(
        receiver, "video", lambda codec, frame: frames.append(frame), request_keyframe=lambda: None
    )
    assert getattr(receiver, aiortc_hooks._NACK_GENERATOR) is None  # aiortc's is out of the way
    packets = [p for i in range(3) for p in vp8_frame(500 + 3 * i, 7000 + 3000 * i, key=i == 0)]
    lost = packets[4]
    for packet in packets:
        if packet is not lost:
            packet._data = None  # type: ignore[attr-defined]  # aiortc depayloads it
            await receiver._handle_rtp_packet(packet, arrival_time_ms=0)
    await asyncio.sleep(0.03)
    nacks = [p for p in sent if isinstance(p, RtcpRtpfbPacket) and p.fmt == RTCP_RTPFB_NACK]
    assert [p.lost for p in nacks] == [[lost.sequence_number]]
    assert [f.timestamp for f in frames] == [0]
    await receiver._handle_rtp_packet(lost, arrival_time_ms=0)
    # Whole frames, in order, on the scale aiortc's timestamp mapper gives tapped frames.
    assert [f.timestamp for f in frames] == [0, 3000, 6000]
    assert aiortc_hooks.rtp_timestamp_origin(receiver) == 7000
    await pc.close()


def test_the_rtp_router_still_registers_only_the_media_ssrc_of_a_receiver():
    import aiortc.rtcdtlstransport as dtls

    register = inspect.getsource(dtls.RTCDtlsTransport._register_rtp_receiver)
    assert "ssrcs.add(encoding.ssrc)" in register and "rtx" not in register
    route = inspect.getsource(dtls.RtpRouter.route_rtp)
    assert "self.ssrc_table.get(packet.ssrc)" in route
    assert "len(pt_receivers) == 1" in route


async def test_retransmissions_reach_the_camera_although_the_screen_shares_their_payload_type():
    rtx = RTCRtpCodecParameters(
        mimeType="video/rtx", clockRate=90000, payloadType=97, parameters={"apt": 96}
    )
    pc = RTCPeerConnection()
    camera = pc.addTransceiver("video", direction="recvonly").receiver
    screen = pc.addTransceiver("video", direction="recvonly").receiver
    for receiver in (camera, screen):
        # What setRemoteDescription gives a receiver before the connection starts it.
        receiver._track = aiortc.rtcrtpreceiver.RemoteStreamTrack(kind="video")
        aiortc_hooks.tap_encoded_frames(receiver, lambda codec, frame: None)
    aiortc_hooks.route_retransmissions(camera)
    screen.setTransport(camera.transport)  # one bundled transport, as in the SFU
    router = camera.transport._rtp_router

    def parameters(ssrc: int, rtx_ssrc: int) -> RTCRtpReceiveParameters:
        return RTCRtpReceiveParameters(
            codecs=[VP8, rtx],
            encodings=[
                RTCRtpDecodingParameters(
                    ssrc=ssrc, payloadType=96, rtx=RTCRtpRtxParameters(ssrc=rtx_ssrc)
                )
            ],
        )

    await camera.receive(parameters(1111, 2222))
    await screen.receive(parameters(3333, 4444))
    retransmission = RtpPacket(payload_type=97, ssrc=2222)
    assert router.route_rtp(retransmission) is camera
    # The screen's RTX SSRC was left to aiortc: shared payload type, unknown SSRC, dropped.
    assert router.route_rtp(RtpPacket(payload_type=97, ssrc=4444)) is None
    await pc.close()
