from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.auth import authenticate, require_sign_in
from tracker.db import utcnow
from tracker.extensions import db
from tracker.trust import service
from tracker.trust.schemas import PracticePutSchema, PracticeSchema

blp = Blueprint(
    "trust", __name__, url_prefix="/api/v1", description="Risk-management practices of a project (risk tiers: projects)"
)
blp.before_request(require_sign_in)


def _valid_days() -> int:
    return current_app.config["PRACTICE_VALID_DAYS"]


@blp.route("/projects/<id:project_id>/practices")
class Practices(MethodView):
    @blp.response(200, PracticeSchema(many=True))
    def get(self, project_id):
        """The project's eight practices, in a fixed order (not paginated).

        testing, impact_assessment, independent_review, monitoring, training, human_oversight,
        appeal, public_consultation. A practice never written reads as `not_started`.
        """
        authenticate()
        return service.list_practices(db.session, project_id, today=utcnow().date(), valid_days=_valid_days())


@blp.route("/projects/<id:project_id>/practices/<key>")
class Practice(MethodView):
    @blp.response(200, PracticeSchema)
    def get(self, project_id, key):
        """Read one practice; `in_effect` is as of today (UTC), `expires_on` counts PRACTICE_VALID_DAYS."""
        authenticate()
        return service.read_practice(db.session, project_id, key, today=utcnow().date(), valid_days=_valid_days())

    @blp.arguments(PracticePutSchema())
    @blp.response(200, PracticeSchema)
    def put(self, data, project_id, key):
        """Set a practice as sent (its owner, caio, admin); the fields left out become empty.

        `completed_on` goes with `done` only (required, not in the future), `waiver_reason` with
        `waived` only (required; caio and admin only, also to keep a waiver: each such write
        re-certifies it from today). `not_applicable` is for human_oversight and appeal only.
        """
        actor = authenticate()
        return service.put_practice(
            db.session, actor=actor, project_id=project_id, key=key, data=data, valid_days=_valid_days()
        )
