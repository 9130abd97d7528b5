"""The council pack: the trend (as JSON, fresh or frozen) as a printable page in the reader's
language, and as CSV. The page's sections are Jinja macros (templates/trend/_pack.html) and its
charts' geometry is tracker/trend/charts.py, so the console draws the same pack."""

from datetime import datetime

from flask import Response, current_app, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from tracker.db import utcnow
from tracker.i18n import organisation_name
from tracker.i18n.vocab import STAGE_NAMES
from tracker.reports.charts import share
from tracker.reports.formats import csv_stream, safe_text
from tracker.trend import charts
from tracker.trend.formats import trend_csv
from tracker.trend.incidence import HORIZONS

FILTER_NAMES = {"domain": _l("Domain"), "department": _l("Department")}


def pack_context(trend: dict) -> dict:
    """What the pack's macros need besides the trend: its charts and the helpers that write for people."""
    return {
        "trend": trend,
        "trend_charts": {
            "stages": charts.stages(trend),
            "pilot_exits": charts.pilot_exits(trend),
            "purgatory": charts.purgatory(trend),
            "time_to_rollout": charts.time_to_rollout(trend, HORIZONS),
        },
        "stage_names": STAGE_NAMES,
        "filter_names": FILTER_NAMES,
        "share": share,
        "move_name": charts.move_name,
        "day": charts.day,
    }


def html_response(trend: dict, *, frozen: dict | None = None) -> Response:
    """The printable council pack; `frozen`: the snapshot it was stored as (title, who, when)."""
    locale = str(get_locale())  # ?lang= (validated), else Accept-Language, else DEFAULT_LOCALE
    page = render_template(
        "trend/council_pack.html",
        **pack_context(trend),
        frozen=frozen,
        made_at=datetime.fromisoformat(frozen["created_at"]) if frozen else utcnow(),
        organisation=organisation_name(current_app.config, locale),
        locale=locale,
    )
    return Response(page, mimetype="text/html", headers={"Vary": "Accept, Accept-Language", "Content-Language": locale})


def csv_response(trend: dict, filename: str) -> Response:
    header, rows = trend_csv(trend)
    rows = [[safe_text(cell) if isinstance(cell, str) else cell for cell in row] for row in rows]
    return Response(
        csv_stream(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Vary": "Accept"},
    )
