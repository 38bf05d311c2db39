"""Server-issued, signed conversation ids: a client writes only to its own."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SESSION_PREFIX = "web-"


def issue(secret: str) -> str:
    """A new random session token ``<id>.<signature>``."""
    session_id = SESSION_PREFIX + secrets.token_urlsafe(18)
    return f"{session_id}.{_sign(secret, session_id)}"


def verify(secret: str, token: str | None) -> str | None:
    """The session id inside ``token`` when its signature is valid, else None."""
    if not token or token.count(".") != 1 or len(token) > 200:
        return None
    if not token.isascii():  # hmac and compare_digest take ASCII only
        return None
    session_id, signature = token.split(".")
    if not session_id.startswith(SESSION_PREFIX):
        return None
    return (
        session_id
        if hmac.compare_digest(signature, _sign(secret, session_id))
        else None
    )


def _sign(secret: str, session_id: str) -> str:
    mac = hmac.new(secret.encode(), session_id.encode(), hashlib.sha256)
    return mac.hexdigest()[:32]
