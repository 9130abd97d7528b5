"""Action links: `PUBLIC_BASE_URL/alerts/act/<token>`, one per flag an owner is told of.

The token is itsdangerous' URL-safe timed signature (SECRET_KEY, a salt of its own) of
`[flag id, recipient user id]` and nothing else: no email address, no secret of the user's. The
outbox stores only those ids (the digest's flag ids and recipient id); the link is signed when the
email is rendered, with the time the digest was queued as its signing time. So every delivery
attempt renders the same link, and it expires ACTION_LINK_DAYS after queueing, however late the
mail went out. A stored rendering keeps the links withheld (`withhold`): the outbox and the alerts
API never hold a usable link.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

SALT = "tracker.alerts.act"  # a signature made for anything else never opens this page
PATH = "/alerts/act/"
WITHHELD = "withheld"  # stands in for a token in a stored rendering
ACTED_ON = ("new", "reminder")  # the digest kinds that carry a link: a resolved flag needs none


class InvalidLink(Exception):
    """Tampered, expired, or not a token at all: the page answers 404, whichever it is."""


@dataclass(frozen=True)
class Grant:
    flag_id: int
    user_id: int


def _serializer(config: Mapping) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config["SECRET_KEY"], salt=SALT)


def sign(grant: Grant, *, signed_at: datetime, config: Mapping) -> str:
    """The token of `grant` as if signed at `signed_at` (the digest's queueing): the same every time."""
    serializer = _serializer(config)
    signer: TimestampSigner = serializer.make_signer()
    signer.get_timestamp = lambda: int(signed_at.timestamp())  # itsdangerous' clock, fixed
    return signer.sign(serializer.dump_payload([grant.flag_id, grant.user_id])).decode("ascii")


def read(token: str, *, config: Mapping) -> Grant:
    """The grant a token names, if it is ours, untouched and younger than ACTION_LINK_DAYS."""
    try:
        flag_id, user_id = _serializer(config).loads(token, max_age=config["ACTION_LINK_DAYS"] * 86400)
    except (BadSignature, TypeError, ValueError) as error:  # SignatureExpired is a BadSignature
        raise InvalidLink(str(error)) from error
    if not (isinstance(flag_id, int) and isinstance(user_id, int)):
        raise InvalidLink("not a grant")
    return Grant(flag_id, user_id)


def url_of(token: str, config: Mapping) -> str:
    return f"{config['PUBLIC_BASE_URL'].rstrip('/')}{PATH}{token}"


def with_links(digest: Mapping, *, queued_at: datetime, config: Mapping) -> tuple[dict, list[str]]:
    """The digest with an `action_url` on each flag its recipient is asked to act on, and the
    tokens signed. Only an owner's digest has them: the CAIO office's goes to an address, not a user."""
    recipient_id = (digest.get("recipient") or {}).get("id")
    linked = digest.get("audience") == "owner" and recipient_id is not None
    tokens, flags = [], []
    for flag in digest["flags"]:
        url = None
        if linked and flag["kind"] in ACTED_ON:
            token = sign(Grant(flag["id"], recipient_id), signed_at=queued_at, config=config)
            tokens.append(token)
            url = url_of(token, config)
        flags.append({**flag, "action_url": url})
    return {**digest, "flags": flags}, tokens


def withhold(text: str, tokens: list[str]) -> str:
    """A rendering with its links' tokens replaced, to be stored or shown to the CAIO office."""
    for token in tokens:
        text = text.replace(token, WITHHELD)
    return text
