import marshmallow as ma
from flask import current_app
from marshmallow import validate

from tracker.fields import ChangesSchema, NonBlankText, PageArgs, StrictBool
from tracker.i18n import SUPPORTED_LOCALES
from tracker.vocab import ROLES

LOCALE_DOC = "The language of the alerts this user receives"


def _locale(description: str = LOCALE_DOC, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=validate.OneOf(SUPPORTED_LOCALES), metadata={"description": description}, **kwargs)


class UserSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()
    active = ma.fields.Boolean()
    # a user whose locale was never set follows DEFAULT_LOCALE (stored as null): shown as that language
    locale = ma.fields.Function(
        lambda user: user.locale or current_app.config["DEFAULT_LOCALE"],
        metadata={
            "enum": list(SUPPORTED_LOCALES),
            "description": f"{LOCALE_DOC}; DEFAULT_LOCALE's language until one is set",
        },
    )
    created_at = ma.fields.AwareDateTime()


class UserCreateSchema(ma.Schema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    name = NonBlankText(200, required=True)
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))
    locale = _locale(f"{LOCALE_DOC}; without it, DEFAULT_LOCALE's, following that setting")


class UserPatchSchema(ChangesSchema):
    name = NonBlankText(200)
    role = ma.fields.String(validate=validate.OneOf(ROLES))
    active = StrictBool(metadata={"description": "An inactive user's tokens stop working"})
    locale = _locale()


class MePatchSchema(ma.Schema):
    """What users change of their own: their language, nothing else (an admin changes the rest)."""

    error_messages = {"unknown": "Not changeable here: PATCH /me takes only locale; an admin changes the rest."}

    locale = _locale(required=True)


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
