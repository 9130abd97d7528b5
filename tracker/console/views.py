"""The console's reading pages (SPEC "The staff console", "Reading") and the language switch.

Pages for people, not in the API's OpenAPI document. Every rule of the console (a session, the
language, CSRF and Origin on a POST, no-store) is applied before these views run
(tracker/console/guard.py); every figure comes from the services and queries the API uses.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, redirect, request
from flask_babel import format_decimal
from flask_babel import gettext as _

from tracker.console import charts, queries, words
from tracker.console.page import confirm, confirmations, here, list_url, render, safe_next, staff
from tracker.console.schemas import (
    EVERY_STATUS,
    UNRESOLVED,
    DashboardArgs,
    FlagsArgs,
    ProjectsArgs,
    ProjectsCsvArgs,
    load,
)
from tracker.db import utcnow
from tracker.extensions import db
from tracker.http import QUERY_SAFE
from tracker.i18n import SUPPORTED_LOCALES
from tracker.pages import error_page
from tracker.projects.rules import IMPLIED_EARLIER_STAGES
from tracker.reports import export, formats
from tracker.reports import queries as reports
from tracker.reports.charts import share
from tracker.reports.views import csv_response
from tracker.signin.sessions import SOURCE
from tracker.trend import pack
from tracker.trend import views as trend_view
from tracker.trend.charts import move_name
from tracker.users import service as users
from tracker.users.schemas import MePatchSchema
from tracker.vocab import CAIO_OFFICE, FLAG_STATUSES, RISK_TIERS, RULES, STAGES

blp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")
blp.add_app_template_filter(share, "share")

CHANGE_SHOWN = 200  # characters of an audited value shown on a project's page


@blp.app_template_filter("kpi_value")
def kpi_value(value) -> str:
    """A KPI value for people: grouped, with its decimals (up to the six a KPI keeps)."""
    return format_decimal(value, format="#,##0.######")


@blp.app_template_filter("day_before")
def day_before(day: date) -> date:
    return day - timedelta(days=1)


@blp.app_template_filter("change_value")
def change_value(value) -> str:
    """A value of the audit trail as a person reads it: none as a dash, long text cut short."""
    if value is None or value == "":
        return "\N{EN DASH}"
    text = str(value)
    return text if len(text) <= CHANGE_SHOWN else text[: CHANGE_SHOWN - 1] + "…"


@blp.app_context_processor
def console_context() -> dict:
    """What the console's layout reads (also on its error pages, rendered outside these views)."""
    return {"staff": g.get("staff"), "vocab": words, "confirmations": confirmations, "console_here": here}


def _csv_url() -> str:
    args = {name: value for name, value in request.args.items() if name not in ("page", "lang")}
    query = urlencode(args, safe=QUERY_SAFE)
    return request.script_root + "/console/projects.csv" + (f"?{query}" if query else "")


def domain_choices() -> list[tuple[str, str]]:
    """The DOMAINS setting's areas in words (an agency's own domains as they are set)."""
    return [(domain, words.DOMAIN_NAMES.get(domain, domain)) for domain in current_app.config["DOMAINS"]]


def _same(values) -> list[tuple]:
    """Choices shown as they are (departments are people's text)."""
    return [(value, value) for value in values]


# --- the dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A headline figure: what it counts, and the number in words."""

    label: str
    text: str


def _of(count: int, total: int) -> str:
    return _("%(count)s of %(total)s", count=format_decimal(count), total=format_decimal(total))


def _in_days(days: int | None) -> str:
    return _("not reached") if days is None else _("%(days)s days", days=format_decimal(days))


def _headline(report: reports.Portfolio, trend: dict) -> list[tuple[str, list[Figure]]]:
    """The dashboard's figures, in groups under a heading each: today's from the portfolio report,
    the purgatory, this quarter's moves and the time to rollout from the trend."""
    funding, risk = report.funding, report.risk
    now, time_to_rollout = trend["periods"][-1], trend["time_to_rollout"]
    return [
        (
            _("Projects by stage"),
            [Figure(str(words.STAGE_NAMES[stage]), format_decimal(count)) for stage, count in report.stages.items()],
        ),
        (
            _("Out of pilot purgatory?"),
            [
                Figure(
                    _("Pilots in purgatory now (more than %(days)s days in pilot)", days=trend["purgatory_days"]),
                    format_decimal(now["purgatory"]["at_end"]),
                ),
                *(
                    Figure(_("%(move)s this quarter", move=move_name("pilot", target)), format_decimal(count))
                    for target, count in (
                        ("rollout", now["moves"]["pilot_to_rollout"]),
                        ("cancelled", now["moves"]["pilot_to_cancelled"]),
                        ("poc", now["moves"]["pilot_to_poc"]),
                    )
                ),
                Figure(_("Median time from pilot to rollout"), _in_days(time_to_rollout["median_days"])),
                Figure(
                    _("Share of pilots reaching rollout within 365 days"),
                    share(time_to_rollout["cumulative_incidence"]["365"]),
                ),
            ],
        ),
        (
            _("Scaling up and trust"),
            [
                Figure(
                    _("Pilots with an approved rollout budget line"),
                    _of(funding["with_approved_rollout_budget"], funding["pilots"]),
                ),
                Figure(
                    _("High-impact systems in pilot or rollout with all eight practices in effect"),
                    _of(risk["high_impact_practices_in_effect"], risk["high_impact_in_pilot_or_rollout"]),
                ),
            ],
        ),
    ]


@blp.get("")
def dashboard():
    """The dashboard: an owner's own flags first, then the portfolio's headline figures and the
    last eight quarters."""
    me = staff()
    filters, errors = load(DashboardArgs(), request.args)
    config = current_app.config
    today = utcnow().date()
    owned = queries.owns_projects(db.session, me.id)
    own_total, own_flags = queries.own_flags(db.session, me.id) if owned else (0, [])
    report = reports.portfolio(
        db.session,
        as_of=today,
        domains=tuple(config["DOMAINS"]),
        practice_valid_days=config["PRACTICE_VALID_DAYS"],
        **filters,
    )
    trend = trend_view.trend_as_answered(trend_view.trend_range_from(filters))
    return render(
        "console/dashboard.html",
        status=422 if errors else 200,
        section="dashboard",
        errors=errors,
        filters=filters,
        owned=owned,
        own_total=own_total,
        own_flags=own_flags,
        figure_groups=_headline(report, trend),
        domain_choices=domain_choices(),
        department_choices=_same(queries.departments(db.session)),
        **pack.pack_context(trend),
    )


# --- projects ------------------------------------------------------------------------------


OWNERS_LISTED = 100  # more possible owners than this, and the owner filter takes an email address


def _projects_args(schema) -> tuple[dict, dict, dict]:
    """The list's query string read: its values, the errors in the reader's words, and the filters
    as the API's projects list takes them (`mine` is the owner filter; an owner's email address
    is their id)."""
    args, errors = load(schema, request.args)
    filters = {
        name: args[name]
        for name in ("stage", "domain", "department", "owner", "flagged", "risk_tier", "q")
        if name in args
    }
    if isinstance(filters.get("owner"), str):
        owner_id = queries.owner_by_email(db.session, filters["owner"])
        if owner_id is None:
            errors["owner"] = _("No project owner has this email address")
            args, filters = {}, {}
        else:
            args["owner"] = filters["owner"] = owner_id
    if args.get("mine"):
        filters["owner"] = staff().id
    return args, errors, filters


def _owner_filter(args: dict) -> dict:
    """The owner filter as the page shows it: a list of the owners when it is short enough to read,
    else a box for an email address; and the owner chosen (by id in the list; in the box, the
    address typed, or the address of the owner a link names by id)."""
    owners = queries.owners(db.session, at_most=OWNERS_LISTED)
    chosen = args.get("owner")
    if owners is not None:
        listed = [(owner.id, owner.name or owner.email) for owner in owners]
        return {"choices": listed, "chosen": "" if chosen is None else str(chosen)}
    typed = request.args.get("owner", "").strip()
    if chosen is not None and "@" not in typed:
        typed = queries.owner_email(db.session, chosen) or typed
    return {"choices": None, "chosen": typed}


@blp.get("/projects")
def projects():
    """Every project, 50 to a page, filtered and searched."""
    args, errors, filters = _projects_args(ProjectsArgs())
    result = queries.projects_page(db.session, filters=filters, page=args.get("page", 1))
    return render(
        "console/projects.html",
        status=422 if errors else 200,
        section="projects",
        errors=errors,
        args=args,
        result=result,
        today=utcnow().date(),
        choices={
            "stage": [(stage, words.STAGE_NAMES[stage]) for stage in STAGES],
            "domain": domain_choices(),
            "department": _same(queries.departments(db.session)),
            "risk_tier": [(tier, words.RISK_TIER_NAMES[tier]) for tier in RISK_TIERS],
        },
        owner=_owner_filter(args),
        list_url=list_url,
        csv_url=_csv_url(),
    )


@blp.get("/projects.csv")
def projects_csv():
    """The projects of the list's filters as CSV: the rows of /api/v1/reports/projects.csv."""
    _, errors, filters = _projects_args(ProjectsCsvArgs())
    if errors:
        return error_page(422, hint=" ".join(errors.values()))
    exported = export.projects_export(
        db.engine,
        today=utcnow().date(),
        default_currency=current_app.config["DEFAULT_CURRENCY"],
        **filters,
    )
    response = csv_response(formats.csv_stream(exported.header, formats.projects_rows(exported)), "projects.csv")
    response.call_on_close(exported.close)
    return response


@blp.get("/projects/<id:project_id>")
def project(project_id: int):
    """One project: what it is, its stage history and next step, money, KPIs, practices, flags."""
    config = current_app.config
    today = utcnow().date()
    valid_days = config["PRACTICE_VALID_DAYS"]
    row, owner = queries.project(db.session, project_id)
    decisions = queries.decisions(db.session, project_id)
    kpis, measured = queries.kpis(db.session, project_id)
    me = staff()
    return render(
        "console/project.html",
        section="projects",
        project=row,
        owner=owner,
        today=today,
        days_in_stage=(today - row.stage_entered_at).days,
        decisions=decisions,
        implied=IMPLIED_EARLIER_STAGES[decisions[0].StageTransition.to_stage] if decisions else (),
        timeline=charts.timeline([d.StageTransition for d in decisions], today),
        next_steps=queries.next_steps(db.session, row.stage, project_id, today=today, valid_days=valid_days),
        money=queries.money(db.session, project_id),
        kpis=kpis,
        measured=measured,
        kpi_chart=charts.kpi_chart,
        practices=queries.practices(db.session, project_id, today=today, valid_days=valid_days),
        flags=queries.project_flags(db.session, project_id),
        audit=queries.audit(db.session, project_id) if me.role in CAIO_OFFICE else None,
        chart_width=charts.WIDTH,
        kpi_height=charts.KPI_HEIGHT,
    )


# --- flags ---------------------------------------------------------------------------------


@blp.get("/flags")
def flags():
    """Flags, unresolved by default, and for an owner their own projects' by default."""
    me = staff()
    args, errors = load(FlagsArgs(), request.args)
    owned = queries.owns_projects(db.session, me.id)
    mine = args.get("mine", owned)
    status = args.get("status", UNRESOLVED)
    filters = {
        "rule": args.get("rule"),
        "project": args.get("project"),
        "owner": me.id if mine else None,
        "status": None if status in (UNRESOLVED, EVERY_STATUS) else status,
        "unresolved": status == UNRESOLVED,
    }
    result, shown = queries.flags_page(db.session, filters=filters, page=args.get("page", 1))
    return render(
        "console/flags.html",
        status=422 if errors else 200,
        section="flags",
        errors=errors,
        args=args,
        mine=mine,
        status_filter=status,
        result=result,
        flags=shown,
        rule_choices=[(rule, words.rule_title(rule)) for rule in RULES],
        status_choices=[
            (UNRESOLVED, _("Unresolved")),
            *((status, words.FLAG_STATUS_NAMES[status]) for status in FLAG_STATUSES),
            (EVERY_STATUS, _("Every status")),
        ],
        project_filter=queries.project_key(db.session, args["project"]) if "project" in args else None,
        list_url=list_url,
    )


# --- the language switch -------------------------------------------------------------------


@blp.post("/me")
def me():
    """Save the signed-in user's language (`locale`), then back to the page they were on."""
    me = staff()
    back = safe_next(_without_lang(request.form.get("next")))
    locale = request.form.get("locale", "")
    if locale not in SUPPORTED_LOCALES:
        return error_page(422, hint=_("Choose one of the languages offered."))
    changes = MePatchSchema().load({"locale": locale})
    db.session.info.update(actor=me, source=SOURCE)
    users.update_user(db.session, user=users.get_user(db.session, me.id), changes=changes)
    g.preferred_locale = locale
    confirm("locale-saved")
    return redirect(back, 303)


def _without_lang(path: str | None) -> str | None:
    """A page's address without its `?lang=`: the saved language is to show on it."""
    if not path or "?" not in path:
        return path
    base, _, query = path.partition("?")
    kept = [part for part in query.split("&") if not part.startswith("lang=")]
    return base + ("?" + "&".join(kept) if kept else "")
