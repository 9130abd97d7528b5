"""Reports for the CAIO office: the portfolio (JSON, CSV, a printable page) and projects.csv."""

from flask import Response, current_app, render_template, request
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from tracker.auth import authenticate, require_sign_in
from tracker.db import utcnow
from tracker.extensions import db
from tracker.flags import rules
from tracker.i18n import PEOPLE, organisation_name
from tracker.i18n.vocab import BUDGET_MEASURES, RISK_TIER_NAMES, STAGE_NAMES
from tracker.projects.schemas import ProjectFilters
from tracker.reports import charts, export, formats, queries
from tracker.reports.schemas import PortfolioArgs, PortfolioSchema

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="Portfolio reports for the CAIO office",
    template_folder="templates",
)
blp.before_request(require_sign_in)

JSON, CSV, HTML = "application/json", "text/csv", "text/html"
TEXT_DOC = {"type": "string"}
# one description for the three representations (OpenAPI gives a status code one description)
PORTFOLIO_DOC = (
    "The report as JSON (also for a missing or unknown `Accept`). With `Accept: text/csv` the same figures, "
    "one row per figure, UTF-8 with a byte-order mark; columns section, name, stage, fiscal_year, currency, "
    "value (empty where a figure is null). With `Accept: text/html` a printable A4 page with inline SVG "
    "charts and tables, no scripts, no outside assets, in the reader's language (`lang`, else "
    "Accept-Language, else DEFAULT_LOCALE) with dates, numbers and money written for it; JSON and CSV keep "
    "machine formats."
)
FILTER_NAMES = {"domain": _l("Domain"), "department": _l("Department")}
PROJECTS_CSV_DOC = (
    "One row per project, UTF-8 with a byte-order mark, streamed. Money columns come in one group per "
    "currency present (and DEFAULT_CURRENCY): `{stage}_{planned|approved|spent}_{CURRENCY}`."
)


def wanted_representation() -> str:
    """JSON, CSV or HTML, as the request's Accept prefers (JSON when it names none of them)."""
    return request.accept_mimetypes.best_match((JSON, CSV, HTML), default=JSON)


def csv_response(chunks, filename: str) -> Response:
    return Response(
        chunks,
        mimetype=CSV,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Vary": "Accept"},
    )


def portfolio_context(report: queries.Portfolio, pilot_stays: list) -> dict:
    """What the report's sections (templates/reports/_portfolio.html) read besides the report: its
    charts and the words for stages, tiers, measures and rules; the console draws the same."""
    return {
        "report": report,
        "longest_in_pilot": pilot_stays,
        "charts": charts.for_page(report, pilot_stays),
        "stage_names": STAGE_NAMES,
        "risk_tier_names": RISK_TIER_NAMES,
        "measure_names": BUDGET_MEASURES,
        "rule_title": lambda rule: rules.title(rule, PEOPLE),
        "share": charts.share,
    }


@blp.route("/portfolio")
class PortfolioReport(MethodView):
    @blp.arguments(PortfolioArgs(), location="query")
    @blp.response(200, PortfolioSchema, description=PORTFOLIO_DOC)
    @blp.alt_response(200, schema=TEXT_DOC, content_type=CSV, description=PORTFOLIO_DOC, success=True)
    @blp.alt_response(200, schema=TEXT_DOC, content_type=HTML, description=PORTFOLIO_DOC, success=True)
    def get(self, args):
        """The portfolio report: stages, funnel, median days in stage, budgets, KPI coverage, flags, risk.

        Stage counts, funnel, medians and flags are as they stood at the end of `as_of` (UTC),
        rebuilt from the stage history and the flags' dates: projects whose history starts later
        do not exist yet. Budget and KPI figures are always the current ones; `risk` counts the
        projects active on `as_of` by their current tier, and judges the current practices'
        dates against `as_of`. `domain` and
        `department` filter every figure. JSON by default; `Accept: text/csv` gives the same
        figures as CSV, `Accept: text/html` a printable page in the language of `lang`, else of
        Accept-Language, else DEFAULT_LOCALE.
        """
        authenticate()
        as_of = args.get("as_of") or utcnow().date()
        filters = {"domain": args.get("domain"), "department": args.get("department")}
        report = queries.portfolio(
            db.session,
            as_of=as_of,
            domains=tuple(current_app.config["DOMAINS"]),
            practice_valid_days=current_app.config["PRACTICE_VALID_DAYS"],
            **filters,
        )
        wanted = wanted_representation()
        if wanted == CSV:
            return csv_response(
                formats.csv_stream(formats.PORTFOLIO_COLUMNS, formats.portfolio_rows(report)),
                f"portfolio-{as_of.isoformat()}.csv",
            )
        if wanted == HTML:
            locale = str(get_locale())  # ?lang= (validated above), else Accept-Language, else DEFAULT_LOCALE
            page = render_template(
                "reports/portfolio.html",
                **portfolio_context(report, queries.longest_in_pilot(db.session, as_of=as_of, **filters)),
                filters={name: value for name, value in filters.items() if value is not None},
                generated_at=utcnow(),
                locale=locale,
                organisation=organisation_name(current_app.config, locale),
                filter_names=FILTER_NAMES,
            )
            headers = {"Vary": "Accept, Accept-Language", "Content-Language": locale}
            return Response(page, mimetype=HTML, headers=headers)
        return report, 200, {"Vary": "Accept"}


@blp.route("/projects.csv")
class ProjectsCsv(MethodView):
    @blp.arguments(ProjectFilters(), location="query")
    @blp.response(200, TEXT_DOC, content_type=CSV, description=PROJECTS_CSV_DOC)
    def get(self, args):
        """Every project in one row: owner, stage, days in stage, money per stage, KPIs, open flags.

        Takes the projects list's filters. Columns: key, title, domain, department, owner_email,
        stage, stage_entered_at, days_in_stage, risk_tier, risk_rationale, risk_assessed_on
        (empty: never assessed), then for each currency present (and
        DEFAULT_CURRENCY) `{poc|pilot|rollout}_{planned|approved|spent}_{CURRENCY}` (empty: no such
        line), kpis_input, kpis_output, kpis_outcome, outcome_progress (the latest outcome
        measurement's share of the way from baseline to target), open_flags (unresolved flags'
        rules, separated by `;`).
        """
        authenticate()
        projects = export.projects_export(
            db.engine, today=utcnow().date(), default_currency=current_app.config["DEFAULT_CURRENCY"], **args
        )
        response = csv_response(formats.csv_stream(projects.header, formats.projects_rows(projects)), "projects.csv")
        # the WSGI server closes the response also when the client hangs up mid-file
        response.call_on_close(projects.close)
        return response
