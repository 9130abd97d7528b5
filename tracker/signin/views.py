"""The sign-in pages: ask for a link, use it, single sign-on, sign out (SPEC "Signing in").

Pages for people, not in the API's OpenAPI document. The console's rules (tracker/console/guard.py)
have already looked up the session, checked the CSRF token and Origin of every POST, and let only
these pages be opened without a session (sign-out needs one).
"""

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, current_app, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import ValidationError, validate

from tracker.audit.trail import SESSION_ENTITY, record
from tracker.console.page import confirm, render, safe_next
from tracker.extensions import db
from tracker.signin import links, oidc, sessions
from tracker.signin.sessions import SOURCE

log = logging.getLogger(__name__)

blp = Blueprint("signin", __name__, url_prefix="/console", template_folder="templates")

# what the page of a link that signs nobody in says, and answers
LINK_PROBLEM_STATUS = {"unknown": 404, "spent": 410, "expired": 410}


def _next() -> str | None:
    """The page to go to after signing in, if the request names one under /console."""
    wanted = request.values.get("next")
    return safe_next(wanted, default="") or None


def _form(*, status: int = 200, email: str = "", errors: dict | None = None):
    config = current_app.config
    return render(
        "signin/form.html",
        status=status,
        email=email,
        errors=errors or {},
        next_path=_next(),
        oidc_name=config["OIDC_NAME"] if oidc.configured(config) else None,
    )


@blp.get("/sign-in")
def form():
    """The sign-in page: an email address for a link, or single sign-on."""
    if g.staff is not None:
        return redirect(_next() or sessions.CONSOLE, 303)
    return _form()


def _email_error(email: str) -> str | None:
    if not email:
        return _("Enter your email address")
    try:
        validate.Email()(email)
    except ValidationError:
        return _("Enter an email address in the correct format, like name@example.org")
    if len(email) > links.EMAIL_MAX:
        return _("An email address has at most %(count)s characters", count=links.EMAIL_MAX)
    return None


@blp.post("/sign-in")
def ask():
    """Send a sign-in link to an active user's address; the same answer for any address."""
    email = request.form.get("email", "").strip()
    error = _email_error(email)
    if error:
        return _form(status=422, email=email, errors={"email": error})
    links.send_later(current_app._get_current_object(), email=email, next_path=_next())
    return render(
        "signin/sent.html",
        email=email,
        minutes=current_app.config["SIGN_IN_LINK_MINUTES"],
        per_hour=links.LINKS_PER_HOUR,
        next_path=_next(),
    )


def _link_problem(problem: links.LinkProblem):
    if problem.user is not None:
        g.preferred_locale = problem.user.locale or current_app.config["DEFAULT_LOCALE"]
    return render(
        "signin/link_problem.html",
        status=LINK_PROBLEM_STATUS[problem.kind],
        kind=problem.kind,
        email="",
        errors={},
        next_path=_next(),
        minutes=current_app.config["SIGN_IN_LINK_MINUTES"],
    )


@blp.get("/sign-in/<string(maxlength=100):token>")
def link(token: str):
    """The page an emailed link opens: one button. Changes nothing (mail scanners follow links)."""
    try:
        _, user = links.read(db.session, token)
    except links.LinkProblem as problem:
        return _link_problem(problem)
    g.preferred_locale = user.locale or current_app.config["DEFAULT_LOCALE"]
    return render("signin/link.html", user=user, next_path=_next())


@blp.post("/sign-in/<string(maxlength=100):token>")
def use_link(token: str):
    """Sign in with an emailed link, and spend it."""
    session = sessions.current()
    try:
        user = links.spend(db.session, token)
    except links.LinkProblem as problem:
        db.session.rollback()
        _refused("email-link", problem.kind, user=problem.user)
        return _link_problem(problem)
    sessions.start(session, user, method="email-link")
    return redirect(_next() or sessions.CONSOLE, 303)


def _refused(method: str, reason: str, *, user=None, email: str = "") -> None:
    """A sign-in refused, in the audit trail (entity session)."""
    db.session.info["source"] = SOURCE
    record(
        db.session,
        entity=SESSION_ENTITY,
        action="sign-in-refused",
        actor=user,
        actor_email=email,
        facts={"method": method, "reason": reason},
    )
    db.session.commit()


NEXT_KEY = "oidc_next"  # where to go once the provider sends the browser back (in the pre-session)


@blp.get("/sign-in/oidc/start")
def oidc_start():
    """Off to the single sign-on provider (authorization code flow, PKCE, state and nonce)."""
    config = current_app.config
    if not oidc.configured(config):
        return render("signin/unavailable.html", status=404, configured=False)
    sessions.current()[NEXT_KEY] = _next() or ""
    try:
        return oidc.start(config)
    except (requests.RequestException, ValueError, oidc.Refused) as error:
        log.warning("single sign-on: the provider's discovery failed: %s", error)
        return render("signin/unavailable.html", status=503, configured=True)


@blp.get("/sign-in/oidc")
def oidc_return():
    """Back from the provider: sign in the active user of the verified email, or refuse."""
    config = current_app.config
    if not oidc.configured(config):
        return render("signin/unavailable.html", status=404, configured=False)
    session = sessions.current()
    next_path = safe_next(session.pop(NEXT_KEY, None))
    try:
        identity = oidc.finish()
    except AuthlibBaseError as error:  # a state that is not ours, the person said no, a bad ID token
        _refused("oidc", error.error or "oauth-error")
        return render("signin/refused.html", status=403, reason="provider", oidc_name=config["OIDC_NAME"])
    except oidc.Refused as refusal:
        _refused("oidc", refusal.reason)
        return render("signin/refused.html", status=403, reason=refusal.reason, oidc_name=config["OIDC_NAME"])
    except (requests.RequestException, ValueError) as error:
        log.warning("single sign-on: the provider could not be reached: %s", error)
        return render("signin/unavailable.html", status=503, configured=True)
    user = links.active_user(db.session, identity.email)
    if user is None:
        _refused("oidc", "no-active-user", email=identity.email)
        return render(
            "signin/refused.html",
            status=403,
            reason="no-active-user",
            email=identity.email,
            oidc_name=config["OIDC_NAME"],
        )
    sessions.start(session, user, method="oidc")
    return redirect(next_path, 303)


@blp.post("/sign-out")
def sign_out():
    """End this browser's session; the sign-in page says so in the language the user read."""
    language = str(get_locale())
    sessions.sign_out(sessions.current())
    confirm("signed-out")
    return redirect(url_for("signin.form", lang=language), 303)
