"""Browser smoke test: start the real app, open every page in Chromium, find no error on screen.

Playwright drives Debian's Chromium (/usr/bin/chromium); no browser is downloaded. Without
Chromium the test skips, unless LOYALTY_LENS_REQUIRE_BROWSER=1 (set by CI) makes it fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.sources import ENV_DEMO_PATH, ENV_MAPPING, ENV_URL
from data_connectors.workspace import ENV_URL as WORKSPACE_ENV_URL
from tests.conftest import required

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: url path of each page → the heading it must show.
PAGES = {
    "": "Overview",
    "loyalty": "Loyalty",
    "service_quality": "Service quality",
    "data_sources": "Data sources",
    "uploads": "Upload exports",
    "follow_up": "Follow-up",
    "client_committee": "Client committee",
}
SCREENSHOTS = Path(os.environ.get("LOYALTY_LENS_SCREENSHOTS", ROOT / "var" / "screenshots"))

pytestmark = pytest.mark.browser


def _skip_or_fail(reason: str) -> None:
    if required("LOYALTY_LENS_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (LOYALTY_LENS_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"the app did not become healthy within {timeout:.0f} s")


@pytest.fixture(scope="module")
def app_url(small_demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if CHROMIUM is None:
        _skip_or_fail("Chromium is not installed (Debian package 'chromium')")
    pytest.importorskip("playwright", reason="playwright is not installed (requirements-test.txt)")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in (ENV_URL, ENV_MAPPING)}
    env[ENV_DEMO_PATH] = str(small_demo_db)
    server_dir = tmp_path_factory.mktemp("server")
    env[WORKSPACE_ENV_URL] = f"sqlite:///{server_dir / 'workspace.sqlite'}"
    log = (server_dir / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard/app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_every_page_opens_without_error(app_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for path, heading in PAGES.items():
            page.goto(f"{app_url}/{path}")
            expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=90_000)
            if heading == "Overview":
                expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=60_000)
            page.wait_for_timeout(1500)  # let late elements (charts) render before checking
            page.screenshot(path=SCREENSHOTS / f"{path or 'overview'}.png", full_page=True)
            assert page.locator('[data-testid="stException"]').count() == 0, f"exception on /{path}"
            assert page.locator('[data-testid="stAlertContentError"]').count() == 0, (
                f"error message on /{path}"
            )
        browser.close()
