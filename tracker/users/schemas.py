import marshmallow as ma
from marshmallow import validate

from tracker.fields import ChangesSchema, NonBlankText, PageArgs, StrictBool
from tracker.vocab import ROLES


class UserSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()
    active = ma.fields.Boolean()
    created_at = ma.fields.AwareDateTime()


class UserCreateSchema(ma.Schema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    name = NonBlankText(200, required=True)
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))


class UserPatchSchema(ChangesSchema):
    name = NonBlankText(200)
    role = ma.fields.String(validate=validate.OneOf(ROLES))
    active = StrictBool(metadata={"description": "An inactive user's tokens stop working"})


class UserListArgs(PageArgs):
    role = ma.fields.String(validate=validate.OneOf(ROLES))
    active = ma.fields.Boolean()


class TokenSchema(ma.Schema):
    id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    name = ma.fields.String()
    prefix = ma.fields.String(metadata={"description": "The token's first characters, to recognise it"})
    created_at = ma.fields.AwareDateTime()
    expires_at = ma.fields.AwareDateTime(allow_none=True)
    revoked_at = ma.fields.AwareDateTime(allow_none=True)
    last_used_at = ma.fields.AwareDateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = ma.fields.String(metadata={"description": "The bearer token, shown this once and never again"})


class TokenCreateSchema(ma.Schema):
    name = ma.fields.String(load_default="", validate=validate.Length(max=100))
    expires_in_days = ma.fields.Integer(
        strict=True,
        validate=validate.Range(1, 3650),
        metadata={"description": "Days until the token stops working; without it, TOKEN_TTL_DAYS or never"},
    )
