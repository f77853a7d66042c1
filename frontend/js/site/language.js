// The language menu in the header submits its form on change (without this script the
// <noscript> button does). A module: no inline handler, so the pages keep a strict CSP.

for (const select of document.querySelectorAll("form.lang-switch select[name=language]")) {
  select.addEventListener("change", () => select.form.submit());
}
