// The participant's one RTCPeerConnection to the media worker, with the fixed m-line layout of
// docs/rooms-protocol.md, and the mapping of receive slots (by mid) to remote participants.
// The worker never renegotiates, so every change of connection is a whole new offer: `renew()`.

const DISCONNECTED_GRACE_MS = 6000;

/** Camera and microphone; whichever is available (a hearing can go on with audio only). */
export async function getLocalMedia() {
  const constraints = [
    { audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } },
    { audio: true, video: false },
    { audio: false, video: true },
  ];
  let lastError = null;
  for (const c of constraints) {
    try {
      return await navigator.mediaDevices.getUserMedia(c);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError ?? new Error("getUserMedia unavailable");
}

export class MediaSession extends EventTarget {
  constructor({ localStream, slotsCount = 6, iceServers = [] }) {
    super();
    this.localStream = localStream;
    this.slotsCount = slotsCount;
    this.iceServers = iceServers;
    this.pc = null;
    this.screenTrack = null;
    this.generation = 0;
    this.slots = [];
    this.disconnectedTimer = null;
  }

  get audioTrack() {
    return this.localStream?.getAudioTracks()[0] ?? null;
  }

  get videoTrack() {
    return this.localStream?.getVideoTracks()[0] ?? null;
  }

  /** Close the current connection, build a new one and return its offer SDP. */
  async renew() {
    this.closePc();
    const generation = ++this.generation;
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: "max-bundle" });
    this.pc = pc;
    const stream = this.localStream ?? new MediaStream();
    // The order of these calls is the m-line order the worker expects.
    this.micTx = pc.addTransceiver(this.audioTrack ?? "audio", { direction: "sendrecv", streams: [stream] });
    this.camTx = pc.addTransceiver(this.videoTrack ?? "video", { direction: "sendrecv", streams: [stream] });
    this.screenTx = pc.addTransceiver(this.screenTrack ?? "video", { direction: "sendrecv" });
    for (let i = 0; i < this.slotsCount; i += 1) {
      pc.addTransceiver("audio", { direction: "recvonly" });
      pc.addTransceiver("video", { direction: "recvonly" });
    }
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addEventListener("connectionstatechange", () => this.onConnectionState(pc, generation));
    await pc.setLocalDescription(await pc.createOffer());
    // The worker does not trickle; neither do we: send the offer with every candidate in it.
    await waitForIceGathering(pc);
    this.slots = [];
    this.emitTracks();
    return pc.localDescription.sdp;
  }

  async applyAnswer(sdp) {
    const pc = this.pc;
    if (!pc || pc.signalingState !== "have-local-offer") return false;
    await pc.setRemoteDescription({ type: "answer", sdp });
    this.emitTracks();
    return true;
  }

  /** Remember the latest `slots` frame and announce which tracks belong to whom. */
  applySlots(slots) {
    this.slots = Array.isArray(slots) ? slots : [];
    this.emitTracks();
  }

  trackForMid(mid) {
    const tx = this.pc?.getTransceivers().find((t) => t.mid === String(mid));
    return tx ? tx.receiver.track : null;
  }

  emitTracks() {
    const participants = new Map();
    let screen = null;
    for (const slot of this.slots) {
      if (slot.participant_id == null) continue;
      const track = this.trackForMid(slot.mid);
      if (!track) continue;
      const pid = String(slot.participant_id);
      if (slot.source === "screen") {
        screen = { participantId: pid, track };
        continue;
      }
      const entry = participants.get(pid) ?? { audio: null, video: null, audioMid: null, videoMid: null };
      if (slot.kind === "audio") {
        entry.audio = track;
        entry.audioMid = String(slot.mid);
      } else {
        entry.video = track;
        entry.videoMid = String(slot.mid);
      }
      participants.set(pid, entry);
    }
    this.dispatchEvent(new CustomEvent("tracks", { detail: { participants, screen } }));
  }

  onConnectionState(pc, generation) {
    if (generation !== this.generation) return;
    const state = pc.connectionState;
    this.dispatchEvent(new CustomEvent("state", { detail: { state } }));
    clearTimeout(this.disconnectedTimer);
    if (state === "failed") {
      this.dispatchEvent(new CustomEvent("need-offer", { detail: { reason: "ice_failed" } }));
    } else if (state === "disconnected") {
      // ICE may come back by itself; if it does not, start over with a new offer.
      this.disconnectedTimer = setTimeout(() => {
        if (generation === this.generation && pc.connectionState === "disconnected") {
          this.dispatchEvent(new CustomEvent("need-offer", { detail: { reason: "ice_disconnected" } }));
        }
      }, DISCONNECTED_GRACE_MS);
    }
  }

  setMicEnabled(enabled) {
    if (this.audioTrack) this.audioTrack.enabled = enabled;
  }

  setCamEnabled(enabled) {
    if (this.videoTrack) this.videoTrack.enabled = enabled;
  }

  async startScreen() {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = display.getVideoTracks()[0];
    this.screenTrack = track;
    track.addEventListener("ended", () => this.stopScreen());
    if (this.screenTx) await this.screenTx.sender.replaceTrack(track);
    return track;
  }

  async stopScreen() {
    const track = this.screenTrack;
    this.screenTrack = null;
    if (this.screenTx) await this.screenTx.sender.replaceTrack(null).catch(() => {});
    if (track) track.stop();
    this.dispatchEvent(new CustomEvent("screen-stopped"));
  }

  closePc() {
    clearTimeout(this.disconnectedTimer);
    if (this.pc) {
      try {
        this.pc.close();
      } catch {
        /* already closed */
      }
    }
    this.pc = null;
  }

  close() {
    this.generation += 1;
    this.closePc();
    this.screenTrack?.stop();
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
  }
}

function waitForIceGathering(pc, timeoutMs = 3000) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      pc.removeEventListener("icegatheringstatechange", check);
      clearTimeout(timer);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === "complete") done();
    };
    // Without a usable candidate source gathering can hang; send what we have.
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener("icegatheringstatechange", check);
  });
}
