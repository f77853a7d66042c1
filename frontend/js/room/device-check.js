// The device check before entering a room: camera preview, microphone level, a speaker test
// with a generated tone, and a connection check. Each item shows pass or fail on its own; the
// rules and recording acknowledgement form next to it is the server's.
import { ensureStylesheet, h, fill } from "./dom.js";
import { setLang, t } from "./i18n.js";
import { watchLevel } from "./activity.js";


const MIC_PASS_LEVEL = 0.02; // any audible input within the listening window passes
const MIC_LISTEN_MS = 8000;

export function startDeviceCheck(root) {
  ensureStylesheet(new URL("../../css/room.css", import.meta.url).href);
  setLang(root.dataset.lang || document.documentElement.lang);
  const items = {
    camera: item("camera", t("dc_camera")),
    microphone: item("microphone", t("dc_microphone")),
    speaker: item("speaker", t("dc_speaker")),
    connection: item("connection", t("dc_connection")),
  };
  const preview = h("video", { autoplay: true, playsInline: true, muted: true, class: "preview", dataset: { testid: "camera-preview" } });
  preview.muted = true;
  const meter = h("meter", { min: "0", max: "1", value: "0", class: "level", dataset: { testid: "mic-level" } });
  items.camera.body.append(preview);
  items.microphone.body.append(h("p", { class: "muted" }, t("dc_speak")), meter);
  const speakerButtons = h(
    "div",
    { class: "dc-buttons" },
    h("button", { type: "button", class: "room-btn", dataset: { testid: "play-tone" }, onclick: playTone }, t("dc_play_tone")),
    h("button", { type: "button", class: "room-btn", dataset: { testid: "tone-heard" }, onclick: () => setStatus(items.speaker, true) }, t("dc_heard_tone")),
    h("button", { type: "button", class: "room-btn", dataset: { testid: "tone-not-heard" }, onclick: () => setStatus(items.speaker, false) }, t("dc_not_heard")),
  );
  items.speaker.body.append(speakerButtons);
  const retry = h("button", { type: "button", class: "room-btn", dataset: { testid: "device-check-retry" }, onclick: () => runAll() }, t("dc_retry"));
  // When the page has its own way on (the rules acknowledgement form, or its enter link), a
  // second "continue" here would only skip the acknowledgement: show ours only without one.
  const pageLeadsOn = document.querySelector("form, [data-testid=enter-room]");
  const next = root.dataset.nextUrl && !pageLeadsOn
    ? h("a", { class: "room-btn primary", href: root.dataset.nextUrl, dataset: { testid: "device-check-continue" } }, t("dc_continue"))
    : null;
  fill(root, h("ul", { class: "dc-items" }, Object.values(items).map((i) => i.el)), h("div", { class: "dc-buttons" }, retry, next));
  root.classList.add("device-check");

  let stream = null;
  let stopLevel = () => {};

  async function checkDevices() {
    stopLevel();
    for (const track of stream?.getTracks() ?? []) track.stop();
    setStatus(items.camera, null);
    setStatus(items.microphone, null);
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    } catch {
      // Try each device alone so one broken device does not fail the other.
      stream = new MediaStream();
      for (const kind of ["audio", "video"]) {
        try {
          const s = await navigator.mediaDevices.getUserMedia({ [kind]: true });
          s.getTracks().forEach((track) => stream.addTrack(track));
        } catch (error) {
          const which = kind === "audio" ? items.microphone : items.camera;
          setStatus(which, false, error?.message ?? String(error));
        }
      }
    }
    const video = stream.getVideoTracks()[0];
    if (video) {
      preview.srcObject = new MediaStream([video]);
      preview.play().catch(() => {});
      // Passes once real frames arrive, not merely when a track exists.
      preview.addEventListener("loadeddata", () => setStatus(items.camera, true), { once: true });
      setTimeout(() => {
        if (items.camera.el.dataset.status === "checking") setStatus(items.camera, false);
      }, 8000);
    }
    const audio = stream.getAudioTracks()[0];
    if (audio) {
      const started = Date.now();
      stopLevel = watchLevel(audio, (level) => {
        meter.value = level;
        if (items.microphone.el.dataset.status !== "checking") return;
        if (level >= MIC_PASS_LEVEL) setStatus(items.microphone, true);
        else if (Date.now() - started > MIC_LISTEN_MS) setStatus(items.microphone, false);
      });
    }
  }

  async function checkConnection() {
    setStatus(items.connection, null);
    try {
      const response = await fetch("/healthz", { cache: "no-store", headers: { Accept: "application/json" } });
      const body = await response.json().catch(() => null);
      // The person's connection is fine when the server answers; of the server's components only
      // the media worker matters for a hearing (a background worker being down does not).
      const media = body?.components?.media_worker;
      const serverOk = response.ok || (body !== null && (!media || media.status === "up"));
      const ok = serverOk && "RTCPeerConnection" in window && "WebSocket" in window;
      setStatus(items.connection, ok, ok ? "" : `HTTP ${response.status}`);
    } catch (error) {
      setStatus(items.connection, false, error?.message ?? String(error));
    }
  }

  function playTone() {
    // A short generated tone: no audio file to ship, and it works offline.
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 660;
    gain.gain.setValueAtTime(0.0001, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.3, ctx.currentTime + 0.05);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 1.0);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 1.05);
    osc.addEventListener("ended", () => ctx.close());
    root.dataset.tonePlayed = "true";
  }

  function runAll() {
    setStatus(items.speaker, null);
    checkDevices();
    checkConnection();
  }

  runAll();
  window.accordDeviceCheck = { items };
}

function item(name, label) {
  const status = h("span", { class: "dc-status", dataset: { testid: `check-${name}-status` } });
  const body = h("div", { class: "dc-body" });
  const el = h("li", { class: "dc-item", dataset: { testid: `check-${name}`, status: "checking" } }, h("h3", {}, label, " ", status), body);
  return { el, status, body };
}

/** ok: true (pass), false (fail), null (checking). */
function setStatus(entry, ok, detail = "") {
  const value = ok === null ? "checking" : ok ? "pass" : "fail";
  entry.el.dataset.status = value;
  entry.status.textContent = ok === null ? t("dc_checking") : `${ok ? "✓" : "✗"} ${ok ? t("dc_pass") : t("dc_fail")}${detail ? ` (${detail})` : ""}`;
}

const root = document.getElementById("device-check");
if (root) startDeviceCheck(root);
