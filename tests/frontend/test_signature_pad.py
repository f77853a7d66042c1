"""The signing page's handwritten signature: drawn with the mouse or a finger (pointer events)
on the canvas, it lands as a PNG data URL in the hidden field the form posts; Clear empties
both."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext

from tests.frontend.harness import ORIGIN, page_html, serve_static

PAD = """
<form>
  <canvas class="signature-pad" data-signature-pad data-target="id_image"
          width="600" height="200"></canvas>
  <button type="button" data-signature-clear="id_image">Clear</button>
  <input type="hidden" name="image" id="id_image">
</form>
<script type="module" src="/static/js/documents/signature-pad.js"></script>
"""


def _value(page) -> str:
    return str(page.eval_on_selector("#id_image", "el => el.value"))


def test_a_stroke_with_the_mouse_fills_the_field_and_clear_empties_it(context: BrowserContext):
    serve_static(context, {"/sign/": page_html(PAD)})
    page = context.new_page()
    page.goto(f"{ORIGIN}/sign/")
    page.wait_for_function("() => document.readyState === 'complete'")
    box = page.locator("canvas").bounding_box()
    assert box is not None
    assert _value(page) == ""
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(box["x"] + 20 + step * 30, box["y"] + 20 + step * 10)
    page.mouse.up()
    value = _value(page)
    assert value.startswith("data:image/png;base64,")
    assert len(value) > 200
    page.click("text=Clear")
    assert _value(page) == ""


def test_a_finger_on_a_phone_draws_too(browser: Browser):
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    try:
        serve_static(phone, {"/sign/": page_html(PAD)})
        page = phone.new_page()
        page.goto(f"{ORIGIN}/sign/")
        page.wait_for_function("() => document.readyState === 'complete'")
        box = page.locator("canvas").bounding_box()
        assert box is not None
        page.touchscreen.tap(box["x"] + 50, box["y"] + 50)
        page.wait_for_function("() => document.getElementById('id_image').value !== ''")
        assert _value(page).startswith("data:image/png;base64,")
    finally:
        phone.close()
