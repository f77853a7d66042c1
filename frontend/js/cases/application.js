// The application form: show only the fields of the chosen kind of applicant.
// Without this script every group is shown, each with a legend saying when it applies,
// and the server ignores the fields that do not fit the chosen kind.

const GROUP_OF = {
  natural_person: "natural_person",
  legal_person: "organization",
  unincorporated: "organization",
};

function update(form) {
  const chosen = form.querySelector('input[name="applicant_type"]:checked');
  const wanted = chosen ? GROUP_OF[chosen.value] : null;
  for (const group of form.querySelectorAll("[data-applicant-group]")) {
    const show = group.dataset.applicantGroup === wanted;
    group.hidden = !show;
    // Hidden inputs are not sent, so a value typed before switching cannot come back.
    for (const input of group.querySelectorAll("input, select, textarea")) {
      input.disabled = !show;
    }
  }
}

function focusSummary() {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
}

for (const form of document.querySelectorAll("form")) {
  if (!form.querySelector('input[name="applicant_type"]')) continue;
  form.addEventListener("change", (event) => {
    if (event.target.name === "applicant_type") update(form);
  });
  update(form);
}
focusSummary();
