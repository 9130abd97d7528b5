"""Single sign-on by OpenID Connect against a real provider (oidc-provider from npm): the authorization
code flow with PKCE, state and nonce, discovery, the email from the ID token or UserInfo, verified."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests import factories
from tests.integration import oidc
from tests.web.console import session_events
from tests.web.pages import check_page, text_of

oidc_provider = oidc.oidc_provider
BACK = "http://tracker.test/console/sign-in/oidc"


def start(client, next_path: str | None = None):
    response = client.get("/console/sign-in/oidc/start", query_string={"next": next_path} if next_path else {})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def back_from_provider(client, login: str, next_path: str | None = None):
    """Through the provider as `login`, back to the console: the console's answer."""
    returned = oidc.sign_in_at_provider(start(client, next_path), login=login, back_to=BACK)
    parts = urlsplit(returned)
    return client.get(f"{parts.path}?{parts.query}")


def test_the_sign_in_page_offers_the_provider_by_its_name_keeping_next(client, oidc_provider):
    root = check_page(client.get("/console/sign-in?next=/console/flags").get_data(as_text=True))
    link = next(a for a in root.iter("a") if a.get("class") == "button-link")
    assert link.text == "Sign in with City ID"
    assert link.get("href") == "/console/sign-in/oidc/start?next=/console/flags"


def test_the_authorization_request_uses_pkce_state_and_nonce_from_discovery(client, oidc_provider):
    location = start(client)
    assert location.startswith(oidc_provider.issuer + "/")  # the authorization endpoint it discovered
    query = parse_qs(urlsplit(location).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [oidc.CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0] and "openid" in query["scope"][0].split()
    assert query["redirect_uri"] == [BACK]


def test_an_active_user_signs_in_by_the_verified_email_from_userinfo_case_insensitively(client, oidc_provider):
    user = factories.UserFactory(email="kwame.mensah@city.example", name="Kwame Mensah", role="manager")
    response = back_from_provider(client, "Kwame.Mensah@City.Example", next_path="/console/flags")
    assert response.status_code == 303 and response.headers["Location"] == "/console/flags"
    assert "Kwame Mensah" in text_of(check_page(client.get("/console").get_data(as_text=True)))
    [event] = session_events("sign-in")
    assert event.actor_id == user.id and event.changes["method"]["after"] == "oidc"


def test_the_email_may_come_in_the_id_token(app, client):
    provider = oidc.start_provider(redirect_uri=BACK, id_token_claims=True)
    try:
        oidc.configure(app, provider)
        factories.UserFactory(email="ingrid@city.example", role="viewer")
        assert back_from_provider(client, "ingrid@city.example").status_code == 303
        assert client.get("/console").status_code == 200
    finally:
        provider.process.terminate()
        provider.process.wait(timeout=10)


@pytest.mark.parametrize(
    ("login", "reason", "words"),
    [
        ("nobody@city.example", "no-active-user", "no active user with that address"),
        ("gone@city.example", "no-active-user", "no active user with that address"),
        ("unverified@city.example", "email-not-verified", "has not verified the email address"),
    ],
)
def test_anyone_else_sees_a_translated_refusal_no_session_and_no_new_user(client, oidc_provider, login, reason, words):
    factories.UserFactory(email="gone@city.example", active=False)
    factories.UserFactory(email="unverified@city.example")
    response = back_from_provider(client, login)
    assert response.status_code == 403
    assert words in text_of(check_page(response.get_data(as_text=True)))
    assert client.get("/console").status_code == 303
    [refused] = session_events("sign-in-refused")
    assert refused.changes == {"method": {"before": None, "after": "oidc"}, "reason": {"before": None, "after": reason}}
    assert session_events("sign-in") == []


def test_a_return_whose_state_is_not_this_browsers_signs_nobody_in(app, client, oidc_provider):
    factories.UserFactory(email="amara@city.example", role="caio")
    returned = oidc.sign_in_at_provider(start(client), login="amara@city.example", back_to=BACK)
    parts = urlsplit(returned)
    # another browser (an attacker's link carrying the victim's code) has no such state
    other = app.test_client()
    assert other.get(f"{parts.path}?{parts.query}").status_code == 403
    assert other.get("/console").status_code == 303
    assert session_events("sign-in-refused")[-1].changes["reason"]["after"] == "mismatching_state"


def test_single_sign_on_is_off_while_it_is_not_configured(client):
    root = check_page(client.get("/console/sign-in").get_data(as_text=True))
    assert not [a for a in root.iter("a") if a.get("class") == "button-link"]
    assert client.get("/console/sign-in/oidc/start").status_code == 404


def test_a_provider_that_cannot_be_reached_is_a_translated_503(app, client):
    app.config.update(OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID="x", OIDC_CLIENT_SECRET="y")
    response = client.get("/console/sign-in/oidc/start?lang=ko")
    assert response.status_code == 503
    assert "로그인 제공자에 연결할 수 없습니다" in response.get_data(as_text=True)
