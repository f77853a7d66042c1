"""The case pages' small scripts: the application form shows only the fields of the chosen
kind of applicant (and does not send the others); a confirmation opens with its reason
field focused and closes the other confirmations."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from tests.frontend.harness import ORIGIN, page_html, serve_static

APPLICATION = """
<form method="post">
  <input type="radio" name="applicant_type" value="natural_person" id="t0" checked>
  <input type="radio" name="applicant_type" value="legal_person" id="t1">
  <input type="radio" name="applicant_type" value="unincorporated" id="t2">
  <fieldset data-applicant-group="natural_person"><input name="applicant_id_number"></fieldset>
  <fieldset data-applicant-group="organization"><input name="credit_code"></fieldset>
</form>
<script type="module" src="/static/js/cases/application.js"></script>
"""

CONFIRMS = """
<details class="confirm" id="a"><summary>A</summary><textarea id="ra"></textarea></details>
<details class="confirm" id="b"><summary>B</summary><textarea id="rb"></textarea></details>
<script type="module" src="/static/js/cases/confirm.js"></script>
"""


def test_only_the_chosen_kind_of_applicant_s_fields_are_shown(context: BrowserContext):
    serve_static(context, {"/apply/": page_html(APPLICATION)})
    page = context.new_page()
    page.goto(f"{ORIGIN}/apply/")
    organization = page.locator('[data-applicant-group="organization"]')
    person = page.locator('[data-applicant-group="natural_person"]')
    expect(organization).to_be_hidden()
    expect(person).to_be_visible()
    page.check("#t1")
    expect(organization).to_be_visible()
    expect(person).to_be_hidden()
    expect(page.locator('[name="applicant_id_number"]')).to_be_disabled()
    page.check("#t2")
    expect(organization).to_be_visible()


def test_opening_a_confirmation_focuses_it_and_closes_the_others(context: BrowserContext):
    serve_static(context, {"/case/": page_html(CONFIRMS)})
    page = context.new_page()
    page.goto(f"{ORIGIN}/case/")
    page.click("#a summary")
    expect(page.locator("#ra")).to_be_focused()
    page.click("#b summary")
    expect(page.locator("#a")).not_to_have_attribute("open", "")
    expect(page.locator("#rb")).to_be_focused()
