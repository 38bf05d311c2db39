"""Redaction of personal data in logs and analytics exports.

E-mail addresses, payment card numbers (13-19 digits, spaces or dashes allowed, first
digit 2-6 as every major card network's, Luhn check passed) and phone numbers become
``[email]``, ``[card]`` and ``[phone]``. ``redact`` is for any text that leaves the
live conversation: log lines (``RedactingFilter``, installed on every handler of a
process by ``install_log_redaction``) and the console's CSV export. The transcript
itself keeps the customer's words: agents read them live and need them to help.

Phone numbers are recognised by shape, not by country rules, and the shapes are
chosen so that the numbers a support system logs itself are left alone: a phone
number starts with ``+`` (``+44 7700 900123``), or has separators between digit
groups (``(555) 123-4567``, ``555.123.4567``, ``07700 900123``), or is a bare run of
digits that starts with ``0`` (9-12 digits) or has exactly 10 digits and does not
start with 0 or 1 (North American). Bare runs such as Unix times, Redis stream ids
(``1717171717171-0``), Telegram chat ids after ``tg-``, dates, times, IPv4 addresses
and decimals are not phone numbers. Between 7 and 15 digits in all (E.164).

Client addresses are personal data too: wherever one is counted or remembered (rate
limits, open tickets, widget sessions) only ``address_key`` of it is kept, a keyed
hash (HMAC-SHA-256 with SECRET_KEY) of the address, of an IPv6 address's /64 network
(one subscriber's, however many addresses it uses).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re

EMAIL_MARK = "[email]"
CARD_MARK = "[card]"
PHONE_MARK = "[phone]"

DOMAIN = r"@[\w-]{1,63}(?:\.[\w-]{1,63})+"
# A local part starts after a quote if it can ('ann@example.com' keeps its quotes),
# and EMAIL_ANY catches what is left (a local part of quotes only).
EMAIL = re.compile(r"[\w.!#$%&*+/=?^`{|}~-][\w.!#$%&'*+/=?^`{|}~-]{0,63}" + DOMAIN)
EMAIL_ANY = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}" + DOMAIN)
# A run of digits with single spaces or dashes between them (card candidates).
DIGIT_RUN = re.compile(r"(?<![\w.-])\d(?:[ -]?\d)+(?!\w)")
# Phone candidates: optional +country, optional (area), digit groups with one
# separator (space, dot or dash) between them.
PHONE = re.compile(
    r"(?<![\w+.-])"
    r"(?:\+\d{1,3}[ .-]?)?"
    r"(?:\(\d{1,5}\)[ .-]?)?"
    r"\d+(?:[ .-]\d+)*"
    r"(?!\w|[.,:/-]\d)"
)
# Secrets that URLs in log lines may carry: Rasa's ?token=, the Telegram bot token.
SECRET_PARAM = re.compile(r"(?i)([?&](?:token|auth_token|api_key)=)[^&\s'\"]+")
BOT_TOKEN = re.compile(r"(/bot)\d+:[A-Za-z0-9_-]+")
DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
STREAM_ID = re.compile(r"\d{13,}-\d+")
DECIMAL = re.compile(r"\d+\.\d+")


IPV6_SUBSCRIBER_PREFIX = 64  # the network one IPv6 subscriber (or host) is given


def address_group(address: str) -> str:
    """The address as one client: an IPv6 address's /64 network, an IPv4 address
    (also written IPv4-mapped) itself; anything else unchanged."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        network = ipaddress.IPv6Network((ip, IPV6_SUBSCRIBER_PREFIX), strict=False)
        return str(network)
    return str(ip)


def address_key(secret: str, address: str) -> str:
    """A keyed hash of a client address (its ``address_group``), to count or
    remember it without storing it."""
    group = address_group(address).encode()
    return hmac.new(secret.encode(), group, hashlib.sha256).hexdigest()[:24]


def luhn_ok(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (card numbers do)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def is_card(digits: str) -> bool:
    """Whether 13-19 digits look like a payment card number (network digit, Luhn)."""
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_ok(digits)


def _card_span(run: str) -> tuple[int, int] | None:
    """Where a card number is inside a run of digit groups (the longest), or None."""
    groups = [(m.start(), m.end()) for m in re.finditer(r"\d+", run)]
    best: tuple[int, int] | None = None
    for i in range(len(groups)):
        digits = ""
        for j in range(i, len(groups)):
            digits += run[groups[j][0] : groups[j][1]]
            if len(digits) > 19:
                break
            span = (groups[i][0], groups[j][1])
            longer = best is None or span[1] - span[0] > best[1] - best[0]
            if longer and is_card(digits):
                best = span
    return best


def _cards(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        span = _card_span(run)
        if span is None:
            return run
        start, end = span
        return run[:start] + CARD_MARK + _cards(run[end:])

    return DIGIT_RUN.sub(replace, text)


def is_phone(candidate: str) -> bool:
    """Whether a phone-shaped candidate (see the module docstring) is a number."""
    digits = "".join(ch for ch in candidate if ch.isdigit())
    if not 7 <= len(digits) <= 15:
        return False
    if candidate.startswith("+"):
        return len(digits) >= 8
    if DATE.fullmatch(candidate) or IPV4.fullmatch(candidate):
        return False
    if STREAM_ID.fullmatch(candidate) or DECIMAL.fullmatch(candidate):
        return False
    if candidate.isdigit():  # a bare run: only the usual national shapes
        if candidate.startswith("0"):
            return 9 <= len(digits) <= 12
        return len(digits) == 10 and candidate[0] not in "01"
    return True


def _phones(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        return PHONE_MARK if is_phone(found) else found

    return PHONE.sub(replace, text)


def redact(text: str) -> str:
    """``text`` with e-mail addresses, card numbers and phone numbers masked."""
    if not text or not any(ch.isdigit() or ch == "@" for ch in text):
        return text
    text = EMAIL_ANY.sub(EMAIL_MARK, EMAIL.sub(EMAIL_MARK, text))
    text = _cards(text)
    return _phones(text)


def mask_secrets(text: str) -> str:
    """``text`` with URL tokens and Telegram bot tokens replaced by ``[secret]``."""
    text = SECRET_PARAM.sub(r"\1[secret]", text)
    return BOT_TOKEN.sub(r"\1[secret]", text)


def redact_log(text: str) -> str:
    """A log line's text with personal data and secrets masked."""
    return mask_secrets(redact(text))


class RedactingFilter(logging.Filter):
    """Masks personal data (and URL secrets) in a log record: message, traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place (once); never drops it."""
        if getattr(record, "redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string: keep the parts
            message = f"{record.msg} {record.args}"
        record.msg = redact_log(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_log(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_log(record.stack_info)
        record.redacted = True
        return True


def install_log_redaction() -> RedactingFilter:
    """Put a ``RedactingFilter`` on every log handler of this process (idempotent).

    Handlers of the root logger, of every named logger (uvicorn's, sanic's, ...) and
    Python's last-resort handler, which prints warnings when nothing is configured.
    Call it after the server configured its logging.
    """
    handlers: list[logging.Handler] = list(logging.getLogger().handlers)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            handlers.extend(logger.handlers)
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    installed = RedactingFilter()
    for handler in handlers:
        existing = [f for f in handler.filters if isinstance(f, RedactingFilter)]
        if existing:
            installed = existing[0]
        else:
            handler.addFilter(installed)
    return installed
