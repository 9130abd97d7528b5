"""Frozen council packs under /api/v1/reports/snapshots: freeze (caio, admin), read (anyone signed
in: JSON, CSV, the printable pack), delete (admin; audited)."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.auth import Actor, authenticate, require_role, require_sign_in
from tracker.extensions import db
from tracker.fields import PageArgs
from tracker.http import LOCATION_HEADER, PAGINATION_HEADERS, created, paginate
from tracker.reports.views import CSV, HTML, TEXT_DOC, wanted_representation
from tracker.snapshots import service
from tracker.snapshots.models import Snapshot as SnapshotModel
from tracker.snapshots.schemas import SnapshotCreateSchema, SnapshotSchema, SnapshotSummarySchema
from tracker.trend import pack
from tracker.trend.schemas import LangArgs
from tracker.trend.views import trend_range_from
from tracker.vocab import CAIO_OFFICE

blp = Blueprint(
    "snapshots",
    __name__,
    url_prefix="/api/v1/reports",
    description="Frozen council packs: the trend and the portfolio report as they read when frozen",
)
blp.before_request(require_sign_in)

PACK_DOC = (
    "The frozen pack as JSON (also for a missing or unknown `Accept`); with `Accept: text/csv` its stored "
    "trend, one row per period; with `Accept: text/html` the council pack drawn from the stored figures, in "
    "the reader's language (`lang`, else Accept-Language, else DEFAULT_LOCALE)."
)


def freeze_as_asked(data: dict, *, actor: Actor, actor_name: str) -> SnapshotModel:
    """Freeze the pack a body asks for (the API's JSON, or the console's form loaded by the same
    schema), with the settings in force; 422 under `json` naming a parameter the trend refuses."""
    config = current_app.config
    return service.freeze(
        db.session,
        actor=actor,
        actor_name=actor_name,
        title=data["title"],
        trend_range=trend_range_from(data, location="json"),
        pilot_max_days=config["PILOT_MAX_DAYS"],
        domains=tuple(config["DOMAINS"]),
        practice_valid_days=config["PRACTICE_VALID_DAYS"],
    )


@blp.route("/snapshots")
class Snapshots(MethodView):
    @blp.arguments(PageArgs(), location="query")
    @blp.response(200, SnapshotSummarySchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """The frozen council packs, newest first (their figures: GET one)."""
        items, headers = paginate(db.session, service.list_snapshots_query(), args["page"], args["page_size"])
        return items, 200, headers

    @blp.arguments(SnapshotCreateSchema())
    @blp.response(201, SnapshotSchema, headers=LOCATION_HEADER)
    def post(self, data):
        """Freeze a council pack (caio, admin): the trend for the parameters and the portfolio report
        as of `to`, stored exactly as they read now, with who froze it and when.

        The parameters are the trend's (`period`, `from`, `to`, `domain`, `department`), with the
        same defaults and the same 422s. Later edits to projects, budget lines or KPIs never change
        a frozen pack.
        """
        user = require_role(*CAIO_OFFICE)
        snapshot = freeze_as_asked(data, actor=user, actor_name=user.name)
        return created(snapshot, "snapshots.Snapshot", snapshot_id=snapshot.id)


@blp.route("/snapshots/<id:snapshot_id>")
class Snapshot(MethodView):
    @blp.arguments(LangArgs(), location="query")
    @blp.response(200, SnapshotSchema, description=PACK_DOC)
    @blp.alt_response(200, schema=TEXT_DOC, content_type=CSV, description=PACK_DOC, success=True)
    @blp.alt_response(200, schema=TEXT_DOC, content_type=HTML, description=PACK_DOC, success=True)
    def get(self, args, snapshot_id):
        """A frozen council pack, as it read when frozen: JSON, its trend as CSV, or the printable pack."""
        authenticate()
        snapshot = service.get_snapshot(db.session, snapshot_id)
        wanted = wanted_representation()
        if wanted == CSV:
            return pack.csv_response(snapshot.trend, f"council-pack-{snapshot.id}.csv")
        if wanted == HTML:
            return pack.html_response(snapshot.trend, frozen=SnapshotSummarySchema().dump(snapshot))
        return snapshot, 200, {"Vary": "Accept"}

    @blp.response(204)
    def delete(self, snapshot_id):
        """Delete a frozen council pack (admin); the audit trail records it."""
        require_role("admin")
        service.delete_snapshot(db.session, service.get_snapshot(db.session, snapshot_id))
