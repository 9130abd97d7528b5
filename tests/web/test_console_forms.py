"""The console's write forms through HTTP (SPEC "The staff console", "Writing"): every form as a
browser posts it, answered as the API's rules answer the same write, and what staff read after."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import marshmallow as ma
import pytest
import sqlalchemy as sa

from tests import factories
from tests.web.console import a_pilot_built_through_the_api, csrf_of, form_token, made, sign_in
from tests.web.pages import check_page, text_of
from tracker.audit.models import AuditEvent
from tracker.budgets import rules as budget_rules
from tracker.budgets import service as budgets
from tracker.console_forms import forms, messages, reading
from tracker.errors import Invalid
from tracker.extensions import db
from tracker.kpis import service as kpis
from tracker.trust import rules as trust_rules

TODAY = date.today()
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture
def world(manager, other_manager, caio):
    """A manager's pilot built through the API (two KPIs, three budget lines, limited risk, not in
    the register), a stalled pilot of theirs, another manager's pilot, and a scan's flags."""
    permits = a_pilot_built_through_the_api(manager)
    pid = permits["id"]
    outcome = manager.get(f"/api/v1/projects/{pid}/kpis").json[0]
    lines = manager.get(f"/api/v1/projects/{pid}/budget-lines").json
    stalled = factories.ProjectFactory(
        key="CITY-STALLED-01", stage="pilot", stage_entered_at=TODAY - timedelta(days=200), owner=manager.user
    )
    theirs = factories.ProjectFactory(
        key="CITY-THEIRS-01", stage="pilot", stage_entered_at=TODAY - timedelta(days=200), owner=other_manager.user
    )
    their_line = factories.BudgetLineFactory(project=theirs)
    their_kpi = factories.KpiFactory(project=theirs)
    made(caio.post("/api/v1/scans", json={}))
    flag = next(f for f in manager.get(f"/api/v1/flags?project={stalled.id}").json if f["rule"] == "pilot_purgatory")
    their_flag = manager.get(f"/api/v1/flags?project={theirs.id}").json[0]
    return SimpleNamespace(
        pid=pid,
        kpi=outcome["id"],
        eur_line=next(line for line in lines if line["currency"] == "EUR" and line["stage"] == "rollout")["id"],
        stalled=stalled.id,
        flag=flag["id"],
        theirs=theirs.id,
        their_line=their_line.id,
        their_kpi=their_kpi.id,
        their_flag=their_flag["id"],
    )


@dataclass(frozen=True)
class Case:
    """One form: its address, what a person fills in, and what a slip looks like."""

    path: str
    good: dict
    bad: dict
    bad_fields: frozenset
    back: str  # where a success returns to (a path, and the part of the page)


def cases(w) -> dict[str, Case]:
    project = f"/console/projects/{w.pid}"
    flag = f"/console/projects/{w.stalled}/flags/{w.flag}"
    soon = (TODAY + timedelta(days=14)).isoformat()
    return {
        "new project": Case(
            "/console/projects/new",
            {
                "key": "CITY-LEAKS-01",
                "title": "Leak finder",
                "domain": "environment",
                "ai_type": "computer_vision",
                "content_locale": "en",
                "stage": "poc",
                "risk_tier": "minimal",
                "risk_rationale": "Finds leaks in pipes; no decision about residents.",
            },
            {"key": "city leaks", "title": "  ", "domain": "moon", "ai_type": "", "stage_entered_at": "2999-01-01"},
            frozenset({"key", "title", "domain", "ai_type", "stage_entered_at"}),
            "/console/projects/",
        ),
        "edit project": Case(
            f"{project}/edit",
            {"title": "Permit pre-check assistant", "department": "Planning and permits"},
            {"title": "", "contact_email": "not an address", "key": "bad key"},
            frozenset({"title", "contact_email", "key"}),
            project,
        ),
        "stage decision": Case(
            f"{project}/transitions",
            {"to_stage": "poc", "rationale": "Back to the drawing board: answers were too slow."},
            {"to_stage": "", "rationale": " ", "effective_date": "2999-12-31"},
            frozenset({"to_stage", "rationale", "effective_date"}),
            f"{project}#timeline",
        ),
        "add a budget line": Case(
            f"{project}/budget-lines",
            {
                "stage": "rollout",
                "fiscal_year": "2028",
                "category": "compute",
                "amount": "1,250,000.50",
                "currency": "EUR",
                "status": "planned",
            },
            {"stage": "", "fiscal_year": "twenty", "category": "", "amount": "-1", "currency": "EUR", "status": "x"},
            frozenset({"stage", "fiscal_year", "category", "amount", "status"}),
            f"{project}#money",
        ),
        "change a budget line": Case(
            f"{project}/budget-lines/{w.eur_line}",
            {"status": "approved", "approved_on": "", "spent": "2.50"},
            {"status": "approved", "approved_on": "", "spent": "1.234"},
            frozenset({"spent"}),
            f"{project}#money",
        ),
        "add a KPI": Case(
            f"{project}/kpis",
            {"name": "Complaints about answers", "kind": "outcome", "direction": "decrease", "cadence_days": "30"},
            {"name": "", "kind": "", "direction": "increase", "baseline": "ten", "cadence_days": "0"},
            frozenset({"name", "kind", "baseline", "cadence_days"}),
            f"{project}#kpi-",
        ),
        "record a measurement": Case(
            f"{project}/kpis/{w.kpi}/measurements",
            {"value": "29.5", "measured_on": TODAY.isoformat(), "note": "After the new templates."},
            {"value": "1e5", "measured_on": (TODAY + timedelta(days=1)).isoformat()},
            frozenset({"value", "measured_on"}),
            f"{project}#kpi-{w.kpi}",
        ),
        "set a practice": Case(
            f"{project}/practices/testing",
            {"status": "done", "completed_on": TODAY.isoformat(), "evidence_url": "https://city.example/tests"},
            {"status": "done", "completed_on": "", "evidence_url": "javascript:alert(1)"},
            frozenset({"evidence_url"}),
            f"{project}#practices",
        ),
        "acknowledge a flag": Case(f"{flag}/acknowledge", {}, {}, frozenset(), f"/console/projects/{w.stalled}#flags"),
        "snooze a flag": Case(
            f"{flag}/snooze",
            {"until": soon, "reason": "The budget committee meets in two weeks."},
            {"until": TODAY.isoformat(), "reason": ""},
            frozenset({"until", "reason"}),
            f"/console/projects/{w.stalled}#flags",
        ),
    }


FORMS = list(cases(SimpleNamespace(pid=0, kpi=0, eur_line=0, stalled=0, flag=0)))
WITH_ERRORS = [name for name in FORMS if name != "acknowledge a flag"]


def audit_events() -> list[AuditEvent]:
    db.session.expire_all()
    events = list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity != "session").order_by(AuditEvent.id))
    )
    db.session.rollback()
    return events


def post_form(client, case: Case, data: dict, *, lang: str | None = None, **kwargs):
    """`data` posted as the form's page would post it, with the page's CSRF token (and, for the edit
    form, the version the page was loaded with)."""
    page = client.get(case.path)
    assert page.status_code == 200, (case.path, page.status_code)
    html = page.get_data(as_text=True)
    sent = {"csrf_token": csrf_of(html), **data}
    version = re.search(r'name="version" value="(\d+)"', html)
    if version and "version" not in data:
        sent["version"] = version.group(1)
    return client.post(case.path + (f"?lang={lang}" if lang else ""), data=sent, **kwargs)


def whole_form(root, action: str) -> dict:
    """What a browser sends of the form posting to `action`, as the page shows it."""
    form = next(form for form in root.iter("form") if form.get("action").split("?")[0] == action)
    sent = {}
    for control in form.iter():
        name = control.get("name")
        kind = control.get("type")
        if not name:
            continue
        if control.tag == "input" and kind in ("radio", "checkbox"):
            if control.get("checked") is not None:
                sent[name] = control.get("value")
        elif control.tag == "input":
            sent[name] = control.get("value") or ""
        elif control.tag == "textarea":
            sent[name] = (control.text or "").replace("\n", "\r\n")  # a browser posts a textarea's lines so
        elif control.tag == "select":
            chosen = control.find("option[@selected]")
            sent[name] = (chosen if chosen is not None else control.find("option")).get("value")
    return sent


@pytest.mark.parametrize("name", FORMS)
def test_each_form_answers_303_back_to_its_page_with_a_confirmation_and_writes_as_the_user(
    client, manager, world, name
):
    case = cases(world)[name]
    sign_in(client, manager.user)
    before = len(audit_events())
    response = post_form(client, case, case.good)
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    assert response.headers["Location"].startswith(case.back)
    landed = check_page(client.get(response.headers["Location"]).get_data(as_text=True))
    confirmation = landed.find(".//div[@class='panel confirmation']")
    assert confirmation is not None and confirmation.get("role") == "status" and text_of(confirmation)
    written = audit_events()[before:]
    assert written, "a write leaves its audit events"
    assert {(event.actor_id, event.actor_email, event.source) for event in written} == {
        (manager.user.id, manager.user.email, "console")
    }
    # shown once: the next page has no confirmation
    assert (
        check_page(client.get(response.headers["Location"]).get_data(as_text=True)).find(
            ".//div[@class='panel confirmation']"
        )
        is None
    )


@pytest.mark.parametrize("name", WITH_ERRORS)
def test_invalid_input_comes_back_422_with_a_summary_linking_to_each_field_the_errors_beside_them_and_what_was_typed(
    client, manager, world, name
):
    case = cases(world)[name]
    sign_in(client, manager.user)
    before = len(audit_events())
    response = post_form(client, case, case.bad)
    assert response.status_code == 422
    root = check_page(response.get_data(as_text=True))
    assert root.find(".//title").text.startswith("Error:")
    summary = root.find(".//div[@class='error-summary']")
    assert summary.get("role") == "alert"
    links = [a.get("href") for a in summary.iter("a")]
    assert sorted(links) == sorted(f"#{field}" for field in case.bad_fields)
    assert str(messages.CHECK_VALUE) not in text_of(summary)  # every error said in words of its own
    for field in case.bad_fields:
        target = root.find(f".//*[@id='{field}']")
        assert target is not None, f"the summary's link to {field} lands nowhere"
        message = root.find(f".//*[@id='{field}-error']")
        assert message is not None and text_of(message).startswith("Error:")
        described = target if target.tag != "input" or target.get("type") != "radio" else root.find(".//fieldset")
        assert f"{field}-error" in (described.get("aria-describedby") or target.get("aria-describedby") or "")
    for field, typed in case.bad.items():
        control = root.find(f".//*[@name='{field}']")
        if control is not None and control.tag == "input" and control.get("type") not in ("radio", "hidden"):
            assert control.get("value") == typed, field
        elif control is not None and control.tag == "textarea":
            assert (control.text or "") == typed, field
    assert len(audit_events()) == before, "nothing is saved"


@pytest.mark.parametrize("name", WITH_ERRORS)
def test_the_errors_are_in_the_pages_language(client, manager, world, name):
    case = cases(world)[name]
    sign_in(client, manager.user)
    response = post_form(client, case, case.bad, lang="ko")
    assert response.status_code == 422
    root = check_page(response.get_data(as_text=True))
    assert root.get("lang") == "ko"
    for item in root.find(".//div[@class='error-summary']").iter("li"):
        words = text_of(item)
        assert HANGUL.search(words) and not re.search(r"\b(Must|Missing|Not a valid|Enter|Choose)\b", words), words


def test_numbers_and_dates_in_messages_are_written_for_the_reader(client, manager, world):
    sign_in(client, manager.user)
    case = cases(world)["record a measurement"]
    response = post_form(client, case, {"value": "31.125", "measured_on": "2026-03-05"}, lang="ko")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/console/projects/{world.pid}?lang=ko#kpi-{world.kpi}"
    landed = text_of(check_page(client.get(response.headers["Location"]).get_data(as_text=True)))
    assert "2026년 3월 5일" in landed and "31.125" in landed
    line = cases(world)["add a budget line"]
    post_form(client, line, line.good)
    landed = text_of(check_page(client.get(f"/console/projects/{world.pid}?lang=en").get_data(as_text=True)))
    assert "Budget line added: €1,250,000.50 for Full rollout." in landed
    # a limit stated in a message is grouped for the reader
    response = post_form(client, line, {**line.good, "amount": "9" * 17})
    assert "Enter an amount from 0 to 1,000,000,000,000,000" in text_of(check_page(response.get_data(as_text=True)))


@pytest.mark.parametrize("name", FORMS)
def test_form_fields_carry_the_api_field_names_and_post_to_their_own_page(client, caio, world, name):
    case = cases(world)[name]
    sign_in(client, caio.user)
    root = check_page(client.get(case.path).get_data(as_text=True))
    form = next(form for form in root.iter("form") if form.get("action").split("?")[0] == case.path)
    assert form.get("method") == "post"
    names = {control.get("name") for control in form.iter() if control.tag in ("input", "select", "textarea")}
    own = {
        "csrf_token",
        "version",
        "next",
    }  # the form's own: its token, the version it was loaded with, where to go back
    api_fields = set(FORM_OF[name].schema.fields) if name in FORM_OF else set()
    assert names - own <= api_fields, names - own - api_fields


FORM_OF = {
    "new project": forms.NEW_PROJECT,
    "edit project": forms.EDIT_PROJECT,
    "stage decision": forms.TRANSITION,
    "add a budget line": forms.NEW_BUDGET_LINE,
    "change a budget line": forms.BUDGET_LINE,
    "add a KPI": forms.NEW_KPI,
    "record a measurement": forms.MEASUREMENT,
    "set a practice": forms.PRACTICE,
    "snooze a flag": forms.SNOOZE,
}


def test_the_project_page_carries_the_everyday_forms_each_naming_what_it_acts_on(client, manager, world):
    sign_in(client, manager.user)
    root = check_page(client.get(f"/console/projects/{world.pid}").get_data(as_text=True))
    actions = {form.get("action") for form in root.iter("form")}
    assert f"/console/projects/{world.pid}/transitions" in actions
    assert f"/console/projects/{world.pid}/kpis/{world.kpi}/measurements" in actions
    assert {f"/console/projects/{world.pid}/budget-lines", f"/console/projects/{world.pid}/kpis"} <= actions
    links = {a.get("href") for a in root.iter("a")}
    assert f"/console/projects/{world.pid}/budget-lines/{world.eur_line}" in links
    assert f"/console/projects/{world.pid}/practices/appeal" in links
    assert f"/console/projects/{world.pid}/edit" in links
    flagged = check_page(client.get(f"/console/projects/{world.stalled}").get_data(as_text=True))
    actions = {form.get("action") for form in flagged.iter("form")}
    assert f"/console/projects/{world.stalled}/flags/{world.flag}/acknowledge" in actions
    assert f"/console/projects/{world.stalled}/flags/{world.flag}/snooze" in actions
    # the flags page carries them too, and comes back to itself with its filters
    flags = check_page(client.get("/console/flags?rule=pilot_purgatory").get_data(as_text=True))
    acknowledge = flags.find(f".//form[@action='/console/projects/{world.stalled}/flags/{world.flag}/acknowledge']")
    assert acknowledge.find(".//input[@name='next']").get("value") == "/console/flags?rule=pilot_purgatory"
    response = client.post(
        acknowledge.get("action"),
        data={
            "csrf_token": csrf_of(client.get("/console").get_data(as_text=True)),
            "next": "/console/flags?rule=pilot_purgatory",
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == "/console/flags?rule=pilot_purgatory"


@pytest.mark.parametrize(
    ("name", "who"),
    # every manager creates projects: that form is refused to viewers only
    [
        (name, who)
        for name in FORMS
        for who in ("viewer", "other_manager")
        if (name, who) != ("new project", "other_manager")
    ],
)
def test_whoever_may_not_write_sees_no_form_and_a_post_is_a_403_page_that_changes_nothing(
    app, request, world, who, name
):
    caller = request.getfixturevalue(who)
    client = app.test_client()
    sign_in(client, caller.user)
    case = cases(world)[name]
    if name == "new project":
        assert "/console/projects/new" not in client.get("/console/projects").get_data(as_text=True)
    else:
        owner_page = case.back.split("#")[0]
        shown = check_page(client.get(owner_page).get_data(as_text=True))
        main = shown.find(".//main")
        assert [form for form in main.iter("form") if form.get("method") == "post"] == []
        assert not [
            a for a in main.iter("a") if "/edit" in (a.get("href") or "") or "/practices/" in (a.get("href") or "")
        ]
    assert client.get(case.path).status_code == 403
    before = len(audit_events())
    response = client.post(case.path, data={"csrf_token": form_token(client), **case.good})
    assert response.status_code == 403
    assert "Nothing was changed" in text_of(check_page(response.get_data(as_text=True)))
    assert len(audit_events()) == before


def test_a_manager_cannot_override_waive_give_away_or_lower_a_guarded_tier_by_posting_what_their_form_lacks(
    client, manager, other_manager, world
):
    sign_in(client, manager.user)
    project = f"/console/projects/{world.pid}"
    assert b'name="override_reason"' not in client.get(f"{project}/transitions").data
    practice = client.get(f"{project}/practices/testing").data
    assert b'value="waived"' not in practice and b'name="waiver_reason"' not in practice
    assert b'value="not_applicable"' not in practice  # and not_applicable only where the API allows it
    assert b'value="not_applicable"' in client.get(f"{project}/practices/appeal").data
    assert b'name="owner_id"' not in client.get("/console/projects/new").data
    high = factories.ProjectFactory(owner=manager.user, risk_tier="high_impact", risk_rationale="Decides benefits.")
    edit = check_page(client.get(f"/console/projects/{high.id}/edit").get_data(as_text=True))
    assert [o.get("value") for o in edit.findall(".//select[@name='risk_tier']/option")] == [
        "high_impact",
        "prohibited",
    ]
    token = form_token(client)
    before = len(audit_events())
    attempts = [
        (f"{project}/transitions", {"to_stage": "rollout", "rationale": "Go.", "override_reason": "Because."}),
        (f"{project}/practices/testing", {"status": "waived", "waiver_reason": "Not needed."}),
        ("/console/projects/new", {**cases(world)["new project"].good, "owner_id": str(other_manager.user.id)}),
        (
            f"/console/projects/{high.id}/edit",
            {"version": "1", "risk_tier": "minimal", "risk_rationale": "Lower, please."},
        ),
    ]
    for path, data in attempts:
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 403, path
    assert len(audit_events()) == before


def test_the_caio_office_sees_and_uses_what_managers_may_not(client, caio, manager, world):
    sign_in(client, caio.user)
    project = f"/console/projects/{world.pid}"
    assert b'name="override_reason"' in client.get(f"{project}/transitions").data
    assert b'value="waived"' in client.get(f"{project}/practices/testing").data
    owners = check_page(client.get("/console/projects/new").get_data(as_text=True))
    assert manager.user.id in {int(o.get("value")) for o in owners.findall(".//select[@name='owner_id']/option")}
    case = cases(world)["stage decision"]
    response = post_form(
        client,
        case,
        {"to_stage": "rollout", "rationale": "Council asked for it.", "override_reason": "Budget follows."},
    )
    assert response.status_code == 303
    history = caio.get(f"/api/v1/projects/{world.pid}/transitions").json
    assert (history[-1]["to_stage"], history[-1]["override_reason"]) == ("rollout", "Budget follows.")
    assert history[-1]["gate"]["overridden"] is True
    response = post_form(
        client,
        cases(world)["set a practice"],
        {"status": "waived", "waiver_reason": "Tested as part of the national platform."},
    )
    assert response.status_code == 303
    assert caio.get(f"/api/v1/projects/{world.pid}/practices/testing").json["status"] == "waived"


def test_a_refused_gate_answers_409_with_the_unmet_criteria_in_words_and_nothing_moved(client, manager, world):
    sign_in(client, manager.user)
    case = cases(world)["stage decision"]
    history = manager.get(f"/api/v1/projects/{world.pid}/transitions").json
    for lang, words in (
        (None, ["An approved budget line for rollout", "Listed in the public register"]),
        ("ko", ["승인된 전면 확산 예산 항목", "공개 등록부에 등재"]),
    ):
        response = post_form(client, case, {"to_stage": "rollout", "rationale": "Ready."}, lang=lang)
        assert response.status_code == 409
        root = check_page(response.get_data(as_text=True))
        refusal = root.find(".//div[@role='alert']")
        assert [text_of(li).split(":", 1)[1].strip() for li in refusal.iter("li")] == words
        # the form again, as typed, beside the refusal
        assert root.find(".//input[@name='to_stage'][@value='rollout']").get("checked") is not None
        assert root.find(".//textarea[@name='rationale']").text == "Ready."
    assert manager.get(f"/api/v1/projects/{world.pid}").json["stage"] == "pilot"
    assert manager.get(f"/api/v1/projects/{world.pid}/transitions").json == history


def test_an_edit_of_a_project_changed_since_the_form_was_opened_comes_back_409_and_overwrites_nothing(
    client, manager, caio, world
):
    sign_in(client, manager.user)
    path = f"/console/projects/{world.pid}/edit"
    opened = client.get(path).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', opened).group(1)
    etag = caio.get(f"/api/v1/projects/{world.pid}").headers["ETag"]
    made(
        caio.patch(
            f"/api/v1/projects/{world.pid}", json={"title": "Pre-check (CAIO's words)"}, headers={"If-Match": etag}
        ),
        status=200,
    )
    response = client.post(
        path,
        data={
            "csrf_token": csrf_of(opened),
            "version": version,
            "title": "Permit helper",
            "department": "Planning",
            "domain": "mobility",
        },
    )
    assert response.status_code == 409
    root = check_page(response.get_data(as_text=True))
    assert "changed this project since you opened the form" in text_of(root.find(".//div[@role='alert']"))
    assert root.find(".//input[@name='title']").get("value") == "Pre-check (CAIO's words)"
    assert text_of(root.find(".//*[@id='title-typed']")) == "You typed: Permit helper"
    assert "title-typed" in root.find(".//input[@name='title']").get("aria-describedby")
    assert root.find(".//*[@id='department-typed']") is None  # typed as it is: nothing to show beside it
    assert root.find(".//input[@name='version']").get("value") == str(int(version) + 1)
    assert manager.get(f"/api/v1/projects/{world.pid}").json["title"] == "Pre-check (CAIO's words)"
    # sent again from the form as it came back, it is saved
    again = client.post(
        path, data={"csrf_token": csrf_of(opened), "version": str(int(version) + 1), "title": "Permit helper"}
    )
    assert again.status_code == 303
    assert manager.get(f"/api/v1/projects/{world.pid}").json["title"] == "Permit helper"


def test_an_edit_sends_only_what_changed_and_a_form_sent_as_it_was_changes_nothing(client, manager, world):
    sign_in(client, manager.user)
    path = f"/console/projects/{world.pid}/edit"
    # the whole form as a browser sends it
    sent = whole_form(check_page(client.get(path).get_data(as_text=True)), path)
    before = len(audit_events())
    response = client.post(path, data=sent)
    assert response.status_code == 303
    assert "Nothing was changed" in text_of(check_page(client.get(response.headers["Location"]).get_data(as_text=True)))
    assert len(audit_events()) == before
    # a change of risk level carries the rationale the form shows with it
    response = client.post(path, data={**sent, "risk_tier": "high_impact"})
    assert response.status_code == 303
    [event] = audit_events()[before:]
    assert event.changes["risk_tier"] == {"before": "limited", "after": "high_impact"}
    assert set(event.changes) <= {"risk_tier", "risk_assessed_on"}  # the rationale shown was sent, unchanged


def test_fields_a_form_does_not_have_are_never_written(client, manager, world):
    sign_in(client, manager.user)
    before = manager.get(f"/api/v1/projects/{world.pid}").json
    case = cases(world)["edit project"]
    sneaked = {"stage": "rollout", "stage_entered_at": "2020-01-01", "risk_assessed_on": "2020-01-01", "id": "1"}
    assert post_form(client, case, {"title": "Renamed", **sneaked}).status_code == 303
    after = manager.get(f"/api/v1/projects/{world.pid}").json
    assert after["title"] == "Renamed"
    assert {k: after[k] for k in ("stage", "stage_entered_at", "risk_assessed_on", "id")} == {
        k: before[k] for k in ("stage", "stage_entered_at", "risk_assessed_on", "id")
    }
    line = cases(world)["change a budget line"]
    sneaked = {"amount": "1", "currency": "KRW", "stage": "poc", "project_id": str(world.theirs)}
    assert post_form(client, line, {**line.good, **sneaked}).status_code == 303
    changed = manager.get(f"/api/v1/budget-lines/{world.eur_line}").json
    assert (changed["amount"], changed["currency"], changed["stage"], changed["project_id"]) == (
        "10.00",
        "EUR",
        "rollout",
        world.pid,
    )
    measured = cases(world)["record a measurement"]
    response = post_form(client, measured, {**measured.good, "recorded_by_id": "1", "kpi_id": str(world.their_kpi)})
    assert response.status_code == 303
    latest = manager.get(f"/api/v1/kpis/{world.kpi}/measurements").json[0]
    assert (latest["kpi_id"], latest["recorded_by_id"]) == (world.kpi, manager.user.id)


def test_a_line_kpi_or_flag_of_another_project_is_not_found_under_this_ones_address(client, manager, world):
    sign_in(client, manager.user)
    token = form_token(client)
    own = f"/console/projects/{world.pid}"
    before = len(audit_events())
    for path, data in (
        (f"{own}/budget-lines/{world.their_line}", {"status": "approved", "spent": "1"}),
        (f"{own}/kpis/{world.their_kpi}/measurements", {"value": "1", "measured_on": TODAY.isoformat()}),
        (f"{own}/flags/{world.their_flag}/acknowledge", {}),
        (f"{own}/flags/{world.their_flag}/snooze", {"until": "2099-01-01", "reason": "Mine now."}),
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 404, path
    # under its own project's address it is found, and refused: not theirs
    theirs = f"/console/projects/{world.theirs}"
    assert client.post(f"{theirs}/flags/{world.their_flag}/acknowledge", data={"csrf_token": token}).status_code == 403
    assert client.post(f"{theirs}/budget-lines/{world.their_line}", data={"csrf_token": token}).status_code == 403
    assert len(audit_events()) == before


@pytest.mark.parametrize("name", FORMS)
def test_every_form_needs_its_csrf_token_and_a_post_from_this_site(client, manager, world, name):
    case = cases(world)[name]
    sign_in(client, manager.user)
    foreign = client.application.test_client()
    sign_in(foreign, factories.UserFactory(role="manager"))
    before = len(audit_events())
    assert client.post(case.path, data=case.good).status_code == 400
    response = post_form(client, case, case.good, headers={"Origin": "https://evil.example"})
    assert response.status_code == 400
    assert len(audit_events()) == before
    assert client.post(case.path, data={"csrf_token": form_token(foreign), **case.good}).status_code == 400
    assert len(audit_events()) == before


# odd values, by how a field is read: none may make a server error, whatever the other fields hold
ODD = {
    "text": ["\x00", "x" * 20_001, "한" * 301, " \t ", "<script>alert(1)</script>"],
    "decimal": ["1e5", "9" * 40, "0.0000001", "-0.5", "1,2,3", "١٢", "NaN", "Infinity"],
    "integer": ["9" * 30, "-1", "1.5", "٣", "0x10"],
    "date": ["2999-02-30", "0001-01-01", "9999-12-31", "2026-13-01", "tomorrow", "1900-01-01"],
    "choice": ["<b>", "\x00", "waived", "x" * 500],
    "checkbox": ["on", "\x00"],
}


@pytest.mark.parametrize("name", WITH_ERRORS)
def test_no_odd_value_in_any_field_makes_a_server_error(client, caio, world, name):
    case = cases(world)[name]
    # a good stage decision the gate refuses, and a new key each time: the other fields' rules are all met
    good = {**case.good, "to_stage": "rollout"} if name == "stage decision" else case.good
    sign_in(client, caio.user)
    posted = 0
    for field in FORM_OF[name].fields:
        for odd in ODD[field.kind] + (["12345678901234567.891"] if field.kind == "decimal" else []):
            posted += 1
            fresh = {"key": f"ODD-{posted}"} if name == "new project" else {}
            response = post_form(client, case, {**good, **fresh, field.name: odd})
            assert response.status_code in (303, 409, 422), (field.name, odd, response.status_code)
            if response.status_code != 303:
                check_page(response.get_data(as_text=True))


def test_approving_a_line_dates_it_today_and_setting_it_back_to_planned_removes_the_date(client, manager, world):
    sign_in(client, manager.user)
    path = f"/console/projects/{world.pid}/budget-lines/{world.eur_line}"
    sent = whole_form(check_page(client.get(path).get_data(as_text=True)), path)
    assert sent["status"] == "planned" and sent["approved_on"] == "" and sent["spent"] == "0.00"
    assert client.post(path, data={**sent, "status": "approved"}).status_code == 303
    line = manager.get(f"/api/v1/budget-lines/{world.eur_line}").json
    assert (line["status"], line["approved_on"]) == ("approved", TODAY.isoformat())
    # the form now shows the approval date; set back to planned without touching it, the line loses it
    sent = whole_form(check_page(client.get(path).get_data(as_text=True)), path)
    assert sent["approved_on"] == TODAY.isoformat()
    assert client.post(path, data={**sent, "status": "planned"}).status_code == 303
    line = manager.get(f"/api/v1/budget-lines/{world.eur_line}").json
    assert (line["status"], line["approved_on"]) == ("planned", None)
    # a date typed for a planned line is the API's 422, beside the field
    sent = whole_form(check_page(client.get(path).get_data(as_text=True)), path)
    response = client.post(path, data={**sent, "approved_on": TODAY.isoformat()})
    assert response.status_code == 422
    assert "A planned line has no approval date" in text_of(check_page(response.get_data(as_text=True)))


def test_a_practice_is_set_as_sent_and_its_rules_are_the_apis(client, manager, world):
    sign_in(client, manager.user)
    path = f"/console/projects/{world.pid}/practices/testing"
    response = client.post(path, data={"csrf_token": form_token(client), "status": "done"})
    assert response.status_code == 422
    assert "Enter the date it was done" in text_of(check_page(response.get_data(as_text=True)))
    done = {"status": "done", "completed_on": TODAY.isoformat(), "note": "Tested with 400 real questions."}
    assert client.post(path, data={"csrf_token": form_token(client), **done}).status_code == 303
    practice = manager.get(f"/api/v1/projects/{world.pid}/practices/testing").json
    assert (practice["status"], practice["completed_on"], practice["in_effect"]) == ("done", TODAY.isoformat(), True)
    sent = whole_form(check_page(client.get(path).get_data(as_text=True)), path)
    response = client.post(path, data={**sent, "status": "in_progress"})
    assert response.status_code == 422  # the date goes only with done: the API's rule, said so
    assert "A completion date goes only with Done" in text_of(check_page(response.get_data(as_text=True)))
    assert manager.get(f"/api/v1/projects/{world.pid}/practices/testing").json["status"] == "done"


def test_a_resolved_or_handled_flag_is_said_so_and_nothing_changes(client, manager, world, session):
    sign_in(client, manager.user)
    resolved = factories.FlagFactory(
        project_id=world.stalled,
        rule="no_kpis",
        status="resolved",
        opened_at=TODAY - timedelta(days=9),
        resolved_at=TODAY - timedelta(days=2),
    )
    path = f"/console/projects/{world.stalled}/flags/{resolved.id}"
    before = len(audit_events())
    for action, data in (("acknowledge", {}), ("snooze", {"until": "2099-01-01", "reason": "Later."})):
        response = client.post(f"{path}/{action}", data={"csrf_token": form_token(client), **data})
        assert response.status_code == 409
        root = check_page(response.get_data(as_text=True))
        assert "There is nothing left to do" in text_of(root) and root.find(".//main//form") is None
    assert len(audit_events()) == before
    project = check_page(client.get(f"/console/projects/{world.stalled}").get_data(as_text=True))
    assert project.find(f".//form[@action='{path}/acknowledge']") is None


def test_a_new_projects_key_in_use_is_an_error_beside_the_key(client, manager, world):
    sign_in(client, manager.user)
    case = cases(world)["new project"]
    response = post_form(client, case, {**case.good, "key": "CITY-PERMITS-01"})
    assert response.status_code == 422
    root = check_page(response.get_data(as_text=True))
    assert text_of(root.find(".//*[@id='key-error']")) == "Error: Another project has this reference: choose another"
    edit = cases(world)["edit project"]
    response = post_form(client, edit, {"key": "CITY-STALLED-01"})
    assert response.status_code == 422 and "Another project has this reference" in response.get_data(as_text=True)


def test_project_text_in_another_language_than_the_pages_is_marked_with_its_own(client, manager, world, session):
    korean = factories.ProjectFactory(
        key="SEOUL-SIGNALS-01",
        title="교통신호 최적화",
        problem="출퇴근 시간 교차로 정체",
        department="교통운영과",
        content_locale="ko",
        stage="pilot",
        stage_entered_at=TODAY - timedelta(days=300),
        owner=manager.user,
    )
    made(manager.post("/api/v1/scans", json={}), status=403)  # (a manager runs no scans: the CAIO office does)
    factories.FlagFactory(project=korean, rule="pilot_purgatory")
    sign_in(client, manager.user)
    root = check_page(client.get(f"/console/projects/{korean.id}?lang=en").get_data(as_text=True))
    assert root.find(".//title").get("lang") == "ko"
    assert root.find(".//h1/span[@lang='ko']").text == "교통신호 최적화"
    assert [dd.text for dd in root.findall(".//dl[@class='summary']/dd[@lang='ko']")] == [
        "출퇴근 시간 교차로 정체",
        "교통운영과",
    ]
    ko_page = check_page(client.get(f"/console/projects/{korean.id}?lang=ko").get_data(as_text=True))
    assert ko_page.find(".//h1/span[@lang]") is None  # Korean text on a Korean page needs no mark
    listed = check_page(client.get("/console/projects?q=SEOUL&lang=en").get_data(as_text=True))
    assert listed.find(".//tbody/tr/td").get("lang") == "ko"  # the title
    flags = check_page(client.get(f"/console/flags?project={korean.id}&lang=en").get_data(as_text=True))
    assert flags.find(".//ul[@class='flag-list']//p[@class='muted']").get("lang") == "ko"
    # the edit form shows the original text as written, marked too
    edit = check_page(client.get(f"/console/projects/{korean.id}/edit?lang=en").get_data(as_text=True))
    assert edit.find(".//input[@name='title']").get("lang") == "ko"


def test_the_language_switch_on_a_form_page_saves_the_language_and_comes_back_to_the_form(client, manager, world):
    sign_in(client, manager.user)
    path = f"/console/projects/{world.pid}/budget-lines"
    root = check_page(client.get(path).get_data(as_text=True))
    switch = root.find(".//form[@action='/console/me']")
    assert switch.find(".//input[@name='next']").get("value") == path
    response = client.post("/console/me", data={"csrf_token": form_token(client), "locale": "ko", "next": path})
    assert response.status_code == 303 and response.headers["Location"] == path
    korean = check_page(client.get(path).get_data(as_text=True))
    assert korean.get("lang") == "ko" and text_of(korean.find(".//h1")).endswith("예산 항목 추가")


def _refusals(check, *args, **kwargs) -> dict:
    """The field errors a rule of the API gives: {field: [message]}."""
    try:
        check(*args, **kwargs)
    except Invalid as refused:
        return refused.extra["errors"]["json"]
    raise AssertionError(f"{check.__name__} refused nothing")


def test_every_message_the_api_gives_a_forms_field_has_words_of_its_own_in_both_languages(app):
    """The API's wording, recognised: a reworded API message would fall back to a vague sentence."""
    odd = {"text": ["", " ", "x" * 20_001], "decimal": ["ten", "1.2345678", "-1", "9" * 20], "integer": ["x", "0"]}
    odd |= {"date": ["x", "2999-01-01", "1800-01-01"], "choice": ["x", ""], "checkbox": ["x"]}
    found = []  # (field, the API's message)
    with app.test_request_context():
        for form in FORM_OF.values():
            for field in form.fields:
                for value in odd[field.kind]:
                    data, problems = reading.api_input({field.name: value}, [field])
                    if not data and not problems:
                        continue  # an empty field left out: the API's default (a form never sends no change)
                    try:
                        form.schema.load(data, partial=tuple(f.name for f in form.fields if f.name != field.name))
                    except ma.ValidationError as error:
                        problems = error.messages
                    found += [(name, str(message)) for name, messages in problems.items() for message in messages]
        today = date(2026, 3, 5)
        services = [
            _refusals(
                budget_rules.budget_dates, status="planned", sent={"approved_on": today}, current=None, today=today
            ),
            _refusals(
                budget_rules.budget_dates,
                status="approved",
                sent={"approved_on": date(2026, 1, 1), "planned_on": date(2026, 2, 1)},
                current=None,
                today=today,
            ),
            _refusals(
                budget_rules.budget_dates,
                status="approved",
                sent={"planned_on": date(2027, 1, 1)},
                current=None,
                today=today,
            ),
            _refusals(budgets._minor_units, {"spent": Decimal("1.5")}, "KRW", sent={"spent"}),
            _refusals(budgets._minor_units, {"amount": Decimal("1.555")}, "EUR", sent={"amount"}),
            _refusals(kpis._check_dates, date(2026, 2, 1), date(2026, 1, 1)),
            _refusals(
                trust_rules.check_reclassification,
                current="unassessed",
                requested="minimal",
                rationale="",
                may_lower_guarded=True,
            ),
            _refusals(
                trust_rules.check_practice,
                key="testing",
                status="not_applicable",
                completed_on=None,
                waiver_reason="",
                may_waive=True,
            ),
            _refusals(
                trust_rules.check_practice,
                key="testing",
                status="done",
                completed_on=None,
                waiver_reason="x",
                may_waive=True,
            ),
            _refusals(
                trust_rules.check_practice,
                key="testing",
                status="waived",
                completed_on=today,
                waiver_reason="",
                may_waive=True,
            ),
        ]
        for fields in services:
            found += [(name, message) for name, messages in fields.items() for message in messages]
        found += [("effective_date", "Must not be before the previous stage decision (2026-01-01).")]
        found += [("owner_id", "Must be an active user with the role manager, caio or admin.")]
        found += [("purpose", "Required when the project is public.")]
        found += [
            (
                "content_locale",
                "The project has a translation into ko: delete it first, or keep the project's language.",
            )
        ]
        assert len(found) > 60
        vague = [
            (name, message) for name, message in found if messages.in_words(name, message) == str(messages.CHECK_VALUE)
        ]
        assert vague == []
    with app.test_request_context("/console?lang=ko"):
        for name, message in found:
            assert HANGUL.search(messages.in_words(name, message)), (name, message)


def test_peoples_text_is_shown_as_text_never_run_as_markup(client, manager, world):
    sign_in(client, manager.user)
    case = cases(world)["edit project"]
    assert (
        post_form(client, case, {"title": '<script>alert("x")</script><img src=x onerror=alert(1)>'}).status_code == 303
    )
    body = client.get(f"/console/projects/{world.pid}").get_data(as_text=True)
    root = check_page(body)  # no script element, no handler attribute, nothing loaded from elsewhere
    assert text_of(root.find(".//h1")).endswith('<script>alert("x")</script><img src=x onerror=alert(1)>')
    assert "&lt;script&gt;" in body


def test_a_form_goes_back_only_to_a_console_page(client, manager, world):
    sign_in(client, manager.user)
    path = f"/console/projects/{world.stalled}/flags/{world.flag}/acknowledge"
    for elsewhere in ("https://evil.example/", "//evil.example/console", "/registry"):
        response = client.post(path, data={"csrf_token": form_token(client), "next": elsewhere})
        assert response.status_code == 303
        assert response.headers["Location"] == f"/console/projects/{world.stalled}#flags"


def test_a_form_larger_than_the_service_takes_is_a_413_page_and_changes_nothing(app, client, manager, world):
    sign_in(client, manager.user)
    before = len(audit_events())
    case = cases(world)["record a measurement"]
    note = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = post_form(client, case, {**case.good, "note": note})
    assert response.status_code == 413
    assert "The request is too large" in text_of(check_page(response.get_data(as_text=True)))
    assert len(audit_events()) == before
