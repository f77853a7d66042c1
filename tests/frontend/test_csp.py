"""The pages' Content-Security-Policy in a real Chromium: what it refuses (so the conftest's
violation watch can fail a test), and that the replay timeline places its markers through the
CSSOM, which the policy allows, instead of style attributes, which it refuses."""

from __future__ import annotations

import json

from playwright.sync_api import Browser, BrowserContext, Route

from tests.frontend.harness import ORIGIN, page_html, serve_static

INLINE = '<p id="p" style="color: rgb(255, 0, 0)">x</p><script>window.ran = true;</script>'

TIMELINE_DOM = """
<div id="timeline"><div class="replay-track"><div class="replay-markers"></div>
<div data-testid="replay-playhead" data-ms="0"></div></div><div class="replay-lanes"></div></div>
<script type="module" src="/test/timeline.js"></script>
"""

DATA = {
    "duration_ms": 10000,
    "events": [{"seq": 1, "at_ms": 2500, "action": "session.started", "description": "start"}],
    "files": [
        {
            "source": "av",
            "participant_id": 7,
            "name": "Mia",
            "spans": [{"start_ms": 1000, "end_ms": 6000}],
            "speaking": [[2000, 3000]],
        }
    ],
}

TIMELINE_JS = f"""
import {{ renderTimeline }} from "/static/js/replay/timeline.js";
const api = renderTimeline(document.getElementById("timeline"), {json.dumps(DATA)},
  {{ onSeek: () => {{}}, strings: {{ speaking: "speaking" }} }});
api.setPlayhead(5000);
document.body.dataset.rendered = "1";
"""


def test_the_policy_refuses_inline_script_and_style(browser: Browser) -> None:
    context = browser.new_context()
    try:
        messages: list[str] = []
        context.on("console", lambda message: messages.append(message.text))
        serve_static(context, {"/inline": page_html(INLINE)})
        page = context.new_page()
        page.goto(f"{ORIGIN}/inline")
        page.wait_for_load_state("load")
        assert page.evaluate("() => window.ran") is None
        color = page.evaluate("() => getComputedStyle(document.getElementById('p')).color")
        assert color != "rgb(255, 0, 0)"
        csp = [m for m in messages if "Content Security Policy" in m]
        assert any("script" in m for m in csp) and any("style" in m for m in csp), messages
    finally:
        context.close()


def test_the_replay_timeline_renders_under_the_policy(context: BrowserContext) -> None:
    serve_static(context, {"/timeline": page_html(TIMELINE_DOM)})

    def script(route: Route) -> None:
        route.fulfill(status=200, content_type="text/javascript", body=TIMELINE_JS)

    context.route(f"{ORIGIN}/test/timeline.js", script)
    page = context.new_page()
    page.goto(f"{ORIGIN}/timeline")
    page.wait_for_selector("body[data-rendered='1']")
    marker = page.locator("[data-testid=replay-marker]")
    assert marker.evaluate("el => el.style.left") == "25%"
    assert page.locator(".replay-span").evaluate("el => [el.style.left, el.style.width]") == [
        "10%",
        "50%",
    ]
    assert page.locator(".replay-speaking").evaluate("el => el.style.width") == "10%"
    assert page.locator("[data-testid=replay-playhead]").evaluate("el => el.style.left") == "50%"
    # The conftest's context fails the test on any violation the page logged.
