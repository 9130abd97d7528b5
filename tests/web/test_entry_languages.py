"""Each register entry in the reader's language, through HTTP: what a page, the list, the feed and
the search show of an entry with and without a translation, the language every piece is marked
with, and what a page says when it is shown in its original language. (The language of every
text node in Chromium: tests/browser/test_language_of_parts.py.)"""

import feedparser
import sqlalchemy as sa

from tests import factories
from tests.web.pages import (
    KOREAN_TEXT,
    PERMITS_IN_KOREAN,
    REGISTRY_TEXT,
    check_page,
    public_project,
    small_register,
    text_of,
)
from tests.web.test_register import KO, listed_keys, page
from tracker.extensions import db
from tracker.projects.models import Project


def effective_lang(root, element) -> str:
    """The language an element's text is in: its own `lang`, else its nearest ancestor's."""
    parents = {child: parent for parent in root.iter() for child in parent}
    while element is not None:
        if element.get("lang"):
            return element.get("lang")
        element = parents.get(element)
    raise AssertionError("no lang anywhere up the tree")


def with_text(root, text: str) -> list:
    """The elements whose own text (not their children's) is `text`, spaces aside."""
    wanted = " ".join(text.split())
    return [element for element in root.iter() if " ".join((element.text or "").split()) == wanted]


def languages_of(root, text: str) -> set[str]:
    found = with_text(root, text)
    assert found, f"{text!r} is not on the page"
    return {effective_lang(root, element) for element in found}


def main_of(response) -> str:
    """The page's main content, as markup."""
    return response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]


def test_a_korean_reader_reads_an_english_entrys_korean_translation_and_the_rest_marked_english(client, session):
    small_register()
    _, root = page(client, "/registry/CITY-PERMITS-01", KO)
    assert root.get("lang") == "ko"
    h1 = root.find(".//h1")
    assert h1.text == PERMITS_IN_KOREAN["title"] and effective_lang(root, h1) == "ko"
    assert root.find(".//title").get("lang") is None
    assert languages_of(root, PERMITS_IN_KOREAN["purpose"]) == {"ko"}
    assert languages_of(root, PERMITS_IN_KOREAN["human_oversight"]) == {"ko"}
    # not translated: in English, and marked so
    for name in ("data_sources", "logic", "risks"):
        assert languages_of(root, REGISTRY_TEXT[name]) == {"en"}, name
    assert languages_of(root, "Planning") == {"en"}  # the department: written in the entry's language
    assert languages_of(root, "Residents see its output.") == {"en"}  # the risk rationale
    notice = root.find(".//p[@class='notice']")
    assert notice.text == "이 항목의 일부는 원문(영어)으로만 제공됩니다."
    assert "Permit pre-check assistant" not in text_of(root.find(".//main"))


def test_an_entry_without_a_translation_says_it_is_available_in_its_language_only(client, session):
    small_register()
    _, root = page(client, "/registry/SEOUL-TRAFFIC-01?lang=en")
    assert root.find(".//p[@class='notice']").text == "This entry is available in Korean only."
    # the page is named after the system: its title in the browser's tab is marked Korean too
    assert root.find(".//title").get("lang") == "ko" and root.find(".//title").text.startswith(KOREAN_TEXT["title"])
    for name in ("title", "purpose", "problem", "department", "data_sources", "logic", "risks", "human_oversight"):
        assert languages_of(root, KOREAN_TEXT[name]) == {"ko"}, name
    assert languages_of(root, "법령상 면제") == {"ko"}  # a waiver's public summary
    assert languages_of(root, "신호 체계는 보행자 안전에 직접 영향을 줍니다.") == {"ko"}
    # the interface stays English
    assert languages_of(root, "The problem it solves") == {"en"}

    _, root = page(client, "/registry/CITY-STOPPED-01", KO)
    assert root.find(".//p[@class='notice']").text == "이 항목은 원문(영어)으로만 제공됩니다."
    assert languages_of(root, "Parking fines predictor") == {"en"}


def test_an_entry_in_the_readers_language_says_nothing_of_languages_and_marks_nothing(client, session):
    small_register()
    for url, headers in (("/registry/SEOUL-TRAFFIC-01", KO), ("/registry/CITY-PERMITS-01?lang=en", {})):
        response, root = page(client, url, headers)
        assert root.find(".//p[@class='notice']") is None
        assert ' lang="' not in main_of(response)


def test_a_wholly_translated_entry_reads_as_a_page_of_the_readers_language_translated_from_the_original(
    client, session
):
    seoul = public_project(key="SEOUL-SIGNALS-01", content_locale="ko", **{**KOREAN_TEXT, "department": ""})
    english = {
        "title": "Traffic signal timing",
        "problem": "Queues at junctions at rush hour.",
        "purpose": "Times signals to the traffic there is.",
        "data_sources": "Loop detectors at 120 junctions.",
        "logic": "A model proposes timings; engineers approve them.",
        "risks": "Pedestrians could wait longer.",
        "human_oversight": "Engineers can switch any junction back.",
        "risk_rationale": "Residents see its output.",
    }
    factories.TranslationFactory(project=seoul, locale="en", **english)
    response, root = page(client, "/registry/SEOUL-SIGNALS-01?lang=en")
    assert root.find(".//p[@class='notice']") is None
    assert "Translated from Korean." in text_of(root)
    assert ' lang="' not in main_of(response)
    assert KOREAN_TEXT["title"] not in text_of(root)


def test_the_list_shows_each_entry_in_the_readers_language_where_it_can_and_marks_the_rest(client, session):
    small_register()
    _, root = page(client, "/registry", KO)
    titles = {a.get("href").split("?")[0].rsplit("/", 1)[1]: a for a in root.findall(".//ol[@class='results']//h3/a")}
    assert titles["CITY-PERMITS-01"].text == PERMITS_IN_KOREAN["title"]
    assert effective_lang(root, titles["CITY-PERMITS-01"]) == "ko"
    assert (titles["CITY-STOPPED-01"].text, effective_lang(root, titles["CITY-STOPPED-01"])) == (
        "Parking fines predictor",
        "en",
    )
    assert effective_lang(root, titles["SEOUL-TRAFFIC-01"]) == "ko"
    assert languages_of(root, PERMITS_IN_KOREAN["purpose"]) == {"ko"}
    # departments in the list and in the filter's options, each in its entry's language
    assert languages_of(root, "Planning") == {"en"}
    options = {
        option.text: effective_lang(root, option) for option in root.findall(".//select[@id='department']/option")
    }
    assert options["Planning"] == "en" and options[KOREAN_TEXT["department"]] == "ko"

    _, root = page(client, "/registry?lang=en")
    assert languages_of(root, KOREAN_TEXT["title"]) == {"ko"}
    assert languages_of(root, "Permit pre-check assistant") == {"en"}


def test_the_feed_gives_each_entry_in_the_readers_language_with_xml_lang_on_the_rest(client, session):
    small_register()
    raw = client.get("/registry/feed.atom", headers=KO).get_data(as_text=True)
    feed = feedparser.parse(raw)
    assert not feed.bozo and feed.feed.language == "ko"
    entries = {entry.link.rsplit("/", 1)[1]: entry for entry in feed.entries}
    # the effective language of each piece (xml:lang, inherited from the feed where not its own)
    permits = entries["CITY-PERMITS-01"]
    assert (permits.title, permits.title_detail.language) == (PERMITS_IN_KOREAN["title"], "ko")
    assert (permits.summary, permits.summary_detail.language) == (PERMITS_IN_KOREAN["purpose"], "ko")
    stopped = entries["CITY-STOPPED-01"]
    assert (stopped.title, stopped.title_detail.language) == ("Parking fines predictor", "en")
    assert stopped.summary_detail.language == "en"
    assert '<title xml:lang="en">Parking fines predictor</title>' in raw

    feed = feedparser.parse(client.get("/registry/feed.atom?lang=en").get_data())
    seoul = next(entry for entry in feed.entries if entry.title == KOREAN_TEXT["title"])
    assert seoul.title_detail.language == "ko" and seoul.summary_detail.language == "ko"
    assert {entry.title_detail.language for entry in feed.entries if entry is not seoul} == {"en"}


def _search(client, q, headers=None):
    response = client.get("/registry", query_string={"q": q}, headers=headers or {})
    assert response.status_code == 200
    return check_page(response.get_data(as_text=True))


def test_a_search_for_a_korean_word_finds_an_entry_written_in_english_and_translated(client, session):
    small_register()
    # 건축허가 is only in the Korean translation of an entry written in English
    assert listed_keys(_search(client, "건축허가")) == ["CITY-PERMITS-01"]
    assert listed_keys(_search(client, "건축허가 pre-check")) == ["CITY-PERMITS-01"]  # every word, either language
    assert listed_keys(_search(client, "건축허가 정체")) == []  # a word of another entry: no match
    # and an English word finds a Korean entry through its English translation
    korean = db.session.scalar(sa.select(Project).where(Project.key == "SEOUL-TRAFFIC-01"))
    factories.TranslationFactory(project=korean, locale="en", title="Adaptive signal timing")
    assert listed_keys(_search(client, "adaptive")) == ["SEOUL-TRAFFIC-01"]


def test_the_search_follows_translations_written_and_removed_through_the_api(client, session, admin):
    small_register()
    project_id = db.session.scalar(sa.select(Project.id).where(Project.key == "CITY-STOPPED-01"))
    assert listed_keys(_search(client, "주차")) == []
    put = admin.put(f"/api/v1/projects/{project_id}/translations/ko", json={"title": "불법 주차 과태료 예측"})
    assert put.status_code == 201
    assert listed_keys(_search(client, "주차")) == ["CITY-STOPPED-01"]
    # an edit of the original keeps the translation searchable (the search text holds both)
    etag = admin.get(f"/api/v1/projects/{project_id}").headers["ETag"]
    admin.patch(f"/api/v1/projects/{project_id}", json={"title": "Parking fines model"}, headers={"If-Match": etag})
    assert listed_keys(_search(client, "주차")) == ["CITY-STOPPED-01"]
    assert listed_keys(_search(client, "model")) == ["CITY-STOPPED-01"]
    assert admin.delete(f"/api/v1/projects/{project_id}/translations/ko").status_code == 204
    assert listed_keys(_search(client, "주차")) == []


MARKUP = '<script>alert("title")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)> lang="xx'


def test_markup_in_a_translation_is_shown_as_text_on_the_pages_and_in_the_feed(client, session, admin):
    small_register()
    project_id = db.session.scalar(sa.select(Project.id).where(Project.key == "CITY-STOPPED-01"))
    put = admin.put(f"/api/v1/projects/{project_id}/translations/ko", json={"title": MARKUP, "purpose": ATTRIBUTE})
    assert put.status_code == 201
    for url in ("/registry/CITY-STOPPED-01", "/registry"):
        response, root = page(client, url, KO)  # check_page: no <script>, no on* attribute, valid markup
        assert MARKUP in text_of(root) and ATTRIBUTE in text_of(root)
        body = response.get_data(as_text=True)
        assert "<script>" not in body and "<img" not in body and 'lang="xx' not in body
        assert {element.get("lang") for element in root.iter() if element.get("lang")} <= {"en", "ko"}
    feed = feedparser.parse(client.get("/registry/feed.atom", headers=KO).get_data())
    assert not feed.bozo
    stopped = next(entry for entry in feed.entries if entry.link.endswith("/CITY-STOPPED-01"))
    assert stopped.title == MARKUP and stopped.title_detail.type == "text/plain"
