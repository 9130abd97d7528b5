from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.auth import authenticate, require_role, require_sign_in
from tracker.extensions import db
from tracker.fields import PageArgs
from tracker.flags import service
from tracker.flags.scan import load_titles, run_scan
from tracker.flags.schemas import (
    FlagListArgs,
    FlagSchema,
    ScanCreateSchema,
    ScanReportSchema,
    ScanSchema,
    SnoozeSchema,
)
from tracker.http import LOCATION_HEADER, PAGINATION_HEADERS, created, paginate
from tracker.vocab import CAIO_OFFICE

blp = Blueprint("flags", __name__, url_prefix="/api/v1", description="Stall flags found by scans, and the scans")
blp.before_request(require_sign_in)


def _shown(flag):
    return service.with_project(db.session, [flag])[0]


@blp.route("/flags")
class Flags(MethodView):
    @blp.arguments(FlagListArgs(), location="query")
    @blp.response(200, FlagSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """List flags, filtered by rule, status, project or owner, each explained in plain words."""
        page, page_size = args.pop("page"), args.pop("page_size")
        items, headers = paginate(db.session, service.list_flags_query(**args), page, page_size)
        return service.with_project(db.session, items), 200, headers


@blp.route("/flags/<id:flag_id>")
class Flag(MethodView):
    @blp.response(200, FlagSchema)
    def get(self, flag_id):
        """Read one flag."""
        return _shown(service.get_flag(db.session, flag_id))


@blp.route("/flags/<id:flag_id>/acknowledge")
class FlagAcknowledgement(MethodView):
    @blp.response(200, FlagSchema)
    def post(self, flag_id):
        """Acknowledge a flag (its project's owner, caio, admin): no more reminders; 409 once resolved."""
        flag = service.acknowledge(db.session, actor=authenticate(), flag_id=flag_id)
        return _shown(flag)


@blp.route("/flags/<id:flag_id>/snooze")
class FlagSnooze(MethodView):
    @blp.arguments(SnoozeSchema())
    @blp.response(200, FlagSchema)
    def post(self, data, flag_id):
        """Snooze a flag until a later date, with a reason (its project's owner, caio, admin).

        No reminders until `until`; from that date on it reads `open` again (at once, not at the
        next scan). A resolved flag answers 409.
        """
        flag = service.snooze(db.session, actor=authenticate(), flag_id=flag_id, **data)
        return _shown(flag)


@blp.route("/scans")
class Scans(MethodView):
    @blp.arguments(PageArgs(), location="query")
    @blp.response(200, ScanSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """The history of recorded scans, latest as_of first."""
        items, headers = paginate(db.session, service.list_scans_query(), args["page"], args["page_size"])
        return items, 200, headers

    @blp.arguments(ScanCreateSchema(), required=False)  # no body: a real scan as of today
    @blp.response(201, ScanReportSchema, headers=LOCATION_HEADER)
    @blp.alt_response(200, schema=ScanReportSchema, description="A dry run: the same report, not recorded (id null)")
    def post(self, data):
        """Run a stall scan now (caio, admin) and answer with what it found.

        A real scan updates the flags, is recorded (201, Location) and queues the owners' alerts;
        its `as_of` may not be earlier than the last real scan's (409). A dry run (200) computes
        the same report for any past date and writes nothing.
        """
        actor = require_role(*CAIO_OFFICE)
        report = run_scan(
            db.session,
            as_of=data.get("as_of"),
            dry_run=data["dry_run"],
            trigger="api",
            actor=actor,
            config=current_app.config,
        )
        load_titles(db.session, report.findings)
        if report.run is None:
            return report, 200
        return created(report, "flags.Scan", scan_id=report.id)


@blp.route("/scans/<id:scan_id>")
class Scan(MethodView):
    @blp.response(200, ScanSchema)
    def get(self, scan_id):
        """Read one recorded scan: when, as of what date, who started it, what it changed."""
        return service.get_scan(db.session, scan_id)
