// Measurements the room reports about itself: whether the local microphone hears speech
// (`speaking` frames) and connection quality from getStats() (`quality` frames).

const SPEAK_THRESHOLD = 0.02; // RMS of the time-domain signal, 0..1
const SPEAK_HANGOVER_MS = 1200; // keep "speaking" through short pauses between words

/** Calls onChange(bool) when speech starts or stops on `track`; returns a stop function. */
export function watchSpeaking(track, onChange, { audioContext } = {}) {
  if (!track) return () => {};
  const ctx = audioContext ?? new AudioContext();
  const source = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let speaking = false;
  let lastLoud = 0;
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    const rms = Math.sqrt(sum / samples.length);
    const now = Date.now();
    // A muted (disabled) track delivers silence, so muting ends "speaking" by itself.
    if (rms > SPEAK_THRESHOLD && track.enabled) lastLoud = now;
    const next = now - lastLoud < SPEAK_HANGOVER_MS;
    if (next !== speaking) {
      speaking = next;
      onChange(speaking);
    }
  }, 100);
  return () => {
    clearInterval(timer);
    source.disconnect();
    if (!audioContext) ctx.close();
  };
}

/** A level meter for the device check: calls onLevel(0..1) about 20 times a second. */
export function watchLevel(track, onLevel) {
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let peak = 0;
    for (const s of samples) peak = Math.max(peak, Math.abs(s));
    onLevel(Math.min(1, peak));
  }, 50);
  return () => {
    clearInterval(timer);
    source.disconnect();
    ctx.close();
  };
}

/** Quality over the interval since the previous call: {rtt_ms, loss_pct, kbps}. */
export class QualityMeter {
  constructor() {
    this.previous = null;
  }

  async measure(pc) {
    const report = await pc.getStats();
    let rtt = null;
    let bytes = 0;
    let lost = 0;
    let received = 0;
    report.forEach((s) => {
      if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") {
        if (typeof s.currentRoundTripTime === "number") rtt = s.currentRoundTripTime * 1000;
      }
      if (s.type === "inbound-rtp") {
        bytes += s.bytesReceived ?? 0;
        lost += Math.max(0, s.packetsLost ?? 0);
        received += s.packetsReceived ?? 0;
      }
      if (s.type === "outbound-rtp") bytes += s.bytesSent ?? 0;
    });
    const now = performance.now();
    const prev = this.previous;
    this.previous = { now, bytes, lost, received };
    if (!prev) return null;
    const seconds = Math.max(0.001, (now - prev.now) / 1000);
    const dLost = Math.max(0, lost - prev.lost);
    const dRecv = Math.max(0, received - prev.received);
    return {
      rtt_ms: Math.round(Math.max(0, rtt ?? 0)),
      loss_pct: dLost + dRecv > 0 ? Math.round((1000 * dLost) / (dLost + dRecv)) / 10 : 0,
      kbps: Math.round(Math.max(0, bytes - prev.bytes) * 8 / 1000 / seconds),
    };
  }

  reset() {
    this.previous = null;
  }
}

/** "good" / "fair" / "poor" / "unknown" for a quality report. */
export function qualityLevel(q) {
  if (!q || typeof q.rtt_ms !== "number") return "unknown";
  if (q.loss_pct > 8 || q.rtt_ms > 600) return "poor";
  if (q.loss_pct > 2 || q.rtt_ms > 250) return "fair";
  return "good";
}
