"""Which language a customer writes in, when it is clearly not English.

``detect`` is conservative, because a wrong guess sends an English speaker to a
person with a foreign text: order numbers, e-mail addresses, URLs and names are left
out, a message needs a few words and letters, and lingua must be sure (its confidence
for the best language, with English far behind). "ok", "hallo", "merci", a name, an
order number with two words and an English sentence with one foreign word give None.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from actions.language import OTHERS, language_book
from actions.language_texts import WORD

# The customer's latest messages that decide the conversation's language: enough to
# look past an order number and an e-mail address given in between
LANGUAGE_WINDOW = 5
MIN_WORDS = 3  # "Danke schön" or "Hola amigo" alone are not enough
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


def clean(text: str, first: bool = False) -> str:
    """``text`` without URLs, e-mail addresses, anything with a digit in it, and
    capitalised words with letters beyond ASCII: names such as Łukasz or Søren, whose
    letters alone would make lingua rule English out; the ``first`` word kept all
    the same (a capital that starts the message: "Olá", "Où")."""
    kept = _WITH_DIGITS.sub(" ", _EMAIL.sub(" ", _URL.sub(" ", text))).split()
    return " ".join(
        w
        for i, w in enumerate(kept)
        if w.isascii() or not w[:1].isupper() or (first and i == 0)
    )


@lru_cache(maxsize=4096)  # a conversation's messages are read again every turn
def guess(text: str) -> str | None:
    """The ISO 639-1 code of the language a message is clearly written in (``"en"``
    included), or None when it is too short, ambiguous, or only numbers and names.
    Undecided without a capitalised word with accents that starts it (taken for a
    name), it is read again with that word ("Olá, posso pagar com PayPal?"), and
    only another language than English is taken from that second reading."""
    words = clean(text or "")
    code = _guess(words)
    if code is None and (again := clean(text or "", first=True)) != words:
        second = _guess(again)
        return second if second != "en" else None
    return code


def _guess(words: str) -> str | None:
    """``guess`` for a message already cleaned (``clean``)."""
    found = WORD.findall(words)
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
    if english > MAX_ENGLISH:
        return None
    if not (sure or clear or worded):
        # slang spreads lingua over neighbours ("holaa q tal, mi paquete dnd anda??":
        # Dutch, Spanish, Portuguese): the one of the likeliest few whose own words
        # the message uses
        likely = [v for v in values[:WORDED_RIVALS] if v.value >= WORDED_FLOOR]
        owned = [
            c
            for v in likely
            if v.language != Language.ENGLISH
            and _own_words(c := v.language.iso_code_639_1.name.lower(), words.lower())
        ]
        return owned[0] if len(owned) == 1 else None
    return code


# ...how many of lingua's likeliest languages, at least this sure, are looked at
WORDED_RIVALS = 3
WORDED_FLOOR = 0.15


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
    if (
        before
        and code in OTHERS
        and before[-1] not in OTHERS
        and _close_runner_up(text, code, before[-1], NEIGHBOUR_SHARE)
    ):
        # "Kommer den med PostNord?" in a Swedish chat reads Danish to lingua: a
        # language we do not speak, read into a neighbour of the chat's, is the
        # chat's language still
        return before[-1]
    return code


# A message's best language gives way to the chat's language before it when that
# one has at least this share of the best one's confidence (a neighbouring language,
# not a switch: a real Spanish sentence gives Portuguese about a tenth)
CONTINUITY_SHARE = 0.5


# ...and a language we do not speak (OTHERS) gives way to the chat's when that one
# has at least this share (Swedish beside Danish, a tenth or more)
NEIGHBOUR_SHARE = 0.1


def _close_runner_up(
    text: str, best: str, other: str, share: float = CONTINUITY_SHARE
) -> bool:
    """Whether lingua's confidence in ``other`` for ``text`` is close to that in
    ``best`` (at least ``share`` of it)."""
    values = {
        v.language.iso_code_639_1.name.lower(): v.value
        for v in detector().compute_language_confidence_values(clean(text))
    }
    top = values.get(best, 0.0)
    return top > 0 and values.get(other, 0.0) >= share * top
