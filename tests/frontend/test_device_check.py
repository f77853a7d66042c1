"""The device check page: camera, microphone and connection pass with working (fake) devices;
the speaker test plays a generated tone and takes the person's answer."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from tests.frontend.harness import ORIGIN, SESSION_ID, page_html, serve_static


def open_check(context: BrowserContext, lang: str = "en"):
    shell = (
        f'<div id="device-check" data-session-id="{SESSION_ID}" data-next-url="/next" '
        f'data-lang="{lang}"></div>'
        '<script type="module" src="/static/js/room/device-check.js"></script>'
    )
    serve_static(context, {"/check": page_html(shell)})
    page = context.new_page()
    page.goto(f"{ORIGIN}/check")
    return page


def test_working_devices_and_connection_pass(context: BrowserContext) -> None:
    page = open_check(context)

    for item in ("camera", "microphone", "connection"):
        expect(page.get_by_test_id(f"check-{item}")).to_have_attribute(
            "data-status", "pass", timeout=10_000
        )
    expect(page.get_by_test_id("check-speaker")).to_have_attribute("data-status", "checking")

    page.get_by_test_id("play-tone").click()
    page.get_by_test_id("tone-heard").click()
    expect(page.get_by_test_id("check-speaker")).to_have_attribute("data-status", "pass")
    expect(page.get_by_test_id("device-check-continue")).to_have_attribute("href", "/next")


def test_the_connection_check_fails_without_a_media_worker(context: BrowserContext) -> None:
    page = open_check(context, lang="zh-hans")
    down = '{"status": "down", "components": {"media_worker": {"status": "down"}}}'
    context.route(f"{ORIGIN}/healthz", lambda route: route.fulfill(status=503, body=down))
    page.get_by_test_id("device-check-retry").click()

    expect(page.get_by_test_id("check-connection")).to_have_attribute("data-status", "fail")
    expect(page.get_by_test_id("check-connection-status")).to_contain_text("异常")
