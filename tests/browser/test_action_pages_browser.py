"""The alert action pages in a real browser (Chromium): axe-core finds no WCAG 2.1 A/AA violation on
the form, its error state, the result, the already-handled page and the 404, in both languages; and
the form works there (the Referrer-Policy/Origin trap: with `no-referrer` Chromium sends
`Origin: null` on a form's POST, which the page must refuse, so these pages send `same-origin`).

The harness (`browser`, `axe_page`, the live server) is conftest.py's here.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.browser.conftest import live_server, submit
from tests.factories import FlagFactory, ProjectFactory, UserFactory
from tracker.actions import links
from tracker.db import utcnow
from tracker.extensions import db
from tracker.flags.models import Flag


@pytest.fixture
def server(app):
    """The app behind a real HTTP server; its address is PUBLIC_BASE_URL, as the links' base."""
    with live_server(app) as base:
        app.config["PUBLIC_BASE_URL"] = base
        yield base


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


def test_the_form_acknowledges_and_snoozes_in_chromium_whose_origin_the_page_accepts(app, server, browser):
    from selenium.webdriver.common.by import By

    _, (first, second) = _owner_with_flags(app, 2)

    browser.get(first)
    submit(browser, "Acknowledge the flag")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Flag acknowledged"

    browser.get(second)
    until = (utcnow().date() + timedelta(days=21)).isoformat()
    _set(browser, "until", until)
    browser.find_element(By.ID, "reason").send_keys("Budget committee meets next month")
    submit(browser, "Snooze the flag")
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
    submit(browser, "Snooze the flag")

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
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form:nth-of-type(2) button"))
    assert browser.find_elements(By.ID, "until-error") and browser.find_elements(By.ID, "reason-error")
    found |= axe_page(f"errors-{lang}")

    submit(browser, browser.find_element(By.CSS_SELECTOR, "form button"))  # acknowledge
    found |= axe_page(f"result-{lang}")

    browser.get(first)  # acknowledged now: the page says so, no form
    assert not browser.find_elements(By.TAG_NAME, "form")
    found |= axe_page(f"handled-{lang}")

    browser.get(second[:-3] + "xyz" + f"?lang={lang}")  # tampered: the 404
    assert browser.execute_script("return document.documentElement.lang") == lang
    found |= axe_page(f"not-found-{lang}")

    assert found == {}
