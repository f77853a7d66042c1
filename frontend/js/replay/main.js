// The synchronized replay of one hearing session (the page is server-rendered; this adds the
// player). One master clock in session time; every participant's <video> follows it through
// its spans (file time ↔ session time), nudged by playbackRate when it drifts and re-seeked
// when it drifts far, so every element stays within ~100 ms of the clock.

import { MasterClock } from "./clock.js";
import {
  compositionAt,
  excludedAt,
  fileTimeAt,
  formatClock,
  nextSpan,
  sessionTimeOf,
} from "./spans.js";
import { renderComposition, renderTimeline } from "./timeline.js";

const TICK_MS = 50;
const NUDGE_FROM_MS = 20; // below this a video plays at the clock's rate
const SEEK_FROM_MS = 500; // beyond this a video is re-seeked instead of nudged
const NUDGE_MAX = 0.25; // at most ±25 % of the rate while catching up
const PREROLL_MS = 2000; // a video about to enter a span is parked at its start this early
const ALIGN_TOLERANCE_MS = 30;
const WAIT_LIMIT_MS = 4000; // a video not ready by then is left behind (it rejoins later)

const root = document.getElementById("replay");
const dataNode = document.getElementById("replay-data");

if (root && dataNode) start(root, JSON.parse(dataNode.textContent));

function start(root, data) {
  const strings = data.strings;
  const clock = new MasterClock(data.duration_ms);
  const files = new Map(data.files.map((file) => [String(file.id), file]));
  const players = [...root.querySelectorAll("video[data-testid=replay-video]")].map((el) => {
    const file = files.get(el.dataset.fileId);
    el.removeAttribute("controls");
    el.preload = "auto";
    const player = {
      el,
      file,
      overlay: el.parentElement.querySelector(".replay-overlay"),
      waiting: false,
      lagging: false,
      active: false,
    };
    el.addEventListener("waiting", () => (player.waiting = true));
    el.addEventListener("playing", () => (player.waiting = false));
    el.addEventListener("seeked", () => (player.waiting = false));
    return player;
  });

  const playButton = root.querySelector("[data-testid=replay-play]");
  const speed = root.querySelector("[data-testid=replay-speed]");
  const clockLabel = root.querySelector("[data-testid=replay-clock]");
  const compositionNode = root.querySelector("[data-testid=replay-composition]");
  const timelineNode = root.querySelector("[data-testid=replay-timeline]");
  root.querySelector(".replay-controls")?.removeAttribute("hidden");
  timelineNode?.removeAttribute("hidden");
  root.querySelector(".noscript-note")?.remove();

  // "paused" | "align" (parking videos, waiting until they can play) | "starting" | "running"
  let phase = "paused";
  let wanted = false;
  let alignSince = 0;

  const timeline = timelineNode
    ? renderTimeline(timelineNode, data, { onSeek: (ms) => seek(ms), strings })
    : null;

  for (const item of root.querySelectorAll("[data-testid=replay-event]")) {
    item.tabIndex = 0;
    item.addEventListener("click", () => seek(Number(item.dataset.atMs)));
    item.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        seek(Number(item.dataset.atMs));
      }
    });
  }

  playButton?.addEventListener("click", () => (wanted ? pause() : play()));
  speed?.addEventListener("change", () => {
    clock.setRate(Number(speed.value) || 1);
    for (const player of players) player.el.playbackRate = clock.rate;
  });

  function targetOf(player, ms) {
    const target = fileTimeAt(player.file.spans, ms);
    if (target === null || target >= player.file.duration_ms) return null;
    return target;
  }

  function ready(player) {
    return !player.el.seeking && !player.waiting && player.el.readyState >= 2;
  }

  function pauseAll() {
    for (const player of players) if (!player.el.paused) player.el.pause();
  }

  function play() {
    if (clock.ended) clock.seek(0);
    wanted = true;
    enterAlign();
    renderButton();
  }

  function pause() {
    wanted = false;
    clock.hold();
    pauseAll();
    phase = "paused";
    renderButton();
  }

  function seek(ms) {
    clock.hold();
    clock.seek(ms);
    pauseAll();
    for (const player of players) player.lagging = false;
    if (wanted) enterAlign();
    else phase = "paused";
    tick();
  }

  function enterAlign() {
    clock.hold();
    pauseAll();
    phase = "align";
    alignSince = performance.now();
  }

  /** Put a video at its place for session ms (paused or not). */
  function park(player, fileMs) {
    const current = player.el.currentTime * 1000;
    if (Math.abs(current - fileMs) > ALIGN_TOLERANCE_MS && !player.el.seeking) {
      player.el.currentTime = fileMs / 1000;
    }
  }

  async function startAll(active) {
    phase = "starting";
    const ms = clock.now();
    const plays = active.map((player) => {
      player.el.playbackRate = clock.rate;
      return player.el.play().catch(() => undefined);
    });
    const timeout = new Promise((resolve) => setTimeout(resolve, 1500));
    await Promise.race([Promise.all(plays), timeout]);
    if (phase !== "starting" || !wanted) return; // paused or seeked meanwhile
    // Start the clock where the videos are now (they began moving a moment ago).
    const moved = active
      .map((player) => sessionTimeOf(player.file.spans, player.el.currentTime * 1000))
      .filter((value) => value !== null);
    clock.seek(moved.length ? Math.min(...moved) : ms);
    clock.run();
    phase = "running";
  }

  function tick() {
    const ms = clock.now();
    if (wanted && clock.ended) pause();
    const active = [];
    for (const player of players) {
      const target = targetOf(player, ms);
      player.active = target !== null;
      if (player.overlay) {
        player.overlay.hidden = player.active && !player.lagging;
        player.overlay.textContent = player.active
          ? strings.loading
          : excludedAt(player.file, ms)
            ? strings.not_included
            : strings.not_recorded;
      }
      player.el.closest(".replay-tile")?.classList.toggle("absent", !player.active);
      if (target === null) {
        if (!player.el.paused) player.el.pause();
        const next = nextSpan(player.file.spans, ms);
        if (next && next.start_ms - ms < PREROLL_MS) park(player, next.file_start_ms);
        continue;
      }
      active.push([player, target]);
    }

    if (phase === "paused") {
      for (const [player, target] of active) park(player, target);
    } else if (phase === "align") {
      for (const [player, target] of active) park(player, target);
      const late = performance.now() - alignSince > WAIT_LIMIT_MS;
      const waitingFor = active.filter(([player]) => !ready(player));
      if (late) for (const [player] of waitingFor) player.lagging = true;
      if (!waitingFor.length || late) {
        startAll(active.filter(([player]) => ready(player)).map(([player]) => player));
      }
    } else if (phase === "running") {
      follow(active, ms);
    }
    render(ms);
  }

  function follow(active, ms) {
    for (const [player, target] of active) {
      const el = player.el;
      const drift = el.currentTime * 1000 - target;
      if (player.lagging) {
        // Left behind: rejoin without holding the others once it can play at its place.
        if (ready(player) && Math.abs(drift) <= SEEK_FROM_MS) {
          player.lagging = false;
        } else {
          park(player, target + 300 * clock.rate);
          if (el.paused && ready(player)) el.play().catch(() => undefined);
          continue;
        }
      }
      if (player.waiting || el.seeking || Math.abs(drift) > SEEK_FROM_MS) {
        // Far off, or starved: hold the clock, re-align everyone, start together.
        enterAlign();
        return;
      }
      if (el.paused) {
        el.playbackRate = clock.rate;
        el.play().catch(() => undefined);
        continue;
      }
      if (Math.abs(drift) > NUDGE_FROM_MS) {
        const correction = Math.max(-NUDGE_MAX, Math.min(NUDGE_MAX, -drift / 500));
        el.playbackRate = clock.rate * (1 + correction);
      } else if (el.playbackRate !== clock.rate) {
        el.playbackRate = clock.rate;
      }
    }
  }

  function renderButton() {
    if (!playButton) return;
    playButton.dataset.state = wanted ? "playing" : "paused";
    playButton.textContent = wanted ? strings.pause : strings.play;
  }

  let lastComposition = null;
  function render(ms) {
    if (clockLabel) clockLabel.textContent = formatClock(ms);
    timeline?.setPlayhead(ms);
    const composition = compositionAt(data.compositions, ms);
    if (composition !== lastComposition && compositionNode) {
      lastComposition = composition;
      renderComposition(compositionNode, composition, data.participants, strings);
    }
  }

  renderButton();
  tick();
  setInterval(tick, TICK_MS);

  window.accordReplay = {
    clockMs: () => clock.now(),
    phase: () => phase,
    play,
    pause,
    seek,
    videos: () => {
      const ms = clock.now();
      return players.map((player) => {
        const fileMs = player.el.currentTime * 1000;
        return {
          participantId: player.el.dataset.participantId,
          source: player.el.dataset.source,
          fileMs,
          targetMs: targetOf(player, ms),
          sessionMs: sessionTimeOf(player.file.spans, fileMs),
          clockMs: ms,
          active: player.active,
          lagging: player.lagging,
          paused: player.el.paused,
          readyState: player.el.readyState,
          rate: player.el.playbackRate,
        };
      });
    },
  };
}
