// The master clock of the replay, in session milliseconds. Every <video> follows it; the
// clock itself holds still while a video it waits for is seeking or buffering.

export class MasterClock {
  constructor(durationMs) {
    this.durationMs = durationMs;
    this.rate = 1;
    this.playing = false;
    this.anchorMs = 0;
    this.anchorAt = performance.now();
  }

  now() {
    if (!this.playing) return this.anchorMs;
    const ms = this.anchorMs + (performance.now() - this.anchorAt) * this.rate;
    return Math.min(ms, this.durationMs);
  }

  /** Freeze at the current time (pause, or wait for media). */
  hold() {
    this.anchorMs = this.now();
    this.anchorAt = performance.now();
    this.playing = false;
  }

  /** Run from the current time. */
  run() {
    this.anchorMs = this.now();
    this.anchorAt = performance.now();
    this.playing = true;
  }

  seek(ms) {
    this.anchorMs = Math.max(0, Math.min(ms, this.durationMs));
    this.anchorAt = performance.now();
  }

  setRate(rate) {
    this.anchorMs = this.now();
    this.anchorAt = performance.now();
    this.rate = rate;
  }

  get ended() {
    return this.now() >= this.durationMs;
  }
}
