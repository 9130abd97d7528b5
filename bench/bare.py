"""The HTTP floor: a bare Flask app making the same reads as the tracker's routes, nothing else
(no token check, no schemas, no ORM), served by the same gunicorn configuration.

    GUNICORN_APP="bench.bare:create_app()" DATABASE_URL=... gunicorn -c gunicorn.conf.py
"""

import os
from datetime import date, datetime

import sqlalchemy as sa
from flask import Flask, abort, request

from tracker.config import database_url
from tracker.db import create_engine

COLUMNS = (
    "id, key, title, problem, description, domain, ai_type, department, owner_id, stage, stage_entered_at, "
    "public, purpose, data_sources, logic, risks, human_oversight, contact_email, created_at, updated_at, version"
)
ONE = sa.text(f"SELECT {COLUMNS} FROM projects WHERE id = :id")
PAGE = sa.text(
    f"SELECT {COLUMNS} FROM projects WHERE stage = :stage AND domain = :domain ORDER BY id LIMIT :limit OFFSET :offset"
)
TOTAL = sa.text("SELECT count(*) FROM projects WHERE stage = :stage AND domain = :domain")


def _plain(row) -> dict:
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in row._mapping.items()}


def create_app() -> Flask:
    app = Flask(__name__)
    engine = create_engine(database_url(os.environ.get("INSTANCE_PATH", "instance")))

    @app.get("/projects/<int:project_id>")
    def one(project_id: int):
        with engine.connect() as connection:
            row = connection.execute(ONE, {"id": project_id}).first()
        if row is None:
            abort(404)
        return _plain(row)

    @app.get("/projects")
    def page():
        filters = {"stage": request.args["stage"], "domain": request.args["domain"]}
        size, number = int(request.args.get("page_size", 50)), int(request.args.get("page", 1))
        with engine.connect() as connection:
            total = connection.scalar(TOTAL, filters)
            rows = connection.execute(PAGE, {**filters, "limit": size, "offset": (number - 1) * size}).all()
        return [_plain(row) for row in rows], 200, {"X-Total-Count": str(total)}

    return app
