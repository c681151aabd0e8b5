"""Headless Chromium (Debian's /usr/bin/chromium, installed by .ci/run) driven by Playwright."""

import contextlib
import os
import shutil

import pytest

CHROMIUM = os.environ.get("ZWGK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def needs_browser() -> None:
    """Skip without Chromium, except where .ci/run requires it (ZWGK_REQUIRE_BROWSER): CI never skips."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("ZWGK_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install chromium)")


@contextlib.contextmanager
def browser_page():
    needs_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            yield page
        finally:
            browser.close()
