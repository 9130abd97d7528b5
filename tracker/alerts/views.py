import sqlalchemy as sa
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.alerts import outbox
from tracker.alerts.models import OutboxMessage
from tracker.alerts.schemas import AlertDetailSchema, AlertListArgs, AlertSchema
from tracker.auth import require_role, require_sign_in
from tracker.db import get_or_404
from tracker.extensions import db
from tracker.http import PAGINATION_HEADERS, paginate
from tracker.vocab import CAIO_OFFICE

blp = Blueprint("alerts", __name__, url_prefix="/api/v1", description="The alert outbox and its delivery status")
blp.before_request(require_sign_in)


@blp.route("/alerts")
class Alerts(MethodView):
    @blp.arguments(AlertListArgs(), location="query")
    @blp.response(200, AlertSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """List alert messages, newest first, filtered by status, channel or scan (caio, admin)."""
        require_role(*CAIO_OFFICE)
        stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
        if "status" in args:
            stmt = stmt.where(OutboxMessage.status == args["status"])
        if "channel" in args:
            stmt = stmt.where(OutboxMessage.channel == args["channel"])
        if "scan" in args:
            stmt = stmt.where(OutboxMessage.scan_id == args["scan"])
        items, headers = paginate(db.session, stmt, args["page"], args["page_size"])
        return items, 200, headers


@blp.route("/alerts/<id:alert_id>")
class Alert(MethodView):
    @blp.response(200, AlertDetailSchema)
    def get(self, alert_id):
        """Read one alert message: its digest, delivery attempts and last error (caio, admin)."""
        require_role(*CAIO_OFFICE)
        message = get_or_404(db.session, OutboxMessage, alert_id, name="alert")
        if message.channel == "email" and message.status != "sent":
            # rendered at delivery: show the body it will be sent with (rendering is deterministic)
            columns = {column.key: getattr(message, column.key) for column in OutboxMessage.__table__.columns}
            return {**columns, "body_text": outbox.rendering_withheld(message, current_app.config)[1]}
        return message
