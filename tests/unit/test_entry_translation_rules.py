"""Translations as pure rules: into which languages, when stale, and what a reader is shown."""

import pytest

from tracker.entry_translations import rules

ORIGINALS = {
    "title": "Permit triage",
    "problem": "Applicants wait 42 days.",
    "purpose": "Answers applicants faster.",
    "data_sources": "Applications.",
    "logic": "",
    "risks": "Wrong answers.",
    "human_oversight": "A planner reads every draft.",
    "risk_rationale": "",
}


@pytest.mark.parametrize(
    ("locale", "why"),
    [
        ("ko", None),
        ("en", "The project's own text is written in en (its content_locale): a translation is into another language."),
        ("fr", "Must be one of: en, ko."),
        ("KO", "Must be one of: en, ko."),
        ("", "Must be one of: en, ko."),
    ],
)
def test_a_translation_is_into_a_supported_language_other_than_the_projects_own(locale, why):
    assert rules.locale_problem(locale, content_locale="en", supported=("en", "ko")) == why


def test_only_a_field_whose_original_has_text_can_be_translated():
    assert rules.untranslatable(ORIGINALS, ["title", "logic", "risk_rationale"]) == ["logic", "risk_rationale"]
    assert rules.untranslatable({**ORIGINALS, "logic": "   "}, ["logic"]) == ["logic"]


def test_a_translation_is_stale_when_an_original_changed_since_it_was_written_and_only_then():
    written_against = rules.fingerprints(ORIGINALS)
    assert set(written_against) == set(rules.TRANSLATED_FIELDS)
    assert rules.changed_originals(ORIGINALS, written_against) == []
    changed = {**ORIGINALS, "risks": "Wrong answers, sometimes.", "logic": "A model."}
    assert rules.changed_originals(changed, written_against) == ["logic", "risks"]  # in the fields' order
    assert rules.changed_originals(changed, {}) == list(rules.TRANSLATED_FIELDS)  # never written against
    # the fingerprints hold no text of the originals
    assert not any(text and text in str(written_against) for text in ORIGINALS.values())


def test_the_reader_is_shown_each_field_translated_where_it_can_be_and_told_its_language():
    shown = rules.in_language(
        ORIGINALS,
        content_locale="en",
        translation={"title": "건축허가 분류", "logic": "모델", "problem": None},
        reader="ko",
    )
    assert (shown["title"], shown["title"].lang) == ("건축허가 분류", "ko")
    assert (shown["problem"], shown["problem"].lang) == ("Applicants wait 42 days.", "en")
    assert (shown["logic"], shown["logic"].lang) == ("", "en")  # its original has been emptied: nothing to show
    assert rules.only_in_original(shown, "ko") == "partly"


def test_a_reader_of_the_original_language_reads_the_original():
    shown = rules.in_language(ORIGINALS, content_locale="en", translation={"title": "건축허가 분류"}, reader="en")
    assert shown["title"] == "Permit triage" and {piece.lang for piece in shown.values()} == {"en"}
    assert rules.only_in_original(shown, "en") is None


@pytest.mark.parametrize(
    ("translation", "expected"),
    [
        (None, "wholly"),
        ({}, "wholly"),
        ({"title": "건축허가 분류"}, "partly"),
        ({name: f"번역 {name}" for name in rules.TRANSLATED_FIELDS}, None),
    ],
)
def test_a_page_is_in_the_original_wholly_partly_or_not_at_all(translation, expected):
    shown = rules.in_language(ORIGINALS, content_locale="en", translation=translation, reader="ko")
    assert rules.only_in_original(shown, "ko") == expected


def test_the_public_is_shown_the_translated_fields_whose_originals_have_text():
    assert rules.published(ORIGINALS, {"title": "제목", "logic": "논리", "risks": None}) == {"title": "제목"}
    assert rules.published(ORIGINALS, None) == {}


def test_peoples_text_without_a_translation_counts_as_written_in_the_projects_language():
    department = rules.as_written("교통운영과", "ko")
    assert department == "교통운영과" and department.lang == "ko"
    assert rules.as_written(None, "en") == "" and rules.as_written(None, "en").lang == "en"
