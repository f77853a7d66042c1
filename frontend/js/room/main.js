// The video room: wires the page's #room element, the signaling socket, the media session and
// the view together. Protocol: docs/rooms-protocol.md.
import { setLang, t } from "./i18n.js";
import { ensureStylesheet } from "./dom.js";
import { Signaling, wsUrlFor } from "./signaling.js";
import { MediaSession, getLocalMedia } from "./media.js";
import { QualityMeter, watchSpeaking } from "./activity.js";
import { RoomLayout } from "./ui.js";
import { TileGrid } from "./tiles.js";
import { ChatPanel } from "./chat.js";
import { participantControls, renderMediatorPanel, renderToolbar, renderWaitingList } from "./controls.js";

const QUALITY_EVERY_MS = 4000;
const SPEAKING_MIN_GAP_MS = 400;
const REOFFER_MIN_GAP_MS = 2000;

export function startRoom(root) {
  ensureStylesheet(new URL("../../css/room.css", import.meta.url).href);
  const data = root.dataset;
  setLang(data.lang || document.documentElement.lang);
  const isMediator = data.role === "mediator";
  const state = {
    phase: "lobby",
    me: { id: String(data.participantId ?? ""), name: data.name ?? "", role: data.role ?? "" },
    participants: [],
    recording: "off",
    recordingReason: "",
    recordingStarts: "auto",
    caucusRecorded: null,
    group: "plenary",
    audience: [],
    micOn: true,
    camOn: true,
    hand: false,
    sharing: false,
    mutedByMediator: false,
    tracks: new Map(),
    screen: null,
  };
  const layout = new RoomLayout(root);
  let localStream = null;
  let signaling = null;
  let media = null;
  let stopSpeaking = () => {};
  let qualityTimer = null;
  let offeredOnThisSocket = false;
  let negotiating = false;
  let negotiatePending = false;
  let lastOfferAt = 0;
  const quality = new QualityMeter();

  const actions = {
    admit: (id) => send({ type: "admit", participant_id: id }),
    mute: (id, muted) => send({ type: "mute", participant_id: id, muted }),
    remove: (id) => send({ type: "remove", participant_id: id }),
    move: (ids, group) => send({ type: "move", participant_ids: ids, group }),
    recording: (action, reason) => send(reason ? { type: "recording", action, reason } : { type: "recording", action }),
    end: () => send({ type: "end" }),
    toggleMic: () => {
      state.micOn = !state.micOn;
      media?.setMicEnabled(state.micOn && !state.mutedByMediator);
      render();
    },
    toggleCam: () => {
      state.camOn = !state.camOn;
      media?.setCamEnabled(state.camOn);
      render();
    },
    toggleScreen: async () => {
      if (!media) return;
      try {
        if (state.sharing) await media.stopScreen();
        else {
          await media.startScreen();
          state.sharing = true;
        }
      } catch (error) {
        layout.flash(t("error", { message: error.message ?? error }));
      }
      render();
    },
    toggleHand: () => {
      state.hand = !state.hand;
      send({ type: "hand", raised: state.hand });
      render();
    },
    leave: () => finish(t("left")),
  };

  const tiles = new TileGrid(layout.grid, {
    controlsFor: (p) => (isMediator ? participantControls({ root, me: state.me, p, actions }) : null),
  });
  const chat = new ChatPanel(layout.chat, { send: (text) => send({ type: "chat", text }) });

  function send(frame) {
    return signaling ? signaling.send(frame) : false;
  }

  function myEntry() {
    return state.participants.find((p) => String(p.id) === state.me.id);
  }

  function render() {
    const participants = myEntry() ? state.participants : [{ ...state.me, state: "in_room", group: state.group }, ...state.participants];
    tiles.update({ me: state.me, participants, tracks: state.tracks });
    if (localStream) tiles.setLocal(state.me, localStream);
    layout.setRecording(state.recording, state.recordingReason);
    layout.setCaucusPolicy(state.caucusRecorded);
    layout.setGroup(state.group, state.audience);
    layout.renderScreen(state.screen);
    // Each part is rebuilt only when what it shows changed (see tiles.js: lost clicks).
    const canScreen = isMediator && state.phase === "room";
    once(layout.toolbar, [state.micOn, state.camOn, state.sharing, state.hand, state.mutedByMediator, canScreen], () =>
      renderToolbar(layout.toolbar, { state, canScreen, actions }),
    );
    if (isMediator) {
      const waiting = state.participants.filter((p) => p.state === "waiting").map((p) => [p.id, p.name]);
      once(layout.waitingList, waiting, () => renderWaitingList(layout.waitingList, state.participants, actions));
      layout.mediatorPanel.hidden = false;
      const inRoom = state.participants.filter((p) => p.state === "in_room").map((p) => [p.id, p.group]);
      once(layout.mediatorPanel, [state.recording, state.recordingStarts, inRoom], () =>
        renderMediatorPanel(layout.mediatorPanel, { root, recording: state.recording, starts: state.recordingStarts, participants: state.participants, me: state.me, actions }),
      );
    }
  }

  function setPhase(phase) {
    state.phase = phase;
    layout.setPhase(phase);
    if (phase === "waiting") layout.renderWaiting(localStream);
    render();
  }

  // --- lobby ---------------------------------------------------------------------------------
  let mediaError = null;
  let joining = false;
  const showLobby = (busy = false) => layout.renderLobby({ stream: localStream, error: mediaError, busy, onJoin: join });
  setPhase("lobby");
  showLobby();
  const localReady = getLocalMedia()
    .then((stream) => {
      localStream = stream;
    })
    .catch((error) => {
      mediaError = error?.message ?? String(error);
    })
    .finally(() => {
      if (state.phase === "lobby") showLobby();
    });

  async function join() {
    if (signaling || joining) return;
    joining = true;
    showLobby(true);
    state.phase = "connecting";
    root.dataset.phase = "connecting";
    // The join click is the user gesture that lets audio contexts and remote audio start:
    // create the context now, before awaiting anything.
    const audioContext = new AudioContext();
    audioContext.resume().catch(() => {});
    await localReady;
    media = new MediaSession({ localStream, slotsCount: Number(data.slots) || 6 });
    media.addEventListener("tracks", (event) => {
      state.tracks = event.detail.participants;
      state.screen = event.detail.screen;
      render();
    });
    media.addEventListener("need-offer", () => renegotiate());
    media.addEventListener("state", (event) => {
      root.dataset.media = event.detail.state;
      layout.setConnection(event.detail.state === "connected" || event.detail.state === "new" || event.detail.state === "connecting" ? null : t("media_reconnecting"));
    });
    media.addEventListener("screen-stopped", () => {
      state.sharing = false;
      render();
    });
    stopSpeaking = watchSpeaking(media.audioTrack, onSpeaking, { audioContext });
    signaling = new Signaling(wsUrlFor(data.wsUrl, data.sessionId));
    signaling.addEventListener("open", () => {
      offeredOnThisSocket = false;
      layout.setConnection(null);
    });
    signaling.addEventListener("frame", (event) => onFrame(event.detail));
    signaling.addEventListener("lost", () => layout.setConnection(t("reconnecting")));
    signaling.addEventListener("final", (event) => finish(t(`closed_${event.detail.code}`)));
    signaling.start();
    qualityTimer = setInterval(reportQuality, QUALITY_EVERY_MS);
  }

  // --- frames from the server ------------------------------------------------------------------
  function onFrame(frame) {
    switch (frame.type) {
      case "welcome": {
        if (frame.me) state.me = { ...state.me, ...frame.me, id: String(frame.me.id ?? state.me.id) };
        if (Array.isArray(frame.participants)) state.participants = frame.participants;
        applyRecording(frame.recording);
        if (media && Array.isArray(frame.ice_servers)) media.iceServers = frame.ice_servers;
        if (media && Number(frame.slots_count) > 0) media.slotsCount = Number(frame.slots_count);
        syncMe();
        // The server follows up with `admitted` or `waiting`; an `admitted: true` here only saves
        // a round of waiting (onAdmitted offers once per socket either way).
        if (frame.me?.admitted === true) onAdmitted();
        else render();
        break;
      }
      case "waiting":
        if (state.phase !== "waiting") setPhase("waiting");
        break;
      case "admitted":
        onAdmitted();
        break;
      case "presence":
        if (Array.isArray(frame.participants)) state.participants = frame.participants;
        syncMe();
        render();
        break;
      case "answer":
        media?.applyAnswer(frame.sdp).catch((error) => {
          console.warn("answer rejected", error);
          renegotiate();
        });
        break;
      case "slots":
        media?.applySlots(frame.slots);
        break;
      case "chat":
        chat.add({ name: frame.name, text: frame.text, at: frame.at, mine: String(frame.from) === state.me.id });
        break;
      case "muted":
        state.mutedByMediator = Boolean(frame.muted);
        media?.setMicEnabled(state.micOn && !state.mutedByMediator);
        layout.flash(state.mutedByMediator ? t("muted_by_mediator") : t("unmuted_by_mediator"));
        render();
        break;
      case "moved":
        state.group = frame.group ?? "plenary";
        state.audience = Array.isArray(frame.audience) ? frame.audience : [];
        render();
        break;
      case "recording":
        applyRecording(frame);
        render();
        break;
      case "recording_alert":
        if (isMediator) layout.showRecordingAlert(frame.code, frame.message);
        break;
      case "removed":
        finish(t("removed"));
        break;
      case "ended":
        finish(t("ended"));
        break;
      case "reconnect_media":
        layout.setConnection(t("media_reconnecting"));
        renegotiate(true);
        break;
      case "error":
        onError(frame);
        break;
      default:
        break;
    }
  }

  function onAdmitted() {
    if (state.phase !== "room") setPhase("room");
    // One offer per socket: a reconnected socket means the server forgot our media session.
    if (!offeredOnThisSocket) {
      offeredOnThisSocket = true;
      renegotiate(true);
    }
  }

  function applyRecording(value) {
    state.recording = recordingState(value) ?? state.recording;
    state.caucusRecorded = caucusPolicy(value) ?? state.caucusRecorded;
    if (value && typeof value === "object") {
      state.recordingReason = typeof value.reason === "string" ? value.reason : "";
      if (value.starts === "auto" || value.starts === "mediator") state.recordingStarts = value.starts;
    }
  }

  function onError(frame) {
    console.warn("room error", frame);
    if (frame.ref === "offer" && frame.code === "media_unavailable") {
      // No live media worker right now: try again shortly; the page stays.
      layout.setConnection(t("media_reconnecting"));
      setTimeout(() => renegotiate(true), 2000);
      return;
    }
    if (frame.ref !== "ping" && frame.ref !== "speaking" && frame.ref !== "quality") {
      layout.flash(t("error", { message: frame.message ?? frame.code }));
    }
  }

  /** Presence is the truth about my group and whether the mediator muted me. */
  function syncMe() {
    const mine = myEntry();
    if (!mine) return;
    state.me = { ...state.me, name: mine.name ?? state.me.name, role: mine.role ?? state.me.role };
    if (mine.group && mine.group !== state.group) {
      state.group = mine.group;
      state.audience = state.participants
        .filter((p) => p.state === "in_room" && p.group === mine.group && String(p.id) !== state.me.id)
        .map((p) => p.name);
    }
    if (typeof mine.muted === "boolean" && mine.muted !== state.mutedByMediator) {
      state.mutedByMediator = mine.muted;
      media?.setMicEnabled(state.micOn && !state.mutedByMediator);
    }
  }

  async function renegotiate(force = false) {
    if (!media || state.phase === "final") return;
    if (!force && Date.now() - lastOfferAt < REOFFER_MIN_GAP_MS) return;
    if (negotiating) {
      negotiatePending = true;
      return;
    }
    negotiating = true;
    try {
      do {
        negotiatePending = false;
        lastOfferAt = Date.now();
        quality.reset();
        const sdp = await media.renew();
        if (state.phase === "final") return;
        send({ type: "offer", sdp });
      } while (negotiatePending);
    } catch (error) {
      console.warn("offer failed", error);
    } finally {
      negotiating = false;
    }
  }

  // --- what we report --------------------------------------------------------------------------
  let speakingSent = null;
  let speakingTimer = null;
  let speakingNow = false;
  let speakingAt = 0;
  function onSpeaking(speaking) {
    speakingNow = speaking;
    const flush = () => {
      speakingTimer = null;
      if (speakingNow === speakingSent || state.phase !== "room") return;
      if (send({ type: "speaking", speaking: speakingNow })) {
        speakingSent = speakingNow;
        speakingAt = Date.now();
      }
    };
    if (speakingTimer) return;
    const wait = Math.max(0, SPEAKING_MIN_GAP_MS - (Date.now() - speakingAt));
    speakingTimer = setTimeout(flush, wait);
  }

  async function reportQuality() {
    const pc = media?.pc;
    if (!pc || state.phase !== "room" || pc.connectionState !== "connected") return;
    try {
      const q = await quality.measure(pc);
      if (!q) return;
      layout.setQuality(q);
      send({ type: "quality", ...q });
    } catch {
      /* the connection was replaced while measuring */
    }
  }

  function finish(message) {
    if (state.phase === "final") return;
    state.phase = "final";
    clearInterval(qualityTimer);
    stopSpeaking();
    signaling?.stop();
    media?.close();
    if (!media) for (const track of localStream?.getTracks() ?? []) track.stop();
    tiles.clear();
    layout.showFinal(message);
  }

  // A handle for automated browsers and debugging: the live state and peer connection.
  window.accordRoom = {
    state,
    get pc() {
      return media?.pc ?? null;
    },
    get signaling() {
      return signaling;
    },
  };
}

/** Run `build` when `key` differs from the last one built into `el`. */
function once(el, key, build) {
  const text = JSON.stringify(key);
  if (el.dataset.key === text) return;
  el.dataset.key = text;
  build();
}

function caucusPolicy(value) {
  if (value && typeof value.caucus_recorded === "boolean") return value.caucus_recorded;
  return null;
}

function recordingState(value) {
  if (typeof value === "string") return value;
  if (value && typeof value.state === "string") return value.state;
  return null;
}

const root = document.getElementById("room");
if (root) startRoom(root);
