"""WCAG 2.1 SC 3.1.2, Language of Parts, in the rendered DOM: on every register page kind, in both
languages, the effective language of every piece of text Chromium shows (its nearest `lang`) is
the language it is written in. Project text is known (the originals in their content_locale, the
translations in theirs); every other piece is the page's own language. No automated checker sees
this: axe-core only checks that the `lang` values are valid (it still finds nothing here)."""

import pytest
import sqlalchemy as sa

from tests import factories
from tests.browser.conftest import live_server
from tests.web.pages import KOREAN_TEXT, small_register
from tracker.entry_translations.models import ProjectTranslation
from tracker.entry_translations.rules import TRANSLATED_FIELDS
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.trust.models import Practice

# the language switcher names each language in itself
SWITCHER = {"English": "en", "한국어": "ko"}
SIGNALS_IN_ENGLISH = {
    "title": "Pedestrian signal extension",
    "problem": "Older pedestrians are still crossing when the signal ends.",
    "purpose": "Extends the green man by up to ten seconds while someone is still crossing.",
    "data_sources": "Counts of people on the crossing from kerbside cameras; no images kept.",
    "logic": "A vision model counts people on the crossing and asks the controller for more time.",
    "risks": "A missed person gets no extension; minimum crossing times stay as they are.",
    "human_oversight": "Transport staff check the extensions daily and can switch them off.",
    "risk_rationale": "A safety component of traffic signal control.",
}
PAGES = {
    "list": "/registry",
    "filtered": "/registry?stage=rollout&risk_tier=high_impact",
    "empty": "/registry?q=nothing-matches-this",
    "high-impact": "/registry/SEOUL-TRAFFIC-01",  # Korean, not translated
    "limited": "/registry/CITY-PERMITS-01",  # English, part translated into Korean
    "untranslated": "/registry/CITY-STOPPED-01",  # English, not translated
    "translated": "/registry/SEOUL-SIGNALS-01",  # Korean, wholly translated into English
    "not-found": "/registry/CITY-PRIVATE-01",
    "accessibility": "/registry/accessibility",
}
# every text node under <body>, with the language its nearest ancestor (or itself) declares
TEXT_AND_LANGUAGE = """
const found = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const text = walker.currentNode.textContent.replace(/\\s+/g, " ").trim();
  if (!text) continue;
  const holder = walker.currentNode.parentElement.closest("[lang]");
  found.push([text, holder ? holder.getAttribute("lang") : null]);
}
return found;
"""


def _normal(text: str) -> str:
    return " ".join(text.split())


def written_languages() -> dict[str, str]:
    """Every piece of project text in the register, and the language it is written in."""
    languages = {}
    for project in db.session.scalars(sa.select(Project).where(Project.public.is_(True))):
        for name in (*TRANSLATED_FIELDS, "department"):
            if getattr(project, name):
                languages[_normal(getattr(project, name))] = project.content_locale
        for practice in db.session.scalars(sa.select(Practice).where(Practice.project_id == project.id)):
            if practice.waiver_reason:
                languages[_normal(practice.waiver_reason)] = project.content_locale
    for translation in db.session.scalars(sa.select(ProjectTranslation)):
        for name in TRANSLATED_FIELDS:
            if getattr(translation, name):
                languages[_normal(getattr(translation, name))] = translation.locale
    return languages


@pytest.fixture
def server(app, session):
    """The small register, and a Korean entry wholly translated into English."""
    small_register()
    signals = factories.ProjectFactory(
        key="SEOUL-SIGNALS-01",
        public=True,
        stage="poc",
        risk_tier="high_impact",
        content_locale="ko",
        contact_email="ai@seoul.example",
        **{name: KOREAN_TEXT[name] for name in KOREAN_TEXT if name not in ("title", "contact_email")},
        title="교통약자 보행신호 연장",
        risk_rationale="보행자 안전에 직접 영향을 주는 신호 제어의 안전 구성요소입니다.",
    )
    factories.TranslationFactory(project=signals, locale="en", **SIGNALS_IN_ENGLISH)
    with live_server(app) as base:
        yield base


def test_every_piece_of_text_on_every_page_kind_is_marked_with_the_language_it_is_written_in(server, browser):
    written = written_languages()
    wrong, checked = [], {}
    for name, path in PAGES.items():
        for page_language in ("en", "ko"):
            browser.get(f"{server}{path}{'&' if '?' in path else '?'}lang={page_language}")
            assert browser.execute_script("return document.documentElement.lang") == page_language
            content = 0
            for text, language in browser.execute_script(TEXT_AND_LANGUAGE):
                expected = written.get(text) or SWITCHER.get(text) or page_language
                content += text in written
                if language != expected:
                    wrong.append((f"{name}-{page_language}", text[:60], f"marked {language}, written in {expected}"))
            checked[f"{name}-{page_language}"] = content
    assert wrong == []
    # the project text that was checked: on every page that shows some, in both languages
    assert all(
        checked[f"{name}-{lang}"] >= 6
        for name in PAGES
        if name.endswith(("impact", "limited", "translated"))
        for lang in ("en", "ko")
    ), checked
    assert checked["list-en"] >= 8 and checked["list-ko"] >= 8, checked


def test_a_korean_reader_reads_the_translated_parts_in_korean_and_hears_the_rest_in_english(server, browser):
    browser.get(f"{server}/registry/CITY-PERMITS-01?lang=ko")
    pieces = dict(browser.execute_script(TEXT_AND_LANGUAGE))
    assert pieces["건축허가 사전검토 도우미"] == "ko"  # the heading, translated
    assert pieces["Loop detectors and cameras at 120 junctions (counts only, no images kept)."] == "en"
    assert pieces["이 항목의 일부는 원문(영어)으로만 제공됩니다."] == "ko"
    browser.get(f"{server}/registry/SEOUL-SIGNALS-01?lang=en")
    pieces = dict(browser.execute_script(TEXT_AND_LANGUAGE))
    assert pieces["Pedestrian signal extension"] == "en" and "교통약자 보행신호 연장" not in pieces
    assert pieces[KOREAN_TEXT["department"]] == "ko"  # a department has no translation
    assert pieces["Translated from Korean."] == "en"


def test_the_pages_of_translated_and_untranslated_entries_have_no_wcag_21_aa_violation(server, browser, axe_page):
    found = {}
    for name in ("untranslated", "translated"):
        for lang in ("en", "ko"):
            browser.get(f"{server}{PAGES[name]}?lang={lang}")
            found |= axe_page(f"{name}-{lang}")
    assert found == {}
