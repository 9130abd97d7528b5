"""Translations of a project's own text as pure rules: which fields a translation carries, into
which languages, when it is stale, and what a reader of a language is shown, marked with the
language each piece is written in. No Flask, no session: plain values in and out."""

import hashlib
from collections.abc import Iterable, Mapping

# SPEC: the fields a translation may carry, in the order the API lists them
TRANSLATED_FIELDS = (
    "title",
    "problem",
    "purpose",
    "data_sources",
    "logic",
    "risks",
    "human_oversight",
    "risk_rationale",
)
# the same limits as the originals
MAX_LENGTHS = {name: 300 if name == "title" else 20_000 for name in TRANSLATED_FIELDS}


def locale_problem(locale: str, *, content_locale: str, supported: Iterable[str]) -> str | None:
    """Why a translation cannot be into `locale`, or None: a language the service does not
    support, or the language the project is written in."""
    supported = tuple(supported)
    if locale not in supported:
        return f"Must be one of: {', '.join(supported)}."
    if locale == content_locale:
        return (
            f"The project's own text is written in {locale} (its content_locale): "
            "a translation is into another language."
        )
    return None


def untranslatable(originals: Mapping[str, str | None], given: Iterable[str]) -> list[str]:
    """The fields given a translation whose original is empty: there is nothing to translate."""
    return [name for name in given if not (originals.get(name) or "").strip()]


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fingerprints(originals: Mapping[str, str | None]) -> dict[str, str]:
    """What a translation keeps of the eight originals it was written against (not their text)."""
    return {name: _fingerprint(originals.get(name) or "") for name in TRANSLATED_FIELDS}


def changed_originals(originals: Mapping[str, str | None], written_against: Mapping[str, str]) -> list[str]:
    """The original fields whose text is no longer what it was when the translation was last
    written: the translation is stale when there is any (an edit undone is no change)."""
    now = fingerprints(originals)
    return [name for name in TRANSLATED_FIELDS if written_against.get(name) != now[name]]


# ---- what a reader is shown ----


class Shown(str):
    """A piece of a project's text as a reader is shown it, with the language it is written in
    (`lang`): pages mark it when that is not the page's language (WCAG 2.1 SC 3.1.2)."""

    lang: str

    def __new__(cls, text: str, lang: str):
        shown = super().__new__(cls, text)
        shown.lang = lang
        return shown


def as_written(text: str | None, content_locale: str) -> Shown:
    """People's text that has no translation (a department, a waiver reason): in the project's language."""
    return Shown(text or "", content_locale)


def published(originals: Mapping[str, str | None], translation: Mapping[str, str | None] | None) -> dict[str, str]:
    """The translated fields the public is shown: those with text whose original has text too (a
    translated field whose original has since been emptied translates nothing)."""
    translation = translation or {}
    return {name: text for name in TRANSLATED_FIELDS if (text := translation.get(name)) and originals.get(name)}


def in_language(
    originals: Mapping[str, str | None],
    *,
    content_locale: str,
    translation: Mapping[str, str | None] | None,
    reader: str,
    fields: Iterable[str] = TRANSLATED_FIELDS,
) -> dict[str, Shown]:
    """Each field in the reader's language where the translation has it, else the original."""
    translated = published(originals, translation) if reader != content_locale else {}
    return {
        name: Shown(translated[name], reader)
        if name in translated
        else Shown(originals.get(name) or "", content_locale)
        for name in fields
    }


def only_in_original(shown: Mapping[str, Shown], reader: str) -> str | None:
    """Whether a page in `reader`'s language shows the entry `wholly` or `partly` in its original
    language, for want of a translation; None when every piece with text is in the reader's."""
    with_text = [piece for piece in shown.values() if piece]
    original = [piece for piece in with_text if piece.lang != reader]
    if not original:
        return None
    return "wholly" if len(original) == len(with_text) else "partly"
