"""The rules of every console page (SPEC "The staff console", "Rules for every console page").

For every request under /console, before any view:
- the session cookie is looked up (tracker/signin/sessions.py): the signed-in staff member, in
  `g.staff`, reads the pages in their own language unless `?lang=` says otherwise;
- without a session, a GET answers 303 to the sign-in page with `next` (its path and query), and
  a POST 303 to the sign-in page, changing nothing; only the sign-in pages themselves are open;
- every POST carries the form's CSRF token (Flask-WTF, bound to the session, or before sign-in to
  the pre-session cookie) and no `Origin` of another site: else a 400 page, nothing changed.
An API token is never read here (the console knows only its cookie), and the API never reads the
cookie (no session is opened outside /console). Every console answer is `no-store`.
"""

from flask import Flask, current_app, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from tracker.console.page import here
from tracker.db import READ_METHODS
from tracker.extensions import csrf
from tracker.http import from_another_site, is_console_path
from tracker.i18n import chosen_by_query
from tracker.pages import error_page
from tracker.signin import links, sessions

FORM_REFUSED = _l(
    "The form could not be sent: it was open too long, or it came from another website. Nothing was changed. "
    "Go back, load the page again and try once more."
)

# the pages that need no session: signing in, in its two ways
OPEN_ENDPOINTS = frozenset(
    {
        "signin.form",
        "signin.ask",
        "signin.link",
        "signin.use_link",
        "signin.oidc_start",
        "signin.oidc_return",
    }
)


def install(app: Flask) -> None:
    # Flask-WTF checks only where this module asks it to (the API and the action pages have no such forms)
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    # a token lives as long as its session (SESSION_HOURS) or pre-session, not an hour less
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    sessions.install(app)
    links.warn_if_logged(app)
    app.before_request(_before_console_request)
    app.after_request(_after_console_request)
    app.register_error_handler(CSRFError, _refused_form)


def sign_in_url(next_path: str | None = None) -> str:
    values = {"next": next_path} if next_path else {}
    lang = chosen_by_query()
    if lang:
        values["lang"] = lang
    return url_for("signin.form", **values)


def _before_console_request():
    if not is_console_path(request.path):
        return None
    staff = sessions.resolve(sessions.current())
    g.staff = staff
    if staff is not None:
        g.preferred_locale = staff.locale or current_app.config["DEFAULT_LOCALE"]
    if request.endpoint in OPEN_ENDPOINTS:
        if request.method not in READ_METHODS:
            _check_form()
        return None
    if staff is None:
        return redirect(sign_in_url(here() if request.method in READ_METHODS else None), 303)
    if request.method not in READ_METHODS:
        _check_form()
    return None


def _check_form() -> None:
    """A form from this site, with its CSRF token: else CSRFError (a 400 page, nothing changed)."""
    if from_another_site():
        raise CSRFError("The form was sent from another site.")
    csrf.protect()


def _refused_form(_error: CSRFError):
    return error_page(400, hint=FORM_REFUSED)


def _after_console_request(response):
    if is_console_path(request.path):
        # one person's pages: never kept by a browser or a proxy, never indexed
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.vary.add("Cookie")
    return response
