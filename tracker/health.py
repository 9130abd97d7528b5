"""Liveness and readiness, and the Swagger UI assets (served locally, for closed networks)."""

import sqlalchemy as sa
import swagger_ui_bundle
from flask import Blueprint, send_from_directory

from tracker.errors import error_response
from tracker.extensions import db

blp = Blueprint("health", __name__)


@blp.get("/health")
def live():
    return {"status": "ok"}


@blp.get("/health/ready")
def ready():
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return error_response(503, "the database is unreachable", {"Retry-After": "30"})
    return {"status": "ready"}


@blp.get("/api/v1/docs/assets/<path:filename>")
def docs_assets(filename: str):
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
