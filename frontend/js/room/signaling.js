// The room's WebSocket (docs/rooms-protocol.md): JSON frames in and out, reconnection with
// backoff, and a ping watchdog. Chromium may keep a socket "open" through a network cut without
// noticing; the watchdog closes a socket that has been silent too long so that we reconnect.

const FINAL_CLOSE_CODES = new Set([4401, 4403, 4404, 4409, 4410]);
const PING_EVERY_MS = 3000;
const SILENCE_LIMIT_MS = 8000;
// Short backoff: an outage of up to ~10 s must end in a room again within a second or two.
const BACKOFF_MS = [250, 500, 1000, 2000];

/** Resolve data-ws-url (absolute ws(s) URL, or a path) against the page's location. An https
 * page always gets wss:// (a browser refuses ws:// from it), even if a TLS-terminating proxy
 * left the server thinking it was plain HTTP. */
export function wsUrlFor(raw, sessionId, loc = window.location) {
  const secure = loc.protocol === "https:";
  const scheme = secure ? "wss:" : "ws:";
  let value = raw || `/ws/rooms/${sessionId}/`;
  if (/^https?:\/\//.test(value)) value = value.replace(/^http/, "ws");
  if (secure) value = value.replace(/^ws:\/\//, "wss://");
  if (/^wss?:\/\//.test(value)) return value;
  return `${scheme}//${loc.host}${value.startsWith("/") ? "" : "/"}${value}`;
}

export class Signaling extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.ws = null;
    this.attempt = 0;
    this.stopped = false;
    this.lastHeard = 0;
    this.timer = null;
    this.reconnectTimer = null;
    this.opened = 0; // sockets opened so far: more than one means we reconnected
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  connect() {
    clearTimeout(this.reconnectTimer);
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (ws !== this.ws) return;
      this.attempt = 0;
      this.opened += 1;
      this.lastHeard = Date.now();
      this.startWatchdog();
      this.emit("open", {});
    });
    ws.addEventListener("message", (event) => {
      if (ws !== this.ws) return;
      this.lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame.type === "string") this.emit("frame", frame);
    });
    ws.addEventListener("close", (event) => {
      if (ws !== this.ws) return;
      this.onClosed(event.code);
    });
  }

  onClosed(code) {
    this.stopWatchdog();
    this.ws = null;
    if (this.stopped) return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.stopped = true;
      this.emit("final", { code });
      return;
    }
    this.emit("lost", { code });
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  startWatchdog() {
    this.stopWatchdog();
    this.timer = setInterval(() => {
      if (!this.ws) return;
      if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
        // Treat a silent socket as lost; ignore whatever it says later.
        const dead = this.ws;
        this.ws = null;
        try {
          dead.close();
        } catch {
          /* already closing */
        }
        this.onClosed(1006);
        return;
      }
      this.send({ type: "ping" });
    }, PING_EVERY_MS);
  }

  stopWatchdog() {
    clearInterval(this.timer);
    this.timer = null;
  }

  /** Send a frame; false when the socket is not open (the caller re-sends state on reconnect). */
  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Close for good (leaving, ended, removed): no reconnection. */
  stop() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.stopWatchdog();
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(1000);
    }
  }

  get connected() {
    return Boolean(this.ws && this.ws.readyState === WebSocket.OPEN);
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
