"""Signing in to the console by an emailed link, through the real SMTP server, and the sessions it
starts (SPEC "Signing in"), as a browser would ask."""

import re
from http.cookies import SimpleCookie

import pytest

from tests import factories
from tests.integration import mail
from tests.web.console import csrf_of, form_token, link_in, session_events, sign_in, wait_for
from tests.web.pages import check_page, text_of
from tracker.signin.sessions import PRE_SESSION_COOKIE, SESSION_COOKIE

smtp = mail.smtp
smtp_down = mail.smtp_down


@pytest.fixture
def seoyeon(session):
    return factories.UserFactory(email="seoyeon.park@city.example", name="박서연", role="manager", locale="ko")


def ask_for_link(client, email: str, **extra) -> str:
    """The sign-in page's form, filled in and sent; the answer's text."""
    token = form_token(client, "/console/sign-in")
    response = client.post("/console/sign-in", data={"email": email, "csrf_token": token, **extra})
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def the_email(smtp_server, address: str):
    return wait_for(lambda: smtp_server.to(address), what=f"the email to {address}")[-1]


def cookies_set(response) -> dict[str, SimpleCookie]:
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            found[name] = (morsel, header)
    return found


def test_an_active_user_gets_a_link_in_their_language_that_shows_a_button_and_signs_in_once(client, app, smtp, seoyeon):
    ask_for_link(client, "Seoyeon.Park@City.Example")  # addresses are compared case-insensitively
    message = the_email(smtp, seoyeon.email)
    assert message["Subject"] == "직원 콘솔 로그인 링크"
    assert "15분" in message.get_body(preferencelist=("plain",)).get_content()
    link = link_in(message)

    # opening the link (as a mail scanner would) shows one button and signs nobody in
    browser = app.test_client()
    page = browser.get(link)
    assert page.status_code == 200
    root = check_page(page.get_data(as_text=True))
    assert [button.text for button in root.iter("button")] == ["로그인"]
    assert browser.get("/console").status_code == 303
    assert session_events("sign-in") == []

    signed_in = browser.post(link, data={"csrf_token": csrf_of(page.get_data(as_text=True))})
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/console"
    morsel, _ = cookies_set(signed_in)[SESSION_COOKIE]
    assert morsel["httponly"] and morsel["samesite"] == "Lax" and morsel["path"] == "/console"
    assert not morsel["secure"]  # PUBLIC_BASE_URL is http here
    assert "박서연" in text_of(check_page(browser.get("/console").get_data(as_text=True)))
    [signed] = session_events("sign-in")
    assert signed.actor_id == seoyeon.id and signed.source == "console"
    assert signed.changes["method"]["after"] == "email-link"
    assert [event.action for event in session_events()] == ["link-sent", "sign-in"]

    # the link is spent: another browser gets a page that says so and offers a new one
    replay = app.test_client()
    page = replay.get(link)
    assert page.status_code == 410
    assert "사용된" in page.get_data(as_text=True) and 'name="email"' in page.get_data(as_text=True)
    refused = replay.post(link, data={"csrf_token": csrf_of(page.get_data(as_text=True))})
    assert refused.status_code == 410
    assert replay.get("/console").status_code == 303
    assert session_events("sign-in-refused")[-1].changes["reason"]["after"] == "spent"


def test_every_address_gets_the_same_answer_and_only_an_active_user_an_email(client, smtp, seoyeon):
    factories.UserFactory(email="gone@city.example", active=False)
    answers = {
        address: ask_for_link(client, address).replace(address, "ADDRESS")
        for address in ("seoyeon.park@city.example", "gone@city.example", "nobody@city.example")
    }
    assert len(set(answers.values())) == 1
    wait_for(lambda: len(session_events()) == 3)
    assert sorted((event.action, event.actor_email) for event in session_events()) == [
        ("link-refused", "gone@city.example"),
        ("link-refused", "nobody@city.example"),
        ("link-sent", "seoyeon.park@city.example"),
    ]
    assert [r.rcpt_tos for r in smtp.received] == [["seoyeon.park@city.example"]]


def test_the_answer_does_not_wait_for_the_mail_server(client, smtp, seoyeon):
    smtp.slow_seconds = 3  # the server takes its time to accept each message
    ask_for_link(client, seoyeon.email)
    assert smtp.received == []  # answered before the email was handed over
    the_email(smtp, seoyeon.email)


def test_at_most_five_links_go_to_one_address_in_an_hour(client, smtp, seoyeon):
    for n in range(7):
        ask_for_link(client, seoyeon.email.upper() if n % 2 else seoyeon.email)
    wait_for(lambda: len(session_events()) == 7)
    assert len(smtp.to(seoyeon.email)) == 5
    refused = session_events("link-refused")
    assert [event.changes["reason"]["after"] for event in refused] == ["too-many-links", "too-many-links"]


def test_a_link_works_only_for_sign_in_link_minutes(app, client, smtp, seoyeon):
    app.config["SIGN_IN_LINK_MINUTES"] = 0  # over as soon as it is made
    ask_for_link(client, seoyeon.email)
    link = link_in(the_email(smtp, seoyeon.email))
    page = client.get(link)
    assert page.status_code == 410 and "만료" in page.get_data(as_text=True)
    assert client.post(link, data={"csrf_token": csrf_of(page.get_data(as_text=True))}).status_code == 410
    assert client.get("/console").status_code == 303
    assert session_events("sign-in-refused")[-1].changes["reason"]["after"] == "expired"


def test_a_tampered_or_unknown_link_is_a_translated_404_that_offers_a_new_one(client, smtp, seoyeon):
    ask_for_link(client, seoyeon.email)
    link = link_in(the_email(smtp, seoyeon.email))
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    for path in (tampered, "/console/sign-in/not-a-token"):
        page = client.get(path, headers={"Accept-Language": "ko"})
        assert page.status_code == 404
        root = check_page(page.get_data(as_text=True))
        assert root.get("lang") == "ko" and root.find(".//input[@name='email']") is not None
        posted = client.post(path, data={"csrf_token": csrf_of(page.get_data(as_text=True))})
        assert posted.status_code == 404
    assert client.get("/console").status_code == 303
    assert {event.changes["reason"]["after"] for event in session_events("sign-in-refused")} == {"unknown"}


def test_a_user_made_inactive_after_asking_cannot_use_the_link(client, admin, smtp, seoyeon):
    ask_for_link(client, seoyeon.email)
    link = link_in(the_email(smtp, seoyeon.email))
    assert admin.patch(f"/api/v1/users/{seoyeon.id}", json={"active": False}).status_code == 200
    page = client.get(link)
    assert page.status_code == 404
    assert client.post(link, data={"csrf_token": csrf_of(page.get_data(as_text=True))}).status_code == 404
    assert client.get("/console").status_code == 303


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/console/projects?stage=pilot", "/console/projects?stage=pilot"),
        ("https://evil.example/console", "/console"),
        ("//evil.example/console", "/console"),
        ("/\\evil.example/console", "/console"),
        ("/registry", "/console"),
        ("/console-elsewhere", "/console"),
    ],
)
def test_after_signing_in_the_browser_goes_to_next_only_under_the_console(client, smtp, seoyeon, asked, lands):
    page = client.get("/console/sign-in", query_string={"next": asked})
    response = client.post(
        "/console/sign-in",
        data={"email": seoyeon.email, "next": asked, "csrf_token": csrf_of(page.get_data(as_text=True))},
    )
    assert response.status_code == 200
    link = link_in(the_email(smtp, seoyeon.email))
    confirm = client.get(link)
    signed_in = client.post(link, data={"csrf_token": csrf_of(confirm.get_data(as_text=True))})
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == lands


def test_each_sign_in_starts_a_new_session_and_no_id_held_before_is_promoted(app, client, smtp, seoyeon):
    # a cookie planted before sign-in (session fixation) and the pre-session the sign-in page made
    client.set_cookie(SESSION_COOKIE, "planted-by-someone-else", path="/console")
    ask_for_link(client, seoyeon.email)
    pre = client.get_cookie(PRE_SESSION_COOKIE, path="/console").value
    link = link_in(the_email(smtp, seoyeon.email))
    page = client.get(link)
    signed_in = client.post(link, data={"csrf_token": csrf_of(page.get_data(as_text=True))})
    session_id = client.get_cookie(SESSION_COOKIE, path="/console").value
    assert session_id not in ("planted-by-someone-else", pre)
    assert client.get_cookie(PRE_SESSION_COOKIE, path="/console") is None
    assert signed_in.status_code == 303
    # the planted value opens nothing, the new one does
    stranger = app.test_client()
    stranger.set_cookie(SESSION_COOKIE, "planted-by-someone-else", path="/console")
    assert stranger.get("/console").status_code == 303
    assert client.get("/console").status_code == 200


def test_signing_out_ends_the_session_and_the_cookie_replayed_is_no_session(app, client, seoyeon):
    cookie = sign_in(client, seoyeon)
    out = client.post("/console/sign-out", data={"csrf_token": form_token(client)})
    # the sign-in page, in the language the user read, says so once
    assert out.status_code == 303 and out.headers["Location"] == "/console/sign-in?lang=ko"
    assert "로그아웃했습니다" in client.get(out.headers["Location"]).get_data(as_text=True)
    assert "로그아웃했습니다" not in client.get(out.headers["Location"]).get_data(as_text=True)
    replayed = app.test_client()
    replayed.set_cookie(SESSION_COOKIE, cookie, path="/console")
    answer = replayed.get("/console/projects")
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/console/sign-in")
    assert "console_session=;" in " ".join(answer.headers.getlist("Set-Cookie"))  # and it is cleared
    [out_event] = session_events("sign-out")
    assert out_event.actor_id == seoyeon.id and out_event.changes["reason"]["after"] == "signed-out"


def test_a_user_made_inactive_is_signed_out_at_once_and_stays_out_when_made_active_again(client, admin, seoyeon):
    sign_in(client, seoyeon)
    assert client.get("/console").status_code == 200
    assert admin.patch(f"/api/v1/users/{seoyeon.id}", json={"active": False}).status_code == 200
    assert client.get("/console").status_code == 303
    [ended] = session_events("session-ended")
    assert ended.actor_id == admin.user.id and ended.changes["user_id"]["after"] == seoyeon.id
    assert admin.patch(f"/api/v1/users/{seoyeon.id}", json={"active": True}).status_code == 200
    assert client.get("/console").status_code == 303


def test_a_session_ends_session_hours_after_sign_in(client, seoyeon):
    sign_in(client, seoyeon, hours=0)
    assert client.get("/console").status_code == 303


def test_the_session_cookie_is_secure_when_the_service_is_published_over_https(app, client, smtp, seoyeon):
    app.config["PUBLIC_BASE_URL"] = "https://tracker.test"
    token = form_token(client, "/console/sign-in")
    client.post("/console/sign-in", data={"email": seoyeon.email, "csrf_token": token})
    message = the_email(smtp, seoyeon.email)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "https://tracker.test/console/sign-in/" in text
    link = text[text.index("https://tracker.test") + len("https://tracker.test") :].split()[0]
    page = client.get(link)
    signed_in = client.post(link, data={"csrf_token": csrf_of(page.get_data(as_text=True))})
    morsel, _ = cookies_set(signed_in)[SESSION_COOKIE]
    assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Lax"


def test_an_address_that_is_not_one_is_an_error_beside_the_field_and_sends_nothing(client, smtp, seoyeon):
    token = form_token(client, "/console/sign-in")
    for typed, error in (("", "Enter your email address"), ("seoyeon at city", "in the correct format")):
        response = client.post("/console/sign-in", data={"email": typed, "csrf_token": token})
        assert response.status_code == 422
        root = check_page(response.get_data(as_text=True))
        summary = root.find(".//div[@class='error-summary']")
        assert error in text_of(summary) and summary.find(".//a").get("href") == "#email"
        field = root.find(".//input[@id='email']")
        assert field.get("value") == typed and field.get("aria-invalid") == "true"
        assert "email-error" in field.get("aria-describedby")
    assert session_events() == [] and smtp.received == []


def test_links_go_to_the_log_only_when_the_operator_asks_for_it(app, client, smtp_down, seoyeon, caplog):
    ask_for_link(client, seoyeon.email)
    wait_for(lambda: session_events("link-sent"))
    wait_for(lambda: "could not send the sign-in link" in caplog.text, what="the failed send")
    assert "/console/sign-in/" not in caplog.text  # the mail server is down, and the link is lost
    app.config["SIGN_IN_LINKS_IN_LOG"] = True
    ask_for_link(client, seoyeon.email)
    logged = wait_for(lambda: re.search(r"http://tracker\.test(/console/sign-in/\S+)", caplog.text), what="the log")
    page = client.get(logged.group(1))
    signed_in = client.post(logged.group(1), data={"csrf_token": csrf_of(page.get_data(as_text=True))})
    assert signed_in.status_code == 303 and client.get("/console").status_code == 200
