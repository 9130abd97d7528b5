"""Digest webhooks: the digest as JSON, POSTed with an HMAC-SHA256 signature of the exact body."""

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from urllib.parse import urlsplit

WEBHOOK_TIMEOUT_SECONDS = 15
SIGNATURE_HEADER = "X-Tracker-Signature"
DELIVERY_HEADER = "X-Tracker-Delivery"  # the outbox row's Message-ID: receivers drop repeats by it


class WebhookRefused(Exception):
    """Not delivered: the receiver answered with an error, or the webhook cannot be signed."""


def body_of(payload: Mapping) -> bytes:
    """The bytes that are signed and sent (compact, key order kept, UTF-8)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_url(url: str) -> str:
    """Only http and https: urllib would also open file:// and ftp:// URLs."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"ALERT_WEBHOOK_URL must be an http or https URL, not {url!r}")
    return url


def post(*, url: str, body: bytes, delivery_id: str, config: Mapping) -> None:
    """POST one digest's body (`body_of`), signed; raises on a refused or unanswered request, so the outbox retries."""
    secret = config.get("ALERT_WEBHOOK_SECRET")
    if not secret:  # receivers must be able to tell our posts from forgeries
        raise WebhookRefused("ALERT_WEBHOOK_SECRET is not set: webhooks are only sent signed")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "pilot-to-scale-tracker",
        DELIVERY_HEADER: delivery_id,
        SIGNATURE_HEADER: signature(body, secret),
    }
    request = urllib.request.Request(check_url(url), data=body, headers=headers, method="POST")  # noqa: S310  # nosec B310
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310
            status = response.status
    except urllib.error.HTTPError as exc:
        raise WebhookRefused(f"HTTP {exc.code} {exc.reason}") from None
    if not 200 <= status < 300:
        raise WebhookRefused(f"HTTP {status}")
