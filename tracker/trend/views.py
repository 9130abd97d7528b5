"""GET /api/v1/reports/trend: the portfolio over time, as JSON, CSV or a printable council pack."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.auth import authenticate, require_sign_in
from tracker.db import utcnow
from tracker.extensions import db
from tracker.reports.views import CSV, HTML, TEXT_DOC, wanted_representation
from tracker.trend import pack
from tracker.trend.schemas import TrendArgs, TrendSchema
from tracker.trend.service import TrendRange, compute_trend, resolve_range

blp = Blueprint(
    "trend",
    __name__,
    url_prefix="/api/v1/reports",
    description="The portfolio over time: period by period, from the dated history",
    template_folder="templates",
)
blp.before_request(require_sign_in)

TREND_DOC = (
    "The trend as JSON (also for a missing or unknown `Accept`). With `Accept: text/csv` one row per period, "
    "the per-period keys flattened with `_` (stages_pilot, moves_pilot_to_rollout, purgatory_at_end, "
    "funding_pilots, ...), UTF-8 with a byte-order mark. With `Accept: text/html` a printable council pack "
    "(SVG charts, each followed by its table; no script) in the reader's language (`lang`, else "
    "Accept-Language, else DEFAULT_LOCALE)."
)


def trend_range_from(args: dict, *, location: str = "query"):
    """The request's range and filters, resolved with the settings (422 naming a bad field)."""
    return resolve_range(
        **{name: args[name] for name in ("period", "start", "to", "domain", "department") if name in args},
        fiscal_year_start_month=current_app.config["FISCAL_YEAR_START_MONTH"],
        today=utcnow().date(),
        location=location,
    )


def trend_as_answered(trend_range: TrendRange) -> dict:
    """The trend for `trend_range` as the API answers it (JSON-ready): what the council pack's
    sections and the console read."""
    trend = compute_trend(db.session, trend_range, pilot_max_days=current_app.config["PILOT_MAX_DAYS"])
    return TrendSchema().dump(trend)


@blp.route("/trend")
class Trend(MethodView):
    @blp.arguments(TrendArgs(), location="query")
    @blp.response(200, TrendSchema, description=TREND_DOC)
    @blp.alt_response(200, schema=TEXT_DOC, content_type=CSV, description=TREND_DOC, success=True)
    @blp.alt_response(200, schema=TEXT_DOC, content_type=HTML, description=TREND_DOC, success=True)
    def get(self, args):
        """The portfolio over time: per period the stage counts, entries, moves, graduation share,
        purgatory flows, funding of pilots and outcomes of rollouts; the cohorts; the time to rollout.

        Every figure is rebuilt from the dated stage history (and the budget lines' and
        measurements' own dates): nothing is read from today's state where a figure is "at the end
        of the period". `period` month, quarter (default) or year (fiscal years begin on the first
        day of FISCAL_YEAR_START_MONTH and are named after the year they end in); `to` defaults to
        today, `from` to 7 periods before; at most 120 periods. `domain` and `department` filter on
        the projects' current values.
        """
        authenticate()
        trend_range = trend_range_from(args)
        trend = compute_trend(db.session, trend_range, pilot_max_days=current_app.config["PILOT_MAX_DAYS"])
        wanted = wanted_representation()
        if wanted == CSV:
            return pack.csv_response(TrendSchema().dump(trend), f"trend-{trend_range.period}-{trend_range.to}.csv")
        if wanted == HTML:
            return pack.html_response(TrendSchema().dump(trend))
        return trend, 200, {"Vary": "Accept"}
