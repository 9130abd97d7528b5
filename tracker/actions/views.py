"""GET and POST /alerts/act/<token>: the page an action link opens, and its form.

The token names one flag and its recipient (tracker/actions/links.py). A GET only shows (mail
scanners and link previews follow links); a POST acknowledges or snoozes through the flags'
service, as the recipient, recorded with source `email-link`. Nothing here is in the API's
OpenAPI document: a plain Flask blueprint, pages for people.
"""

from datetime import date, timedelta

from flask import Blueprint, current_app, g, request
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from tracker.actions import links
from tracker.auth import can_edit_project
from tracker.db import utcnow
from tracker.entry_translations.service import title_in
from tracker.extensions import db
from tracker.flags import rules, service
from tracker.flags.models import Flag
from tracker.flags.schemas import SnoozeSchema
from tracker.http import from_another_site
from tracker.i18n import PEOPLE
from tracker.pages import render_page
from tracker.projects.models import Project
from tracker.users.models import User

blp = Blueprint("actions", __name__, url_prefix="/alerts/act", template_folder="templates")

SOURCE = "email-link"  # the audit trail's source of what these pages change
REASON_MAX = 2000  # SnoozeSchema's limit, named in the error message
_snooze_schema = SnoozeSchema()


def _page(template: str, status: int = 200, **context):
    """An action page: never cached or stored (it is one person's), never indexed."""
    if "project" in context:
        context["project_title"] = title_in(db.session, context["project"], str(get_locale()))
    if "flag" in context:
        flag = context["flag"]
        context |= {"finding": _finding(flag), "flag_status": flag.status_on(utcnow().date())}
    response = render_page(f"actions/{template}", status=status, cache=False, **context)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _finding(flag: Flag) -> str:
    """What the scan found, with its numbers, in the reader's words: the flags API's explanation."""
    [shown] = service.with_project(db.session, [flag])
    return rules.explain(flag.rule, shown["details"], words=PEOPLE)


def _load(token: str) -> tuple[Flag, Project, User]:
    """The flag and recipient a valid token names, with the page in the recipient's language;
    404 for a tampered, expired or unknown token, or one naming what no longer exists."""
    try:
        grant = links.read(token, config=current_app.config)
    except links.InvalidLink:
        raise NotFound() from None
    flag, user = db.session.get(Flag, grant.flag_id), db.session.get(User, grant.user_id)
    if flag is None or user is None:
        raise NotFound()
    g.preferred_locale = user.locale or current_app.config["DEFAULT_LOCALE"]
    return flag, db.session.get(Project, flag.project_id), user


def _may_act(user: User, project: Project) -> bool:
    """The API's rule (tracker.auth): an active user who owns the project, or the CAIO office."""
    return user.active and can_edit_project(user, project.owner_id)


def _state_page(flag: Flag, project: Project, status: int = 200):
    """Nothing to do: the flag is resolved or acknowledged already."""
    return _page("handled.html", status=status, flag=flag, project=project)


@blp.errorhandler(NotFound)
def not_found(_error):
    return _page("gone.html", status=404, days=current_app.config["ACTION_LINK_DAYS"])


@blp.get("/<string(maxlength=500):token>")
def show(token: str):
    """The flag, and a form to acknowledge or snooze it. Changes nothing."""
    flag, project, user = _load(token)
    if not _may_act(user, project):
        return _page("refused.html", status=403, project=project)
    if flag.status in ("resolved", "acknowledged"):
        return _state_page(flag, project)
    return _form(flag, project, user)


@blp.post("/<string(maxlength=500):token>")
def act(token: str):
    """Acknowledge or snooze the flag as the link's recipient."""
    flag, project, user = _load(token)
    if from_another_site():
        return _page("refused.html", status=403, project=project, cross_site=True)
    if not _may_act(user, project):
        return _page("refused.html", status=403, project=project)
    if flag.status in ("resolved", "acknowledged"):
        return _state_page(flag, project, status=409)
    action = request.form.get("action")
    if action == "acknowledge":
        _as_recipient(user, flag)
        flag = service.acknowledge(db.session, actor=user, flag_id=flag.id)
        return _page("done.html", flag=flag, project=project)
    if action == "snooze":
        values = {"until": request.form.get("until", "").strip(), "reason": request.form.get("reason", "")}
        errors = _snooze_errors(values)
        if errors:
            return _form(flag, project, user, values=values, errors=errors, status=422)
        _as_recipient(user, flag)
        flag = service.snooze(db.session, actor=user, flag_id=flag.id, **_snooze_schema.load(values))
        return _page("done.html", flag=flag, project=project)
    return _form(flag, project, user, status=400)


def _as_recipient(user: User, flag: Flag) -> None:
    """What the flags' service writes is the recipient's, from an email link (the audit trail).
    The flag read for the page is expired, so the service's locked read loads it afresh."""
    db.session.info["actor"] = user
    db.session.info["source"] = SOURCE
    db.session.expire(flag)


def _snooze_errors(values: dict) -> dict:
    """The form's errors in the reader's words; the rules are SnoozeSchema's, the API's own."""
    found = _snooze_schema.validate(values)
    errors = {}
    if "until" in found:
        if not values["until"]:
            errors["until"] = _("Enter the date until which to snooze the flag")
        elif _is_date(values["until"]) and date.fromisoformat(values["until"]) <= utcnow().date():
            errors["until"] = _("The date must be after today")
        else:
            errors["until"] = _("Enter a real date, for example %(example)s", example=_example_date())
    if "reason" in found:
        if values["reason"].strip():
            errors["reason"] = _("The reason must be %(count)s characters or fewer", count=f"{REASON_MAX:,}")
        else:
            errors["reason"] = _("Enter why the flag can wait")
    return errors


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _example_date() -> str:
    return (utcnow().date() + timedelta(days=30)).isoformat()


def _form(flag: Flag, project: Project, user: User, *, values=None, errors=None, status: int = 200):
    return _page(
        "act.html",
        status=status,
        flag=flag,
        project=project,
        recipient=user,
        values=values or {},
        errors=errors or {},
        tomorrow=(utcnow().date() + timedelta(days=1)).isoformat(),
        example=_example_date(),
    )
