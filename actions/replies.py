"""Reply templates from ``data/replies/answers.yml``.

Each key has several variations; one is picked at random, skipping any that would repeat
what the bot said recently, and filled with ``str.format`` placeholders.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions.faq import faq_replies
from actions.mentions import mentioned, rule_pattern
from actions.paths import ANSWERS_FILE
from actions.payments import named_in

_SPACES = re.compile(r"[ \t]{2,}")
# A sentence whose condition can only come true later ("If it hasn't come by then,
# tell me and ..."): a yes now does not meet it. "If something arrived damaged, tell
# me and ..." can be met by a yes.
_LATER = re.compile(
    r"if\b[^,;]*?\b(?:by then|by (?:monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|tomorrow)|after (?:that|a few|\w+ (?:more )?days)|later|"
    r"in that time)\b"
)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
# A glad word that opens a reply ("Done.", "All sorted:", "Good news:"): out of place
# in a chat where something grave was told (a death, an injury, a fraud)
_GLAD_OPENER = re.compile(
    r"^(?:done|all done|all sorted|sorted|good news(?: on [^:.]{1,20})?|great news|"
    r"great|perfect|brilliant)\s*[.!:,]\s+",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[a-z']+")


class MissingReply(KeyError):
    """No template exists for a reply key."""


@dataclass
class ReplyBook:
    """All reply templates, keyed by intent or outcome (``track_order.shipped``)."""

    answers: dict[str, list[str]]
    descriptions: dict[str, str] = field(default_factory=dict)
    offers: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    declines: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    plain_no: frozenset[str] = frozenset()
    plain_yes: frozenset[str] = frozenset()
    closers: tuple[str, ...] = ()
    side_questions: frozenset[str] = frozenset()
    misses: frozenset[str] = frozenset()  # replies that mean "I could not help"
    side_asks: dict[str, str] = field(default_factory=dict)
    # intents whose specific keys answer different questions (side_facets)
    facets: frozenset[str] = frozenset()
    refund_context: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    specific: dict[str, list[tuple[re.Pattern[str], str]]] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_file(cls, path: Path) -> ReplyBook:
        """Load and check a template file.

        Args:
            path: YAML file with ``answers`` (key -> list of texts) and ``describe``.

        Returns:
            The loaded book; raises ValueError when a key has no variations.
        """
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        answers = {str(k): [str(t) for t in v or []] for k, v in raw["answers"].items()}
        empty = sorted(k for k, v in answers.items() if not v)
        if empty:
            raise ValueError(f"{path}: reply keys without variations: {empty}")
        offers = [
            (str(o["accept"]), tuple(str(w).lower() for w in o["when"]))
            for o in raw.get("offers") or []
        ]
        declines = [
            (str(d["decline"]), tuple(str(w).lower() for w in d["when"]))
            for d in raw.get("declines") or []
        ]
        for yes, _ in [*offers, *declines]:
            kind, _, target = yes.partition(" ")
            valid = {
                "handoff": not target,
                "ask": bool(target),
                "say": target in answers,
            }
            if not valid.get(kind):
                raise ValueError(f"{path}: offer {yes!r} is not handoff/ask/say <key>")
        specific = {
            str(intent): [(rule_pattern(r, "when"), str(r["key"])) for r in rules]
            for intent, rules in (raw.get("specific") or {}).items()
        }

        def known(what: str, keys: Iterable[str]) -> None:
            missing = sorted(set(keys) - set(answers))
            if missing:
                raise ValueError(f"{path}: {what} without templates: {missing}")

        known("specific answers", (k for rules in specific.values() for _, k in rules))
        side = frozenset(str(i) for i in raw.get("side_questions") or [])
        known("side questions", side)
        misses = frozenset(str(k) for k in raw.get("misses") or [])
        known("misses", misses)
        asks = {str(k): str(v) for k, v in (raw.get("side_asks") or {}).items()}
        known("side asks", asks.values())
        facets = frozenset(str(i) for i in raw.get("side_facets") or [])
        known("side facets", facets)
        refund_context = [
            (rule_pattern(r), str(r["key"])) for r in raw.get("refund_in_context") or []
        ]
        known("refund_in_context", (k for _, k in refund_context))
        return cls(
            answers=answers,
            specific=specific,
            descriptions=dict(raw.get("describe") or {}),
            offers=offers,
            declines=declines,
            plain_no=frozenset(str(w).lower() for w in raw.get("plain_no") or []),
            plain_yes=frozenset(str(w).lower() for w in raw.get("plain_yes") or []),
            closers=tuple(str(c).lower() for c in raw.get("closers") or []),
            side_questions=side,
            misses=misses,
            side_asks=asks,
            facets=facets,
            refund_context=refund_context,
        )

    def offers_person(self, text: str) -> bool:
        """Whether ``text`` already offers a person somewhere (the ``handoff``
        words of ``offers``), so no second offer is added."""
        lowered = text.lower()
        person = [w for yes, words in self.offers if yes == "handoff" for w in words]
        return any(w in lowered for w in person)

    def missed(self, keys: Iterable[str]) -> bool:
        """Whether a turn that said ``keys`` failed the customer (``misses``)."""
        return any(key in self.misses for key in keys)

    def has(self, key: str) -> bool:
        """Whether templates exist for ``key``."""
        return key in self.answers

    def pick(self, key: str, avoid: Iterable[str] = (), **values: Any) -> str:
        """A filled variation of ``key`` that is not among ``avoid`` when possible.

        Args:
            key: reply key, e.g. ``"delivery_period"`` or ``"track_order.shipped"``.
            avoid: texts said recently (no identical reply twice in a row).
            values: placeholder values; missing ones become empty strings.

        Returns:
            The reply text.
        """
        if key not in self.answers:
            raise MissingReply(key)
        filled = [fill(t, values) for t in self.answers[key]]
        recent = list(avoid)
        # said already: sent without its closer, maybe after words of empathy
        fresh = [
            t for t in filled if not any(self.without_closer(t) in r for r in recent)
        ] or filled
        return self.rng.choice(fresh)

    def specific_key(self, intent: str, text: str) -> str | None:
        """A reply key more specific than ``intent`` for what ``text`` says
        (``specific`` in the file: a double charge is not a failed payment)."""
        named = named_in(text)
        if named and self.has(f"{intent}_named_{named[0]}"):
            # "can I pay with iDEAL?": a way to pay we take or not, yes or no first
            # (data/store/payments.yml; the value is ``payment_method``)
            return f"{intent}_named_{named[0]}"
        lower = text.lower()
        for pattern, key in self.specific.get(intent, []):
            if pattern.search(lower):
                return key
        return None

    def closes(self, text: str) -> bool:
        """Whether ``text`` ends with a stock closer ("Anything else?")."""
        sentences = _SENTENCE_END.split(text.strip())
        last = sentences[-1].lower() if len(sentences) > 1 else ""
        return any(last.startswith(c) for c in self.closers)

    def without_closer(self, text: str) -> str:
        """``text`` without its closing stock line ("Does that help?", "Anything
        else?"): read by a person, it is the mark of a machine, so it is never said
        (a reply that is only a closer stays as it is)."""
        if not self.closes(text):
            return text
        return " ".join(_SENTENCE_END.split(text.strip())[:-1])

    @staticmethod
    def without_gladness(text: str) -> str:
        """``text`` without a glad word that opens it ("Done. Order 5520174 ..."
        is "Order 5520174 ..."), for a chat where something grave was told."""
        opener = _GLAD_OPENER.match(text)
        if not opener or len(text) == opener.end():
            return text
        rest = text[opener.end() :]
        return rest[0].upper() + rest[1:]

    def refund_in_context(self, texts: Iterable[str]) -> str | None:
        """The answer to "can I have my money back?" in a chat about something that
        is not a return (``refund_in_context``: a parcel that never came, a double
        charge), from the customer's recent ``texts``; None for an ordinary refund."""
        # a refund that has not come is not a parcel that has not come
        lowered = [t.lower() for t in texts if not mentioned("refund_not_arrived", t)]
        for pattern, key in self.refund_context:
            if any(pattern.search(t) for t in lowered):
                return key
        return None

    def decline(self, text: str) -> str | None:
        """What a plain "no" to ``text`` (the bot's reply) means (``declines`` in the
        file): "say <key>" or "handoff"; None when its question needs no follow-up."""
        sentences = _SENTENCE_END.split(text.strip())
        last = " ".join(sentences[-2:]).lower() if sentences else ""
        for no, words in self.declines:
            if any(w in last for w in words):
                return no
        return None

    def is_plain_no(self, text: str) -> bool:
        """Whether ``text`` only says no ("No, it hasn't reached me"), one other
        word allowed."""
        words = _WORDS.findall(text.lower())
        return (
            bool(words)
            and words[0] in ("no", "nope", "nah", "not")
            and sum(w not in self.plain_no for w in words) <= 1
        )

    def offer(self, *texts: str) -> str | None:
        """What a "yes" to these texts accepts (``offers`` in the file): the first
        text whose last sentence offers something decides ("handoff", "ask <intent>"
        or "say <reply key>"); None when nothing is on offer."""
        for text in texts:
            sentences = _SENTENCE_END.split(text.strip())
            last = sentences[-1].lower() if sentences else ""
            if _LATER.match(last) and not last.endswith("?"):
                # "If it hasn't come by then, tell me and a colleague will chase
                # DHL": for what may happen later, not a yes now ("ok fine")
                continue
            for yes, words in self.offers:
                if any(w in last for w in words):
                    return yes
        return None

    def is_plain_yes(self, text: str) -> bool:
        """Whether ``text`` only says yes (``plain_yes`` in the file, one other word
        allowed), so that it can accept an offer; "?" or a sentence cannot."""
        if re.search(r"\d|@", text):
            return False  # a number or an address is an answer of its own
        words = _WORDS.findall(text.lower())
        return bool(words) and sum(w not in self.plain_yes for w in words) <= 1

    def describe(self, intent: str) -> str | None:
        """Short verb phrase for an intent ("check where your order is")."""
        return self.descriptions.get(intent)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, values: Mapping[str, Any]) -> str:
    """``template`` with placeholders filled; missing or None values become blank."""
    clean = {k: "" if v is None else v for k, v in values.items()}
    text = template.format_map(_Blank(clean))
    return _SPACES.sub(" ", text).replace(" ,", ",").replace(" .", ".").strip()


def capitalise(text: str) -> str:
    """``text`` with its first letter upper-case and the rest untouched."""
    return text[:1].upper() + text[1:] if text else text


@lru_cache(maxsize=1)
def reply_book() -> ReplyBook:
    """The process-wide reply book, loaded on first use, with the FAQ's answers
    (``faq.<id>`` keys from data/faq.yml)."""
    book = ReplyBook.from_file(ANSWERS_FILE)
    book.answers.update(faq_replies())
    return book
