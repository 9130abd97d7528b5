"""Single sign-on by OpenID Connect (Authlib): the authorization code flow with PKCE (S256),
`state` and `nonce`, configured by discovery from `OIDC_ISSUER/.well-known/openid-configuration`.

Authlib keeps the state, nonce and PKCE verifier in Flask's session: before sign-in that is the
console's signed pre-session cookie (tracker/signin/sessions.py), which the return from the
provider reads and which no sign-in ever promotes. The ID token's signature, issuer, audience,
expiry and nonce are checked by Authlib; the email comes from the ID token or, as most providers
send it, from the UserInfo endpoint, and counts only when the provider says it is verified.
"""

from dataclasses import dataclass

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

NAME = "oidc"  # Authlib's name of the client (its state keys in the session start _state_oidc_)
RETURN_PATH = "/console/sign-in/oidc"
HTTP_TIMEOUT_SECONDS = 10
_EXTENSION = "tracker.oidc"


class Refused(Exception):
    """The provider's answer signs nobody in; `reason` goes to the audit trail, the page says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def configured(config) -> bool:
    return bool(config["OIDC_ISSUER"] and config["OIDC_CLIENT_ID"] and config["OIDC_CLIENT_SECRET"])


def client():
    """The Authlib client of the current settings (made once per app and settings: it keeps the
    provider's discovered metadata and keys)."""
    app: Flask = current_app
    config = app.config
    issuer = config["OIDC_ISSUER"].rstrip("/")
    settings = (issuer, config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"])
    made = app.extensions.get(_EXTENSION)
    if made is None or made[0] != settings:
        oauth = OAuth(app)
        oauth.register(
            NAME,
            client_id=settings[1],
            client_secret=settings[2],
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email", "code_challenge_method": "S256", "timeout": HTTP_TIMEOUT_SECONDS},
        )
        made = (settings, oauth.create_client(NAME))
        app.extensions[_EXTENSION] = made
    return made[1]


def redirect_uri(config) -> str:
    return config["PUBLIC_BASE_URL"].rstrip("/") + RETURN_PATH


def start(config):
    """The redirect to the provider's authorization endpoint (state, nonce and verifier kept)."""
    remote = client()
    metadata = remote.load_server_metadata()
    # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was fetched from
    if str(metadata.get("issuer", "")).rstrip("/") != config["OIDC_ISSUER"].rstrip("/"):
        raise Refused("issuer-mismatch")
    return remote.authorize_redirect(redirect_uri(config))


@dataclass(frozen=True)
class Identity:
    email: str
    subject: str


def finish() -> Identity:
    """The verified email of whoever the provider signed in, from this request's return; Refused
    when there is none (Authlib's OAuthError for a bad state or a provider's error passes through)."""
    remote = client()
    token = remote.authorize_access_token()
    claims = token.get("userinfo")  # the ID token's claims, checked by Authlib
    if not claims:
        raise Refused("no-id-token")
    source = claims
    if not claims.get("email"):
        source = remote.userinfo(token=token)
        # OpenID Connect Core 5.3.2: UserInfo is about the ID token's subject, or not to be used
        if source.get("sub") != claims.get("sub"):
            raise Refused("userinfo-subject-mismatch")
    email = source.get("email")
    if not isinstance(email, str) or not email.strip():
        raise Refused("no-email")
    # a boolean by the standard; some providers send the string "true"
    if source.get("email_verified") not in (True, "true"):
        raise Refused("email-not-verified")
    return Identity(email=email.strip(), subject=str(claims.get("sub")))
