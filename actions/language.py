"""Which language a customer writes in, when it is clearly not English, and what the
bot says to them then (``data/replies/languages.yml``).

NLU is English only, so a message clearly written in another language is never
answered as out of scope: ``actions/voice.py`` hands it to a person with texts in that
language. ``detect`` is conservative, because a wrong guess sends an English speaker to
a person with a foreign text: order numbers, e-mail addresses, URLs and names are
left out, a message needs a few words and letters, and lingua must be sure (its
confidence for the best language, with English far behind). "ok", "hallo", "merci", a
name, an order number with two words and an English sentence with one foreign word
give None.

A language the detector knows but that has no texts in the data file (Swedish,
Turkish, ...) still counts as not English: the customer gets the English ``fallback``
handoff text and the English queue message, and is handed over all the same.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from actions.paths import DATA
from actions.store import find_number
from bot.handoff.config import written_in

LANGUAGES_FILE = Path(
    os.environ.get("LANGUAGES_FILE", DATA / "replies" / "languages.yml")
)

# Languages the detector knows besides English and those with texts, so that, say,
# Swedish is not taken for Dutch; their names are for the agent. Each language costs
# about 30 MB of models in memory (all 13: +430 MB, 7-11 s to load), so only a few.
OTHERS = {
    "cs": "Czech",
    "da": "Danish",
    "sv": "Swedish",
    "tr": "Turkish",
    "ru": "Russian",
}
# Topics answered in another language (``answers`` of the same name); "order" looks
# the order up; any other topic of a language (a person asked for, a cancellation,
# something broken) is for a person.
ANSWERED = (
    "delivery",
    "returns",
    "payment",
    "refund",
    "address",
    "contact",
    "shop",
    "thanks",
)
# What went wrong that is answered (a late order: where it is); any other problem
# the customer names (``problems``: charged twice, damaged, the wrong item, something
# missing) is for a person, as the `problem` topic is
ANSWERED_PROBLEMS = ("late",)
# Serious things a customer may tell beside a plain question that is answered, with
# care and a person offered, instead of a handoff (``LanguageBook.answers_first``)
ANSWERED_FIRST = ("hardship", "health")
# Answered topics whose words are a whole question ("how long does a refund take",
# "can I change the address"): the words they match are taken out of the message
# before the other topics are looked for, so "refund" or "wrong address" inside such
# a question does not also count as a problem for a person, nor "telefono" in "what
# is your phone number" as a request for a call. Anything else said
# beside them (charged twice, broken) still does.
QUESTIONS = ("refund", "address", "contact", "cancelled")
ORDER_STATES = ("ask", "not_found", "processing", "shipped", "delivered", "cancelled")
# The customer's latest messages that decide the conversation's language: enough to
# look past an order number and an e-mail address given in between
LANGUAGE_WINDOW = 5
MIN_WORDS = 3  # "Danke schön" or "Hola amigo" alone are not enough
# A question of at most this many words that names no topic goes on with the topic
# before it ("Und wann kommt sie an?" after the order's state).
FOLLOW_UP_WORDS = 10
# ...when it opens with a word that goes on ("und", "y", "et", "e", "en", "i", "och",
# "aber", "mais", ...), else at most this many words ("¿Cuándo llega?", "Hoeveel
# dagen heb ik daarvoor?")
SHORT_FOLLOW_UP = 6
_GOES_ON = re.compile(
    r"^\W*(?:und|aber|also|dann|y|pero|entonces|et|mais|alors|e|ma|allora|en|maar|"
    r"dan|mas|então|i|a|ale|oraz|och|men|så)\b"
)
MIN_LETTERS = 14
# lingua's confidence values (they sum to 1 over the detector's languages): the best
# language at least this sure, well ahead of the next (Spanish or Italian?) and English
# far behind. On the sentences these were chosen with, English ones (with a foreign
# name or word, typos, caps) never gave English less than 0.13, others at most 0.07.
MIN_CONFIDENCE = 0.5
MIN_LEAD = 2.5  # times the confidence of the second best
MAX_ENGLISH = 0.08
# ...or, for a short message, this sure and this far ahead of the second best. With
# both rules, none of the 2,214 English requests of bitext/dev.csv is taken for
# another language (`python -m bench.languages`, 2026-12-04).
SHORT_CONFIDENCE = 0.35
SHORT_LEAD = 4.0
# ...or, when the message uses that language's own words for a topic or a question
# we know there (languages.yml `topics` and `asks`: "hoe kan ik iets
# retourneren?"), this sure and ahead (Portuguese and Spanish share many words:
# "quero falar com um atendente" is well ahead of English, a little of Spanish).
WORDED_CONFIDENCE = 0.3
WORDED_LEAD = 1.25

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+")
_WITH_DIGITS = re.compile(r"\S*\d\S*")  # order numbers, dates, #48213, A-1234
_WORD = re.compile(r"[^\W\d_]+")

_lock = threading.Lock()
_detector: LanguageDetector | None = None


def _language(code: str) -> Language:
    return Language.from_iso_code_639_1(IsoCode639_1.from_str(code))


def detector() -> LanguageDetector:
    """The process-wide detector, built on first use (thread-safe): English, the
    languages with texts and ``OTHERS``, with their models preloaded."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                codes = {"en", *language_book().languages, *OTHERS}
                _detector = (
                    LanguageDetectorBuilder.from_languages(*map(_language, codes))
                    .with_preloaded_language_models()
                    .build()
                )
    return _detector


def clean(text: str) -> str:
    """``text`` without URLs, e-mail addresses, anything with a digit in it, and
    capitalised words with letters beyond ASCII: names such as Łukasz or Søren, whose
    letters alone would make lingua rule English out."""
    kept = _WITH_DIGITS.sub(" ", _EMAIL.sub(" ", _URL.sub(" ", text))).split()
    return " ".join(w for w in kept if w.isascii() or not w[:1].isupper())


@lru_cache(maxsize=4096)  # a conversation's messages are read again every turn
def guess(text: str) -> str | None:
    """The ISO 639-1 code of the language a message is clearly written in (``"en"``
    included), or None when it is too short, ambiguous, or only numbers and names."""
    words = clean(text or "")
    found = _WORD.findall(words)
    if len(found) < MIN_WORDS or sum(map(len, found)) < MIN_LETTERS:
        return None
    values = detector().compute_language_confidence_values(words)
    if not values:
        return None
    best, second = values[0], values[1] if len(values) > 1 else None
    english = next((v.value for v in values if v.language == Language.ENGLISH), 0.0)
    if best.language == Language.ENGLISH:
        return "en" if best.value >= MIN_CONFIDENCE else None
    lead = best.value / second.value if second is not None and second.value else 99.0
    sure = best.value >= MIN_CONFIDENCE and lead >= MIN_LEAD
    # a short message ("Ciao, dov'è il mio ordine?") spreads lingua's confidence over
    # neighbouring languages: less sure, but far ahead of all of them
    clear = best.value >= SHORT_CONFIDENCE and lead >= SHORT_LEAD
    code = best.language.iso_code_639_1.name.lower()
    worded = (
        best.value >= WORDED_CONFIDENCE
        and lead >= WORDED_LEAD
        and _own_words(code, words.lower())
    )
    if not (sure or clear or worded) or english > MAX_ENGLISH:
        return None
    return code


def _own_words(code: str, lower: str) -> bool:
    """Whether ``lower`` uses the words of a topic or a question of language
    ``code`` (``topics`` and ``asks`` in languages.yml)."""
    texts = language_book().languages.get(code)
    if texts is None:
        return False
    patterns = [*texts.topics.values(), texts.asks]
    return any(p.search(lower) for p in patterns if p is not None)


def detect(text: str) -> str | None:
    """The ISO 639-1 code of a message clearly written in a language other than
    English, else None (English, too short, ambiguous, or only numbers and names).

    Args:
        text: a customer message.

    Returns:
        ``"de"``, ``"es"``, ... or None.
    """
    code = guess(text)
    return None if code == "en" else code


def conversation_language(texts: list[str]) -> str | None:
    """The language of the conversation, from the customer's messages (newest last;
    the last LANGUAGE_WINDOW count): that of the latest message clearly written in
    one, when it is not English. A short "48213", an e-mail address or "ok" after a
    German question stays German; a clear English sentence switches back."""
    window = texts[-LANGUAGE_WINDOW:]
    found = [(text, guess(text)) for text in window]
    clear = [(text, code) for text, code in found if code is not None]
    if not clear:
        return None
    text, code = clear[-1]
    if code == "en":
        return None
    before = [c for _, c in clear[:-1] if c not in (None, "en")]
    if before and before[-1] != code and _close_runner_up(text, code, before[-1]):
        # "E dá para pagar com MB Way?" in a Portuguese chat reads a little more
        # Spanish to lingua: the chat's language, a close second, stays
        return before[-1]
    return code


# A message's best language gives way to the chat's language before it when that
# one has at least this share of the best one's confidence (a neighbouring language,
# not a switch: a real Spanish sentence gives Portuguese about a tenth)
CONTINUITY_SHARE = 0.5


def _close_runner_up(text: str, best: str, other: str) -> bool:
    """Whether lingua's confidence in ``other`` for ``text`` is close to that in
    ``best`` (CONTINUITY_SHARE)."""
    values = {
        v.language.iso_code_639_1.name.lower(): v.value
        for v in detector().compute_language_confidence_values(clean(text))
    }
    top = values.get(best, 0.0)
    return top > 0 and values.get(other, 0.0) >= CONTINUITY_SHARE * top


@dataclass(frozen=True)
class LanguageTexts:
    """What the bot says in one language when it hands the chat to a person."""

    code: str
    name: str  # in English, for the agent: "German"
    handoff: str
    queue: dict[str, str]  # the keys of ``queue`` in empathy.yml
    thanks: str = ""  # opens the handoff message when no words of care do
    opens: str = ""  # how the reopening time is written: {day} {month} {time} {zone}
    # what has happened (bereavement, injury, fraud, distress): words, then first words
    serious: dict[str, re.Pattern[str]] = field(default_factory=dict)
    care: dict[str, str] = field(default_factory=dict)
    # what went wrong (a double charge, damage, the wrong item, something missing,
    # late), in the customer's words, and the words that name it, in this order
    problems: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    # ...those of them a person puts right (all but ANSWERED_PROBLEMS)
    to_put_right: list[re.Pattern[str]] = field(default_factory=list)
    # simple questions answered in the language: what the customer asks about, in
    # their words (``topics``), and the answers (``answers``: a topic, or
    # ``order.<status>`` for an order's state); a feeling they name and the words for
    # it (``feelings``); how a date is written (``date``: {day} {month})
    topics: dict[str, re.Pattern[str]] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    feelings: dict[str, tuple[re.Pattern[str], str]] = field(default_factory=dict)
    # what makes it matter more ("es war ein Geschenk", "para una boda"): the words,
    # and a sentence that names it, said beside what went wrong or a feeling
    stakes: dict[str, tuple[re.Pattern[str], str]] = field(default_factory=dict)
    date: str = "{day}/{month}"
    # words that ask something (``asks``; a question mark always does): thanks with
    # a question beside it is not only thanks; and the words that say a person from
    # our team can help (``team``): a reply that says so gets no ``offer_person``
    asks: re.Pattern[str] | None = None
    team: re.Pattern[str] | None = None


@dataclass(frozen=True)
class LanguageBook:
    """The texts of every language we answer in, and the fallback for the others."""

    languages: dict[str, LanguageTexts]
    fallback_handoff: str

    @classmethod
    def from_file(cls, path: Path) -> LanguageBook:
        """Load ``languages.yml``; ValueError when a language lacks a text."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        languages = {}
        for code, entry in (raw.get("languages") or {}).items():
            missing = {"name", "handoff", "queue"} - set(entry)
            if missing:
                raise ValueError(f"{path}: {code} lacks {sorted(missing)}")
            languages[str(code)] = LanguageTexts(
                code=str(code),
                name=str(entry["name"]),
                handoff=str(entry["handoff"]),
                thanks=str(entry.get("thanks") or ""),
                queue={str(k): str(v) for k, v in entry["queue"].items()},
                opens=str(entry.get("opens") or ""),
                serious={
                    str(k): re.compile(str(v))
                    for k, v in (entry.get("serious") or {}).items()
                },
                care={str(k): str(v) for k, v in (entry.get("care") or {}).items()},
                problems=[
                    (re.compile(str(v["when"])), str(v["care"]))
                    for v in (entry.get("problems") or {}).values()
                ],
                to_put_right=[
                    re.compile(str(v["when"]))
                    for k, v in (entry.get("problems") or {}).items()
                    if k not in ANSWERED_PROBLEMS
                ],
                topics={
                    str(k): re.compile(str(v))
                    for k, v in (entry.get("topics") or {}).items()
                },
                answers={
                    str(k): str(v) for k, v in (entry.get("answers") or {}).items()
                },
                feelings={
                    str(k): (re.compile(str(v["when"])), str(v["say"]))
                    for k, v in (entry.get("feelings") or {}).items()
                },
                stakes={
                    str(k): (re.compile(str(v["when"])), str(v["say"]))
                    for k, v in (entry.get("stakes") or {}).items()
                },
                date=str(entry.get("date") or "{day}/{month}"),
                asks=re.compile(str(entry["asks"])) if entry.get("asks") else None,
                team=re.compile(str(entry["team"])) if entry.get("team") else None,
            )
            texts = languages[str(code)]
            required = {"offer_person", *(f"order.{s}" for s in ORDER_STATES)}
            required |= set(texts.topics) & set(ANSWERED)  # thanks: a short reply
            missing = required - set(texts.answers) if texts.topics else set()
            if missing:
                raise ValueError(f"{path}: {code} lacks answers {sorted(missing)}")
            if texts.topics and (texts.asks is None or texts.team is None):
                raise ValueError(f"{path}: {code} lacks asks or team")
        return cls(languages, str(raw["fallback"]["handoff"]))

    def name(self, code: str) -> str:
        """The language's name in English ("German"), for the agent."""
        texts = self.languages.get(code)
        return texts.name if texts else OTHERS.get(code, code)

    def situations(self, code: str, text: str) -> list[str]:
        """What serious has happened, by the language's own words (``serious``):
        "bereavement", "injury", "fraud", "distress"."""
        texts = self.languages.get(code)
        lower = text.lower()
        if texts is None:
            return []
        return [kind for kind, words in texts.serious.items() if words.search(lower)]

    def answers_first(self, code: str, text: str, found: Sequence[str]) -> bool:
        """Whether the serious things ``found`` in ``text`` are only money worries or
        illness told beside a plain question (``ANSWERED_FIRST``): nothing went
        wrong, no person asked for; the question is answered with care, a person
        offered (as in English, data/emotion/policy.yml ``answer_first``)."""
        texts = self.languages.get(code)
        if texts is None or not found or not set(found) <= set(ANSWERED_FIRST):
            return False
        lower = text.lower()
        asked, _ = _asked(texts, lower)
        return not _problem(texts, lower) and not {"problem", "person"} & set(asked)

    def answered_first(
        self, code: str, found: Sequence[str], answer: str, recent: Sequence[str] = ()
    ) -> str:
        """``answer`` after the words for the money worries or illness ``found``
        (``care.<kind>_first``), with a person offered unless it or a recent reply
        already says one can help."""
        texts = self.languages[code]
        care = texts.care.get(f"{found[0]}_first", "")
        offered = any(_offers_person(texts, said) for said in [answer, *recent])
        offer = "" if offered else texts.answers["offer_person"]
        return " ".join(p for p in (care, answer, offer) if p)

    def general(self, code: str, text: str) -> str | None:
        """The answers in the language to the general questions in ``text``
        (delivery, returns, payment, a refund's timing, a new address), for a
        customer who waits for a person; None when it asks none of them, or also
        something only a person can do, or about an order."""
        texts = self.languages.get(code)
        if texts is None or not texts.topics:
            return None
        asked, _ = _asked(texts, text.lower())
        # they wait for a person already: "can someone help me change the address?"
        # asks how to change the address; praise beside a question asks nothing
        asked = [t for t in asked if t not in ("person", "praise")]
        answered = [t for t in asked if t in ANSWERED and t != "thanks"]
        if not answered or set(asked) - set(ANSWERED) or find_number(text):
            return None
        return " ".join(texts.answers[t] for t in answered)

    def asks_about_the_order(self, code: str, text: str) -> bool:
        """Whether ``text`` asks about the chat's order ("Wann kommt meine
        Bestellung an?") or is a short question going on with it ("¿Y cuándo?")."""
        texts = self.languages.get(code)
        if texts is None:
            return False
        words = texts.topics.get("order")
        return bool(words and words.search(text.lower())) or self.follows_up(code, text)

    def follows_up(self, code: str, text: str) -> bool:
        """Whether ``text`` is a short question that names nothing we answer and
        nothing for a person ("Und wann kommt sie an?", "¿Y cuánto cuesta?"): it
        goes on with what was asked before."""
        texts = self.languages.get(code)
        if texts is None or not texts.topics:
            return False
        lower = text.lower()
        named = [t for t, words in texts.topics.items() if words.search(lower)]
        thanks = texts.topics.get("thanks")
        if thanks is not None and (opening := thanks.match(lower.lstrip())):
            # "Danke! Und wann kommt sie an?": the question after the thanks
            lower = lower.lstrip()[opening.end() :].lstrip(" !.,;:")
        words = len(_WORD.findall(lower))
        return (
            (words <= SHORT_FOLLOW_UP or bool(_GOES_ON.match(lower)))
            and words <= FOLLOW_UP_WORDS
            and not set(named) - {"thanks"}
            and _asks(texts, lower)
        )

    def felt(self, code: str, text: str) -> str:
        """The words for the feelings ``text`` names in the language ("Trochę się
        martwię": that it is worrying), or "" when it names none."""
        texts = self.languages.get(code)
        if texts is None:
            return ""
        lower = text.lower()
        return " ".join(
            s for words, s in texts.feelings.values() if words.search(lower)
        )

    def heard(self, code: str, text: str) -> str:
        """The words for what went wrong when ``text`` names it ("that your order
        hasn't come yet"), else for the feelings it names, else ""; then what makes
        it matter more, when it says so ("it was a present")."""
        texts = self.languages.get(code)
        if texts is None:
            return ""
        heard = _problem(texts, text.lower()) or self.felt(code, text)
        return f"{heard} {_stakes(texts, text.lower())}".strip() if heard else ""

    def has(self, code: str, key: str) -> bool:
        """Whether the language has the answer ``key``."""
        texts = self.languages.get(code)
        return texts is not None and key in texts.answers

    def say(self, code: str, key: str, **values: Any) -> str:
        """The language's answer ``key`` with its placeholders filled."""
        return self.languages[code].answers[key].format(**values)

    def order_answer(
        self, code: str, found: dict[str, Any], again: bool = False
    ) -> str:
        """An order's state in the language (``found``: its template values); its
        expected day only (``order.<status>_again``) when it was ``again`` asked
        about right after its state was given ("E quando chega?")."""
        return _order(self.languages[code], str(found.get("order_id")), found, again)

    def handoff(self, code: str, text: str = "") -> str:
        """The handoff message in the language, after its words of care when ``text``
        says something serious happened, else for what went wrong when it names it
        (``problems``), else for the feeling it names, else for something that went
        wrong (``care.problem``), else after thanks for the message; or the English
        fallback."""
        texts = self.languages.get(code)
        if texts is None:
            return self.fallback_handoff
        found = self.situations(code, text)
        lower = text.lower()
        care = texts.care.get(found[0], "") if found else ""
        if care and found[0] == "hardship" and (problem := _problem(texts, lower)):
            # the money at stake, after what went wrong with it ("charged twice,
            # and the rent is due")
            care = f"{problem} {care}"
        if not care:
            # what went wrong, named; else a feeling they named; else that something
            # went wrong
            felt = [s for words, s in texts.feelings.values() if words.search(lower)]
            asked, _ = _asked(texts, lower)
            problem = texts.care.get("problem", "") if "problem" in asked else ""
            care = _problem(texts, lower) or (felt[0] if felt else problem)
        # what makes it matter more ("it was a present", "the wedding"), after what
        # went wrong or a feeling: never to a calm question about exchanging a gift
        care = f"{care} {_stakes(texts, lower)}".strip() if care else ""
        # words of care, or thanks for the message: never both in one breath
        return f"{care or texts.thanks} {texts.handoff}".strip()

    def reply(
        self,
        code: str,
        text: str,
        order: Callable[[str], dict[str, Any] | None],
        recent: Sequence[str] = (),
    ) -> str | None:
        """The answer in the language to a simple question (delivery, returns,
        payment, a refund's timing, a new delivery address, an order's state), after
        the words for a feeling the customer named; None when a person should take
        over: the language has no answers, the customer asks for a person, or
        nothing they asked is one we answer (thanks with such a question included).

        Args:
            code: the conversation's language.
            text: the customer's latest message.
            order: looks an order number up; the order's template values, or None
                when there is no such order.
            recent: the bot's recent messages: a person is offered once, not
                when this reply or a recent one already says a person can help.
        """
        texts = self.languages.get(code)
        if texts is None or not texts.topics:
            return None
        lower = text.lower()
        asked, rest = _asked(texts, lower)
        number = find_number(text)
        if number and "order" not in asked:
            asked.append("order")
        if _praises(texts, asked, rest, lower, number):
            # "Il vestito dell'ordine 730915 è bellissimo, grazie!": praise, with
            # nothing to look up (no proof asked for an order nobody asked about)
            return texts.answers["praise"]
        asked = [t for t in asked if t != "praise"]  # said beside a question
        # nothing we answer, or also something only a person can do (a person
        # asked for, a cancellation, a damaged item: ``topics`` beyond ANSWERED)
        if not asked or not set(asked) <= {*ANSWERED, "order"}:
            return None
        answered = [t for t in asked if t in ANSWERED and t != "thanks"]
        if "order" in asked and (number or not answered):
            answered.append("order")  # without a number: ask for it, unless answered
        if not answered:  # thanks, and nothing else we answer
            return None if _asks(texts, rest) else texts.answers.get("thanks")
        found = order(number) if number and "order" in answered else None
        if found and found.get("late"):
            return None  # a late order needs chasing: a person
        # what went wrong, named ("that your order hasn't come yet"), else the
        # feeling they named
        parts = [self.heard(code, text)]
        for topic in answered:
            if topic == "order":
                parts.append(_order(texts, number, found))
            else:
                parts.append(texts.answers[topic])
        # a person is offered to a customer for whom something went wrong or who
        # named a feeling, once: not on a plain answer to a calm question (a stock
        # line there), nor when this reply or a recent one already says a person
        # from our team can help
        offered = any(_offers_person(texts, said) for said in [*parts, *recent])
        if parts[0] and not offered:
            parts.append(texts.answers["offer_person"])
        return " ".join(p for p in parts if p)

    def waiting(self, code: str, key: str, values: dict[str, Any]) -> str | None:
        """Where the customer stands (``queue.<key>``) in the language; None when it
        has no texts (the caller says it in English). A reopening time comes as
        ``at`` (UNIX s) and ``zone`` and is written the language's way; without
        them "closed until" becomes "closed"."""
        texts = self.languages.get(code)
        if texts is None:
            return None
        if key == "closed_until":
            if values.get("at") is None or not texts.opens:
                key = "closed"
            else:
                values = {**values, "opens": _opens(texts.opens, values)}
        return texts.queue[key].format(**values)


def _problem(texts: LanguageTexts, lower: str) -> str:
    """The words for what went wrong, when the customer's lower-cased message says
    it (the language's ``problems``, the first that matches); "" otherwise."""
    return next((care for words, care in texts.problems if words.search(lower)), "")


def _stakes(texts: LanguageTexts, lower: str) -> str:
    """The sentence for what makes it matter more when the customer's lower-cased
    message says it (the language's ``stakes``, the first that matches); ""."""
    return next(
        (say for words, say in texts.stakes.values() if words.search(lower)), ""
    )


def _asked(texts: LanguageTexts, lower: str) -> tuple[list[str], str]:
    """The topics ``lower`` (a lower-cased message) asks about, whole questions
    (QUESTIONS) first and then taken out; and what is left of it."""
    rest = lower
    asked = []
    for topic in QUESTIONS:
        words = texts.topics.get(topic)
        if words is not None and words.search(rest):
            asked.append(topic)
            rest = words.sub(" ", rest)
    others = {t: w for t, w in texts.topics.items() if t not in QUESTIONS}
    asked += [t for t, words in others.items() if words.search(rest)]
    if "cancelled" in asked:
        # "czy zamówienie 13579 zostało anulowane?": its state answers it
        asked = [t for t in asked if t != "cancelled"]
        asked += [] if "order" in asked else ["order"]
    if "problem" not in asked and any(w.search(rest) for w in texts.to_put_right):
        asked.append("problem")  # "statt der blauen eine rote": a person puts it right
    return asked, rest


def _praises(
    texts: LanguageTexts, asked: list[str], rest: str, lower: str, number: str | None
) -> bool:
    """Whether the message only praises: words of praise, or thanks beside an
    order number, and nothing asked, nothing wrong, nothing else wanted."""
    said = set(asked) - {"order"}
    return (
        "praise" in texts.answers
        and bool(said)
        and said <= {"praise", "thanks"}
        and ("praise" in said or number is not None)
        and not _asks(texts, rest)
        and not _problem(texts, lower)
    )


def _asks(texts: LanguageTexts, text: str) -> bool:
    """Whether ``text`` (lower-cased, thanks taken out) asks something: a question
    mark, or the language's words for a question or a request."""
    words = texts.topics.get("thanks")
    rest = words.sub(" ", text) if words is not None else text
    if "?" in rest or "¿" in rest:
        return True
    return texts.asks is not None and texts.asks.search(rest) is not None


def _offers_person(texts: LanguageTexts, said: str) -> bool:
    """Whether ``said`` already tells the customer a person from our team can help."""
    if texts.answers["offer_person"] in said:
        return True
    return texts.team is not None and texts.team.search(said.lower()) is not None


def _order(
    texts: LanguageTexts,
    number: str | None,
    found: dict[str, Any] | None,
    again: bool = False,
) -> str:
    """An order's state in the language: ask for the number, not found, or the
    answer for its status with the date written the language's way."""
    if number is None:
        return texts.answers["order.ask"]
    if found is None:
        return texts.answers["order.not_found"].format(order_id=number)
    status = str(found.get("status"))
    key = f"order.{status}" if status in ORDER_STATES else "order.not_found"
    if again and f"{key}_again" in texts.answers:
        key = f"{key}_again"
    eta = _day_month(str(found.get("eta") or ""))
    values = {**found, "eta": texts.date.format(**eta) if eta else ""}
    return texts.answers[key].format(**values)


def _day_month(english: str) -> dict[str, str] | None:
    """Day and month of a store date written in English ("Friday 27 November"),
    for a language to write its own way; None when it is not such a date."""
    match = re.search(r"(\d{1,2}) ([A-Z][a-z]+)", english)
    if not match:
        return None
    try:
        month = dt.datetime.strptime(match.group(2), "%B").month
    except ValueError:
        return None
    return {"day": f"{int(match.group(1)):02d}", "month": f"{month:02d}"}


def _opens(template: str, values: dict[str, Any]) -> str:
    """The reopening time in ``template`` ("am {day}.{month}. um {time} Uhr")."""
    return written_in(template, float(values["at"]), str(values.get("zone") or "UTC"))


@lru_cache(maxsize=1)
def language_book() -> LanguageBook:
    """The texts from data/replies/languages.yml (read once)."""
    return LanguageBook.from_file(LANGUAGES_FILE)
