import sqlalchemy as sa
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.auth import authenticate, require_role, require_sign_in
from tracker.extensions import db
from tracker.fields import PageArgs
from tracker.http import LOCATION_HEADER, PAGINATION_HEADERS, created, paginate
from tracker.users import service
from tracker.users.models import ApiToken, User
from tracker.users.schemas import (
    MePatchSchema,
    NewTokenSchema,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserListArgs,
    UserPatchSchema,
    UserSchema,
)

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users, roles and API tokens (admin)")
blp.before_request(require_sign_in)


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self):
        """The signed-in user."""
        return service.get_user(db.session, authenticate().id)

    @blp.arguments(MePatchSchema())
    @blp.response(200, UserSchema)
    def patch(self, changes):
        """Change your own language (`locale`: the alerts you receive); any other field is refused."""
        user = service.get_user(db.session, authenticate().id)
        return service.update_user(db.session, user=user, changes=changes)


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserListArgs(), location="query")
    @blp.response(200, UserSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """List users (admin)."""
        require_role("admin")
        stmt = sa.select(User).order_by(User.id)
        if "role" in args:
            stmt = stmt.where(User.role == args["role"])
        if "active" in args:
            stmt = stmt.where(User.active.is_(args["active"]))
        items, headers = paginate(db.session, stmt, args["page"], args["page_size"])
        return items, 200, headers

    @blp.arguments(UserCreateSchema())
    @blp.response(201, UserSchema, headers=LOCATION_HEADER)
    def post(self, data):
        """Create a user (admin); issue them a token with POST /users/{id}/tokens."""
        require_role("admin")
        user = service.create_user(db.session, **data)
        return created(user, "users.UserById", user_id=user.id)


@blp.route("/users/<id:user_id>")
class UserById(MethodView):
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """Read one user (admin)."""
        require_role("admin")
        return service.get_user(db.session, user_id)

    @blp.arguments(UserPatchSchema())
    @blp.response(200, UserSchema)
    def patch(self, changes, user_id):
        """Change a user's role, name, active state or locale (admin); an inactive user's tokens stop working."""
        require_role("admin")
        return service.update_user(db.session, user=service.get_user(db.session, user_id), changes=changes)


@blp.route("/users/<id:user_id>/tokens")
class Tokens(MethodView):
    @blp.arguments(PageArgs(), location="query")
    @blp.response(200, TokenSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, user_id):
        """A user's tokens, without their secrets (admin)."""
        require_role("admin")
        service.get_user(db.session, user_id)
        stmt = sa.select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
        items, headers = paginate(db.session, stmt, args["page"], args["page_size"])
        return items, 200, headers

    @blp.arguments(TokenCreateSchema(), required=False)  # no body: an unnamed token, default lifetime
    @blp.response(201, NewTokenSchema, headers=LOCATION_HEADER)
    def post(self, data, user_id):
        """Issue a token (admin); the answer's `token` is shown this once."""
        require_role("admin")
        user = service.get_user(db.session, user_id)
        record, token = service.create_token(
            db.session, user=user, default_ttl_days=current_app.config["TOKEN_TTL_DAYS"], **data
        )
        record.token = token  # not a column: it is never stored
        return created(record, "users.TokenById", user_id=user_id, token_id=record.id)


@blp.route("/users/<id:user_id>/tokens/<id:token_id>")
class TokenById(MethodView):
    @blp.response(200, TokenSchema)
    def get(self, user_id, token_id):
        """Read one token's metadata (admin)."""
        require_role("admin")
        return service.get_token(db.session, user_id, token_id)

    @blp.response(204)
    def delete(self, user_id, token_id):
        """Revoke a token (admin); it stops working at once."""
        require_role("admin")
        service.revoke_token(db.session, service.get_token(db.session, user_id, token_id))
