"""Extension objects, created unbound; create_app binds them."""

from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from tracker.db import Database
from tracker.errors import ErrorSchema


class TrackerApi(Api):
    # documents the one error shape every error response takes
    ERROR_SCHEMA = ErrorSchema


db = Database()
api = TrackerApi()
csrf = CSRFProtect()  # the console's forms (tracker/console/guard.py decides where it checks)
