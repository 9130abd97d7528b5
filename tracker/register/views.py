"""The register's pages (server-rendered, no script) and its Atom feed."""

from datetime import UTC, date, datetime
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from babel import Locale
from babel.dates import format_date
from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_locale

from tracker.db import utcnow
from tracker.entry_translations.queries import as_shown
from tracker.entry_translations.rules import as_written, only_in_original
from tracker.extensions import db
from tracker.http import QUERY_SAFE, storable, without_unstorable
from tracker.i18n import chosen_by_query
from tracker.pages import PUBLIC_CACHE, render_page, this_path
from tracker.projects.rules import IMPLIED_EARLIER_STAGES
from tracker.register import queries
from tracker.trust.rules import PracticeState, all_practices

# The day the pages last passed axe-core (WCAG 2.1 AA) and the language-of-parts check in Chromium
# and were checked by hand against KWCAG 2.2; the accessibility statement says so. Change it when
# you check again.
ACCESSIBILITY_CHECKED_ON = date(2026, 12, 7)

MAX_QUERY = 200  # characters of a search kept (the box takes no more)

blp = Blueprint("register", __name__, url_prefix="/registry", template_folder="templates")


@blp.app_template_filter("long_date")
def long_date(value: date | datetime | None) -> str:
    """A date for people in the reader's language: `1 March 2025` style / `2025년 3월 1일` (UTC days)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()
    return format_date(value, format="long", locale=get_locale())


def _state() -> tuple[dict, str, int]:
    """The list's state from the query string: filters given (blank = all), the search, the page."""

    def given(name: str) -> str:
        return without_unstorable(request.args.get(name, "")).strip()

    filters = {name: value for name in queries.FILTERS if (value := given(name))}
    q = given("q")[:MAX_QUERY]
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    return filters, q, page


def _list_url(**changes) -> str:
    """This list with some of its state changed (a page number; None drops a parameter)."""
    args = {**request.args.to_dict(), **changes}
    query = urlencode({name: value for name, value in args.items() if value not in (None, "")}, safe=QUERY_SAFE)
    return this_path() + (f"?{query}" if query else "")


@blp.get("")
def index():
    """The register: public AI systems, newest change first, with search and filters."""
    filters, q, page = _state()
    connection = db.session.connection()
    state = queries.public_state(connection)
    choices = queries.filter_choices(connection, state)
    reader = str(get_locale())
    result = queries.search(
        connection, filters=filters, q=q, page=page, total=None if (filters or q) else state[0], reader=reader
    )
    # a value in the address that no entry uses stays visible in its select (and finds nothing)
    shown_choices = {
        name: ([filters[name]] if name in filters and filters[name] not in values else []) + values
        for name, values in choices.items()
    }
    return render_page(
        "register/list.html",
        result=result,
        entries=[_listed(row, reader) for row in result.entries],
        filters=filters,
        q=q,
        choices=shown_choices,
        list_url=_list_url,
        lang=chosen_by_query(),
        total_public=state[0],
        max_query=MAX_QUERY,
    )


def _listed(row: sa.Row, reader: str) -> dict:
    """An entry of a list or the feed as the reader is shown it: its title and purpose in their
    language where it has a translation, each piece of text marked with its language."""
    return {
        **row._asdict(),
        **as_shown(row, reader, queries.LISTED_TEXT),
        "department": as_written(getattr(row, "department", ""), row.content_locale),
    }


@blp.get("/accessibility")
def accessibility():
    """How accessible the pages are, how that is tested, and whom to tell when something is not."""
    return render_page(
        "register/accessibility.html", checked_on=ACCESSIBILITY_CHECKED_ON, contact=current_app.config["CAIO_EMAIL"]
    )


@blp.get("/feed.atom")
def feed():
    """The 50 most recently changed public entries as Atom 1.0."""
    reader = str(get_locale())
    entries = [_listed(row, reader) for row in queries.feed_entries(db.session.connection(), reader)]
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    authority = urlsplit(base).hostname or "localhost"
    body = render_template(
        "register/feed.xml",
        entries=entries,
        base=base,
        tag=f"tag:{authority},2026:registry",
        updated=entries[0]["changed_at"] if entries else utcnow(),
        rfc3339=lambda moment: moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    )
    return Response(body, mimetype="application/atom+xml", headers={"Cache-Control": PUBLIC_CACHE})


@blp.get("/<string(maxlength=64):key>")
def entry(key: str):
    """One public AI system's page, in SPEC's order."""
    connection = db.session.connection()
    reader = str(get_locale())
    row = queries.entry(connection, key, reader) if storable(key) else None  # no stored key holds a NUL
    if row is None:
        abort(404)
    decisions = queries.stage_decisions(connection, row.id)
    practices = _practices(connection, row) if row.risk_tier == "high_impact" else []
    shown = as_shown(row, reader)
    return render_page(
        "register/entry.html",
        entry={**row._asdict(), **shown, "department": as_written(row.department, row.content_locale)},
        # in the original language for want of a translation: the page says so (SPEC), in its own
        only_in_original=only_in_original(shown, reader),
        translated=any(piece.lang == reader != row.content_locale for piece in shown.values()),
        original_language=Locale.parse(row.content_locale).get_display_name(reader),
        implied=IMPLIED_EARLIER_STAGES[decisions[0].to_stage] if decisions else (),
        decisions=decisions,
        practices=practices,
        appeal=next((p for p in practices if p["key"] == "appeal"), None),
        valid_days=current_app.config["PRACTICE_VALID_DAYS"],
    )


def _practices(connection, entry: sa.Row) -> list[dict]:
    """The eight practices as the register shows them: status, dates, in effect today, evidence,
    and the waiver's public summary (written, like the entry, in its content_locale)."""
    written = {p.key: p for p in queries.written_practices(connection, entry.id)}
    valid_days = current_app.config["PRACTICE_VALID_DAYS"]
    today = utcnow().date()
    states = all_practices({k: PracticeState(k, p.status, p.completed_on, p.waived_on) for k, p in written.items()})
    shown = []
    for state in states:
        published = written.get(state.key)
        evidence = published.evidence_url if published else ""
        shown.append(
            {
                "key": state.key,
                "status": state.status,
                "completed_on": state.completed_on,
                "certified_on": state.certified_on(),
                "expires_on": state.expires_on(valid_days),
                "in_effect": state.in_effect(today, valid_days),
                # linked only as a web address (the API checks it; a page links nothing else)
                "evidence_url": evidence if evidence.startswith(("http://", "https://")) else "",
                "waiver_reason": as_written(published.waiver_reason if published else "", entry.content_locale),
            }
        )
    return shown
