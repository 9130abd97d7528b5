import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from tracker.audit.queries import events_query
from tracker.audit.trail import ENTITY_NAMES, SESSION_ENTITY
from tracker.auth import require_role, require_sign_in
from tracker.extensions import db
from tracker.fields import PageArgs, QueryId
from tracker.http import PAGINATION_HEADERS, paginate
from tracker.vocab import CAIO_OFFICE

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Who changed what, when (caio, admin)")
blp.before_request(require_sign_in)

ENTITIES = (*sorted(ENTITY_NAMES.values()), "import", SESSION_ENTITY)


class AuditArgs(PageArgs):
    project = QueryId(metadata={"description": "Project id"})
    actor = QueryId(metadata={"description": "User id of who acted"})
    entity = ma.fields.String(validate=validate.OneOf(ENTITIES))


class AuditEventSchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.AwareDateTime()
    actor_id = ma.fields.Integer(allow_none=True)
    actor_email = ma.fields.String(metadata={"description": "Who acted; cli:<login> for the command line"})
    source = ma.fields.String(
        metadata={
            "description": "api, cli, scheduler, email-link (an alert email's action page), or console (the staff console)"
        }
    )
    action = ma.fields.String(metadata={"description": "create, update, delete, or a named action"})
    entity = ma.fields.String()
    entity_id = ma.fields.Integer(allow_none=True)
    project_id = ma.fields.Integer(allow_none=True)
    changes = ma.fields.Dict(metadata={"description": "field -> {before, after}"})


@blp.route("/audit")
class Audit(MethodView):
    @blp.arguments(AuditArgs(), location="query")
    @blp.response(200, AuditEventSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """The audit trail, newest first, filtered by project, actor or entity (caio, admin)."""
        require_role(*CAIO_OFFICE)
        stmt = events_query(**{name: args.get(name) for name in ("project", "actor", "entity")})
        items, headers = paginate(db.session, stmt, args["page"], args["page_size"])
        return items, 200, headers
