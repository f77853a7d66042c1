// Buttons: the participant's own toolbar and the mediator's controls (admit, mute, remove,
// caucus moves, recording, end). Every destructive action goes through an in-page dialog.
import { h, fill } from "./dom.js";
import { t } from "./i18n.js";
import { confirmDialog, reasonDialog } from "./dialog.js";

/** The group name for a private session of the mediator with one party. */
export function caucusGroupFor(participantId) {
  return `caucus-p${String(participantId).replace(/[^A-Za-z0-9_-]/g, "")}`;
}

/** Per-tile mediator buttons for participant `p`. */
export function participantControls({ root, me, p, actions }) {
  const id = String(p.id);
  const inCaucus = p.group && p.group !== "plenary";
  return h(
    "div",
    { class: "tile-actions" },
    h(
      "button",
      { type: "button", class: "room-btn small", dataset: { testid: "mute-button", participantId: id }, onclick: () => actions.mute(id, !p.muted) },
      p.muted ? t("unmute") : t("mute"),
    ),
    inCaucus
      ? h(
          "button",
          { type: "button", class: "room-btn small", dataset: { testid: "plenary-button", participantId: id }, onclick: () => actions.move([id, String(me.id)], "plenary") },
          t("to_plenary"),
        )
      : h(
          "button",
          { type: "button", class: "room-btn small", dataset: { testid: "caucus-button", participantId: id }, onclick: () => actions.move([String(me.id), id], caucusGroupFor(id)) },
          t("caucus_with"),
        ),
    h(
      "button",
      {
        type: "button",
        class: "room-btn small danger",
        dataset: { testid: "remove-button", participantId: id },
        onclick: async () => {
          if (await confirmDialog(root, t("remove_confirm", { name: p.name }))) actions.remove(id);
        },
      },
      t("remove"),
    ),
  );
}

/** The mediator's waiting list: one admit button per waiting participant. */
export function renderWaitingList(container, participants, actions) {
  const waiting = participants.filter((p) => p.state === "waiting");
  container.hidden = waiting.length === 0;
  fill(
    container,
    h("h2", {}, t("waiting_list")),
    h(
      "ul",
      {},
      waiting.map((p) =>
        h(
          "li",
          { dataset: { participantId: String(p.id) } },
          h("span", {}, p.name),
          h(
            "button",
            { type: "button", class: "room-btn primary small", dataset: { testid: "admit-button", participantId: String(p.id) }, onclick: () => actions.admit(String(p.id)) },
            t("admit"),
          ),
        ),
      ),
    ),
  );
}

/** Recording, plenary and end-session controls of the mediator. `starts` is the organization's
 * policy: "auto" records the whole hearing (no stop), "mediator" lets the mediator start and stop. */
export function renderMediatorPanel(container, { root, recording, starts, participants, me, actions }) {
  const buttons = [];
  const rec = (action, label, testid, onclick) =>
    h("button", { type: "button", class: "room-btn small", dataset: { testid }, onclick: onclick ?? (() => actions.recording(action)) }, label);
  if (recording === "off") buttons.push(rec("start", t("rec_start"), "recording-start-button"));
  if (recording === "on") {
    buttons.push(
      rec("pause", t("rec_pause"), "recording-pause-button", async () => {
        const reason = await reasonDialog(root, t("rec_pause_reason"), { confirmLabel: t("rec_pause"), placeholder: t("rec_pause_placeholder") });
        if (reason) actions.recording("pause", reason);
      }),
    );
  }
  if (recording === "paused") buttons.push(rec("resume", t("rec_resume"), "recording-resume-button"));
  if (recording !== "off" && starts === "mediator") {
    buttons.push(
      h(
        "button",
        {
          type: "button",
          class: "room-btn small",
          dataset: { testid: "recording-stop-button" },
          onclick: async () => {
            if (await confirmDialog(root, t("rec_stop_confirm"))) actions.recording("stop");
          },
        },
        t("rec_stop"),
      ),
    );
  }
  const inRoom = participants.filter((p) => p.state === "in_room");
  if (inRoom.some((p) => p.group && p.group !== "plenary")) {
    buttons.push(
      h(
        "button",
        { type: "button", class: "room-btn small", dataset: { testid: "all-plenary-button" }, onclick: () => actions.move(inRoom.map((p) => String(p.id)), "plenary") },
        t("all_to_plenary"),
      ),
    );
  }
  buttons.push(
    h(
      "button",
      {
        type: "button",
        class: "room-btn small danger",
        dataset: { testid: "end-session-button" },
        onclick: async () => {
          if (await confirmDialog(root, t("end_session_confirm"), { confirmLabel: t("end_session") })) actions.end();
        },
      },
      t("end_session"),
    ),
  );
  fill(container, h("h2", {}, t("controls")), h("div", { class: "panel-buttons" }, buttons));
  container.dataset.me = String(me.id);
}

/** The participant's own toolbar. */
export function renderToolbar(container, { state, canScreen, actions }) {
  const micLocked = state.mutedByMediator;
  fill(
    container,
    h(
      "button",
      {
        type: "button",
        class: `room-btn${state.micOn && !micLocked ? "" : " off"}`,
        dataset: { testid: "mic-button" },
        disabled: micLocked,
        "aria-pressed": String(state.micOn && !micLocked),
        title: micLocked ? t("muted_by_mediator") : "",
        onclick: actions.toggleMic,
      },
      state.micOn && !micLocked ? t("mic_on") : t("mic_off"),
    ),
    h(
      "button",
      { type: "button", class: `room-btn${state.camOn ? "" : " off"}`, dataset: { testid: "camera-button" }, "aria-pressed": String(state.camOn), onclick: actions.toggleCam },
      state.camOn ? t("cam_on") : t("cam_off"),
    ),
    canScreen
      ? h(
          "button",
          { type: "button", class: `room-btn${state.sharing ? " active" : ""}`, dataset: { testid: "screen-button" }, onclick: actions.toggleScreen },
          state.sharing ? t("stop_share") : t("share_screen"),
        )
      : null,
    h(
      "button",
      { type: "button", class: `room-btn${state.hand ? " active" : ""}`, dataset: { testid: "hand-button" }, "aria-pressed": String(state.hand), onclick: actions.toggleHand },
      state.hand ? t("lower_hand") : t("raise_hand"),
    ),
    h("button", { type: "button", class: "room-btn danger", dataset: { testid: "leave-button" }, onclick: actions.leave }, t("leave")),
  );
}
