"""Extension objects, created unbound; create_app binds them."""

from flask_smorest import Api

from tracker.db import Database

db = Database()
api = Api()
