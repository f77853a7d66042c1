// Text chat panel: a message list and a form that sends `chat` frames (1–2000 characters).
import { h } from "./dom.js";
import { t } from "./i18n.js";

export class ChatPanel {
  constructor(container, { send }) {
    this.list = h("ol", { class: "chat-list", dataset: { testid: "chat-list" }, "aria-live": "polite" });
    this.input = h("input", { type: "text", maxlength: "2000", placeholder: t("chat_placeholder"), dataset: { testid: "chat-input" }, "aria-label": t("chat_placeholder") });
    const form = h(
      "form",
      {
        class: "chat-form",
        onsubmit: (event) => {
          event.preventDefault();
          const text = this.input.value.trim();
          if (!text) return;
          if (send(text.slice(0, 2000))) this.input.value = "";
        },
      },
      this.input,
      h("button", { type: "submit", class: "room-btn small", dataset: { testid: "chat-send" } }, t("send")),
    );
    container.replaceChildren(h("h2", {}, t("chat")), this.list, form);
  }

  add({ name, text, at, mine }) {
    const time = at ? new Date(at) : new Date();
    const stamp = Number.isNaN(time.getTime()) ? "" : time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    this.list.append(
      h("li", { class: mine ? "mine" : "" }, h("span", { class: "chat-meta" }, `${name} ${stamp}`), h("span", { class: "chat-text" }, text)),
    );
    this.list.scrollTop = this.list.scrollHeight;
  }
}
