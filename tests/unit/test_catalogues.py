"""The translation catalogues: complete, and up to date with the code (README "Languages")."""

from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from tracker.i18n import SOURCE_LOCALE, SUPPORTED_LOCALES, catalogue_path, negotiate, translations_for

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [locale for locale in SUPPORTED_LOCALES if locale != SOURCE_LOCALE]
UPDATE = (
    "run: .venv/bin/pybabel extract -F babel.cfg -k _l --no-location --sort-output -o /tmp/messages.pot tracker "
    "&& .venv/bin/pybabel update -i /tmp/messages.pot -d tracker/translations --no-fuzzy-matching"
)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set:
    """The msgids the code and templates use now, extracted as the README says."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-o", str(pot), str(ROOT / "tracker")]
    )
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def _catalogue(locale: str):
    with catalogue_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def test_the_code_has_messages_to_translate(extracted):
    assert "Skip to main content" in extracted
    assert "Page not found" in extracted


@pytest.mark.parametrize("locale", TRANSLATED)
def test_each_catalogue_has_exactly_the_messages_of_the_code(extracted, locale):
    catalogue = {message.id for message in _catalogue(locale) if message.id}
    assert not (extracted - catalogue), f"missing from {locale}: {sorted(map(str, extracted - catalogue))}; {UPDATE}"
    assert not (catalogue - extracted), f"no longer in the code: {sorted(map(str, catalogue - extracted))}; {UPDATE}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated_and_its_placeholders_kept(locale):
    catalogue = _catalogue(locale)
    untranslated = [
        message.id
        for message in catalogue
        if message.id
        and (message.fuzzy or not all(message.string if isinstance(message.string, tuple) else [message.string]))
    ]
    assert not untranslated, f"{locale} lacks translations of {untranslated}"
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalogue.check()]
    assert not problems, problems


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_catalogue_compiles_in_memory_without_a_build_step(locale):
    assert translations_for(locale).gettext("Skip to main content") != "Skip to main content"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ko-KR,ko;q=0.9,en;q=0.5", "ko"),
        ("en-US,en;q=0.9,ko;q=0.8", "en"),
        ("ko", "ko"),
        ("KO-kr", "ko"),
        ("fr-FR,fr;q=0.9,ko;q=0.4,en;q=0.3", "ko"),
        ("en;q=0.2,ko;q=0.8", "ko"),
        ("ko;q=0,en;q=0.1", "en"),
        ("*", "en"),
        ("fr, *;q=0.5", "en"),
        ("fr", "en"),
        ("", "en"),
        ("ko;q=abc,en", "en"),
    ],
)
def test_accept_language_is_negotiated_by_quality_then_order(header, expected):
    assert negotiate(header, SUPPORTED_LOCALES, "en") == expected


def test_a_wildcard_gets_the_default_locale_whatever_it_is():
    assert negotiate("*", SUPPORTED_LOCALES, "ko") == "ko"
    assert negotiate("de, *;q=0.1", SUPPORTED_LOCALES, "ko") == "ko"
