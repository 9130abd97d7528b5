"""The staff console in Chromium: signing in by an emailed link and by single sign-on as a person
would, and every console page kind with no WCAG 2.1 A/AA violation (axe-core), in both languages, at
phone and desktop width (the harness: conftest.py here)."""

from datetime import date, timedelta

import pytest
from selenium.webdriver.common.by import By

from tests import factories
from tests.browser.conftest import current_path, signed_in, submit
from tests.integration import mail, oidc
from tests.web.console import a_pilot_built_through_the_api, link_in, made, wait_for
from tracker.signin.sessions import SESSION_COOKIE

smtp = mail.smtp


def test_a_manager_signs_in_with_the_emailed_link_and_out_again_in_chromium(app, server, browser, smtp, axe_page):
    factories.UserFactory(email="seoyeon.park@city.example", name="박서연", role="manager", locale="ko")
    found = {}
    browser.get(server + "/console/projects?stage=pilot")
    assert current_path(browser, server).startswith("/console/sign-in?next=")
    found |= axe_page("sign-in-en")
    email = browser.find_element(By.ID, "email")
    email.send_keys("seoyeon.park@city.example")
    submit(browser, "Email me a sign-in link")
    assert "Check your email" in browser.find_element(By.TAG_NAME, "h1").text
    found |= axe_page("sign-in-sent-en")
    link = link_in(wait_for(lambda: smtp.to("seoyeon.park@city.example"))[-1])
    browser.get(server + link)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ko"
    found |= axe_page("sign-in-link-ko")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "main form button"))
    assert current_path(browser, server) == "/console/projects?stage=pilot"
    cookie = browser.get_cookie(SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/console"
    assert "박서연" in browser.find_element(By.CLASS_NAME, "account").text
    # the spent link, opened again
    browser.get(server + link)
    assert browser.find_element(By.TAG_NAME, "h1").text == "이미 사용된 로그인 링크입니다"
    found |= axe_page("sign-in-link-spent-ko")
    browser.get(server + "/console")
    submit(browser, "로그아웃")
    assert current_path(browser, server) == "/console/sign-in?lang=ko"
    assert "로그아웃했습니다" in browser.find_element(By.CLASS_NAME, "confirmation").text
    assert browser.get_cookie(SESSION_COOKIE) is None
    assert found == {}


def at_the_provider(browser, server, provider, login: str) -> None:
    """From the console's sign-in page through the provider's login and consent forms, and back."""
    submit(browser, browser.find_element(By.CSS_SELECTOR, "a.button-link"))  # "Sign in with City ID"
    assert browser.current_url.startswith(provider.issuer)
    browser.find_element(By.NAME, "login").send_keys(login)
    browser.find_element(By.NAME, "password").send_keys("any password")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    submit(browser, browser.find_element(By.CSS_SELECTOR, "button[type=submit]"))  # the provider's consent
    wait_for(lambda: browser.current_url.startswith(server), what="the return to the console")


def test_a_caio_signs_in_with_single_sign_on_in_chromium_where_a_stranger_cannot(app, server, browser, axe_page):
    provider = oidc.start_provider(redirect_uri=server + "/console/sign-in/oidc")
    try:
        oidc.configure(app, provider)
        factories.UserFactory(email="amara.okafor@city.example", name="Amara Okafor", role="caio")
        browser.get(server + "/console/sign-in?lang=ko")
        found = axe_page("sign-in-with-sso-ko")
        at_the_provider(browser, server, provider, "stranger@city.example")
        assert browser.find_element(By.TAG_NAME, "h1").text == "You cannot sign in with this account"
        found |= axe_page("sign-in-refused-en")
        browser.delete_all_cookies()  # the provider's session too (cookies are per host, not port)
        browser.get(server + "/console/flags")
        at_the_provider(browser, server, provider, "amara.okafor@city.example")
        assert current_path(browser, server) == "/console/flags"
        assert "Amara Okafor" in browser.find_element(By.CLASS_NAME, "account").text
        assert found == {}
    finally:
        provider.process.terminate()
        provider.process.wait(timeout=10)


@pytest.fixture
def portfolio(manager, caio, session):
    """A manager's pilot built through the API, a stalled pilot of theirs and a scan's flags."""
    permits = a_pilot_built_through_the_api(manager)
    stalled = factories.ProjectFactory(
        key="CITY-STALLED-01",
        title="교통신호 최적화",
        stage="pilot",
        stage_entered_at=date.today() - timedelta(days=200),
        owner=manager.user,
    )
    made(caio.post("/api/v1/scans", json={}))
    pack = made(caio.post("/api/v1/reports/snapshots", json={"title": "Council, Q4 review"}))
    return {"permits": permits["id"], "stalled": stalled.id, "pack": pack["id"]}


def test_every_console_page_kind_in_both_languages_has_no_wcag_21_aa_violation_and_fits_a_phone(
    server, browser, axe_page, manager, caio, portfolio
):
    pages = {
        "front-door": ("/", None),
        "dashboard": ("/console", manager.user),
        "projects": ("/console/projects", manager.user),
        "projects-none": ("/console/projects?q=nothing-matches", manager.user),
        "projects-error": ("/console/projects?stage=nowhere", manager.user),
        "project": (f"/console/projects/{portfolio['permits']}", caio.user),
        "project-flagged": (f"/console/projects/{portfolio['stalled']}", manager.user),
        "flags": ("/console/flags", manager.user),
        "reports": ("/console/reports", caio.user),
        "reports-monthly": ("/console/reports?period=month&domain=mobility", manager.user),
        "reports-error": ("/console/reports?period=fortnight", manager.user),
        "council-pack": (f"/console/reports/snapshots/{portfolio['pack']}", manager.user),
        "not-found": ("/console/nowhere", manager.user),
        "sign-in-error": ("/console/sign-in/not-a-token", None),
    }
    found = {}
    for lang in ("en", "ko"):
        for name, (path, user) in pages.items():
            if user is None:
                browser.delete_all_cookies()
            else:
                signed_in(browser, server, user)
            browser.get(f"{server}{path}{'&' if '?' in path else '?'}lang={lang}")
            assert browser.execute_script("return document.documentElement.lang") == lang
            browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
            found |= axe_page(f"console-{name}-{lang}")
        # a form whose CSRF token is not the session's: the 400 page
        signed_in(browser, server, manager.user)
        browser.get(f"{server}/console/flags?lang={lang}")
        browser.execute_script("document.querySelector('input[name=csrf_token]').value = 'forged'")
        submit(browser, browser.find_element(By.CSS_SELECTOR, ".account form button"))
        assert browser.find_element(By.TAG_NAME, "h1").text in (
            "The request could not be understood",
            "요청을 이해할 수 없습니다",
        )
        found |= axe_page(f"console-refused-form-{lang}")
        # a council pack frozen without a title: the form again, with its error
        signed_in(browser, server, caio.user)
        browser.get(f"{server}/console/reports?lang={lang}")
        browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
        submit(browser, browser.find_element(By.CSS_SELECTOR, "form[action*='/reports/snapshots'] button"))
        assert browser.find_element(By.ID, "title-error").is_displayed()
        found |= axe_page(f"console-freeze-errors-{lang}")
    # more possible owners than a list can show: the owner filter is a box for an address
    factories.UserFactory.create_batch(100, role="manager")
    signed_in(browser, server, manager.user)
    for lang in ("en", "ko"):
        for name, query in (
            ("projects-many-owners", "lang"),
            ("projects-owner-error", "owner=nobody@city.example&lang"),
        ):
            browser.get(f"{server}/console/projects?{query}={lang}")
            assert browser.find_element(By.CSS_SELECTOR, "input#owner[type=email]").is_displayed()
            found |= axe_page(f"console-{name}-{lang}")
    assert found == {}
