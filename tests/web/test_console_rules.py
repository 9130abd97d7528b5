"""The rules of every console page (SPEC "Rules for every console page"), through HTTP."""

import re

import pytest
import sqlalchemy as sa

from tests import factories
from tests.web.console import CONSOLE_PAGES, form_token, sign_in
from tests.web.pages import check_page, text_of
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.signin.sessions import PRE_SESSION_COOKIE, SESSION_COOKIE
from tracker.users.models import User


@pytest.fixture
def project(session):
    return factories.ProjectFactory(key="CITY-TRAFFIC-01", title="Adaptive signals", stage="pilot")


def locale_of(user) -> str | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User.locale).where(User.id == user.id))


@pytest.mark.parametrize("path", [*CONSOLE_PAGES, "/console/projects?stage=pilot&q=signals", "/console/projects/1"])
def test_without_a_session_a_console_page_answers_303_to_sign_in_with_the_page_as_next(client, project, path):
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/console/sign-in?next=")
    page = client.get(response.headers["Location"])
    hidden = check_page(page.get_data(as_text=True)).find(".//input[@name='next']")
    assert hidden.get("value") == path


def test_a_post_without_a_session_answers_303_to_sign_in_and_changes_nothing(app, client, manager):
    token = form_token(client, "/console/sign-in")  # a good pre-session token is still no session
    response = client.post("/console/me", data={"locale": "ko", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/console/sign-in"
    assert locale_of(manager.user) is None
    assert client.post("/console/sign-out", data={"csrf_token": token}).status_code == 303


def test_a_post_without_its_csrf_token_or_with_another_ones_is_a_400_page_and_changes_nothing(app, client, manager):
    sign_in(client, manager.user)
    other = app.test_client()
    sign_in(other, factories.UserFactory(role="viewer"))
    for token in (None, "forged", form_token(other)):
        data = {"locale": "ko", **({"csrf_token": token} if token else {})}
        response = client.post("/console/me", data=data)
        assert response.status_code == 400
        assert "another website" in text_of(check_page(response.get_data(as_text=True)))
    assert locale_of(manager.user) is None
    assert client.post("/console/me", data={"locale": "ko", "csrf_token": form_token(client)}).status_code == 303
    assert locale_of(manager.user) == "ko"


def test_the_pre_session_token_of_the_sign_in_page_is_not_the_sessions(app, client, manager):
    before = form_token(client, "/console/sign-in")
    sign_in(client, manager.user)
    client.delete_cookie(PRE_SESSION_COOKIE, path="/console")
    assert client.post("/console/me", data={"locale": "ko", "csrf_token": before}).status_code == 400
    assert locale_of(manager.user) is None


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}],
)
def test_a_post_from_another_site_is_a_400_page_even_with_a_good_token(client, manager, headers):
    sign_in(client, manager.user)
    response = client.post("/console/me", data={"locale": "ko", "csrf_token": form_token(client)}, headers=headers)
    assert response.status_code == 400
    assert locale_of(manager.user) is None


def test_a_post_from_this_site_is_taken(client, manager):
    sign_in(client, manager.user)
    for origin in ("http://tracker.test", "http://localhost"):
        response = client.post(
            "/console/me", data={"locale": "en", "csrf_token": form_token(client)}, headers={"Origin": origin}
        )
        assert response.status_code == 303


def test_the_console_never_takes_an_api_token_and_the_api_never_takes_the_console_cookie(client, manager):
    assert client.get("/console", headers={"Authorization": f"Bearer {manager.token}"}).status_code == 303
    cookie = sign_in(client, manager.user)
    assert client.get("/console").status_code == 200
    # even sent to the API on purpose (a browser would not: the cookie's path is /console)
    response = client.get("/api/v1/projects", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    assert response.status_code == 401 and response.is_json


@pytest.mark.parametrize("path", ["/console/sign-in", *CONSOLE_PAGES, "/console/projects/1", "/console/nowhere"])
def test_every_console_page_is_no_store_and_may_not_be_framed_or_run_script(client, manager, project, path):
    sign_in(client, manager.user)
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    assert "script-src" not in policy and "unsafe-inline" not in policy
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_pages_come_in_the_users_language_unless_lang_says_otherwise_and_lang_is_kept_in_links(client, project):
    reader = factories.UserFactory(role="viewer", locale="ko")
    sign_in(client, reader)
    root = check_page(client.get("/console", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert root.get("lang") == "ko" and root.find(".//h1").text == "대시보드"
    root = check_page(client.get("/console?lang=en").get_data(as_text=True))
    assert root.get("lang") == "en"
    nav = [a.get("href") for a in root.findall(".//nav[@class='console-nav']//a")]
    assert nav and all(href.endswith("lang=en") for href in nav)


def test_the_language_switch_saves_the_users_locale_and_returns_to_the_page(client, manager, project):
    sign_in(client, manager.user)
    page = client.get("/console/projects?stage=pilot&lang=en").get_data(as_text=True)
    root = check_page(page)
    form = root.find(".//form[@action='/console/me']")
    assert [b.get("value") for b in form.iter("button")] == ["ko"]  # the current language is no button
    next_path = form.find(".//input[@name='next']").get("value")
    assert next_path == "/console/projects?stage=pilot&lang=en"
    response = client.post("/console/me", data={"locale": "ko", "next": next_path, "csrf_token": form_token(client)})
    assert response.status_code == 303 and response.headers["Location"] == "/console/projects?stage=pilot"
    page = check_page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert page.get("lang") == "ko" and "언어를 저장했습니다" in text_of(page)
    assert locale_of(manager.user) == "ko"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "user")).all()[-1]
    assert (event.actor_id, event.source, event.changes["locale"]) == (
        manager.user.id,
        "console",
        {"before": None, "after": "ko"},
    )


def test_a_language_that_is_not_offered_is_a_422_page_and_changes_nothing(client, manager):
    sign_in(client, manager.user)
    response = client.post("/console/me", data={"locale": "fr", "csrf_token": form_token(client)})
    assert response.status_code == 422 and "languages offered" in response.get_data(as_text=True)
    assert locale_of(manager.user) is None


def test_a_console_page_that_does_not_exist_is_the_consoles_translated_404(client, manager):
    sign_in(client, manager.user)
    for path in ("/console/nowhere", "/console/projects/999999"):
        response = client.get(path + "?lang=ko")
        assert response.status_code == 404
        root = check_page(response.get_data(as_text=True))
        assert root.find(".//h1").text == "페이지를 찾을 수 없습니다"
        assert root.find(".//a[@href='/console?lang=ko']") is not None
    assert client.get("/console/sign-out").status_code == 405


def test_after_a_redirect_the_next_page_is_no_open_redirect_to_another_site(client, manager):
    sign_in(client, manager.user)
    for next_path in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(
            "/console/me", data={"locale": "en", "next": next_path, "csrf_token": form_token(client)}
        )
        assert response.headers["Location"] == "/console"
    assert not re.search(r"evil", response.headers["Location"])
