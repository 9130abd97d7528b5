"""Marshmallow fields and argument schemas shared by every resource."""

from datetime import date
from decimal import Decimal, InvalidOperation

import marshmallow as ma
from marshmallow import validate

# Every integer the API accepts stays far inside the 64-bit range the databases store.
MAX_ID = 2**53
MAX_PAGE_SIZE = 100


def Id(**kwargs) -> ma.fields.Integer:  # noqa: N802 - reads like a field class
    """A strict positive id in a JSON body."""
    return ma.fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


def Text(max_length: int, **kwargs) -> ma.fields.String:  # noqa: N802
    return ma.fields.String(validate=validate.Length(max=max_length), **kwargs)


def NonBlankText(max_length: int, **kwargs) -> ma.fields.String:  # noqa: N802
    """A string that, when given, must hold something besides spaces."""
    return ma.fields.String(
        validate=[validate.Length(min=1, max=max_length), validate.Regexp(r".*\S", error="Must not be blank.")],
        **kwargs,
    )


class ExactDecimal(ma.fields.Field):
    """A decimal that travels as a string ("1250000.00") and is never a float.

    JSON numbers are refused: a client that sends 0.1 as a float has already lost exactness.
    """

    default_error_messages = {
        "invalid": 'Send an exact decimal as a string, e.g. "1250000.00".',
        "places": "At most {places} decimal places.",
        "range": "Must be between {minimum} and {maximum}.",
    }

    def __init__(self, *, places: int, minimum: Decimal, maximum: Decimal, **kwargs):
        kwargs.setdefault("metadata", {})
        kwargs["metadata"].setdefault("example", "1250000.00")
        super().__init__(**kwargs)
        self.places, self.minimum, self.maximum = places, minimum, maximum

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if not isinstance(value, str) or len(value) > 40:
            raise self.make_error("invalid")
        try:
            number = Decimal(value.strip())
        except InvalidOperation as exc:
            raise self.make_error("invalid") from exc
        if not number.is_finite():
            raise self.make_error("invalid")
        if not (self.minimum <= number <= self.maximum):
            raise self.make_error("range", minimum=self.minimum, maximum=self.maximum)
        if number.as_tuple().exponent < -self.places and number != number.quantize(Decimal(1).scaleb(-self.places)):
            raise self.make_error("places", places=self.places)
        return number

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return format(value, "f")


class PastOrToday(validate.Validator):
    """A date that is not in the future (UTC)."""

    def __call__(self, value: date) -> date:
        from tracker.db import utcnow

        if value > utcnow().date():
            raise ma.ValidationError("Must not be in the future.")
        return value


def Day(**kwargs) -> ma.fields.Date:  # noqa: N802
    """A calendar date, YYYY-MM-DD, between the years 1900 and 2200."""
    extra = kwargs.pop("validate", [])
    extra = extra if isinstance(extra, list) else [extra]
    return ma.fields.Date(validate=[validate.Range(date(1900, 1, 1), date(2200, 12, 31)), *extra], **kwargs)


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    page_size = ma.fields.Integer(load_default=20, validate=validate.Range(1, MAX_PAGE_SIZE))


def QueryId(**kwargs) -> ma.fields.Integer:  # noqa: N802
    """An id in a query string (filters name projects and users by id)."""
    return ma.fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)


def StrictBool(**kwargs) -> ma.fields.Boolean:  # noqa: N802
    """A JSON true or false, nothing that merely looks like one ("yes", 1)."""
    return ma.fields.Boolean(truthy={True}, falsy={False}, **kwargs)
