"""Customers the shop's own page vouches for, with a signed customer token.

The shop signs a JWT with HS256 and CUSTOMER_TOKEN_SECRET (shared with this
gateway): ``{"sub": "<the shop's customer id>", "exp": <unix time>, "name": "Sam"}``
(``name`` optional). The widget sends it in its hello frame (``customer_token``),
an HTTP API client when it starts a session. A verified token binds the session to
that customer (bot/sessions.py), and every message of the session then tells the
action server who the customer is (Rasa metadata ``customer_id``), so it shows
their orders without asking for proof. Nothing else ever sets ``customer_id``.

Only HS256 is accepted (no ``alg: none``, no other algorithm, no other key), ``exp``
and ``sub`` are required, and a token over MAX_TOKEN_CHARS is not even parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jwt

from bot.inputs import clean_text

ALGORITHM = "HS256"
MAX_TOKEN_CHARS = 4096
LEEWAY_S = 30  # clock difference between the shop and this gateway
MAX_NAME_CHARS = 80
CUSTOMER_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


class BadCustomerToken(ValueError):
    """A customer token that vouches for nobody; the message says why."""


@dataclass(frozen=True)
class VouchedCustomer:
    """A customer the shop vouched for."""

    customer_id: str  # the shop's own id, e.g. "c-1001"
    name: str = ""  # their display name, cleaned; "" when the token gives none


def vouched_customer(token: object, secret: str) -> VouchedCustomer:
    """The customer a signed customer token vouches for.

    Args:
        token: the token as the client sent it.
        secret: CUSTOMER_TOKEN_SECRET; empty means tokens are not accepted.

    Returns:
        The customer's id and display name.

    Raises:
        BadCustomerToken: with a message that says what was wrong.
    """
    if not secret:
        raise BadCustomerToken(
            "customer tokens are not accepted here (no CUSTOMER_TOKEN_SECRET is set)"
        )
    if not isinstance(token, str) or not token:
        raise BadCustomerToken("the customer token is malformed: it must be text")
    if len(token) > MAX_TOKEN_CHARS:
        raise BadCustomerToken(
            f"the customer token is longer than {MAX_TOKEN_CHARS} characters"
        )
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            leeway=LEEWAY_S,
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise BadCustomerToken("the customer token has expired") from None
    except jwt.InvalidSignatureError:
        raise BadCustomerToken("the customer token's signature is not valid") from None
    except jwt.InvalidAlgorithmError:
        raise BadCustomerToken(
            f"the customer token must be signed with {ALGORITHM}"
        ) from None
    except jwt.MissingRequiredClaimError as error:
        raise BadCustomerToken(
            f"the customer token lacks the {error.claim!r} claim"
        ) from None
    except jwt.ImmatureSignatureError:
        raise BadCustomerToken("the customer token is not valid yet") from None
    except jwt.InvalidTokenError as error:  # DecodeError and the other claim checks
        raise BadCustomerToken(f"the customer token is malformed: {error}") from None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not CUSTOMER_ID.match(subject):
        raise BadCustomerToken(
            "the customer token's 'sub' claim must be 1-64 of A-Z a-z 0-9 _ . @ -"
        )
    return VouchedCustomer(subject, _name(claims.get("name")))


def _name(value: object) -> str:
    """The display name of the token, cleaned like a typed one; "" when unusable."""
    if not isinstance(value, str):
        return ""
    try:
        cleaned = clean_text(value, len(value))  # the token's length bounds it
    except ValueError:
        return ""  # nothing printable
    return cleaned[:MAX_NAME_CHARS].rstrip()
