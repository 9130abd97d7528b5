"""The organisation's name per language, and one vocabulary per language, where people read them:
the register, the feed, the printable report, the emails' sender, and the flags API's English."""

from datetime import date

import feedparser
import pytest

from tests import factories
from tests.web.pages import public_project
from tests.web.test_register import KO, page
from tracker.alerts.email import build_message

HTML = {"Accept": "text/html"}


def site_name(client, url: str, headers=None) -> str:
    return page(client, url, headers)[1].find(".//a[@class='site-name']").text


def report_title(caller, lang: str) -> str:
    body = caller.get(f"/api/v1/reports/portfolio?lang={lang}", headers=HTML).get_data(as_text=True)
    return body.split("<title>", 1)[1].split("</title>", 1)[0]


def sender(app, locale: str) -> str:
    message = build_message(
        recipient="ana@city.example",
        recipient_name="Ana",
        subject="s",
        text="t",
        html="<p>h</p>",
        message_id="<m@city.example>",
        locale=locale,
        config=app.config,
    )
    return message["From"].addresses[0].display_name


def test_with_no_name_set_the_organisation_is_named_naturally_in_each_language(app, client, viewer):
    assert site_name(client, "/registry") == "AI register"
    assert site_name(client, "/registry", KO) == "AI 등록부"
    assert report_title(viewer, "en").startswith("AI register: ")
    assert report_title(viewer, "ko").startswith("AI 등록부: ")
    assert (sender(app, "en"), sender(app, "ko")) == ("AI register", "AI 등록부")
    feed = feedparser.parse(client.get("/registry/feed.atom", headers=KO).get_data())
    assert feed.feed.author == "AI 등록부" and feed.feed.title.startswith("AI 등록부: ")


@pytest.mark.parametrize(
    ("settings", "english", "korean"),
    [
        ({"ORGANISATION_NAME": "City of Sejong"}, "City of Sejong", "City of Sejong"),
        ({"ORGANISATION_NAME_KO": "세종특별자치시"}, "AI register", "세종특별자치시"),
        (
            {"ORGANISATION_NAME": "Sejong", "ORGANISATION_NAME_EN": "City of Sejong", "ORGANISATION_NAME_KO": "세종시"},
            "City of Sejong",
            "세종시",
        ),
    ],
)
def test_each_language_has_its_own_name_else_the_common_one(app, client, viewer, settings, english, korean):
    app.config.update(settings)
    assert (site_name(client, "/registry?lang=en"), site_name(client, "/registry?lang=ko")) == (english, korean)
    assert report_title(viewer, "en").startswith(f"{english}: ")
    assert report_title(viewer, "ko").startswith(f"{korean}: ")
    assert (sender(app, "en"), sender(app, "ko")) == (english, korean)


def test_sentences_read_naturally_with_any_name_and_never_make_it_their_subject(app, client):
    app.config.update(ORGANISATION_NAME_KO="세종특별자치시", CAIO_EMAIL="")
    _, root = page(client, "/registry", KO)
    assert "세종특별자치시" not in root.find(".//p[@class='lead']").text
    _, root = page(client, "/registry/accessibility", KO)
    contact = [p.text for p in root.find(".//main").iter("p") if p.text and "세종특별자치시" in p.text]
    assert contact == [
        "이 페이지를 이용하기 어렵거나 다른 형식의 정보가 필요하시면 이 등록부를 발행하는 AI 담당 부서(세종특별자치시)에 연락해 주십시오."
    ]


def test_full_rollout_is_the_same_words_on_the_register_in_the_report_and_in_the_flags_api(client, session, viewer):
    project = public_project(key="CITY-BRIDGES-01", stage="rollout", stage_entered_at=date(2025, 1, 2))
    factories.FlagFactory(
        project=project, rule="no_kpis", details={"stage": "rollout", "stage_entered_on": "2025-01-02"}
    )
    for url, headers, words in (
        ("/registry/CITY-BRIDGES-01?lang=en", {}, "Full rollout"),
        ("/registry/CITY-BRIDGES-01", KO, "전면 확산"),
        ("/registry?stage=rollout&lang=en", {}, "Full rollout"),
    ):
        assert words in client.get(url, headers=headers).get_data(as_text=True)
    english = viewer.get("/api/v1/reports/portfolio?lang=en", headers=HTML).get_data(as_text=True)
    korean = viewer.get("/api/v1/reports/portfolio?lang=ko", headers=HTML).get_data(as_text=True)
    assert "<td>Full rollout</td>" in english and ">Rollout<" not in english
    assert "<td>전면 확산</td>" in korean
    [flag] = viewer.get("/api/v1/flags").json
    assert flag["explanation"].startswith("In full rollout for ")
