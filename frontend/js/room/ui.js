// The room's layout inside #room and the parts that are not tiles or buttons: the lobby with
// the join button, the waiting room, the recording indicator, the caucus banner, notices, and
// the final screen.
import { h, fill } from "./dom.js";
import { t } from "./i18n.js";
import { qualityLevel } from "./activity.js";

export class RoomLayout {
  constructor(root) {
    this.root = root;
    this.recording = h("div", { class: "rec-indicator", dataset: { testid: "recording-indicator", state: "off" }, role: "status", "aria-live": "polite" });
    // The organization's caucus policy, announced next to the indicator (docs/recording.md).
    this.caucusPolicy = h("div", { class: "rec-policy", dataset: { testid: "caucus-policy" }, hidden: true });
    // Mediators only: a recording problem on the media server (spool filling up, uploads failing).
    this.recordingAlert = h("div", { class: "notice rec-alert", dataset: { testid: "recording-alert" }, role: "alert", hidden: true });
    this.quality = h("div", { class: "my-quality", dataset: { testid: "connection-quality" } });
    this.connection = h("div", { class: "conn-banner", dataset: { testid: "connection-banner" }, role: "status", hidden: true });
    this.banner = h("div", { class: "group-banner", dataset: { testid: "caucus-banner" }, role: "status" });
    this.notice = h("div", { class: "notice", role: "status", "aria-live": "polite", hidden: true });
    this.lobby = h("section", { class: "lobby" });
    this.waiting = h("section", { class: "waiting", dataset: { testid: "waiting-room" }, hidden: true });
    this.stage = h("section", { class: "stage", hidden: true });
    this.grid = h("div", { class: "tiles" });
    this.screen = h("div", { class: "screen-share", hidden: true });
    this.waitingList = h("section", { class: "panel waiting-list", dataset: { testid: "waiting-list" }, hidden: true });
    this.mediatorPanel = h("section", { class: "panel mediator-panel", hidden: true });
    this.chat = h("section", { class: "panel chat" });
    this.toolbar = h("nav", { class: "toolbar", "aria-label": t("controls") });
    this.final = h("section", { class: "final", dataset: { testid: "final-screen" }, hidden: true });
    this.side = h("aside", { class: "side" }, this.waitingList, this.mediatorPanel, this.chat);
    this.stage.append(this.banner, this.screen, this.grid);
    this.body = h("div", { class: "room-body" }, this.lobby, this.waiting, this.stage, this.side);
    fill(
      root,
      h("header", { class: "room-header" }, this.recording, this.caucusPolicy, this.quality),
      this.recordingAlert,
      this.connection,
      this.notice,
      this.body,
      this.toolbar,
      this.final,
    );
    this.setRecording("off");
    this.setQuality(null);
    this.side.hidden = true;
    this.toolbar.hidden = true;
  }

  /** lobby → connecting → waiting → room → final */
  setPhase(phase) {
    this.root.dataset.phase = phase;
    this.lobby.hidden = !(phase === "lobby" || phase === "connecting");
    this.waiting.hidden = phase !== "waiting";
    this.stage.hidden = phase !== "room";
    this.side.hidden = phase !== "room";
    this.toolbar.hidden = !(phase === "room" || phase === "waiting");
    this.final.hidden = phase !== "final";
    if (phase === "final") {
      this.body.hidden = true;
      this.toolbar.hidden = true;
      this.connection.hidden = true;
    }
  }

  renderLobby({ stream, onJoin, error, busy }) {
    const preview = h("video", { autoplay: true, playsInline: true, muted: true, class: "preview" });
    preview.muted = true;
    if (stream) preview.srcObject = stream;
    fill(
      this.lobby,
      preview,
      error ? h("p", { class: "error" }, t("no_media", { message: error })) : null,
      h(
        "button",
        { type: "button", class: "room-btn primary big", dataset: { testid: "join-button" }, disabled: busy, onclick: onJoin },
        busy ? t("joining") : t("join"),
      ),
    );
  }

  renderWaiting(stream) {
    const preview = h("video", { autoplay: true, playsInline: true, muted: true, class: "preview" });
    preview.muted = true;
    if (stream) preview.srcObject = stream;
    fill(this.waiting, h("h1", {}, t("waiting_title")), h("p", {}, t("waiting_text")), preview);
  }

  /** The recording state for everyone; a pause shows the mediator's reason. */
  setRecording(state, reason = "") {
    const key = { on: "recording_on", paused: "recording_paused" }[state] ?? "recording_off";
    this.recording.dataset.state = state;
    const why = state === "paused" && reason ? h("span", { class: "rec-reason", dataset: { testid: "recording-pause-reason" } }, t("rec_paused_because", { reason })) : null;
    fill(this.recording, h("span", { class: "rec-dot", "aria-hidden": "true" }), t(key), why);
  }

  /** Whether caucus rooms are recorded too; unknown (null) until the server says. */
  setCaucusPolicy(recorded) {
    this.caucusPolicy.hidden = recorded === null || recorded === undefined;
    this.caucusPolicy.dataset.recorded = String(Boolean(recorded));
    this.caucusPolicy.textContent = recorded ? t("caucus_recorded") : t("caucus_not_recorded");
  }

  showRecordingAlert(code, message) {
    const known = `rec_alert_${code}`;
    const text = t(known) !== known ? t(known) : message || t("rec_alert_other");
    this.recordingAlert.dataset.code = code ?? "";
    fill(
      this.recordingAlert,
      h("span", {}, text),
      " ",
      h("button", { type: "button", class: "room-btn small", dataset: { testid: "recording-alert-dismiss" }, onclick: () => (this.recordingAlert.hidden = true) }, t("dismiss")),
    );
    this.recordingAlert.hidden = false;
  }

  setQuality(q) {
    const level = qualityLevel(q);
    this.quality.dataset.level = level;
    const detail = q ? ` · ${q.rtt_ms} ms · ${q.loss_pct}% · ${q.kbps} kbps` : "";
    fill(this.quality, h("span", { class: `quality-dot q-${level}` }), `${t("quality")}: ${t(`quality_${level}`)}${detail}`);
  }

  /** Who can hear me: the plenary, or only the named members of my caucus. */
  setGroup(group, audience) {
    const caucus = group && group !== "plenary";
    this.banner.dataset.group = group ?? "plenary";
    this.banner.classList.toggle("caucus", Boolean(caucus));
    if (!caucus) this.banner.textContent = t("plenary_banner");
    else if (audience.length === 0) this.banner.textContent = t("caucus_alone");
    else this.banner.textContent = t("caucus_banner", { names: audience.join("、") });
  }

  setConnection(message) {
    this.connection.hidden = !message;
    this.connection.textContent = message ?? "";
  }

  flash(message, ms = 5000) {
    this.notice.hidden = false;
    this.notice.textContent = message;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.notice.hidden = true;
    }, ms);
  }

  renderScreen(screen) {
    let video = this.screen.querySelector("video");
    if (!screen) {
      this.screen.hidden = true;
      if (video) video.remove();
      return;
    }
    this.screen.hidden = false;
    if (!video) {
      video = h("video", { autoplay: true, playsInline: true, muted: true, dataset: { testid: "screen-video" }, "aria-label": t("screen") });
      video.muted = true;
      this.screen.append(video);
    }
    video.dataset.participantId = screen.participantId;
    if (video.srcObject?.getVideoTracks()[0] !== screen.track) video.srcObject = new MediaStream([screen.track]);
  }

  showFinal(message) {
    fill(this.final, h("p", {}, message));
    this.setPhase("final");
  }
}
