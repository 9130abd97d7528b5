"""The browser harness of the page tests: headless Chromium (Debian's `chromium` and
`chromium-driver`) driven by selenium, the app behind a real HTTP server in a thread, and axe-core
(pinned in package.json here, `npm ci`) injected into each page by the test, never by the page.

Without Chromium or axe-core every test here is skipped, saying how to install them; .ci/run
installs them. Set TRACKER_SHOTS=/some/dir to keep a screenshot of each page checked, at phone and
desktop width.
"""

import contextlib
import os
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

AXE = Path(os.environ.get("AXE_CORE_JS", Path(__file__).resolve().parent / "node_modules/axe-core/axe.min.js"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = ((360, 800), (1280, 900))  # a phone, a desktop


def pytest_collection_modifyitems(config, items):
    if CHROMIUM and CHROMEDRIVER and AXE.exists():
        return
    skip = pytest.mark.skip(
        reason="browser tests need Chromium and axe-core: apt-get install chromium chromium-driver; "
        "cd tests/browser && npm ci"
    )
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here:
            item.add_marker(skip)


@contextlib.contextmanager
def live_server(app):
    """The app behind a real HTTP server in a thread; yields its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


def chromium(profile: Path, *, javascript: bool = True):
    """Headless Chromium under selenium, with a profile of its own; `javascript=False` runs pages
    with script turned off, as some people browse (selenium itself still drives it)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    return driver


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "chromium-profile")
    yield driver
    driver.quit()


@pytest.fixture
def axe_page(browser):
    """axe_page(name) -> {where: problem} for the page the browser shows, at phone and desktop width:
    axe-core's WCAG 2.1 A/AA violations, and sideways scrolling on a 360 px phone."""
    shots = os.environ.get("TRACKER_SHOTS")

    def check(name: str) -> dict:
        found = {}
        for width, height in WIDTHS:
            browser.set_window_size(width, height)
            if width == 360:
                overflow = browser.execute_script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    found[f"{name} at 360px"] = f"scrolls sideways by {overflow}px"
            browser.execute_script(AXE.read_text(encoding="utf-8"))
            violations = browser.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
                ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                " nodes: v.nodes.map(n => n.target.join(' '))}))))"
                ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
                WCAG_TAGS,
            )
            if violations:
                found[f"{name} at {width}px"] = violations
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                needed = browser.execute_script("return document.documentElement.scrollHeight")
                browser.set_window_size(width, min(max(height, needed), 4000))
                browser.save_screenshot(str(Path(shots) / f"{name}-{width}.png"))
        return found

    return check


@pytest.fixture
def server(app, session):
    """The app behind a real HTTP server, its PUBLIC_BASE_URL set to it."""
    with live_server(app) as base:
        app.config["PUBLIC_BASE_URL"] = base
        yield base


def signed_in(browser, server, user) -> None:
    """Chromium holding a console session of `user`, as a sign-in leaves it (signing in itself is
    tested through its pages: test_console_browser.py)."""
    from tracker.auth import hash_token
    from tracker.db import utcnow
    from tracker.extensions import db
    from tracker.signin.models import StaffSession
    from tracker.signin.sessions import SESSION_COOKIE

    token = "browser-" + hash_token(str(user.id) + str(utcnow()))[:40]
    db.session.add(
        StaffSession(
            token_hash=hash_token(token),
            user_id=user.id,
            method="email-link",
            expires_at=utcnow() + timedelta(hours=8),
            data={},
        )
    )
    db.session.commit()
    browser.delete_all_cookies()
    browser.get(server + "/console/sign-in")
    browser.add_cookie({"name": SESSION_COOKIE, "value": token, "path": "/console", "httpOnly": True})


def current_path(browser, server) -> str:
    return browser.current_url.removeprefix(server)


def submit(browser, button) -> None:
    """Click a form's button or a link (an element, or the text of a button) and wait for the page
    it brings."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    if isinstance(button, str):
        button = browser.find_element(By.XPATH, f"//button[normalize-space()='{button}']")
    page = browser.find_element(By.TAG_NAME, "html")
    button.click()
    # mid-navigation Chromium may answer the old page's node with an inspector error ("Node with
    # given id does not belong to the document") rather than "stale": ask again until it is
    wait = WebDriverWait(browser, 20, ignored_exceptions=(WebDriverException,))
    wait.until(expected_conditions.staleness_of(page))
