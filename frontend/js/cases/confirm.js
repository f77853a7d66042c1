// The case page's confirmations: the <details> work without this script; with it, opening
// one closes the others and puts the cursor in its reason field.

const confirms = [...document.querySelectorAll("details.confirm")];
for (const details of confirms) {
  details.addEventListener("toggle", () => {
    if (!details.open) return;
    for (const other of confirms) if (other !== details) other.open = false;
    const field = details.querySelector("textarea, select");
    if (field) field.focus();
  });
}
