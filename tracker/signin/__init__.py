"""Signing in to the staff console: emailed one-time links, single sign-on by OpenID Connect, and the
sessions both start, recorded on the server (SPEC "The staff console", "Signing in")."""
