"""Every page kind, in both languages, in a real browser: axe-core finds no WCAG 2.1 A/AA violation,
and a 360 px wide phone never scrolls sideways.

Needs Debian's `chromium` and `chromium-driver` and axe-core (`npm ci` in tests/browser); .ci/run
installs them. Without them these tests are skipped, saying how to install them. Set
TRACKER_SHOTS=/some/dir to keep a screenshot of each page at phone and desktop width.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.web.pages import small_register

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER and AXE.exists()),
    reason="browser tests need Chromium and axe-core: apt-get install chromium chromium-driver; "
    "cd tests/browser && npm ci",
)


@pytest.fixture
def server(app, session):
    """The app behind a real HTTP server in a thread, with a small register in both languages."""
    small_register()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser(tmp_path):
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
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


PAGES = {
    "list": "/registry",
    "filtered": "/registry?stage=rollout&risk_tier=high_impact",
    "empty": "/registry?q=nothing-matches-this",
    "high-impact": "/registry/SEOUL-TRAFFIC-01",
    "limited": "/registry/CITY-PERMITS-01",
    "not-found": "/registry/CITY-PRIVATE-01",
    "accessibility": "/registry/accessibility",
}


def _with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def _axe_violations(driver) -> list[dict]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
        WCAG_TAGS,
    )
    return result


def test_every_page_kind_in_both_languages_has_no_wcag_21_aa_violation_and_fits_a_phone(server, browser):
    shots = os.environ.get("TRACKER_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
    found = {}
    for name, path in PAGES.items():
        for lang in ("en", "ko"):
            for width, height in ((360, 800), (1280, 900)):
                browser.set_window_size(width, height)
                browser.get(server + _with_lang(path, lang))
                assert browser.execute_script("return document.documentElement.lang") == lang
                if width == 360:
                    overflow = browser.execute_script(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
                    )
                    if overflow > 0:
                        found[f"{name} {lang} at 360px"] = f"scrolls sideways by {overflow}px"
                violations = _axe_violations(browser)
                if violations:
                    found[f"{name} {lang} at {width}px"] = violations
                if shots:
                    height_needed = browser.execute_script("return document.documentElement.scrollHeight")
                    browser.set_window_size(width, min(max(height, height_needed), 4000))
                    browser.save_screenshot(str(Path(shots) / f"{name}-{lang}-{width}.png"))
    assert found == {}


def test_the_skip_link_moves_the_keyboard_to_the_main_content(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server + "/registry?lang=ko")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "본문 바로가기" and focused.is_displayed()
    focused.send_keys(Keys.ENTER)
    assert browser.current_url.endswith("#main")
