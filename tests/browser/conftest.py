"""One headless Chromium per test session, driven by Playwright, kept off the network.

Playwright's sync API runs an event loop on the thread that uses it. Django treats a thread with a running
loop as async (refusing database calls, and keeping connections per context instead of per thread), so
Playwright lives on a thread of its own and tests reach it through `Remote` proxies: the test thread stays
an ordinary synchronous Django thread.

Each test gets a fresh browser context (cookies, storage) at 1366 × 768, the narrowest desktop the back
office is designed for. Without Chromium every browser test is skipped and says why. With SCREENSHOTS_DIR
set (`make screenshots`), tests save full-page screenshots of the pages they visit there.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}


class PlaywrightThread:
    """Runs every Playwright call on one dedicated thread."""

    def __init__(self):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")

    def run(self, function, *args, **kwargs):
        return self._executor.submit(function, *args, **kwargs).result()

    def shutdown(self):
        self._executor.shutdown(wait=True)


def _wrap(value, thread: PlaywrightThread):
    if isinstance(value, list):
        return [_wrap(item, thread) for item in value]
    if type(value).__module__.startswith("playwright."):
        return Remote(value, thread)
    return value


class Remote:
    """A Playwright object (browser, page, locator...) used from the test thread: attribute reads and method
    calls run on the Playwright thread; Playwright objects they return come back wrapped too."""

    __slots__ = ("_target", "_thread")

    def __init__(self, target, thread: PlaywrightThread):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_thread", thread)

    def __getattr__(self, name):
        value = self._thread.run(getattr, self._target, name)
        if callable(value) and not isinstance(value, type):
            return lambda *args, **kwargs: _wrap(self._thread.run(value, *args, **kwargs), self._thread)
        return _wrap(value, self._thread)

    def __repr__(self):
        return f"Remote({self._target!r})"


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM} (set CHROMIUM to its path to run browser tests)"
        )
    from playwright.sync_api import sync_playwright

    thread = PlaywrightThread()
    playwright = thread.run(lambda: sync_playwright().start())
    browser = thread.run(playwright.chromium.launch, executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield Remote(browser, thread)
    finally:
        thread.run(browser.close)
        thread.run(playwright.stop)
        thread.shutdown()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(viewport=VIEWPORT, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    def sign_in(username: str, password: str, next_path: str = "/admin/"):
        page.goto(f"/admin/login/?next={next_path}")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_load_state()

    return sign_in


@pytest.fixture
def shoot(page):
    """`shoot("name")` saves a full-page screenshot when SCREENSHOTS_DIR is set; otherwise does nothing."""
    folder = os.environ.get("SCREENSHOTS_DIR")

    def shoot(name: str):
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return shoot
