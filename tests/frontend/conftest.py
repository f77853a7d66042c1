"""One headless Chromium for every client test in this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.browser.chromium import chromium, chromium_missing_reason


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    with chromium() as (_, browser):
        yield browser


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A browser context; the test fails if a page logged a Content-Security-Policy violation
    (the harness serves the pages under the web's policy)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    violations: list[str] = []
    context.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield context
    finally:
        context.close()
    assert violations == []
