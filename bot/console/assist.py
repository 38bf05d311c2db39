"""Agent assist: three suggested replies and a tone check of the agent's draft.

Suggestions come from our own library of approved replies (data/assist/replies.yml).
The query is the customer's latest messages; each reply is compared by meaning, with
sentence embeddings from the action server (``POST /embed``, the same all-MiniLM-L6-v2
model as the emotion analysis; the library's vectors are fetched once per process).
When the action server does not answer, a keyword overlap stands in, and the response
says which one was used. Replies tagged for the customer's emotion and topic are
preferred, replies for a different mood (a cheerful one for an angry customer) are
left out, and placeholders are filled from the chat ({name}, {order_id}, ...); a reply
whose placeholder has no value is not suggested.

The tone check warns about a draft that an upset customer would take badly: no
acknowledgement of the feeling, shouting (ALL CAPS), blaming or dismissive words,
exclamation marks.
"""

from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.upstream import Embeddings

LIBRARY_FILE = (
    Path(__file__).resolve().parent.parent.parent / "data" / "assist" / "replies.yml"
)
UPSET = frozenset({"anger", "frustration", "sadness", "anxiety"})
CALM = frozenset({"neutral", "joy", "confusion"})
QUERY_MESSAGES = 3
MAX_QUERY_CHARS = 1000
SUGGESTIONS = 3
EMOTION_BONUS = 0.3  # a reply written for the customer's emotion
TOPIC_BONUS = 0.2  # a reply written for the customer's topic group


@dataclass(frozen=True)
class Reply:
    """One approved reply of the library."""

    id: str
    text: str
    situation: str
    emotions: frozenset[str]
    topics: frozenset[str]
    shortcut: str = ""
    unless: frozenset[str] = frozenset()  # not suggested when these are known

    @property
    def fields(self) -> frozenset[str]:
        """The placeholders the text needs."""
        names = (f for _, f, _, _ in string.Formatter().parse(self.text) if f)
        return frozenset(names)

    def suits(self, emotion: str) -> bool:
        """Whether the reply is meant for this emotion (``any`` suits all)."""
        return "any" in self.emotions or emotion in self.emotions


@dataclass(frozen=True)
class Library:
    """The approved replies and the topic groups they are tagged with."""

    replies: tuple[Reply, ...]
    topic_groups: dict[str, frozenset[str]]

    def group_of(self, intent: str) -> str:
        """The topic group of an intent ('' when it has none)."""
        for group, intents in self.topic_groups.items():
            if intent in intents:
                return group
        return ""


@lru_cache(maxsize=1)
def library(path: Path = LIBRARY_FILE) -> Library:
    """The reply library (read once)."""
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    groups = {str(k): frozenset(map(str, v)) for k, v in raw["topics"].items()}
    replies = tuple(
        Reply(
            id=str(r["id"]),
            text=str(r["text"]),
            situation=str(r.get("situation", "")),
            emotions=frozenset(map(str, r.get("emotions", ["any"]))),
            topics=frozenset(map(str, r.get("topics", ["any"]))),
            shortcut=str(r.get("shortcut", "")),
            unless=frozenset(map(str, r.get("unless", []))),
        )
        for r in raw["replies"]
    )
    return Library(replies, groups)


# -- similarity ---------------------------------------------------------------------

WORD = re.compile(r"[a-z0-9']+")
_STOP_WORDS = (
    "a an the i i'm you your my me we our is are was were be to of and or in on for "
    "it it's this that with at as so do does did not no can could will would have has "
    "had please just now here there what where when how why"
)
STOP = frozenset(_STOP_WORDS.split())


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def keywords(text: str) -> set[str]:
    """Content words of a text, lightly stemmed."""
    return {_stem(w) for w in WORD.findall(text.lower()) if w not in STOP}


def overlap(a: str, b: str) -> float:
    """Keyword similarity of two texts, 0-1 (the fallback for embeddings)."""
    ka, kb = keywords(a), keywords(b)
    if not ka or not kb:
        return 0.0
    return len(ka & kb) / math.sqrt(len(ka) * len(kb))


def _dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=False))


# -- suggestions ------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the suggestions are fitted to."""

    query: str  # the customer's latest messages
    emotion: str
    intensity: float
    topic: str  # the intent the customer came with
    values: dict[str, str]  # placeholder values


def fill(reply: Reply, values: dict[str, str]) -> str | None:
    """The reply with its placeholders filled; None when a value is missing (or one
    it would ask for is already known)."""
    if any(not values.get(f) for f in reply.fields):
        return None
    if any(values.get(f) for f in reply.unless):
        return None
    return reply.text.format(**{f: values[f] for f in reply.fields})


def first_name(name: str) -> str:
    """A customer's first name for a greeting (at most 40 characters)."""
    parts = name.strip().split()
    return parts[0][:40] if parts else ""


async def suggest(
    context: Context, embeddings: Embeddings | None, lib: Library | None = None
) -> tuple[list[dict[str, Any]], str]:
    """The best replies for the context and the retrieval used."""
    lib = lib or library()
    group = lib.group_of(context.topic)
    query = context.query[-MAX_QUERY_CHARS:] or context.topic.replace("_", " ")
    similarity: list[float] | None = None
    method = "keywords"
    if embeddings is not None and query.strip():
        vectors = await embeddings.cached(
            [f"{r.situation}. {r.text}" for r in lib.replies]
        )
        asked = await embeddings.embed([query]) if vectors else None
        if vectors and asked:
            similarity = [_dot(asked[0], v) for v in vectors]
            method = "embeddings"
    if similarity is None:
        similarity = [overlap(query, f"{r.situation} {r.text}") for r in lib.replies]
    upset = context.emotion in UPSET and context.intensity >= 0.3
    scored = []
    for reply, sim in zip(lib.replies, similarity, strict=True):
        # leave out replies for a different mood (cheerful for an angry customer)
        if not reply.suits(context.emotion) and (upset or not reply.emotions & CALM):
            continue
        text = fill(reply, context.values)
        if text is None:
            continue
        score = sim
        score += EMOTION_BONUS if context.emotion in reply.emotions else 0.0
        if group and group in reply.topics:
            score += TOPIC_BONUS
        elif "any" not in reply.topics:
            score -= 0.2
        scored.append((score, reply, text))
    scored.sort(key=lambda s: s[0], reverse=True)
    out = [
        {"id": r.id, "text": text, "score": round(score, 3)}
        for score, r, text in scored[:SUGGESTIONS]
    ]
    return out, method


def canned(values: dict[str, str], lib: Library | None = None) -> list[dict[str, str]]:
    """Replies with a shortcut, filled for this chat (unfillable ones left out)."""
    lib = lib or library()
    out = []
    for reply in lib.replies:
        if reply.shortcut and (text := fill(reply, values)) is not None:
            out.append({"shortcut": reply.shortcut, "text": text})
    return out


# -- tone check -------------------------------------------------------------------

ACKNOWLEDGE = re.compile(
    r"\b(sorry|apologi[sz]e|apologies|understand|frustrat\w*|annoy\w*|upsett?\w*|"
    r"disappoint\w*|worr\w*|stress\w*|i hear|i can see|i see why|that sounds|"
    r"must be|i get why|hassle|patience|thank you for (telling|waiting|bearing))",
    re.IGNORECASE,
)
BLAME = re.compile(
    r"\b(your (own )?fault|"
    r"you should(n't| not)?( have|'ve) (\w+ed|known|read|seen|done|written|told)|"
    r"you (didn't|did not|failed to|forgot to) (read|check|follow|enter|see)|"
    r"as i (already )?(said|explained|told you|mentioned)|i already told you|"
    r"calm down|obviously|clearly you|not (my|our) (problem|fault|responsibility)|"
    r"there'?s nothing (i|we) can do|you need to understand|that'?s (just )?policy|"
    r"you people)\b",
    re.IGNORECASE,
)
DISMISS = re.compile(r"\b(just (wait|relax|be patient)|simply|no big deal)\b", re.I)
_ACRONYMS = "DHL UPS DPD GLS PDF ID FAQ EU UK USA VAT IBAN PIN OK SMS URL CET CEST"
ACRONYMS = frozenset(_ACRONYMS.split())
CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")


def tone(
    text: str, emotion: str = "neutral", intensity: float = 0.0
) -> list[dict[str, str]]:
    """Warnings about a draft reply (empty when it reads well)."""
    warnings: list[dict[str, str]] = []
    upset = emotion in UPSET and intensity >= 0.3
    if upset and not ACKNOWLEDGE.search(text):
        warnings.append(
            {
                "code": "no_acknowledgement",
                "message": f"The customer is upset ({emotion}); acknowledge how they "
                "feel before the facts.",
            }
        )
    shouted = [w for w in CAPS_WORD.findall(text) if w not in ACRONYMS]
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    if len(shouted) >= 2 or (len(letters) >= 12 and upper / len(letters) > 0.6):
        warnings.append(
            {
                "code": "all_caps",
                "message": "Capital letters read as shouting: "
                + (", ".join(shouted[:3]) or "most of the text")
                + ".",
            }
        )
    if match := BLAME.search(text):
        warnings.append(
            {
                "code": "blame",
                "message": f"“{match.group(0)}” can sound like blaming the customer.",
            }
        )
    if match := DISMISS.search(text):
        warnings.append(
            {
                "code": "dismissive",
                "message": f"“{match.group(0)}” can sound dismissive.",
            }
        )
    if "!!" in text or text.count("!") > 2:
        warnings.append(
            {
                "code": "exclamations",
                "message": "Several exclamation marks can feel loud; one calm "
                "sentence works better.",
            }
        )
    return warnings
