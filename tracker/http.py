"""HTTP plumbing shared by the views: pagination headers, ETags, Location."""

import math
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from flask import current_app, request, url_for
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, ValidationError

from tracker.errors import PreconditionFailed, PreconditionRequired, UnstorableText, UnsupportedMediaType
from tracker.fields import MAX_ID
from tracker.i18n import SUPPORTED_LOCALES

# the characters werkzeug leaves unquoted in a query string (werkzeug.urls._urlencode)
QUERY_SAFE = "!$'()*,/:;?@"
PAGINATION_HEADERS = {
    "X-Total-Count": {"description": "Items in all pages", "schema": {"type": "integer"}},
    "X-Total-Pages": {"description": "Number of pages", "schema": {"type": "integer"}},
    "Link": {"description": "RFC 8288 links to the first, previous, next and last pages", "schema": {"type": "string"}},
}
ETAG_HEADER = {"ETag": {"description": "Version of the resource, for If-Match", "schema": {"type": "string"}}}
LOCATION_HEADER = {"Location": {"description": "URL of the created resource", "schema": {"type": "string"}}}
IF_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The ETag of the version being changed (428 when missing, 412 when stale)",
    "schema": {"type": "string"},
}


class IdConverter(BaseConverter):
    """Path ids up to MAX_ID: a larger number is no route (404), never an overflow."""

    regex = r"[1-9][0-9]{0,9}"

    @staticmethod
    def openapi_schema(_converter) -> dict:
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}

    def to_python(self, value: str) -> int:
        if int(value) > MAX_ID:
            raise ValidationError()  # werkzeug: the rule does not match
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class LocaleConverter(BaseConverter):
    """A language in a path. Any segment matches: one the service does not support is the API's
    422 naming it (SPEC), not a missing route. Documented as the supported languages."""

    regex = r"[^/]+"

    @staticmethod
    def openapi_schema(_converter) -> dict:
        return {"type": "string", "enum": list(SUPPORTED_LOCALES)}


def paginate(session, stmt: sa.Select, page: int, page_size: int, *, rows: bool = False) -> tuple[list, dict]:
    """One page of `stmt` (already ordered) and the headers that tell the totals.

    `stmt` selects one entity: a page of its objects. `rows` (a read-only list selecting
    columns): a page of rows, read on the session's connection past the ORM's loading machinery
    (read views only: no autoflush), as is the count.
    """
    connection = session.connection()
    total = connection.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    one_page = stmt.limit(page_size).offset((page - 1) * page_size)
    items = connection.execute(one_page).all() if rows else list(session.scalars(one_page))
    pages = max(1, math.ceil(total / page_size))
    return items, {"X-Total-Count": str(total), "X-Total-Pages": str(pages), "Link": _links(page, pages, page_size)}


def _links(page: int, pages: int, page_size: int) -> str:
    # this request's own path with other page numbers: what url_for would build, without
    # matching the route four times (werkzeug's own query encoding, `_urlencode`)
    here = request.script_root + request.path
    args = request.args.to_dict()

    def link(number: int, rel: str) -> str:
        args.update(page=number, page_size=page_size)
        return f'<{here}?{urlencode(args, safe=QUERY_SAFE)}>; rel="{rel}"'

    parts = [link(1, "first")]
    if page > 1:
        parts.append(link(min(page - 1, pages), "prev"))
    if page < pages:
        parts.append(link(page + 1, "next"))
    parts.append(link(pages, "last"))
    return ", ".join(parts)


def etag_of(entity_id: int, version: int) -> str:
    return f'"{entity_id}.{version}"'


def check_if_match(current_etag: str) -> None:
    """428 without If-Match, 412 when it names another version."""
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired("send If-Match with the ETag from your last read")
    offered = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" not in offered and current_etag not in offered:
        raise PreconditionFailed("changed since you read it: read it again and retry")


def created(obj, endpoint: str, **values) -> tuple:
    return obj, 201, {"Location": url_for(endpoint, **values)}


# Everything outside these is a page for people (or its stylesheet): HTML errors, page headers.
NOT_PAGES = ("/api/", "/health")


def is_page_path(path: str) -> bool:
    return not path.startswith(NOT_PAGES)


CONSOLE = "/console"  # the staff console's pages (tracker/console, tracker/signin)


def is_console_path(path: str) -> bool:
    return path == CONSOLE or path.startswith(CONSOLE + "/")


# blueprints whose writes take a body other than JSON (the CSV import)
NON_JSON_BODIES = {"imports"}


def _no_route() -> bool:
    """No route takes this request (404, 405): that answer comes first, whatever the body."""
    return request.routing_exception is not None


def refuse_non_json_bodies() -> None:
    """415 for a write whose body is not JSON: webargs would read it as an empty object."""
    if request.method not in {"POST", "PUT", "PATCH"} or request.blueprint in NON_JSON_BODIES or _no_route():
        return
    if is_page_path(request.path):  # pages' forms post as forms
        return
    if (request.content_length or request.headers.get("Transfer-Encoding")) and not request.is_json:
        raise UnsupportedMediaType("send the body as JSON with 'Content-Type: application/json'")


def refuse_unstorable_text() -> None:
    """422 naming the query parameters and JSON fields that hold text no database stores (a NUL
    character; on SQLite too, so both databases answer alike), before any view sees them."""
    if not request.path.startswith("/api/") or _no_route():
        return
    fields: dict[str, list[str]] = {}
    query = sorted({name for name, value in request.args.items(multi=True) if not storable([name, value])})
    if query:
        fields["query"] = query
    if request.method in {"POST", "PUT", "PATCH"} and request.is_json:
        try:
            body = request.get_json(silent=True)  # malformed JSON: webargs answers 400 after this
        except RecursionError:  # not a ValueError, so not silenced: "[[[[...]]]]" a million deep
            raise BadRequest("the request body is not valid JSON: it is nested too deeply") from None
        if isinstance(body, dict):
            names = sorted(str(name) for name, value in body.items() if not storable([name, value]))
            if names:
                fields["json"] = names
    if fields:
        raise UnstorableText(fields)


def storable(value) -> bool:
    """Every string in `value`, inside dicts (keys too) and lists, is text a database stores."""
    pending = [value]  # a loop, not recursion: nesting as deep as the JSON parser allows is fine
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str) and ("\x00" in item or not _encodes_as_utf8(item)):
            return False
    return True


def without_unstorable(text: str) -> str:
    """`text` less the characters no database stores (NUL; halves of surrogate pairs): what a page's
    search box keeps of them, where they can only be slips (a stored text never holds one)."""
    return text.replace("\x00", "").encode("utf-8", errors="ignore").decode("utf-8")


def _encodes_as_utf8(text: str) -> bool:
    """False for text holding half of a UTF-16 surrogate pair (JSON's "\\ud800" escapes allow it)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def from_another_site() -> bool:
    """A form posted from another site's page (CSRF). Browsers send Origin with every POST;
    `null` is an opaque origin (a sandboxed frame, a data: URL, a no-referrer page), never ours.
    A client sending no Origin is no browser on another site's page: the form's token decides then."""
    origin = request.headers.get("Origin")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    if origin is None:
        return False
    return origin.lower() not in {_origin(current_app.config["PUBLIC_BASE_URL"]), _origin(request.host_url)}
