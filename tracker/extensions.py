"""Extension objects, created unbound; create_app binds them."""

from flask_smorest import Api

from tracker.db import Database
from tracker.errors import ErrorSchema


class TrackerApi(Api):
    # documents the one error shape every error response takes
    ERROR_SCHEMA = ErrorSchema


db = Database()
api = TrackerApi()
