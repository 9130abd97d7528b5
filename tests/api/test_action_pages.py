"""The action page of an alert email's link (GET/POST /alerts/act/<token>): what it shows, and each
refusal, which changes nothing (SECURITY.md, "Action links")."""

import base64
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from tests.factories import FlagFactory, ProjectFactory, UserFactory
from tracker.actions import links
from tracker.audit.models import AuditEvent
from tracker.db import utcnow
from tracker.extensions import db
from tracker.flags.models import Flag

SITE = "http://tracker.test"  # PUBLIC_BASE_URL in the tests' app


@pytest.fixture
def owner(app, session):
    return UserFactory(name="Ana Ruiz", email="ana@city.example", role="manager")


@pytest.fixture
def flag(session, owner):
    flag = FlagFactory(project=ProjectFactory(key="MOB-01", owner=owner), rule="pilot_purgatory")
    session.commit()
    return flag


def link(app, flag, user, *, signed_at=None) -> str:
    token = links.sign(links.Grant(flag.id, user.id), signed_at=signed_at or utcnow(), config=app.config)
    return f"/alerts/act/{token}"


def snooze_form(days: int = 30, reason: str = "Waiting for the council's decision") -> dict:
    return {"action": "snooze", "until": (utcnow().date() + timedelta(days=days)).isoformat(), "reason": reason}


def state_of(app, flag_id: int) -> tuple:
    """The flag's stored state and the audit trail's length: what a refusal must leave as it was."""
    with app.app_context():
        row = db.session.get(Flag, flag_id)
        events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        return row.status, row.acknowledged_at, row.snoozed_until, row.snooze_reason, events


def test_the_page_shows_the_flag_and_both_forms_and_a_get_changes_nothing(app, client, owner, flag):
    before = state_of(app, flag.id)

    page = client.get(link(app, flag, owner))

    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "MOB-01" in body and flag_title(app, flag) in body
    assert "The pilot has run longer than allowed without a decision" in body
    assert "<dt>Status</dt>\n  <dd>Open</dd>" in body
    assert body.count('<form method="post"') == 2
    assert '<label for="until">Snooze until</label>' in body
    assert 'aria-describedby="until-hint"' in body and 'aria-describedby="reason-hint"' in body
    assert "<script" not in body
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"  # not no-referrer: that makes Origin null
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    # a second GET, as a mail scanner or link preview would make: still nothing changed
    client.get(link(app, flag, owner))
    assert state_of(app, flag.id) == before


def flag_title(app, flag) -> str:
    from tracker.projects.models import Project

    with app.app_context():
        return db.session.get(Project, db.session.get(Flag, flag.id).project_id).title


def test_the_page_is_in_the_recipients_language_unless_lang_says_otherwise(app, session, client, owner, flag):
    owner.locale = "ko"
    session.commit()
    url = link(app, flag, owner)

    korean = client.get(url, headers={"Accept-Language": "en"})
    assert korean.headers["Content-Language"] == "ko"
    body = korean.get_data(as_text=True)
    assert '<html lang="ko">' in body and "경고 확인하기" in body and "시범사업 장기 정체" in body
    assert "년" in body and "월" in body  # Babel's Korean long date

    english = client.get(f"{url}?lang=en")
    assert english.headers["Content-Language"] == "en"
    assert "Acknowledge the flag" in english.get_data(as_text=True)


def test_a_recipient_without_a_locale_gets_the_default_locale(app, client, owner, flag):
    app.config["DEFAULT_LOCALE"] = "ko"
    assert client.get(link(app, flag, owner), headers={"Accept-Language": "en"}).headers["Content-Language"] == "ko"


def test_the_token_names_only_the_flag_and_the_user(app, owner, flag):
    token = link(app, flag, owner).rsplit("/", 1)[1]
    payload = token.split(".")[0]
    assert json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))) == [flag.id, owner.id]
    assert "ana" not in token.lower()
    # the same grant signed at the same time is the same link (every delivery attempt renders it)
    queued = utcnow() - timedelta(hours=3)
    assert link(app, flag, owner, signed_at=queued) == link(app, flag, owner, signed_at=queued)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_is_a_translated_404_and_changes_nothing(app, client, owner, flag, method):
    url = link(app, flag, owner)
    forged = links.sign(links.Grant(flag.id, owner.id), signed_at=utcnow(), config={"SECRET_KEY": "another key"})
    other_flag = url.replace(url.split("/")[-1].split(".")[0], "WzEsIDFd")  # [1, 1] with the old signature
    before = state_of(app, flag.id)
    for bad in (
        url[:-2] + ("AA" if not url.endswith("AA") else "BB"),
        f"/alerts/act/{forged}",
        other_flag,
        "/alerts/act/x",
    ):
        answer = getattr(client, method)(bad, data={"action": "acknowledge"}, headers={"Accept-Language": "ko"})
        assert answer.status_code == 404, bad
        body = answer.get_data(as_text=True)
        assert "<h1>페이지를 찾을 수 없습니다</h1>" in body  # no recipient known: the reader's Accept-Language
        assert '<html lang="ko">' in body and "<form" not in body
    assert state_of(app, flag.id) == before


def test_an_expired_link_is_a_404_and_changes_nothing(app, client, owner, flag):
    app.config["ACTION_LINK_DAYS"] = 2
    old = link(app, flag, owner, signed_at=utcnow() - timedelta(days=2, minutes=1))
    fresh = link(app, flag, owner, signed_at=utcnow() - timedelta(days=1, hours=23))
    before = state_of(app, flag.id)

    assert client.get(old).status_code == 404
    refused = client.post(old, data={"action": "acknowledge"}, headers={"Origin": SITE})
    assert refused.status_code == 404
    assert "links in alert emails work for 2 days" in refused.get_data(as_text=True)
    assert state_of(app, flag.id) == before
    assert client.get(fresh).status_code == 200


def test_a_link_of_a_deleted_flag_or_user_is_a_404(app, client, owner, flag):
    gone = links.Grant(flag.id + 1000, owner.id)
    token = links.sign(gone, signed_at=utcnow(), config=app.config)
    assert client.get(f"/alerts/act/{token}").status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # an opaque origin: a sandboxed frame, a data: URL, a no-referrer page
        {"Origin": "http://tracker.test.evil.example"},
        {"Origin": "https://tracker.test"},  # another scheme is another origin
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_post_from_another_site_is_refused_and_changes_nothing(app, client, owner, flag, headers):
    before = state_of(app, flag.id)
    url = link(app, flag, owner)

    for form in ({"action": "acknowledge"}, snooze_form()):
        refused = client.post(url, data=form, headers=headers)
        assert refused.status_code == 403
        assert "The form was sent from another website. Nothing was changed." in refused.get_data(as_text=True)
    assert state_of(app, flag.id) == before


@pytest.mark.parametrize("headers", [{"Origin": SITE}, {"Origin": "http://localhost"}, {}])
def test_a_post_from_this_site_or_without_origin_is_accepted(app, client, owner, flag, headers):
    # http://localhost is the test client's own host: the request's host is this site too
    answer = client.post(link(app, flag, owner), data={"action": "acknowledge"}, headers=headers)
    assert answer.status_code == 200
    assert state_of(app, flag.id)[0] == "acknowledged"


def test_a_user_who_has_left_may_no_longer_act(app, session, client, owner, flag):
    url = link(app, flag, owner)
    owner.active = False
    session.commit()
    before = state_of(app, flag.id)

    page = client.get(url)
    assert page.status_code == 403 and "<form" not in page.get_data(as_text=True)
    refused = client.post(url, data={"action": "acknowledge"}, headers={"Origin": SITE})
    assert refused.status_code == 403
    assert "you no longer own it, or your account is no longer active" in refused.get_data(as_text=True)
    assert client.post(url, data=snooze_form(), headers={"Origin": SITE}).status_code == 403
    assert state_of(app, flag.id) == before


def test_a_former_owner_may_no_longer_act_once_the_project_changed_hands(app, session, client, owner, flag):
    from tracker.projects.models import Project

    url = link(app, flag, owner)
    session.get(Project, flag.project_id).owner_id = UserFactory(role="manager").id
    session.commit()
    before = state_of(app, flag.id)

    assert client.post(url, data={"action": "acknowledge"}, headers={"Origin": SITE}).status_code == 403
    assert state_of(app, flag.id) == before


def test_an_acknowledged_flag_says_so_offers_nothing_and_refuses_a_post(app, client, owner, flag):
    url = link(app, flag, owner)
    assert client.post(url, data={"action": "acknowledge"}, headers={"Origin": SITE}).status_code == 200
    before = state_of(app, flag.id)

    page = client.get(url)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "<h1>This flag is already acknowledged</h1>" in body and "<form" not in body
    again = client.post(url, data=snooze_form(), headers={"Origin": SITE})
    assert again.status_code == 409 and "<form" not in again.get_data(as_text=True)
    assert state_of(app, flag.id) == before


def test_a_flag_resolved_since_the_email_says_so_and_a_replay_changes_nothing(app, session, client, owner, flag):
    url = link(app, flag, owner)
    stored = session.get(Flag, flag.id)
    stored.status, stored.resolved_at = "resolved", utcnow().date()
    session.commit()
    before = state_of(app, flag.id)

    body = client.get(url).get_data(as_text=True)
    assert "<h1>This flag is resolved</h1>" in body and "<form" not in body
    for form in ({"action": "acknowledge"}, snooze_form()):
        assert client.post(url, data=form, headers={"Origin": SITE}).status_code == 409
    assert state_of(app, flag.id) == before


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (snooze_form(days=-1), "until", "The date must be after today"),
        (snooze_form(days=0), "until", "The date must be after today"),
        ({**snooze_form(), "until": ""}, "until", "Enter the date until which to snooze the flag"),
        ({**snooze_form(), "until": "31/12/2030"}, "until", "Enter a real date, for example"),
        ({**snooze_form(), "until": "2030-02-30"}, "until", "Enter a real date, for example"),
        ({**snooze_form(), "reason": "   "}, "reason", "Enter why the flag can wait"),
        ({**snooze_form(), "reason": "x" * 2001}, "reason", "The reason must be 2,000 characters or fewer"),
    ],
)
def test_a_bad_snooze_shows_the_form_again_with_the_error_beside_the_field(
    app, client, owner, flag, form, field, message
):
    before = state_of(app, flag.id)

    answer = client.post(link(app, flag, owner), data=form, headers={"Origin": SITE})

    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert "<title>Error: " in body and "There is a problem" in body
    assert f'<li><a href="#{field}">{message}' in body  # the summary links to the field
    error = body.index(f'id="{field}-error"')  # the message beside its field, announced with it
    assert message in body[error : error + 300]
    assert f'aria-describedby="{field}-hint {field}-error"' in body and 'aria-invalid="true"' in body
    assert str(escape(form["reason"][:50])) in body  # what was typed is kept
    assert state_of(app, flag.id) == before


def test_an_unknown_action_shows_the_form_and_changes_nothing(app, client, owner, flag):
    before = state_of(app, flag.id)
    answer = client.post(link(app, flag, owner), data={"action": "resolve"}, headers={"Origin": SITE})
    assert answer.status_code == 400 and 'value="acknowledge"' in answer.get_data(as_text=True)
    assert state_of(app, flag.id) == before


def test_the_caio_office_receiving_a_link_acts_in_its_own_name(app, session, client, flag):
    caio = UserFactory(role="caio", email="caio@city.example")
    session.commit()
    assert client.post(link(app, flag, caio), data=snooze_form(), headers={"Origin": SITE}).status_code == 200
    with app.app_context():
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.entity == "flag", AuditEvent.action == "update")
        ).one()
        assert (event.actor_id, event.source) == (caio.id, "email-link")


def test_the_action_pages_are_not_in_the_api_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert not [path for path in spec["paths"] if "act" in path.split("/")]
