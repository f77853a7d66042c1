"""Launching Debian's Chromium under Playwright, shared by the browser and frontend tests.

Playwright's own browser download does not work on these machines, so every launch names
/usr/bin/chromium; fake camera, microphone and permission prompts stand in for a person.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Playwright, sync_playwright

CHROMIUM = os.environ.get("ACCORD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    # Headless tabs are all "in the background": keep their timers and media running.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]


def chromium_missing_reason() -> str | None:
    if shutil.which(CHROMIUM) is None and not os.path.exists(CHROMIUM):
        return f"no Chromium at {CHROMIUM}"
    return None


@contextmanager
def chromium() -> Iterator[tuple[Playwright, Browser]]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield playwright, browser
        finally:
            browser.close()
