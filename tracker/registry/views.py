"""The public AI registry (no token), and bulk import over the API (admin)."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.auth import require_role, require_sign_in
from tracker.db import utcnow
from tracker.errors import DomainError, ErrorSchema, UnsupportedMediaType
from tracker.extensions import db
from tracker.http import LOCATION_HEADER, PAGINATION_HEADERS, created, paginate
from tracker.registry import service
from tracker.registry.schemas import (
    REGISTRY_CSV_COLUMNS,
    ImportArgs,
    ImportSummarySchema,
    RegistryEntrySchema,
    RegistryListArgs,
)

# --- the public registry ---------------------------------------------------------------------

blp = Blueprint(
    "registry",
    __name__,
    url_prefix="/api/v1",
    description="The public AI registry: what each public AI system does, on what data, with what risks "
    "and oversight. No token needed.",
)
# Public data: caches and browsers may keep it five minutes; JSON and CSV share one URL.
PUBLIC_HEADERS = {"Cache-Control": "public, max-age=300", "Vary": "Accept"}
CACHE_HEADERS = {
    "Cache-Control": {"description": "public, max-age=300", "schema": {"type": "string"}},
    "Vary": {"description": "Accept (JSON or CSV)", "schema": {"type": "string"}},
}
CSV_SCHEMA = {"type": "string", "description": "CSV, UTF-8 with a byte-order mark, a header row of the entry's fields"}


def _as_of_today() -> dict:
    """What the entries' practices are judged by: in effect today (UTC), for PRACTICE_VALID_DAYS."""
    return {"today": utcnow().date(), "valid_days": current_app.config["PRACTICE_VALID_DAYS"]}


def _wants_csv() -> bool:
    return request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"


def csv_download(columns: Iterable[str], rows: Iterable, filename: str, *, finally_: Callable[[], None]) -> Response:
    """A CSV response streamed in chunks: UTF-8 with a BOM, so spreadsheets read accents and Hangul.
    `finally_` (idempotent) runs once the download ends, however it ends."""

    def chunks() -> Iterator[bytes]:
        try:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            buffer.write("\ufeff")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(row)
                if buffer.tell() > 64_000:
                    yield buffer.getvalue().encode()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue().encode()
        finally:
            finally_()

    response = Response(
        chunks(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **PUBLIC_HEADERS},
    )
    # also when the download never starts (HEAD, a client gone early): a generator not yet
    # started runs no `finally` when closed
    response.call_on_close(finally_)
    return response


def _csv_of_entries(filters: dict) -> Response:
    # The rows stream after the request's teardown has closed the request's session, so the
    # download reads through a session of its own. The query runs now: a database outage is
    # still a JSON 503, not a broken download.
    session = db.new_session()
    try:
        rows = service.registry_rows(session, **filters, **_as_of_today())
    except BaseException:
        session.close()
        raise
    return csv_download(REGISTRY_CSV_COLUMNS, rows, "ai-registry.csv", finally_=session.close)


@blp.route("/registry")
class Registry(MethodView):
    @blp.doc(security=[])
    @blp.arguments(RegistryListArgs(), location="query")
    @blp.response(200, RegistryEntrySchema(many=True), headers={**PAGINATION_HEADERS, **CACHE_HEADERS})
    @blp.alt_response(
        200,
        schema=CSV_SCHEMA,
        content_type="text/csv",
        description="JSON in pages, or with Accept: text/csv all matching entries as CSV",
        headers=CACHE_HEADERS,
        success=True,
    )
    def get(self, args):
        """The public AI registry: every public project's transparency fields, by key.

        Each entry has its risk tier and its eight risk-management practices (status, dates,
        whether in effect today, evidence link, waiver summary; never internal notes), and
        `updated_at`, its last change. JSON in pages; with `Accept: text/csv`, every matching
        entry in one CSV download (UTF-8 with a byte-order mark; `page` and `page_size` do not
        apply; each practice's fields in columns `{key}_{field}`).
        """
        page, page_size = args.pop("page"), args.pop("page_size")
        if _wants_csv():
            return _csv_of_entries(args)
        rows, headers = paginate(db.session, service.registry_query(**args), page, page_size, rows=True)
        return service.registry_entries(db.session, rows, **_as_of_today()), 200, {**headers, **PUBLIC_HEADERS}


@blp.route("/registry.csv")
class RegistryCsv(MethodView):
    @blp.doc(security=[])
    @blp.response(200, CSV_SCHEMA, content_type="text/csv", headers=CACHE_HEADERS)
    def get(self):
        """Every public entry as CSV, at a URL a plain link reaches (the register's download).

        The same columns as `/registry` with `Accept: text/csv`; UTF-8 with a byte-order mark.
        """
        return _csv_of_entries({})


@blp.route("/registry/<string(maxlength=64):key>")
class RegistryEntry(MethodView):
    @blp.doc(security=[])
    @blp.response(200, RegistryEntrySchema, headers=CACHE_HEADERS)
    @blp.alt_response(404, schema=ErrorSchema, description="No public entry has this key")
    def get(self, key):
        """One public project's registry entry, by its key."""
        return service.registry_entry(db.session, key, **_as_of_today()), 200, PUBLIC_HEADERS


# --- import over the API -----------------------------------------------------------------------

imports_blp = Blueprint(
    "imports", __name__, url_prefix="/api/v1", description="Bulk import of projects from CSV (admin)"
)
imports_blp.before_request(require_sign_in)


class UnreadableBody(DomainError):
    status = 422

    def __init__(self, why: str):
        super().__init__(f"the body cannot be read: {why}", errors={"body": [why]})


class MissingFile(DomainError):
    status = 422

    def __init__(self):
        super().__init__(
            "invalid input: files.file: send the CSV as the form's file field 'file' (curl -F file=@inventory.csv)",
            errors={"files": {"file": ["Missing data for required field."]}},
        )


def _uploaded_csv() -> tuple[str, str]:
    """The CSV as text, and where it came from: the body itself (text/csv) or the file field `file`
    of a form (multipart/form-data: what `curl -F file=@x.csv` and generated clients send). UTF-8,
    at most MAX_IMPORT_BYTES (413 above)."""
    # an inventory is bigger than the 1 MB every other request may send (Flask 3.1: per request)
    request.max_content_length = current_app.config["MAX_IMPORT_BYTES"]
    if request.mimetype == "text/csv":
        data, source = request.get_data(cache=False), "request body"
    elif request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise MissingFile()
        # the client's file name, as far as it is text a database stores (it names the source)
        name = "".join(char for char in upload.filename or "" if char.isprintable())[:200]
        data, source = upload.read(), f"uploaded file {name}".strip()
    else:
        raise UnsupportedMediaType(
            "send the CSV as the form's file field 'file' (multipart/form-data), "
            "or as the body itself with 'Content-Type: text/csv'"
        )
    try:
        return data.decode("utf-8-sig"), source
    except UnicodeDecodeError:
        raise UnreadableBody("Not UTF-8 text.") from None


@imports_blp.route("/imports")
class Imports(MethodView):
    # text/csv bodies are described in words only: listed under `content`, a media type client
    # generators do not support makes them warn on every run (openapi-python-client: "Unsupported
    # content type text/csv"; alone, it made them leave the operation out)
    @imports_blp.doc(
        requestBody={
            "required": True,
            "description": "The CSV file, UTF-8 (a byte-order mark is allowed), at most MAX_IMPORT_BYTES: as the "
            "form's file field `file` (`curl -F file=@inventory.csv`), or as the body itself with "
            "`Content-Type: text/csv` (`curl --data-binary @inventory.csv -H 'Content-Type: text/csv'`).",
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary", "description": "The CSV file"}},
                    },
                    "encoding": {"file": {"contentType": "text/csv"}},
                }
            },
        }
    )
    @imports_blp.arguments(ImportArgs(), location="query")
    @imports_blp.response(201, ImportSummarySchema, headers=LOCATION_HEADER)
    @imports_blp.alt_response(413, schema=ErrorSchema, description="The body is larger than MAX_IMPORT_BYTES")
    @imports_blp.alt_response(415, schema=ErrorSchema, description="The CSV is sent neither as a form nor as text/csv")
    @imports_blp.alt_response(422, schema=ErrorSchema, description="Rows that cannot be imported, by line")
    def post(self, args):
        """Import projects from a CSV file (admin); answers the summary.

        Send the file as the form field `file` (multipart/form-data), or as the body itself with
        `Content-Type: text/csv`.

        `format=tracker` (the default): all rows or none; every bad row is reported by line
        number (`errors`, keyed `line N`), and nothing is written. `format=omb-2025`: the US
        federal AI use case inventory's columns, mapped; the summary lists what could not be.
        Rows without an owner of their own are owned by the caller.
        """
        actor = require_role("admin")
        text, source = _uploaded_csv()
        summary = service.import_projects(
            db.session,
            fmt=args["format"],
            lines=io.StringIO(text, newline=""),
            actor=actor,
            default_owner=actor,
            source=source,
        )
        return created(summary, "imports.Import", import_id=summary["id"])


@imports_blp.route("/imports/<id:import_id>")
class Import(MethodView):
    @imports_blp.response(200, ImportSummarySchema)
    def get(self, import_id):
        """One import's summary, as recorded in the audit trail (admin)."""
        require_role("admin")
        return service.get_import(db.session, import_id)
