"""Response headers every answer carries (OWASP secure headers for a JSON API, and for pages)."""

from flask import Flask, request
from flask_babel import get_locale

from tracker.http import is_page_path

API_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
# the docs page runs Swagger UI, served by the app itself
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
)
# the printable report is inline SVG and CSS
HTML_REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# Pages for people: the app's own stylesheet, forms posting to the app itself, no script at all.
# `same-origin` rather than `no-referrer`: with the latter browsers send `Origin: null` on a
# form's POST, which a same-site check must refuse.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
}


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response):
        # one pass over the headers already set, not one per header added (werkzeug's lookups are linear)
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend([(name, value) for name, value in API_HEADERS.items() if name.lower() not in present])
        if request.path.startswith("/api/v1/docs"):
            response.headers["Content-Security-Policy"] = DOCS_CSP
            if request.path.startswith("/api/v1/docs/assets/"):
                response.headers["Cache-Control"] = "public, max-age=86400"
        elif is_page_path(request.path):
            response.headers.update(PAGE_HEADERS)
            if response.mimetype != "text/css":  # pages in the reader's language (the stylesheet has none)
                response.headers["Content-Language"] = str(get_locale())
                response.vary.add("Accept-Language")
        elif response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = HTML_REPORT_CSP
        return response
