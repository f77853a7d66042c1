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
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        yield context
    finally:
        context.close()
