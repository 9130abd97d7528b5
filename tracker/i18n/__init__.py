"""Languages: which one a request gets, and the gettext catalogues (Flask-Babel, Babel).

The interface is written in English (`SOURCE_LOCALE`); every other supported language has a
catalogue in `tracker/translations/<lang>/LC_MESSAGES/messages.po`. The catalogues are compiled
in memory the first time a process needs them: there are no `.mo` files to build, commit or
forget, and no binary files for parallel branches to conflict on (`*.po merge=union`).
"""

import functools
import io
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import get_group_symbol
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, Domain, format_date, format_decimal, get_locale, gettext
from markupsafe import Markup

SOURCE_LOCALE = "en"
SUPPORTED_LOCALES = ("en", "ko")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "messages"

babel = Babel()


def catalogue_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations_for(locale: str) -> NullTranslations:
    """The compiled catalogue of `locale` (once per process); the source language needs none."""
    path = catalogue_path(locale)
    if locale == SOURCE_LOCALE or not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy entry is not a translation yet
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def current_catalogue() -> NullTranslations:
    """The catalogue of the current locale; outside an app context (no locale), the source language."""
    locale = get_locale()
    return translations_for(str(locale)) if locale is not None else NullTranslations()


class CatalogueDomain(Domain):
    """Flask-Babel's domain, reading the catalogues compiled in memory instead of .mo files."""

    def get_translations(self):
        return current_catalogue()


def translate(message: str) -> str:
    """`gettext(message)` (no values) from the same catalogue, without Flask-Babel's lookups of its
    domain on every call: the vocabulary's words are translated this way, a hundred on a list page."""
    return current_catalogue().gettext(message)


def negotiate(accept_language: str, supported: tuple[str, ...], default: str) -> str:
    """The supported language a client prefers most (RFC 9110 q-values, RFC 4647 lookup).

    `ko-KR,ko;q=0.9,en;q=0.5` -> ko: a regional tag matches its language; `*` -> `default`;
    `q=0` excludes. Ties keep the header's order.
    """
    preferences = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            preferences.append((-quality, position, tag.strip().lower().replace("_", "-")))
    for _, _, tag in sorted(preferences):
        if tag == "*":
            return default
        for candidate in (tag, tag.split("-")[0]):
            if candidate in supported:
                return candidate
    return default


def chosen_by_query() -> str | None:
    """`?lang=` when it names a supported language (an unsupported one is ignored on pages)."""
    lang = request.args.get("lang")
    return lang if lang in SUPPORTED_LOCALES else None


def select_locale() -> str:
    """`?lang=`, else the language a view prefers for this reader (g.preferred_locale, e.g. an
    email recipient's, set before anything is translated), else Accept-Language, else
    DEFAULT_LOCALE. Outside a request (the deliverer): DEFAULT_LOCALE, or flask_babel.force_locale."""
    default = current_app.config["DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    return (
        chosen_by_query()
        or g.get("preferred_locale")
        or negotiate(request.headers.get("Accept-Language", ""), SUPPORTED_LOCALES, default)
    )


def long_date(value: date | str) -> str:
    """A day for people in the current language: `March 5, 2026`, `2026년 3월 5일` (Babel's long format)."""
    return format_date(date.fromisoformat(value) if isinstance(value, str) else value, format="long")


def organisation_name(config: Mapping, locale: str) -> str:
    """Whose register, reports and emails these are, in `locale`: ORGANISATION_NAME_<LOCALE>, else
    ORGANISATION_NAME, else the language's default name. The one place every page, report and
    email takes it from. Sentences never make it a grammatical subject or object: it stands
    alone (a header, a label, a signature), so any name reads naturally and no Korean particle
    is glued to a name whose last sound no one knows."""
    return (
        config.get(f"ORGANISATION_NAME_{locale.upper()}")
        or config.get("ORGANISATION_NAME")
        # the default reads naturally in each language: `AI register` / `AI 등록부`
        or translations_for(locale).pgettext("the organisation's name when none is set", "AI register")
    )


def lang_of(text, attribute: str = "lang") -> Markup:
    """` lang="ko"` for a piece of a project's text (a `Shown`, tracker/entry_translations/rules.py)
    written in a language other than the current one, the page's or the email's (WCAG 2.1 SC 3.1.2,
    Language of Parts; `attribute="xml:lang"` in the Atom feed); nothing for text in the current
    language, or whose language is not known (a plain string). A Jinja filter of pages and emails."""
    return lang_attribute(getattr(text, "lang", None), attribute)


def lang_attribute(lang: str | None, attribute: str = "lang") -> Markup:
    """` lang="ko"` for text written in `lang` when that is not the current language, else nothing:
    a project's own text shown as written (the console), marked with its `content_locale`."""
    if not lang or lang == str(get_locale()):
        return Markup("")
    return _attribute(attribute, lang)


@functools.cache
def _attribute(name: str, value: str) -> Markup:
    return Markup(' {}="{}"').format(name, value)


@functools.cache
def _thousands_separator(locale: str) -> str | None:
    """The separator of a language that writes whole numbers as Python's `{:,}` does but for the
    separator (en `1,234`, ko `1,234`), checked against Babel's own writing; None for any other."""
    separator = get_group_symbol(locale)
    written = {value: babel_format_decimal(value, locale=locale) for value in (7, 1234, 1234567, 12345678)}
    if all(text == f"{value:,}".replace(",", separator) for value, text in written.items()):
        return separator
    return None


def format_number(value) -> str:
    """A number for people, as Flask-Babel's `numberformat` writes it; a whole number of a language
    whose writing of it is Python's with another separator (en, ko), without Babel's pattern
    machinery on every call: the console's list writes a hundred of them on a page."""
    if type(value) is int and value >= 0:
        separator = _thousands_separator(str(get_locale()))
        if separator is not None:
            return f"{value:,}".replace(",", separator)
    return format_decimal(value)


class PeoplesWords:
    """The rules' wording (tracker.flags.rules.Words) for people, in the current locale (inside
    force_locale for an email): translated, dates written out, numbers grouped, all by Babel."""

    def gettext(self, message: str, **values) -> str:
        return gettext(message, **values)

    def day(self, iso: str) -> str:
        return long_date(iso)

    def number(self, value: int) -> str:
        return format_decimal(value)


PEOPLE = PeoplesWords()


def init_app(app: Flask) -> None:
    if app.config["DEFAULT_LOCALE"] not in SUPPORTED_LOCALES:
        raise ValueError(f"DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}")
    babel.init_app(app, locale_selector=select_locale, default_locale=app.config["DEFAULT_LOCALE"])
    babel.domain_instance = CatalogueDomain(domain=DOMAIN)
    app.jinja_env.filters["numberformat"] = format_number
