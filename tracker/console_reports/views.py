"""The console's reports (SPEC "The staff console": `GET /console/reports`, one frozen pack, and the
form that freezes one).

The figures are the API's: the same services compute them (tracker.reports.queries.portfolio,
tracker.trend.service.compute_trend through tracker.trend.views.trend_as_answered,
tracker.snapshots.service), and the printable report's and the
council pack's own sections draw them (templates reports/_portfolio.html and trend/_pack.html), so
the console shows what GET /api/v1/reports/portfolio and /trend answer, charts included. The CSV
files are the API's too, served under /console for people who hold no token.
"""

import marshmallow as ma
import sqlalchemy as sa
from flask import Blueprint, current_app, g, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.console import queries
from tracker.console.page import CONFIRMATIONS, confirm, list_url, render, staff
from tracker.console.queries import Page
from tracker.console.schemas import load
from tracker.console.views import domain_choices
from tracker.console_forms.forms import Form
from tracker.console_forms.messages import errors_in_words
from tracker.console_forms.reading import CHOICE, DATE, Field
from tracker.db import utcnow
from tracker.errors import Forbidden, Invalid
from tracker.extensions import db
from tracker.fields import Day, PastOrToday
from tracker.pages import error_page, page_url
from tracker.reports import formats
from tracker.reports import queries as report_queries
from tracker.reports.views import csv_response, portfolio_context
from tracker.signin.sessions import SOURCE
from tracker.snapshots import service as snapshots
from tracker.snapshots.models import Snapshot
from tracker.snapshots.schemas import SnapshotCreateSchema, SnapshotSummarySchema
from tracker.snapshots.views import freeze_as_asked
from tracker.trend import pack
from tracker.trend.charts import day
from tracker.trend.periods import PERIOD_KINDS
from tracker.trend.schemas import TrendRangeArgs
from tracker.trend.service import TrendRange
from tracker.trend.views import trend_as_answered, trend_range_from
from tracker.vocab import CAIO_OFFICE

blp = Blueprint("console_reports", __name__, url_prefix="/console", template_folder="templates")

PACKS_SHOWN = 20  # frozen packs to a page, newest first
RANGE_FIELDS = ("period", "from", "to", "domain", "department")
PERIOD_NAMES = {"month": _l("Month"), "quarter": _l("Quarter"), "year": _l("Fiscal year")}

CONFIRMATIONS["pack-frozen"] = lambda title: _("Council pack frozen: %(title)s.", title=title)

# the form that freezes a pack: its title, and the trend's parameters of the page it was on
FREEZE = Form(
    (
        Field("title"),
        Field("period", CHOICE),
        Field("from", DATE),
        Field("to", DATE),
        Field("domain"),
        Field("department"),
    ),
    SnapshotCreateSchema(),
)


class ReportsArgs(TrendRangeArgs):
    """The page's query: the portfolio report's day, the trend's range, the filters of both."""

    as_of = Day(validate=PastOrToday())
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))


@blp.before_request
def _as_the_signed_in_user():
    """A pack frozen here is the signed-in user's, from the console (the audit trail's actor and source)."""
    if g.get("staff") is not None:
        db.session.info.update(actor=g.staff, source=SOURCE)


def _trend_range(args: dict, location: str = "query") -> tuple[TrendRange | None, dict]:
    """The trend's range for the page's query, or the fields the API refuses, in words."""
    try:
        return trend_range_from(args, location=location), {}
    except Invalid as refused:
        return None, errors_in_words(refused.extra["errors"][location], RANGE_FIELDS)


def _filters(args: dict) -> dict:
    return {"domain": args.get("domain"), "department": args.get("department")}


def _portfolio(args: dict) -> report_queries.Portfolio:
    config = current_app.config
    return report_queries.portfolio(
        db.session,
        as_of=args.get("as_of") or utcnow().date(),
        domains=tuple(config["DOMAINS"]),
        practice_valid_days=config["PRACTICE_VALID_DAYS"],
        **_filters(args),
    )


def _packs(page: int) -> Page:
    """The frozen packs, newest first, a page of them (their figures are not read)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot))
    rows = db.session.scalars(
        snapshots.list_snapshots_query().limit(PACKS_SHOWN).offset((page - 1) * PACKS_SHOWN)
    ).all()
    return Page(rows, total, page, max(1, -(-total // PACKS_SHOWN)))


def _query(values: dict) -> dict:
    """The values worth a link's query string (the ones given, as text)."""
    return {name: str(value) for name, value in values.items() if value not in (None, "")}


def _reports_page(
    args: dict, errors: dict, given, *, freeze_values: dict | None = None, freeze_errors: dict | None = None
):
    """The page: the choices, both reports when the choices hold, the frozen packs and the form
    that freezes one; 422 when a choice or the form came back with errors."""
    context = {}
    if not errors:
        trend_range, errors = _trend_range(args)
    if not errors:
        report = _portfolio(args)
        trend = trend_as_answered(trend_range)
        pilot_stays = report_queries.longest_in_pilot(db.session, as_of=report.as_of, **_filters(args))
        context = {
            **pack.pack_context(trend),
            **portfolio_context(report, pilot_stays),
            "range_query": _query(trend_range.parameters),
            "as_of_query": _query({"as_of": report.as_of.isoformat(), **_filters(args)}),
        }
    freeze_errors = freeze_errors or {}
    return render(
        "console_reports/reports.html",
        status=422 if errors or freeze_errors else 200,
        section="reports",
        errors=errors,
        args=args,
        given=given,
        freeze_values=freeze_values or {},
        freeze_errors=freeze_errors,
        packs=_packs(args.get("page", 1)),
        period_choices=[(kind, PERIOD_NAMES[kind]) for kind in PERIOD_KINDS],
        domain_choices=domain_choices(),
        department_choices=[(name, name) for name in queries.departments(db.session)],
        list_url=list_url,
        **{"day": day, **context},
    )


@blp.get("/reports")
def reports():
    """The portfolio report and the trend for the chosen day, range and filters, and the frozen packs."""
    args, errors = load(ReportsArgs(), request.args)
    return _reports_page(args, errors, request.args)


@blp.get("/reports/portfolio.csv")
def portfolio_csv():
    """The portfolio report as CSV: GET /api/v1/reports/portfolio's, for the same day and filters."""
    args, errors = load(ReportsArgs(), request.args)
    if errors:
        return error_page(422, hint=" ".join(errors.values()))
    report = _portfolio(args)
    rows = formats.portfolio_rows(report)
    return csv_response(formats.csv_stream(formats.PORTFOLIO_COLUMNS, rows), f"portfolio-{report.as_of}.csv")


@blp.get("/reports/trend.csv")
def trend_csv():
    """The trend as CSV: GET /api/v1/reports/trend's, for the same range and filters."""
    args, errors = load(ReportsArgs(), request.args)
    trend_range = None
    if not errors:
        trend_range, errors = _trend_range(args)
    if errors:
        return error_page(422, hint=" ".join(errors.values()))
    return pack.csv_response(trend_as_answered(trend_range), f"trend-{trend_range.period}-{trend_range.to}.csv")


@blp.post("/reports/snapshots")
def freeze():
    """Freeze a council pack (caio, admin): the API's freeze, as the signed-in user."""
    me = staff()
    if me.role not in CAIO_OFFICE:
        raise Forbidden("only the CAIO office freezes council packs")
    submitted, snapshot = FREEZE.submit(lambda data: freeze_as_asked(data, actor=me, actor_name=me.name))
    if submitted.errors:
        if not submitted.values.get("title", "").strip():
            submitted.errors["title"] = _("Enter the title of the pack")
        # the page it came from: the range the form carried, when it reads
        args, arg_errors = load(ReportsArgs(), request.form)
        if arg_errors:
            args, given = {}, {}
        else:
            given = {name: request.form[name] for name in RANGE_FIELDS if name in request.form}
        return _reports_page(args, {}, given, freeze_values=submitted.values, freeze_errors=submitted.errors)
    confirm("pack-frozen", title=snapshot.title)
    return redirect(page_url("console_reports.reports", **_query(snapshot.parameters)), 303)


@blp.get("/reports/snapshots/<id:snapshot_id>")
def snapshot(snapshot_id: int):
    """One frozen council pack, drawn from its stored figures."""
    found = snapshots.get_snapshot(db.session, snapshot_id)
    return render(
        "console_reports/snapshot.html",
        section="reports",
        frozen=SnapshotSummarySchema().dump(found),
        made_at=found.created_at,
        **pack.pack_context(found.trend),
    )


@blp.get("/reports/snapshots/<id:snapshot_id>.csv")
def snapshot_csv(snapshot_id: int):
    """A frozen pack's stored trend as CSV (GET /api/v1/reports/snapshots/{id} with Accept: text/csv)."""
    found = snapshots.get_snapshot(db.session, snapshot_id)
    return pack.csv_response(found.trend, f"council-pack-{found.id}.csv")
