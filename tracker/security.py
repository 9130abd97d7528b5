"""Response headers every answer carries (OWASP secure headers for a JSON API)."""

from flask import Flask, request

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
        elif response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = HTML_REPORT_CSP
        return response
