// In-page confirmation dialogs. Never window.confirm: it blocks the page (and the media with
// it) and automated browsers cannot see it as part of the page.
import { h } from "./dom.js";
import { t } from "./i18n.js";

/** Resolves true when the user confirms, false when they cancel. */
export function confirmDialog(root, message, { confirmLabel } = {}) {
  return new Promise((resolve) => {
    const close = (answer) => {
      overlay.remove();
      document.removeEventListener("keydown", onKey);
      resolve(answer);
    };
    const onKey = (event) => {
      if (event.key === "Escape") close(false);
    };
    const confirmButton = h(
      "button",
      { type: "button", class: "room-btn danger", dataset: { testid: "confirm-button" }, onclick: () => close(true) },
      confirmLabel ?? t("confirm"),
    );
    const overlay = h(
      "div",
      { class: "room-dialog-overlay", role: "presentation" },
      h(
        "div",
        { class: "room-dialog", role: "alertdialog", "aria-modal": "true", "aria-label": message },
        h("p", {}, message),
        h(
          "div",
          { class: "room-dialog-actions" },
          h("button", { type: "button", class: "room-btn", dataset: { testid: "cancel-button" }, onclick: () => close(false) }, t("cancel")),
          confirmButton,
        ),
      ),
    );
    document.addEventListener("keydown", onKey);
    root.append(overlay);
    confirmButton.focus();
  });
}

/** Asks for a required text (a reason); resolves the trimmed text, or null when cancelled. */
export function reasonDialog(root, message, { confirmLabel, placeholder, maxLength = 500 } = {}) {
  return new Promise((resolve) => {
    const close = (answer) => {
      overlay.remove();
      document.removeEventListener("keydown", onKey);
      resolve(answer);
    };
    const onKey = (event) => {
      if (event.key === "Escape") close(null);
    };
    const hint = h("p", { class: "room-dialog-error", dataset: { testid: "reason-error" }, role: "alert", hidden: true }, t("reason_needed"));
    const input = h("textarea", { rows: 3, maxlength: String(maxLength), placeholder: placeholder ?? "", dataset: { testid: "reason-input" }, "aria-label": message });
    const submit = () => {
      const text = input.value.trim();
      if (!text) {
        hint.hidden = false;
        input.focus();
        return;
      }
      close(text);
    };
    const overlay = h(
      "div",
      { class: "room-dialog-overlay", role: "presentation" },
      h(
        "div",
        { class: "room-dialog", role: "dialog", "aria-modal": "true", "aria-label": message },
        h("p", {}, message),
        input,
        hint,
        h(
          "div",
          { class: "room-dialog-actions" },
          h("button", { type: "button", class: "room-btn", dataset: { testid: "cancel-button" }, onclick: () => close(null) }, t("cancel")),
          h("button", { type: "button", class: "room-btn primary", dataset: { testid: "confirm-button" }, onclick: submit }, confirmLabel ?? t("confirm")),
        ),
      ),
    );
    document.addEventListener("keydown", onKey);
    root.append(overlay);
    input.focus();
  });
}
