"""Our hostile input corpus, and checks of what may be stored from it.

Every string here is written for these tests. ``TEXTS`` are message texts, sent as
JSON written by ``json.dumps`` (``ensure_ascii``: a lone surrogate goes out as the
escape ``"\\ud800"``, which is what a hostile client sends; UTF-8 cannot carry it).
``RAW_FRAMES`` and ``RAW_BODIES`` are what a client might send instead of JSON.
"""

from __future__ import annotations

import unicodedata

MAX_CHARS = 4000  # MAX_MESSAGE_CHARS of the test stack
MB = 1 << 20

TEXTS: dict[str, str] = {
    "lone high surrogate": "where is \ud800 my order",
    "lone low surrogate": "\udfff refund please",
    "only surrogates": "\ud800\udbff\udc00",
    "NUL": "where\x00 is my order",
    "only NUL": "\x00\x00\x00",
    "terminal escapes": "\x1b[31mred\x1b[0m \x07bell where is my parcel",
    "CRLF log injection": "hi\r\n2026-01-01 ERROR forged log line",
    "RTL override": "\u202eredro ym si erehw",
    "bidi isolates": "\u2066\u2067\u2068 invoice \u2069",
    "zalgo": "Z" + "\u0336\u0337\u0338\u0334" * 30 + "algo where is my order",
    "zero width": "\u200b\u200c\u200d\ufeff",
    "HTML/script": "<script>alert(1)</script><img src=x onerror=alert(2)> hi",
    "attribute breakout": "\"'><svg/onload=alert(3)>",
    "jinja": "{{7*7}} {{config.items()}} {% for x in y %}",
    "js template": "${7*7} #{7*7} <%= 7*7 %>",
    "str.format": "{0.__class__.__mro__} {customer_name} {contact} {}",
    "percent format": "%(x)s %s %d %n %%",
    "SQL": "'; DROP TABLE tickets; --",
    "JSON in text": '{"type": "hello", "session": null}',
    "Lua/redis": "'); redis.call('FLUSHALL') --",
    "very long word": "a" * MAX_CHARS,
    "too long": "b" * (MAX_CHARS + 1),
    "many emoji": "\U0001f621" * 1000,
    "too many emoji": "\U0001f621" * (MAX_CHARS + 1),
    "whitespace only": " \n\t \u3000 ",
    "mixed scripts": "Заказ 注文 طلب 🛒 order",
}

# Texts no channel may store: refused with a clear error instead.
REFUSED = {
    "only surrogates",
    "only NUL",
    "zero width",
    "too long",
    "too many emoji",
    "whitespace only",
}

# Whole WebSocket frames (text) that are not a valid message frame.
RAW_FRAMES: dict[str, str] = {
    "invalid JSON": '{"type": "message", "id": "x", "text": "hi"',
    "not an object": "[1, 2, 3]",
    "no type": '{"id": "x", "text": "hi"}',
    "type not a string": '{"type": 7}',
    "deep nesting": "[" * 60_000,
    "deep nesting, 15 kB": "[" * 15_000,
    "deep objects": '{"a":' * 10_000 + "1" + "}" * 10_000,
    "surrogate escapes in id": '{"type": "message", "id": "\\ud800", "text": "hi"}',
    "text not a string": '{"type": "message", "id": "n1", "text": {"$gt": ""}}',
    "huge number": '{"type": "message", "id": "n2", "text": ' + "9" * 5000 + "}",
    "NaN": '{"type": "message", "id": "n3", "text": NaN}',
    "unknown type": '{"type": "<script>alert(1)</script>"}',
}


# HTTP bodies (JSON APIs): the huge ones must be refused before they are parsed.
RAW_BODIES: dict[str, bytes] = {
    "invalid JSON": b'{"text": "hi"',
    "binary": bytes(range(256)) * 4,
    "deep nesting": b"[" * 100_000,
    "deep objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "1 MB": b'{"text": "' + b"x" * MB + b'"}',
    "10 MB": b'{"text": "' + b"y" * (10 * MB) + b'"}',
    "1 MB of nesting": b"[" * MB,
    "UTF-16": '{"text": "hi"}'.encode("utf-16"),
    "NUL bytes": b'{"text": "hi\x00"}',
}


def storable(text: str) -> bool:
    """Whether ``text`` is safe to store and show: no lone surrogates, control
    characters (other than newline and tab), bidi overrides or long zalgo runs."""
    run = 0
    for ch in text:
        if 0xD800 <= ord(ch) <= 0xDFFF:
            return False
        if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t":
            return False
        run = run + 1 if unicodedata.combining(ch) else 0
        if run > 4:
            return False
    return bool(text.strip()) and len(text) <= MAX_CHARS
