"""Every page kind of the register, in both languages, in a real browser: axe-core finds no WCAG 2.1
A/AA violation, and a 360 px wide phone never scrolls sideways (the harness: conftest.py here)."""

import pytest

from tests.browser.conftest import live_server
from tests.web.pages import small_register


@pytest.fixture
def server(app, session):
    """The app behind a real HTTP server, with a small register in both languages."""
    small_register()
    with live_server(app) as base:
        yield base


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


def test_every_page_kind_in_both_languages_has_no_wcag_21_aa_violation_and_fits_a_phone(server, browser, axe_page):
    found = {}
    for name, path in PAGES.items():
        for lang in ("en", "ko"):
            browser.get(server + _with_lang(path, lang))
            assert browser.execute_script("return document.documentElement.lang") == lang
            found |= axe_page(f"{name}-{lang}")
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
