"""What the customer is upset about, in a few words: read from their own words
(``concern_from_text`` in data/replies/empathy.yml: "the double charge", "the cracked
mirror"), from their recent earlier messages while the latest names no topic of its
own, else from the intent NLU is sure of (``concerns``). The empathy layer
(actions/empathy.py) names it in acknowledgements and handoffs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property
from typing import Any

from actions.emotion import Circumstance
from actions.emotion.text import with_apostrophes
from actions.mentions import content_words, mentioned, rule_pattern
from actions.replies import fill
from actions.situation import Situation
from bot.reflect import Felt, felt

# The concern is taken from the intent only when NLU is at least this sure of it.
CONCERN_CONFIDENCE = 0.6
# A handoff names the concern of at most this many earlier customer messages back.
EARLIER_CONCERN = 3
# Distress about money ("can't pay my rent", "my last money"): the words for the
# money say it; other distress is heard first (Concerns.distress_beside)
_MONEY_WORDS = re.compile(
    r"\b(?:rent|bills?|afford|pay\w*|money|savings|wages|salary|pension|overdra\w*|"
    r"bounced|mortgage|food|groceries|cash|paycheck)\b|[$£€]"
)


# A sentence that asks only to confirm what the customer thinks ("order 1209384756
# hasn't shipped yet, right?", "it's not been sent, has it?"): its words are no
# trouble told
_CONFIRMING = re.compile(
    r"[^.!?]*,\s*(?:right|correct|yes|yeah|no|(?:has|hasn't|is|isn't|was|wasn't|did|"
    r"didn't|does|doesn't|have|haven't|are|aren't|were|weren't) (?:it|they|he|she))"
    r"\s*\?"
)


class Concerns:
    """The concern readings of the empathy layer, over its ``data``."""

    data: dict[str, Any]

    @property
    def plain(self) -> str:
        """The concern that names nothing ("this"): ``concerns.default``."""
        return str(self.data["concerns"]["default"])

    @cached_property
    def _concern_rules(
        self,
    ) -> list[tuple[re.Pattern[str], re.Pattern[str] | None, dict[str, Any]]]:
        return [
            (
                rule_pattern(rule),
                re.compile(rule["only_with"]) if rule.get("only_with") else None,
                rule,
            )
            for rule in self.data.get("concern_from_text") or []
        ]

    def said_concern(self, situation: Situation) -> str | None:
        """What the customer is upset about, when their own words say it
        (``concern_from_text``): "the double charge", "the damage". A sentence that
        only asks us to confirm what they think ("it hasn't shipped yet, right?")
        tells no trouble."""
        text = _CONFIRMING.sub(" ", with_apostrophes(situation.text.lower()))
        for pattern, needs, rule in self._concern_rules:
            found = pattern.search(text)
            if found and rule.get("not_with") and mentioned(rule["not_with"], text):
                continue  # "I ordered the wrong size": their own mistake
            if found and (needs is None or needs.search(text)):
                # named groups put the customer's own words in ("the cracked mirror")
                values = {k: v for k, v in found.groupdict().items() if v}
                if situation.order_id and rule.get("phrase_with_order"):
                    values["order_id"] = situation.order_id
                    return fill(rule["phrase_with_order"], values)
                return fill(str(rule["phrase"]), values)
        return None

    def distress_beside(
        self, situation: Situation, kind: str, reasons: set[str]
    ) -> bool:
        """Whether a handoff for money worries (``kind`` hardship) also meets
        distress in the customer's own words, not about money ("I'm in a really bad
        place and I can't cope"): that is heard first (``handoff.distress_first``),
        before the words for the money."""
        signal = situation.analysis.signal("distress") if situation.analysis else None
        return (
            kind == "hardship"
            and "distress" in reasons
            and signal is not None
            and not _MONEY_WORDS.search(signal.reason)
        )

    def said_felt(self, situation: Situation, answer: str = "") -> Felt | None:
        """The feeling the customer's message names with what it is about, in
        their words said back ("nervous that they won't come in time"), or None
        when it names none or not what it is about (bot/reflect.py). The order's
        number is left to the ``answer`` when it names it ("nervous that your
        order won't come", then "Order 48213 is ...")."""
        found = felt(situation.text)
        if found is None or not found.about:
            return None
        order_id = situation.order_id
        if order_id and order_id in answer:
            named = re.compile(rf"\b(order) {re.escape(order_id)}\b")
            return replace(found, about=named.sub(r"\1", found.about))
        return found

    def felt_by_date(
        self, situation: Situation, pending: Sequence[Circumstance]
    ) -> Felt | None:
        """The feeling the customer names without saying what it is about ("I'm a
        bit anxious about it"), about the date they need it by that they told
        (``pending`` first: "anxious about having it by Friday for the birthday",
        ``deadline_about``); None when they name no feeling or no such date."""
        found = felt(situation.text)
        if found is None or not pending or pending[0].kind != "deadline":
            return None
        abouts = self.data.get("deadline_about") or {}
        dated = pending[0]
        variant = circumstance_variant(dated, abouts)
        if variant is None:
            return None
        values = {"what": dated.what, "when": dated.when}
        return replace(found, about=fill(str(abouts[variant]), values))

    def earlier_concern(self, situation: Situation) -> str | None:
        """The concern the customer's recent earlier messages named (the newest
        that names one, at most EARLIER_CONCERN back), or None."""
        for text in reversed(situation.earlier[-EARLIER_CONCERN:]):
            if said := self.said_concern(replace(situation, text=text)):
                return said
        return None

    def names_no_topic(self, situation: Situation) -> bool:
        """Whether the message is about no topic of its own ("GET ME A MANAGER",
        "this is ridiculous"), so what the customer said earlier is still what is
        wrong; "and the app keeps signing me out" after a late order is not."""
        concerns = self.data["concerns"]
        intent = situation.intent
        return (
            intent is None
            or concerns.get(intent, concerns["default"]) == concerns["default"]
            or intent in self.data.get("no_topic_of_their_own", [])
        )

    def concern(self, situation: Situation) -> str:
        """What the customer is upset about, in a few words: from what they wrote
        (``concern_from_text``), else from the intent (``concerns``)."""
        said = self.said_concern(situation)
        if said:
            return said
        concerns = self.data["concerns"]
        intent = situation.intent or "default"
        confidence = situation.intent_confidence
        if confidence is not None and confidence < CONCERN_CONFIDENCE:
            # NLU's guess is no ground to name what they are upset about ("sorry
            # about your refund" for a dead screen): the plain words
            intent = "default"
        phrase = str(concerns.get(intent, concerns["default"]))
        if not _named_in(phrase, intent, situation.text or ""):
            # "I'm scared it's a problem with my card" read as a refund question:
            # the intent's topic is named only when the message names it too
            return self.plain
        if situation.order_id and f"{intent}_with_order" in concerns:
            return fill(
                concerns[f"{intent}_with_order"], {"order_id": situation.order_id}
            )
        return phrase


# the words of a concern that name no topic of their own ("the trouble with your
# order", "this"): such a concern fits any message
_PLAIN = frozenset(
    {
        "this",
        "your",
        "order",
        "with",
        "trouble",
        "problem",
        "item",
        "being",
        "right",
        "default",
        "issue",
        "check",
    }
)
STEM = 5  # letters that make two words one ("cancellation", "cancel")


def _named_in(phrase: str, intent: str, text: str) -> bool:
    """Whether ``text`` names the topic of the concern ``phrase`` ("your refund": a
    word that starts as "refund", or as a word of its ``intent``, "track_refund",
    does), or the phrase names no topic ("this", "order 48213")."""
    topic = _stems(phrase)
    return not topic or bool((topic | _stems(intent)) & _stems(text))


def _stems(text: str) -> set[str]:
    return {w[:STEM] for w in content_words(text, _PLAIN)}


# The bot's replies in which a concern named counts as said: not named again
NAMED_LATELY = 3


def named_lately(concern: str, situation: Situation) -> bool:
    """Whether one of the bot's last NAMED_LATELY replies already named ``concern``
    ("sorry about the wait for order 48213" three times in a row reads as a
    template)."""
    return any(concern.lower() in r.lower() for r in situation.recent[-NAMED_LATELY:])


def circumstance_variant(found: Circumstance, variants: dict[str, Any]) -> str | None:
    """The variant of a circumstance's words that says most of what the message told
    (``circumstances`` in empathy.yml): a date and what for (``by_what``,
    ``what_when``, ``by``), who it happened to (``you``, ``who``), what it is about
    (``what_<thing>``, ``what``; both: ``you_what``, ``who_what``), else ``plain``;
    None when ``variants`` has none."""
    if found.kind == "deadline" and found.when:
        if found.when.startswith(("by ", "before ")):
            wanted = ["by_what"] if found.what else ["by"]
        else:
            wanted = ["what_when"] if found.what else []
    elif found.who == "you":
        # ...and what it is, when named ("living with dementia")
        wanted = [*(["you_what"] if found.what else []), "you", "who"]
    elif found.who:
        wanted = [*(["who_what"] if found.what else []), "who"]
    else:
        # the thing named may have words of its own ("what_link": a message that
        # asks for money through a link), else those for any thing named
        wanted = [f"what_{found.what}", "what"] if found.what else []
    return next((w for w in [*wanted, "plain"] if w in variants), None)


# Where a sentence of our replies ends (a full stop or a question mark)
_SENTENCE_END = re.compile(r"(?<=[.?])\s+")


def first_sentences(text: str, count: int) -> str:
    """The first ``count`` sentences of ``text``; an opener of one or two words
    ("Of course.", "Sure.") comes along but does not count, so the shortened answer
    keeps its substance ("Which order? It's in your confirmation e-mail")."""
    kept: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        if count <= 0:
            break
        kept.append(sentence)
        if len(sentence.split()) > 2:
            count -= 1
    return " ".join(kept)
