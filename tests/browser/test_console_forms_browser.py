"""The console's write forms in Chromium with script turned off: a manager's week, as a person does it,
and every form, empty and with its errors shown, with no WCAG 2.1 A/AA violation (axe-core), in both
languages, at phone and desktop width (the harness: conftest.py here)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By

from tests import factories
from tests.browser.conftest import chromium, current_path, signed_in, submit
from tests.integration import mail
from tests.web.console import a_pilot_built_through_the_api, link_in, made, wait_for
from tracker.audit.models import AuditEvent
from tracker.extensions import db

smtp = mail.smtp
TODAY = date.today()


@pytest.fixture
def scriptless(tmp_path):
    """Chromium with script turned off: every form must work without it (the pages have none). axe-core,
    a script, cannot run there: the pages of the week are checked with it in the test after this one."""
    driver = chromium(tmp_path / "scriptless-profile", javascript=False)
    yield driver
    driver.quit()


@pytest.fixture
def week(manager, caio, session):
    """A manager's pilot ready for rollout but for its money (minimal risk, an outcome KPI measured,
    a rollout line planned), and a stalled pilot of theirs that a scan flagged."""
    permits = a_pilot_built_through_the_api(manager)
    pid = permits["id"]
    etag = manager.get(f"/api/v1/projects/{pid}").headers["ETag"]
    minimal = {"risk_tier": "minimal", "risk_rationale": "Drafts answers staff check; it decides nothing."}
    made(manager.patch(f"/api/v1/projects/{pid}", json=minimal, headers={"If-Match": etag}), status=200)
    stalled = factories.ProjectFactory(
        key="CITY-STALLED-01", stage="pilot", stage_entered_at=TODAY - timedelta(days=200), owner=manager.user
    )
    made(caio.post("/api/v1/scans", json={}))
    lines = manager.get(f"/api/v1/projects/{pid}/budget-lines").json
    return {
        "project": pid,
        "kpi": manager.get(f"/api/v1/projects/{pid}/kpis").json[0]["id"],
        "rollout_line": next(line["id"] for line in lines if line["currency"] == "KRW"),
        "stalled": stalled.id,
    }


def type_date(browser, element, day: date) -> None:
    """A day typed into a date field as a person types it: in the order the browser's language writes dates."""
    language = browser.execute_script("return navigator.language")
    order = "%m%d%Y" if language == "en-US" else "%Y%m%d" if language.startswith("ko") else "%d%m%Y"
    element.send_keys(day.strftime(order))


def confirmation(browser) -> str:
    return browser.find_element(By.CLASS_NAME, "confirmation").text


def choose(browser, radio_id: str) -> None:
    browser.find_element(By.CSS_SELECTOR, f"label[for='{radio_id}']").click()


def test_a_manager_keeps_a_project_current_through_a_week_in_chromium_without_script(
    app, server, scriptless, smtp, manager, week
):
    browser = scriptless
    browser.get("data:text/html,<title>before</title><script>document.title = 'script ran'</script>")
    assert browser.title == "before"  # this browser runs no page's script
    pid, kpi = week["project"], week["kpi"]
    # Monday: the project's page asks for a sign-in; the emailed link signs in
    browser.get(f"{server}/console/projects/{pid}")
    browser.find_element(By.ID, "email").send_keys(manager.user.email)
    submit(browser, "Email me a sign-in link")
    browser.get(server + link_in(wait_for(lambda: smtp.to(manager.user.email))[-1]))
    submit(browser, browser.find_element(By.CSS_SELECTOR, "main form button"))
    assert current_path(browser, server) == f"/console/projects/{pid}"
    # a new measurement of the outcome KPI, from the form folded under it
    browser.find_element(By.CSS_SELECTOR, f"article[aria-labelledby='kpi-{kpi}'] details summary").click()
    browser.find_element(By.ID, f"kpi-{kpi}-value").send_keys("27.5")
    submit(browser, browser.find_element(By.CSS_SELECTOR, f"form[action$='/kpis/{kpi}/measurements'] button"))
    assert "Measurement recorded for Days to a first answer: 27.5 on" in confirmation(browser)
    assert current_path(browser, server) == f"/console/projects/{pid}#kpi-{kpi}"
    # Tuesday: to full rollout, which the gate refuses (the money is not approved yet)
    choose(browser, "decision-to_stage-rollout")
    browser.find_element(By.ID, "decision-rationale").send_keys("The wait is down by a third.")
    submit(browser, "Record the decision")
    alert = browser.find_element(By.CSS_SELECTOR, "[role='alert']")
    assert "The gate into Full rollout is not met" in alert.text
    assert "Not met: An approved budget line for rollout" in alert.text
    assert browser.find_element(By.ID, "rationale").get_attribute("value") == "The wait is down by a third."
    # Wednesday: the rollout money is approved
    browser.find_element(By.LINK_TEXT, "Back to CITY-PERMITS-01").click()
    submit(browser, browser.find_element(By.CSS_SELECTOR, f"a[href$='/budget-lines/{week['rollout_line']}']"))
    choose(browser, "status-approved")
    submit(browser, "Save the budget line")
    assert confirmation(browser) == "Budget line saved: Approved, ₩0 spent."
    # Thursday: to full rollout, now that every criterion is met
    choose(browser, "decision-to_stage-rollout")
    browser.find_element(By.ID, "decision-rationale").send_keys("Rollout money approved by the council.")
    submit(browser, "Record the decision")
    assert confirmation(browser) == "The stage decision is recorded: the project is now in Full rollout."
    assert "Full rollout: since" in browser.find_element(By.CSS_SELECTOR, "dl.summary").text
    # a practice done: ongoing monitoring, with its evidence
    submit(browser, browser.find_element(By.CSS_SELECTOR, "a[href$='/practices/monitoring']"))
    choose(browser, "status-done")
    type_date(browser, browser.find_element(By.ID, "completed_on"), TODAY)
    browser.find_element(By.ID, "evidence_url").send_keys("https://city.example/permits/monitoring")
    submit(browser, "Save the practice")
    assert confirmation(browser) == "Ongoing monitoring is saved as Done."
    # Friday: the stalled pilot's flag, from the flags page
    submit(browser, browser.find_element(By.LINK_TEXT, "Flags"))
    flag = browser.find_element(
        By.XPATH, "//li[.//a[text()='CITY-STALLED-01'] and .//h3[contains(., 'Pilot purgatory')]]"
    )
    submit(browser, flag.find_element(By.XPATH, ".//button[starts-with(normalize-space(), 'Acknowledge')]"))
    assert current_path(browser, server) == "/console/flags"
    assert confirmation(browser) == "Flag acknowledged: Pilot purgatory. It sends no more reminders."
    submit(browser, "Sign out")
    assert "You have signed out." in confirmation(browser)
    # the week, as the API reads it, every write the manager's from the console
    assert Decimal(manager.get(f"/api/v1/kpis/{kpi}/measurements").json[0]["value"]) == Decimal("27.5")
    assert manager.get(f"/api/v1/projects/{pid}").json["stage"] == "rollout"
    assert manager.get(f"/api/v1/budget-lines/{week['rollout_line']}").json["approved_on"] == TODAY.isoformat()
    assert manager.get(f"/api/v1/projects/{pid}/practices/monitoring").json["status"] == "done"
    assert (
        manager.get(f"/api/v1/flags?project={week['stalled']}&rule=pilot_purgatory").json[0]["status"] == "acknowledged"
    )
    db.session.expire_all()
    sources = {
        (event.entity, event.source, event.actor_id)
        for event in db.session.query(AuditEvent).filter(AuditEvent.source == "console", AuditEvent.entity != "session")
    }
    assert {entity for entity, _, _ in sources} == {
        "measurement",
        "budget_line",
        "project",
        "stage_transition",
        "practice",
        "flag",
    }
    assert {actor for _, _, actor in sources} == {manager.user.id}


def fill(browser, values: dict) -> None:
    """Type into fields by id (an empty value clears it), and tick radios by id (True)."""
    for field_id, value in values.items():
        if value is True:
            choose(browser, field_id)
            continue
        element = browser.find_element(By.ID, field_id)
        element.clear()
        if value:
            element.send_keys(value)


def test_every_form_empty_and_with_its_errors_has_no_wcag_21_aa_violation_in_both_languages(
    server, browser, axe_page, manager, caio, week
):
    pid, kpi, line = week["project"], week["kpi"], week["rollout_line"]
    project = f"/console/projects/{pid}"
    flag = manager.get(f"/api/v1/flags?project={week['stalled']}&rule=pilot_purgatory").json[0]["id"]
    # each form's page, and what makes it come back with its errors: (path, fields to fill, its button)
    forms = {
        "new-project": ("/console/projects/new", {}, "main form button"),
        "edit": (f"{project}/edit", {"title": "", "contact_email": "nobody"}, "main form button"),
        "decision": (f"{project}/transitions", {"rationale": " "}, "main form button"),
        "gate-refused": (f"{project}/transitions", {"to_stage-rollout": True, "rationale": "Go."}, "main form button"),
        "add-line": (f"{project}/budget-lines", {"amount": "1.5"}, "main form button"),
        "change-line": (f"{project}/budget-lines/{line}", {"spent": "12.5"}, "main form button"),
        "add-kpi": (f"{project}/kpis", {"baseline": "ten"}, "main form button"),
        "measurement": (f"{project}/kpis/{kpi}/measurements", {"measured_on": ""}, "main form button"),
        "practice": (f"{project}/practices/appeal", {"status-done": True}, "main form button"),
        "snooze": (f"/console/projects/{week['stalled']}/flags/{flag}/snooze", {}, "form[action*='/snooze'] button"),
    }
    found = {}
    for lang in ("en", "ko"):
        signed_in(browser, server, manager.user)
        for name, (path, slips, button) in forms.items():
            browser.get(f"{server}{path}?lang={lang}")
            if name != "gate-refused":
                found |= axe_page(f"form-{name}-{lang}")
            fill(browser, slips)
            submit(browser, browser.find_element(By.CSS_SELECTOR, button))
            assert browser.find_elements(By.CSS_SELECTOR, ".error-summary[role='alert']"), name
            assert browser.execute_script("return document.documentElement.lang") == lang
            found |= axe_page(f"form-{name}-errors-{lang}")
        # the everyday forms unfolded where they live: the project page and the flags page
        for name, path in (("project", project), ("flags", "/console/flags")):
            browser.get(f"{server}{path}?lang={lang}")
            browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
            found |= axe_page(f"forms-on-{name}-{lang}")
        # an edit overtaken by another's: the current values, and what was typed beside them
        browser.get(f"{server}{project}/edit?lang={lang}")
        etag = caio.get(f"/api/v1/projects/{pid}").headers["ETag"]
        made(
            caio.patch(f"/api/v1/projects/{pid}", json={"department": f"Permits {lang}"}, headers={"If-Match": etag}),
            status=200,
        )
        fill(browser, {"department": "Planning office", "title": "Permit helper"})
        submit(browser, browser.find_element(By.CSS_SELECTOR, "main form button"))
        assert browser.find_element(By.ID, "department-typed").text.endswith("Planning office")
        found |= axe_page(f"form-edit-stale-{lang}")
    signed_in(browser, server, caio.user)  # the CAIO office's forms have more fields
    for name, path in (("decision", f"{project}/transitions"), ("practice", f"{project}/practices/testing")):
        browser.get(f"{server}{path}?lang=ko")
        found |= axe_page(f"form-{name}-caio-ko")
    assert found == {}
