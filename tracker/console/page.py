"""What every console page shares: rendering (never cached), the signed-in staff member, the
confirmation shown once after a form's redirect (POST, 303, GET), and where a form may send the
browser back to.

A confirmation is kept in the session by key (with its values) and worded when it is shown, in
the language of the page that shows it (which may be another than the form's: the language
switch). A form's view calls `confirm(key, **values)` before its 303; the layout shows it once.
"""

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from flask import Response, g, request
from flask_babel import gettext as _

from tracker.http import CONSOLE, QUERY_SAFE, is_console_path
from tracker.pages import render_page
from tracker.signin import sessions
from tracker.signin.sessions import Staff

CONFIRMATIONS_KEY = "confirmations"
CONFIRMATIONS: dict[str, Callable[..., str]] = {
    "signed-out": lambda: _("You have signed out."),
    "locale-saved": lambda: _("Your language is saved. The console and your emails now use it."),
}


def render(template: str, *, status: int = 200, **context) -> Response:
    """A console page: one person's, never stored by a browser or proxy."""
    return render_page(template, status=status, cache=False, **context)


def staff() -> Staff:
    """The signed-in staff member (the rules let no view run without one, but the sign-in pages)."""
    return g.staff


def confirm(key: str, **values) -> None:
    """Show the confirmation `key` on the next page this browser opens."""
    session = sessions.current()
    session[CONFIRMATIONS_KEY] = [*session.get(CONFIRMATIONS_KEY, []), [key, values]]


def confirmations() -> list[str]:
    """The confirmations waiting for this page, worded now, and gone once shown."""
    session = sessions.current()
    if session is None or CONFIRMATIONS_KEY not in session:
        return []
    return [CONFIRMATIONS[key](**values) for key, values in session.pop(CONFIRMATIONS_KEY) if key in CONFIRMATIONS]


def safe_next(value: str | None, default: str = CONSOLE) -> str:
    """Where to send the browser after a sign-in or a form: a path under /console on this site, else
    `default` (never another site: no scheme, no host, no `//` or `\\` a browser reads as one)."""
    if not value or "\\" in value or any(ord(char) < 32 for char in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith("//") or not is_console_path(parts.path):
        return default
    return value


def here() -> str:
    """This page's path and query, to come back to after a form (the language switch, sign-in)."""
    return request.full_path.rstrip("?")


def list_url(**changes) -> str:
    """This page with some of its query changed (None drops a parameter: a new filter starts on page 1)."""
    args = {**request.args.to_dict(), **changes}
    query = urlencode({name: value for name, value in args.items() if value not in (None, "")}, safe=QUERY_SAFE)
    return request.path + (f"?{query}" if query else "")
