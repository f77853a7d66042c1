// The replay's timeline: event markers (click = seek), the playhead, and per participant a
// lane with the recorded spans and the speaking intervals; and the room's composition.

import { h, fill } from "../room/dom.js";
import { formatClock } from "./spans.js";

const pct = (ms, total) => `${total > 0 ? Math.min(100, Math.max(0, (ms / total) * 100)) : 0}%`;

export function renderTimeline(node, data, { onSeek, strings }) {
  const total = data.duration_ms;
  const track = node.querySelector(".replay-track");
  const markers = node.querySelector(".replay-markers");
  const playhead = node.querySelector("[data-testid=replay-playhead]");
  const lanes = node.querySelector(".replay-lanes");

  fill(
    markers,
    data.events.map((event) =>
      h("button", {
        type: "button",
        class: `replay-marker action-${event.action.replace(/[^a-z]+/g, "-")}`,
        style: { left: pct(event.at_ms, total) },
        title: `${formatClock(event.at_ms)} ${event.description}`,
        "aria-label": `${formatClock(event.at_ms)} ${event.description}`,
        dataset: { testid: "replay-marker", seq: event.seq, action: event.action, atMs: event.at_ms },
        onclick: (e) => {
          e.stopPropagation();
          onSeek(event.at_ms);
        },
      }),
    ),
  );

  const seekAt = (clientX) => {
    const box = track.getBoundingClientRect();
    if (box.width <= 0) return;
    onSeek(Math.round(((clientX - box.left) / box.width) * total));
  };
  track.addEventListener("click", (e) => seekAt(e.clientX));
  track.addEventListener("keydown", (e) => {
    const now = Number(playhead.dataset.ms);
    if (e.key === "ArrowRight") onSeek(now + 5000);
    else if (e.key === "ArrowLeft") onSeek(now - 5000);
    else return;
    e.preventDefault();
  });

  fill(
    lanes,
    data.files
      .filter((file) => file.source === "av")
      .map((file) =>
        h(
          "div",
          { class: "replay-lane", dataset: { testid: "replay-lane", participantId: file.participant_id } },
          h("span", { class: "replay-lane-name" }, file.name),
          h(
            "span",
            { class: "replay-lane-bar" },
            file.spans.map((span) =>
              h("span", {
                class: "replay-span",
                style: { left: pct(span.start_ms, total), width: pct(span.end_ms - span.start_ms, total) },
              }),
            ),
            file.speaking.map(([start, end]) =>
              h("span", {
                class: "replay-speaking",
                title: `${strings.speaking} ${formatClock(start)}–${formatClock(end)}`,
                style: { left: pct(start, total), width: pct(end - start, total) },
                onclick: (e) => {
                  e.stopPropagation();
                  onSeek(start);
                },
              }),
            ),
          ),
        ),
      ),
  );

  return {
    setPlayhead(ms) {
      const rounded = Math.round(ms);
      if (playhead.dataset.ms === String(rounded)) return;
      playhead.dataset.ms = String(rounded);
      playhead.style.left = pct(ms, total);
      track.setAttribute("aria-valuenow", String(rounded));
    },
  };
}

export function renderComposition(node, composition, participants, strings) {
  const groups = composition ? composition.groups : {};
  const byGroup = new Map();
  for (const [pid, group] of Object.entries(groups)) {
    if (!byGroup.has(group)) byGroup.set(group, []);
    byGroup.get(group).push(participants[pid]?.name ?? `#${pid}`);
  }
  const names = (list) => list.sort().join(", ");
  const parts = [];
  const plenary = byGroup.get("plenary");
  if (plenary) {
    parts.push(h("span", { class: "group plenary", dataset: { group: "plenary" } }, `${strings.plenary}: ${names(plenary)}`));
  }
  for (const [group, list] of [...byGroup.entries()].sort()) {
    if (group === "plenary") continue;
    parts.push(h("span", { class: "group caucus", dataset: { group } }, `${strings.caucus} (${group}): ${names(list)}`));
  }
  const waiting = composition ? composition.waiting : [];
  if (waiting.length) {
    const list = waiting.map((pid) => participants[pid]?.name ?? `#${pid}`);
    parts.push(h("span", { class: "group waiting", dataset: { group: "waiting" } }, `${strings.waiting}: ${names(list)}`));
  }
  if (!parts.length) parts.push(h("span", { class: "group empty" }, strings.nobody));
  node.dataset.groups = JSON.stringify(groups);
  node.dataset.seq = composition ? String(composition.seq) : "";
  fill(node, parts);
}
