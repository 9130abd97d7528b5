"""Domain exceptions, and the one JSON error shape every error response takes."""

import logging

import marshmallow as ma
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm.exc as so_exc
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from tracker.i18n.vocab import STAGE_NAMES, api_name

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A request the domain refuses. Subclasses fix the HTTP status."""

    status = 409

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    """Invalid input the schema could not see (it depends on stored state): 422 naming the field."""

    status = 422

    def __init__(self, field_errors: dict[str, str], *, location: str = "json"):
        names = ", ".join(f"{location}.{name}" for name in field_errors)
        super().__init__(
            f"invalid input: {names}", errors={location: {name: [why] for name, why in field_errors.items()}}
        )


UNSTORABLE_TEXT = "Must be text without NUL characters or unpaired surrogates."


class UnstorableText(DomainError):
    """Text no database stores (PostgreSQL text holds no NUL; UTF-8 has no half of a UTF-16
    surrogate pair), by location and field name: refused at the door, not failing in the database."""

    status = 422

    def __init__(self, fields: dict[str, list[str]]):
        errors = {location: {name: [UNSTORABLE_TEXT] for name in names} for location, names in fields.items()}
        super().__init__("invalid input: " + _describe_fields(errors), errors=errors)


class GateNotMet(Conflict):
    def __init__(self, to_stage: str, unmet: list[str], why: str = ""):
        stage = api_name(STAGE_NAMES, to_stage)
        super().__init__(f"the gate into {stage} is not met" + (f"; {why}" if why else ""), unmet=unmet)


class UnsupportedMediaType(DomainError):
    status = 415


class PreconditionRequired(DomainError):
    status = 428


class PreconditionFailed(DomainError):
    status = 412


class ErrorSchema(ma.Schema):
    """Every error: `code` and `status` always, `message` in words, `errors` per field."""

    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = ma.fields.String(required=True, metadata={"description": "HTTP status name"})
    message = ma.fields.String(metadata={"description": "What went wrong, in words"})
    errors = ma.fields.Dict(metadata={"description": "Field errors by location, then by field name"})
    unmet = ma.fields.List(ma.fields.String(), metadata={"description": "Gate criteria not met (409 on a transition)"})


def error_response(code: int, message: str | None = None, headers: dict | None = None, **extra):
    """The JSON error; on a page for people (the register), the HTML error page instead."""
    from flask import has_request_context, request
    from werkzeug.http import HTTP_STATUS_CODES

    from tracker.http import is_page_path
    from tracker.pages import error_page

    if has_request_context() and is_page_path(request.path):
        return error_page(code, headers)
    payload = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error")}
    if message:
        payload["message"] = message
    payload.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(payload)
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_http_exception(error: HTTPException):
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    errors = data.get("errors") or data.get("messages")
    message = data.get("message") or error.description
    if error.code == 422 and errors and "message" not in data:
        message = "invalid input: " + _describe_fields(errors)
    elif error.code == 400 and errors:
        message = "the request body is not valid JSON"
    return error_response(error.code, message, headers, errors=errors)


def _describe_fields(errors: dict) -> str:
    """'json.amount, query.page' from webargs' {location: {field: [...]}}; an error of a whole
    location (marshmallow's `_schema`) in its own words: 'json: The body is missing or empty: ...'."""
    names = []
    for location, fields in errors.items():
        if isinstance(fields, dict):
            for name, messages in fields.items():
                whole = name == ma.exceptions.SCHEMA and isinstance(messages, list)
                names.append(f"{location}: {' '.join(map(str, messages))}" if whole else f"{location}.{name}")
        else:
            names.append(location)
    return ", ".join(names)


def handle_domain_error(error: DomainError):
    return error_response(error.status, error.message, **error.extra)


def _rollback() -> None:
    """Undo the request's writes; with the database gone, there is nothing left to undo."""
    from tracker.extensions import db

    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        db.session.invalidate()


def handle_integrity_error(error: sa_exc.IntegrityError):
    _rollback()
    text = str(error.orig).lower()
    if "unique" in text or "duplicate" in text:
        return error_response(409, "conflicts with an existing record (a unique value is taken)")
    if "foreign key" in text:
        return error_response(409, "still referenced by other records, or refers to one that does not exist")
    return error_response(422, "violates a rule of the database (a value out of range or not allowed)")


def handle_stale_data(error: sa_exc.SQLAlchemyError):
    _rollback()
    return error_response(409, "changed by someone else at the same time; read it again and retry")


def handle_database_down(error: sa_exc.OperationalError | sa_exc.InterfaceError):
    log.error("database unreachable: %s", error.__class__.__name__)
    _rollback()
    return error_response(503, "the database is unreachable; try again shortly", {"Retry-After": "30"})


def handle_unexpected(error: Exception):
    log.exception("unhandled error")
    _rollback()
    return error_response(500, InternalServerError.description)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(sa_exc.IntegrityError, handle_integrity_error)
    app.register_error_handler(so_exc.StaleDataError, handle_stale_data)
    app.register_error_handler(sa_exc.OperationalError, handle_database_down)
    app.register_error_handler(sa_exc.InterfaceError, handle_database_down)
    app.register_error_handler(sa_exc.DBAPIError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
