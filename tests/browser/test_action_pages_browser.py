"""The alert action pages in a real browser (Chromium): axe-core finds no WCAG 2.1 A/AA violation on
the form, its error state, the result, the already-handled page and the 404, in both languages; and
the form works there (the Referrer-Policy/Origin trap: with `no-referrer` Chromium sends
`Origin: null` on a form's POST, which the page must refuse, so these pages send `same-origin`).

`axe_page` is defined minimally here, as the register's browser tests define their harness; the two
can share one fixture. Needs Debian's `chromium` and `chromium-driver`, and axe-core in
tests/browser/node_modules (`npm install axe-core` there); skipped without them.
Set TRACKER_SHOTS=/some/dir to keep a screenshot of each page at phone and desktop width.
"""

import os
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from tests.factories import FlagFactory, ProjectFactory, UserFactory
from tracker.actions import links
from tracker.db import utcnow
from tracker.extensions import db
from tracker.flags.models import Flag

AXE = Path(os.environ.get("AXE_CORE_JS", Path(__file__).resolve().parent / "node_modules/axe-core/axe.min.js"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER and AXE.exists()),
    reason="browser tests need Chromium and axe-core: apt-get install chromium chromium-driver; "
    "npm install axe-core in tests/browser",
)


@pytest.fixture
def server(app):
    """The app behind a real HTTP server in a thread; its address is PUBLIC_BASE_URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{httpd.server_port}"
    app.config["PUBLIC_BASE_URL"] = base
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base
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


@pytest.fixture
def axe_page(browser):
    """axe_page(name) -> {where: problem} for the page the browser shows, at phone and desktop width:
    axe-core's WCAG 2.1 A/AA violations, and sideways scrolling on a 360 px phone."""
    shots = os.environ.get("TRACKER_SHOTS")

    def check(name: str) -> dict:
        found = {}
        for width, height in ((360, 800), (1280, 900)):
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
                ".then(r => done(r.violations.map(v => ({id: v.id, help: v.help,"
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


def _owner_with_flags(app, count: int, locale: str | None = None) -> tuple[int, list[str]]:
    """An owner with `count` open flags, and the action link of each (as the email would carry it)."""
    with app.app_context():
        owner = UserFactory(name="Ana Ruiz", email="ana@city.example", role="manager", locale=locale)
        flags = [
            FlagFactory(project=ProjectFactory(key=f"MOB-0{n}", owner=owner), rule=rule)
            for n, rule in zip(range(1, count + 1), ("pilot_purgatory", "no_kpis", "stale_reporting"), strict=False)
        ]
        db.session.commit()
        urls = [
            links.url_of(links.sign(links.Grant(flag.id, owner.id), signed_at=utcnow(), config=app.config), app.config)
            for flag in flags
        ]
        return owner.id, urls


def _flag(app, n: int) -> Flag:
    with app.app_context():
        return db.session.scalars(sa.select(Flag).order_by(Flag.id).offset(n - 1)).first()


def _set(browser, element_id: str, value: str) -> None:
    """Type into a field (a date input's keyboard order depends on the browser's locale: set it)."""
    from selenium.webdriver.common.by import By

    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, element_id), value)


def _submit(browser, button) -> None:
    """Click a form's button (an element, or the text of one) and wait for the page it brings."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    if isinstance(button, str):
        button = browser.find_element(By.XPATH, f"//button[normalize-space()='{button}']")
    page = browser.find_element(By.TAG_NAME, "html")
    button.click()
    WebDriverWait(browser, 20).until(expected_conditions.staleness_of(page))


def test_the_form_acknowledges_and_snoozes_in_chromium_whose_origin_the_page_accepts(app, server, browser):
    from selenium.webdriver.common.by import By

    _, (first, second) = _owner_with_flags(app, 2)

    browser.get(first)
    _submit(browser, "Acknowledge the flag")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Flag acknowledged"

    browser.get(second)
    until = (utcnow().date() + timedelta(days=21)).isoformat()
    _set(browser, "until", until)
    browser.find_element(By.ID, "reason").send_keys("Budget committee meets next month")
    _submit(browser, "Snooze the flag")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Flag snoozed until")

    acknowledged, snoozed = _flag(app, 1), _flag(app, 2)
    assert acknowledged.status == "acknowledged"
    assert (snoozed.status, snoozed.snoozed_until.isoformat(), snoozed.snooze_reason) == (
        "snoozed",
        until,
        "Budget committee meets next month",
    )


def test_a_bad_date_in_chromium_shows_the_error_beside_the_field_and_focus_can_reach_it(app, server, browser):
    from selenium.webdriver.common.by import By

    _, [url] = _owner_with_flags(app, 1)
    browser.get(url)
    _set(browser, "until", (utcnow().date() - timedelta(days=1)).isoformat())
    browser.find_element(By.ID, "reason").send_keys("Later")
    _submit(browser, "Snooze the flag")

    assert browser.title.startswith("Error: ")
    assert browser.find_element(By.ID, "until-error").text.endswith("The date must be after today")
    browser.find_element(By.LINK_TEXT, "The date must be after today").click()
    assert browser.switch_to.active_element.get_attribute("id") == "until"
    assert browser.find_element(By.ID, "reason").get_attribute("value") == "Later"  # kept
    assert _flag(app, 1).status == "open"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_action_page_has_no_wcag_21_aa_violation(app, server, browser, axe_page, lang):
    from selenium.webdriver.common.by import By

    _, (first, second) = _owner_with_flags(app, 2, locale=lang)
    found = {}
    browser.get(first)
    assert browser.execute_script("return document.documentElement.lang") == lang
    found |= axe_page(f"form-{lang}")

    _set(browser, "until", "2000-01-01")
    browser.find_element(By.ID, "reason").send_keys(" ")
    _submit(browser, browser.find_element(By.CSS_SELECTOR, "form:nth-of-type(2) button"))
    assert browser.find_elements(By.ID, "until-error") and browser.find_elements(By.ID, "reason-error")
    found |= axe_page(f"errors-{lang}")

    _submit(browser, browser.find_element(By.CSS_SELECTOR, "form button"))  # acknowledge
    found |= axe_page(f"result-{lang}")

    browser.get(first)  # acknowledged now: the page says so, no form
    assert not browser.find_elements(By.TAG_NAME, "form")
    found |= axe_page(f"handled-{lang}")

    browser.get(second[:-3] + "xyz" + f"?lang={lang}")  # tampered: the 404
    assert browser.execute_script("return document.documentElement.lang") == lang
    found |= axe_page(f"not-found-{lang}")

    assert found == {}
