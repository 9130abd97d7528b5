"""Marshmallow fields and argument schemas shared by every resource."""

import re
from datetime import date
from decimal import Decimal
from operator import itemgetter

import marshmallow as ma
from apispec import BasePlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import current_app, has_app_context
from marshmallow import validate

# Ids are 32-bit integers on PostgreSQL: no id the API accepts may exceed them.
MAX_ID = 2**31 - 1
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
    The OpenAPI document carries the same rule as a pattern, so clients can check before sending.
    """

    default_error_messages = {
        "invalid": 'Send an exact decimal as a string of digits, e.g. "1250000.00".',
        "places": "At most {places} decimal places.",
        "range": "Must be between {minimum} and {maximum}.",
    }
    _SHAPE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")

    def __init__(self, *, places: int, minimum: Decimal, maximum: Decimal, **kwargs):
        self.places, self.minimum, self.maximum = places, minimum, maximum
        digits = len(str(int(maximum))) - (1 if maximum == 10 ** (len(str(int(maximum))) - 1) else 0)
        sign = "-?" if minimum < 0 else ""
        fraction = rf"(\.[0-9]{{1,{places}}})?" if places else ""
        metadata = {
            "type": "string",
            "pattern": rf"^{sign}[0-9]{{1,{digits}}}{fraction}$",
            "example": "1250000.00" if places >= 2 else "1250000",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if not isinstance(value, str) or not self._SHAPE.fullmatch(value):
            raise self.make_error("invalid")
        number = Decimal(value)
        if not (self.minimum <= number <= self.maximum):
            raise self.make_error("range", minimum=format(self.minimum, "f"), maximum=format(self.maximum, "f"))
        if "." in value and len(value.split(".")[1]) > self.places:
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
    """A calendar date, YYYY-MM-DD, between the years 1900 and 2199 (also stated as a pattern)."""
    extra = kwargs.pop("validate", [])
    extra = extra if isinstance(extra, list) else [extra]
    metadata = {"pattern": r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$", **kwargs.pop("metadata", {})}
    return ma.fields.Date(
        validate=[validate.Range(date(1900, 1, 1), date(2199, 12, 31)), *extra], metadata=metadata, **kwargs
    )


class ChangesSchema(ma.Schema):
    """A PATCH body: the fields to change, at least one. A missing or empty body would change
    nothing and answer as if it had, so it is refused (422); the OpenAPI document states the same
    rule as `minProperties: 1` (ChangesSchemaPlugin)."""

    @ma.pre_load
    def refuse_nothing_to_change(self, data, **kwargs):
        if isinstance(data, dict) and not data:  # webargs hands a missing body over as {}
            names = ", ".join(name for name, field in self.fields.items() if not field.dump_only)
            raise ma.ValidationError(f"The body is missing or empty: send at least one field to change ({names}).")
        return data


class ChangesSchemaPlugin(BasePlugin):
    """apispec plugin: ChangesSchema's rule in the OpenAPI document, so clients and fuzzers know it."""

    def schema_helper(self, name, definition, schema=None, **kwargs):
        if schema is not None and issubclass(resolve_schema_cls(schema), ChangesSchema):
            return {"minProperties": 1}
        return None


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    page_size = ma.fields.Integer(load_default=20, validate=validate.Range(1, MAX_PAGE_SIZE))


def QueryId(**kwargs) -> ma.fields.Integer:  # noqa: N802
    """An id in a query string (filters name projects and users by id)."""
    return ma.fields.Integer(validate=validate.Range(1, MAX_ID), **kwargs)


class StrictBool(ma.fields.Boolean):
    """A JSON true or false, nothing that merely looks like one ("yes", 1, 0)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class OneOfSetting(validate.OneOf):
    """OneOf whose choices are a list setting (DOMAINS is configurable), read when used.

    create_app registers the blueprints inside an app context, so the OpenAPI document lists
    the configured values as an enum.
    """

    def __init__(self, setting: str):
        self.setting = setting
        super().__init__(choices=())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(current_app.config[self.setting]) if has_app_context() else ()

    @choices.setter
    def choices(self, _value) -> None:
        pass  # fixed by the setting

    @property
    def choices_text(self) -> str:
        return ", ".join(self.choices)

    @choices_text.setter
    def choices_text(self, _value) -> None:
        pass


# Field types whose dump of None, or of a value already of this Python type, is that value itself
_DUMPED_AS_IS = {ma.fields.String: str, ma.fields.Integer: int, ma.fields.Boolean: bool}


class FlatSchema(ma.Schema):
    """A response schema of plain attributes, dumped without marshmallow's per-field lookup layers.

    A page of 50 projects spent more time in Schema.dump than in the database (issue 6). The output
    is the same: a value already of its field's JSON type (a str for a String, ...) passes as it
    is, and every other value is formatted by its field's own `_serialize`; only the lookup is a
    direct getattr, planned once per schema instance. Only plain fields: no dump_default, no
    Method/Function fields, no dotted `attribute` paths, no dict inputs (tests/unit/test_flat_schema.py;
    tests/api/test_projects.py compares a page with marshmallow's own dump).
    """

    def _serialize(self, obj, *, many: bool = False):
        plan = self.__dict__.get("_dump_plan")
        if plan is None:
            plan = self._dump_plan = [self._plain(name, field) for name, field in self.dump_fields.items()]
        if not many:
            return self._dump_one(obj, plan, self._reader(obj, plan))
        if obj is None:
            return None
        items = list(obj)
        # the rows of one result share their columns: one reader for the whole list
        read = self._reader(items[0], plan) if items else None
        return [self._dump_one(item, plan, read) for item in items]

    @staticmethod
    def _dump_one(obj, plan: list[tuple], read) -> dict:
        dumped = {}
        for (key, attribute, as_is, serialize), value in zip(plan, read(obj), strict=True):
            if value is ma.missing:
                continue
            if as_is is not None and (value is None or type(value) is as_is):
                dumped[key] = value
            else:
                dumped[key] = serialize(value, attribute, obj)
        return dumped

    @staticmethod
    def _reader(sample, plan: list[tuple]):
        """A function giving the plan's attributes of an object like `sample`, in order. A
        SQLAlchemy Row with all of them is read by position (attribute lookups on rows are slow)."""
        names = [attribute for _, attribute, _, _ in plan]
        fields = getattr(sample, "_fields", None)
        if isinstance(fields, tuple) and set(names) <= set(fields):
            by_position = itemgetter(*(fields.index(name) for name in names))
            return by_position if len(names) > 1 else lambda row: (by_position(row),)
        return lambda obj: [getattr(obj, name, ma.missing) for name in names]

    @staticmethod
    def _plain(name: str, field: ma.fields.Field) -> tuple:
        attribute = field.attribute or name
        if not field._CHECK_ATTRIBUTE or field.dump_default is not ma.missing or "." in attribute:
            raise TypeError(f"FlatSchema dumps plain attributes only; {name} is not one")
        as_is = _DUMPED_AS_IS.get(type(field))
        if getattr(field, "as_string", False):
            as_is = None
        return field.data_key or name, attribute, as_is, field._serialize
