// Participant tiles: video, name, role, speaking highlight, hand, mute and quality badges.
// Tiles are kept by participant id and updated in place so playing videos never restart.
import { h, fill } from "./dom.js";
import { roleLabel, t } from "./i18n.js";
import { qualityLevel } from "./activity.js";

export class TileGrid {
  constructor(container, { controlsFor } = {}) {
    this.container = container;
    this.controlsFor = controlsFor ?? (() => null);
    this.tiles = new Map();
  }

  /** Create the local tile once, showing the local preview. */
  setLocal(me, stream) {
    const tile = this.ensure(me.id, true);
    const video = tile.querySelector("video") ?? h("video", { autoplay: true, playsInline: true, muted: true, dataset: { testid: "local-video" } });
    video.muted = true;
    if (video.srcObject !== stream) video.srcObject = stream;
    if (!video.isConnected) tile.querySelector(".tile-media").replaceChildren(video);
  }

  /**
   * participants: presence list entries ({id, name, role, state, group, muted, hand, speaking,
   * quality}); tracks: Map id -> {audio, video} from the media session.
   */
  update({ me, participants, tracks }) {
    const wanted = new Set([String(me.id)]);
    for (const p of participants) {
      const id = String(p.id);
      if (p.state !== "in_room") continue;
      wanted.add(id);
      const local = id === String(me.id);
      const tile = this.ensure(id, local);
      this.decorate(tile, p, local);
      if (!local) this.attachRemote(tile, id, tracks.get(id));
    }
    for (const [id, tile] of this.tiles) {
      if (!wanted.has(id)) {
        tile.remove();
        this.tiles.delete(id);
      }
    }
    this.container.dataset.count = String(this.tiles.size);
  }

  ensure(id, local) {
    let tile = this.tiles.get(String(id));
    if (!tile) {
      tile = h(
        "article",
        { class: `tile${local ? " local" : ""}`, dataset: { participantId: String(id), testid: local ? "local-tile" : "participant-tile" } },
        h("div", { class: "tile-media" }, h("div", { class: "tile-avatar" })),
        h("div", { class: "tile-label" }),
        h("div", { class: "tile-controls" }),
      );
      this.tiles.set(String(id), tile);
      if (local) this.container.prepend(tile);
      else this.container.append(tile);
    }
    return tile;
  }

  decorate(tile, p, local) {
    tile.classList.toggle("speaking", Boolean(p.speaking));
    tile.classList.toggle("hand", Boolean(p.hand));
    tile.dataset.group = p.group ?? "plenary";
    tile.dataset.role = p.role ?? "";
    const level = qualityLevel(p.quality);
    const avatar = tile.querySelector(".tile-avatar");
    if (avatar) avatar.textContent = initials(p.name);
    fill(
      tile.querySelector(".tile-label"),
      h("span", { class: "tile-name" }, p.name, local ? ` (${t("you")})` : ""),
      h("span", { class: "tile-role" }, roleLabel(p.role)),
      p.group && p.group !== "plenary" ? h("span", { class: "badge caucus" }, t("caucus_with")) : null,
      p.muted ? h("span", { class: "badge muted", title: t("mic_off") }, "🔇") : null,
      p.hand ? h("span", { class: "badge hand", title: t("hand_raised") }, "✋") : null,
      h("span", { class: `quality-dot q-${level}`, title: `${t("quality")}: ${t(`quality_${level}`)}` }),
    );
    // Rebuild the buttons only when what they show changes: presence arrives often (speaking,
    // quality), and a button replaced between mousedown and mouseup loses the click.
    const box = tile.querySelector(".tile-controls");
    const key = JSON.stringify([p.name, p.muted, p.group]);
    if (box.dataset.key !== key) {
      box.dataset.key = key;
      fill(box, local ? null : this.controlsFor(p));
    }
  }

  attachRemote(tile, id, entry) {
    const media = tile.querySelector(".tile-media");
    let video = media.querySelector("video[data-testid=remote-video]");
    if (entry?.video) {
      if (!video) {
        // Muted: the sound plays from the <audio> below, which the join click allowed to start.
        video = h("video", { autoplay: true, playsInline: true, muted: true, dataset: { testid: "remote-video", participantId: id } });
        video.muted = true;
        media.append(video);
      }
      if (video.srcObject?.getVideoTracks()[0] !== entry.video) {
        video.srcObject = new MediaStream([entry.video]);
        video.dataset.mid = entry.videoMid ?? "";
        video.play().catch(() => {});
      }
    } else if (video) {
      video.srcObject = null;
      video.remove();
    }
    let audio = media.querySelector("audio");
    if (entry?.audio) {
      if (!audio) {
        audio = h("audio", { autoplay: true, dataset: { participantId: id, testid: "remote-audio" } });
        media.append(audio);
      }
      if (audio.srcObject?.getAudioTracks()[0] !== entry.audio) {
        audio.srcObject = new MediaStream([entry.audio]);
        audio.dataset.mid = entry.audioMid ?? "";
        audio.play().catch(() => {});
      }
    } else if (audio) {
      audio.srcObject = null;
      audio.remove();
    }
    tile.classList.toggle("has-video", Boolean(entry?.video));
  }

  clear() {
    for (const tile of this.tiles.values()) tile.remove();
    this.tiles.clear();
  }
}

function initials(name) {
  const text = String(name ?? "").trim();
  if (!text) return "?";
  // Chinese names read best as their last one or two characters, Latin ones as initials.
  if (/[\u4e00-\u9fff]/.test(text)) return text.slice(-2);
  return text.split(/\s+/).map((w) => w[0]).join("").slice(0, 2).toUpperCase();
}
