"""Browser fixtures: the app under uvicorn on 127.0.0.1 and Debian's Chromium driven by Playwright.

The server runs in a thread of the test process, on a socket bound to a free port, against a
migrated SQLite database seeded with the example agreement and two people, with the clock
pinned to 2026-11-29 so the deadlines the tests read are reproducible. Chromium is the system's
(`/usr/bin/chromium`, or the one COMITY_TEST_CHROMIUM names); the tests never download a browser.
When Chromium or Playwright is missing they skip with a message, or fail when
COMITY_REQUIRE_BROWSER is set (`tests/legs.py`). Screenshots go to `artifacts/screenshots/`
(git-ignored).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.conftest import Databases
from tests.integration.web_pages.conftest import SITE
from tests.integration.web_pages.site import PROJECT_ROOT, make_app
from tests.legs import BROWSER

CHROMIUM_ENV = "COMITY_TEST_CHROMIUM"
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveServer:
    base_url: str
    server: uvicorn.Server
    thread: threading.Thread


@pytest.fixture(scope="module")
def live_server(
    databases: Databases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("browser")
    with databases.create("sqlite", data_dir, SITE) as database:
        yield from _serve(make_app(database.engine, data_dir))


def _serve(app: Any) -> Iterator[LiveServer]:
    # Bind first and hand the socket over: no window in which another process takes the port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", server, thread)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = Path(os.environ.get(CHROMIUM_ENV) or "/usr/bin/chromium")
    if not chromium.is_file():
        BROWSER.unavailable(f"{chromium} not found (install Debian's chromium, as CI does)")
    if importlib.util.find_spec("playwright") is None:
        BROWSER.unavailable("Playwright for Python is not installed (make .venv/bin/comity)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


_EXPECTED_STATUS_LOG = "Failed to load resource: the server responded with a status of 4"


@dataclass
class Watch:
    """What a page did that it must not: requests off the machine, CSP violations, JS errors."""

    base_url: str
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def on_request(self, request: Any) -> None:
        if not request.url.startswith(self.base_url) and not request.url.startswith("data:"):
            self.foreign_requests.append(request.url)

    def on_console(self, message: Any) -> None:
        # A 4xx page (a refusal, a form with errors) is logged as a failed load: expected here;
        # what must never appear is a CSP refusal or a script error.
        if message.type == "error" and not message.text.startswith(_EXPECTED_STATUS_LOG):
            self.console_errors.append(message.text)

    def on_page_error(self, error: Any) -> None:
        self.console_errors.append(str(error))


@dataclass
class BrowserPage:
    page: Any
    base_url: str
    watch: Watch

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        # caret="initial": hiding the caret makes Playwright inject a <style>, which the CSP
        # (rightly) blocks and the console then reports as a violation.
        self.page.screenshot(path=str(path), full_page=True, caret="initial")
        return path


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[BrowserPage]:
    """A fresh browser context (no cookies) with a page that records what it must not do."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    watch = Watch(live_server.base_url)
    tab = context.new_page()
    tab.on("request", watch.on_request)
    tab.on("console", watch.on_console)
    tab.on("pageerror", watch.on_page_error)
    tab.set_default_timeout(15_000)
    try:
        yield BrowserPage(tab, live_server.base_url, watch)
    finally:
        context.close()
    assert watch.foreign_requests == [], "a request left the machine"
    assert watch.console_errors == [], "the browser reported errors (CSP violations included)"
