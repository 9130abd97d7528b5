"""Pages for people: the one layout, stylesheet, language switcher and error pages that every
server-rendered page of the service shares (the register, the alert action pages, the staff
console), and the front door at `/`.

Pages carry no script and load nothing from elsewhere; everything a person reads on them goes
through gettext (tracker.i18n), and they are cacheable public HTML negotiated on Accept-Language.
"""

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode

from babel import Locale
from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.globals import request_ctx
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from tracker.http import QUERY_SAFE, is_console_path
from tracker.i18n import SUPPORTED_LOCALES, chosen_by_query, lang_attribute, lang_of, organisation_name, vocab
from tracker.vocab import STOPPED_STAGES

STATIC = Path(__file__).resolve().parent / "static"
PUBLIC_CACHE = "public, max-age=300"

blp = Blueprint("pages", __name__, template_folder="templates")


@blp.get("/assets/site.css")
def stylesheet():
    return send_from_directory(STATIC, "site.css", max_age=86400)


@blp.get("/assets/charts.css")
def chart_stylesheet():
    """The reports' chart style, for the console's pages that draw them; the printable reports carry
    the same file inline (they load nothing)."""
    response = make_response(render_template("reports/_chart_style.css"))
    response.mimetype = "text/css"
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@blp.get("/")
def front_door():
    """Where to go: residents to the register, staff to the console, developers to the API's docs."""
    return render_page("pages/front.html")


def page_url(endpoint: str, **values) -> str:
    """url_for that keeps a language the reader chose with ?lang= (SPEC: kept in the page's links)."""
    lang = chosen_by_query()
    if lang and "lang" not in values:
        values["lang"] = lang
    return url_for(endpoint, **values)


def page_urls(endpoint: str) -> Callable[..., str]:
    """page_url for the many links to one endpoint on a page (a list's rows): the language and the
    request's URL adapter looked up once, each link then built by its route alone (Flask's url_for
    looks both up again for each: a third of a 50-row list's rendering)."""
    lang = chosen_by_query()
    build = request_ctx.url_adapter.build

    def url(**values) -> str:
        if lang and "lang" not in values:
            values["lang"] = lang
        return build(endpoint, values)

    return url


def this_path() -> str:
    """This request's path, for a link on its own page: percent-encoded as an address is (a path
    typed with a control character in it still makes valid links)."""
    return quote(f"{request.script_root}{request.path}", safe="/:@!$&'()*+,;=~")


def _languages() -> list[dict]:
    """The switcher: each language named in itself, linking to this page with its lang= set."""
    current = str(get_locale())
    args = request.args.to_dict()
    languages = []
    for code in SUPPORTED_LOCALES:
        query = urlencode({**args, "lang": code}, safe=QUERY_SAFE)
        languages.append(
            {
                "code": code,
                "name": Locale.parse(code).get_display_name(code),
                "url": f"{this_path()}?{query}",
                "current": code == current,
            }
        )
    return languages


blp.add_app_template_filter(lang_of, "lang_of")
blp.add_app_template_filter(lang_attribute, "lang_attribute")
blp.add_app_template_filter(vocab.in_words, "in_words")


@blp.app_context_processor
def layout_context() -> dict:
    return {
        "organisation": organisation_name(current_app.config, str(get_locale())),
        "page_url": page_url,
        "page_urls": page_urls,
        "page_locale": str(get_locale()),
        "languages": _languages,
        # the names of every code a page shows (one vocabulary), and which stages are stopped
        "words": vocab,
        "STOPPED_STAGES": STOPPED_STAGES,
    }


def render_page(template: str, *, status: int = 200, cache: bool = True, **context) -> Response:
    """A page: the template rendered in the reader's language; public pages may be cached a while."""
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = PUBLIC_CACHE if cache else "no-store"
    return response


# What an error page says, by status; any other status is described by its generic name.
ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You are not allowed to do this"),
    404: _l("Page not found"),
    405: _l("This page cannot be used that way"),
    409: _l("This cannot be done as things stand"),
    413: _l("The request is too large"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is unavailable for a moment"),
}
ERROR_HINTS = {
    404: _l("If you typed the address, check it. A system that is no longer listed publicly has no page here."),
    500: _l("The error has been logged. Try again later."),
    503: _l("Try again in a minute."),
}


# the console's pages (under /console) have a layout of their own, for signed-in staff
CONSOLE_ERROR_TEMPLATE = "console/error.html"
CONSOLE_ERROR_HINTS = {
    403: _l("Your role does not allow it. Nothing was changed. If you need to, ask the CAIO office."),
    404: _l("If you typed the address, check it. The project or page may have been removed."),
}


def error_page(code: int, headers: dict | None = None, *, hint=None) -> Response:
    """The HTML error page of a page request (the API keeps its JSON errors), in the console's
    layout under /console."""
    title = ERROR_TITLES.get(code, _l("The request could not be completed"))
    console = is_console_path(request.path)
    template = CONSOLE_ERROR_TEMPLATE if console else "pages/error.html"
    hint = hint or (CONSOLE_ERROR_HINTS.get(code) if console else None) or ERROR_HINTS.get(code)
    response = render_page(template, status=code, cache=False, code=code, title=title, hint=hint)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
