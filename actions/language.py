"""What the bot says to a customer who writes in another language than English
(``data/replies/languages.yml``): the ``LanguageBook`` of every language's texts, the
topics answered there and the care for what happened. Which language a message is
written in is actions/language_detection.py; one language's texts and how a message
is read with them, actions/language_texts.py and actions/language_reading.py.

NLU is English only, so a message clearly written in another language is never
answered as out of scope: ``actions/voice.py`` hands it to a person with texts in that
language. A language the detector knows but that has no texts in the data file
(Danish, Turkish, ...) still counts as not English: the customer gets the English
``fallback`` handoff text and the English queue message, and is handed over all the
same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions.language_care import PeopleWords
from actions.language_deadline import Deadline
from actions.language_reading import (
    ANSWERED,
    ORDER_FREE,
    LanguageReading,
    asks_beside_the_order,
    asks_its_state,
)
from actions.language_texts import (
    ORDER_STATES,
    LanguageTexts,
    asks_something,
    compiled,
    doctor_first,
    felt_and_problem,
    late_for_person,
    named_topics,
    offers_person,
    only_praises,
    opens_at,
    order_text,
    problem_said,
    stakes_said,
    together_of,
    topic_answer,
    topics_asked,
    written_values,
)
from actions.numbers import find_number
from actions.paths import LANGUAGES_FILE

# Languages the detector knows besides English and those with texts, so that, say,
# Danish is not taken for Swedish; their names are for the agent. Each language costs
# about 30 MB of models in memory (all 13: +430 MB, 7-11 s to load), so only a few.
OTHERS = {
    "cs": "Czech",
    "da": "Danish",
    "tr": "Turkish",
    "ru": "Russian",
}
# What went wrong that is answered (a late order: where it is); any other problem
# the customer names (``problems``: charged twice, damaged, the wrong item, something
# missing) is for a person, as the `problem` topic is
ANSWERED_PROBLEMS = ("late",)


# The feelings beside which praise or thanks is sarcasm ("Na toll", "Danke für
# nichts"); beside worry or grief thanks are thanks
SARCASTIC_BESIDE = frozenset({"annoyed", "outraged"})


@dataclass(frozen=True)
class LanguageBook(LanguageReading):
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
                sure=str(entry.get("sure") or ""),
                queue={str(k): str(v) for k, v in entry["queue"].items()},
                opens=str(entry.get("opens") or ""),
                serious={
                    str(k): re.compile(str(v))
                    for k, v in (entry.get("serious") or {}).items()
                },
                care={str(k): str(v) for k, v in (entry.get("care") or {}).items()},
                people=PeopleWords.of(entry),
                unhurt=compiled(entry.get("unhurt")),
                burnt_smell=compiled(entry.get("burnt_smell")),
                fee=compiled(entry.get("fee")),
                problems=[
                    (re.compile(str(v["when"])), str(v["care"]))
                    for v in (entry.get("problems") or {}).values()
                ],
                to_put_right=[
                    re.compile(str(v["when"]))
                    for k, v in (entry.get("problems") or {}).items()
                    if k not in ANSWERED_PROBLEMS
                ],
                late=re.compile(str(entry["problems"]["late"]["when"]))
                if "late" in (entry.get("problems") or {})
                else None,
                topics={
                    str(k): re.compile(str(v))
                    for k, v in (entry.get("topics") or {}).items()
                },
                together=together_of(entry),
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
                deadline=Deadline.of(entry.get("deadline")),
                asks=compiled(entry.get("asks")),
                team=compiled(entry.get("team")),
                money=compiled(entry.get("money")),
                state=compiled(entry.get("state")),
                card=compiled(entry.get("card")),
                its_ours=compiled(entry.get("its_ours")),
                steps=compiled(entry.get("steps")),
                requests=compiled(entry.get("requests")),
                negation=compiled(entry.get("negation")),
                own_mistake=compiled(entry.get("own_mistake")),
                hypothetical=compiled(entry.get("hypothetical")),
            )
            texts = languages[str(code)]
            required = {"offer_person", *(f"order.{s}" for s in ORDER_STATES)}
            required |= set(texts.topics) & set(ANSWERED)  # thanks: a short reply
            if "thanks" in texts.topics:  # ...with care after something grave
                required.add("thanks_grave")
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

    def answered_first(
        self,
        code: str,
        found: Sequence[str],
        answer: str,
        recent: Sequence[str] = (),
        text: str = "",
    ) -> str:
        """``answer`` after the words for the money worries or illness ``found``
        (``care.<kind>_first``; else its care, naming whom ``text`` says it
        happened to), with a person offered unless it or a recent reply already
        says one can help."""
        texts = self.languages[code]
        care = texts.care.get(f"{found[0]}_first") or self.care(code, found[0], text)
        offered = any(offers_person(texts, said) for said in [answer, *recent])
        offer = "" if offered else texts.answers["offer_person"]
        if answer.rstrip().endswith("?"):
            # a question of ours ("which e-mail address is it under?") comes last,
            # for them to answer
            return " ".join(p for p in (care, offer, answer) if p)
        return " ".join(p for p in (care, answer, offer) if p)

    def has(self, code: str, key: str) -> bool:
        """Whether the language has the answer ``key``."""
        texts = self.languages.get(code)
        return texts is not None and key in texts.answers

    def say(self, code: str, key: str, **values: Any) -> str:
        """The language's answer ``key`` with its placeholders filled."""
        return self.languages[code].answers[key].format(**values)

    def order_answer(
        self, code: str, found: dict[str, Any], again: bool = False, said: str = ""
    ) -> str:
        """An order's state in the language (``found``: its template values); its
        expected day only (``order.<status>_again``) when it was ``again`` asked
        about right after its state was given ("E quando chega?"); whether it comes
        in time for a day the customer ``said`` they need it by."""
        return order_text(
            self.languages[code], str(found.get("order_id")), found, again, said
        )

    def needed_by(self, code: str, text: str, found: dict[str, Any]) -> bool:
        """Whether ``text`` names a day the order (``found``: its template values)
        is needed by, in the language's words for one (``deadline``)."""
        texts = self.languages.get(code)
        if texts is None or texts.deadline is None:
            return False
        return bool(texts.deadline.said(text.lower(), found, texts.date))

    def handoff(
        self,
        code: str,
        text: str = "",
        earlier: Sequence[str] = (),
        said: Sequence[str] = (),
    ) -> str:
        """The handoff message in the language, after its words of care when ``text``
        says something serious happened, else for what went wrong when it names it
        (``problems``), else for the feeling it names, else for something that went
        wrong (``care.problem``), else for what went wrong in the customer's
        ``earlier`` messages unless a reply ``said`` it already, else after thanks
        for the message (none for an exclamation); or the English fallback."""
        texts = self.languages.get(code)
        if texts is None:
            return self.fallback_handoff
        found = self.situations(code, text)
        lower = text.lower()
        care = self.care(code, found[0], text) if found else ""
        if care and found[0] == "injury":
            care = doctor_first(code, care, lower)
        if care and found[0] == "hardship" and (problem := problem_said(texts, lower)):
            # the money at stake, after what went wrong with it ("charged twice,
            # and the rent is due")
            care = f"{problem} {care}"
        if not care:
            # what went wrong, named; else a feeling they named; else that something
            # went wrong
            asked, _ = topics_asked(texts, lower)
            problem = texts.care.get("problem", "") if "problem" in asked else ""
            care = felt_and_problem(texts, lower) or problem
        if not care:
            # "Das ist schon das zweite Mal!" after "it never arrived": what went
            # wrong earlier in the chat, not thanks for the message
            care = next(
                (c for t in reversed(earlier) if (c := problem_said(texts, t.lower()))),
                "",
            )
            if any(care and care in x for x in said):
                care = ""  # said in a recent reply: not the same words again
        # what makes it matter more ("it was a present", "the wedding"), after what
        # went wrong or a feeling: never to a calm question about exchanging a gift,
        # nor after a death or an injury (a present for the mother who died is no
        # reason "I understand how important it is")
        stakes = stakes_said(texts, lower) if care and not found else ""
        care = f"{care} {stakes}".strip()
        # words of care, or thanks for the message: never both in one breath, and
        # no thanks for an exclamation; a request for a person is granted ("Certo.")
        thanks = "" if "!" in text else texts.thanks
        if "person" in topics_asked(texts, lower)[0] and texts.sure:
            thanks = texts.sure
        return f"{care or thanks} {texts.handoff}".strip()

    def reply(
        self,
        code: str,
        text: str,
        order: Callable[[str], dict[str, Any] | None],
        recent: Sequence[str] = (),
        earlier: Sequence[str] = (),
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
            earlier: the customer's messages before this one: thanks after
                something grave was told there is met with care.
        """
        texts = self.languages.get(code)
        if texts is None or not texts.topics:
            return None
        lower = text.lower()
        asked, rest = topics_asked(texts, lower)
        if problem_said(texts, lower) or any(
            words.search(lower)
            for name, (words, _) in texts.feelings.items()
            if name in SARCASTIC_BESIDE
        ):
            # "Na toll, ... Super Service.", "« expédiée » depuis dix jours. Bravo":
            # praise or thanks beside annoyance or what went wrong is sarcasm,
            # nothing to thank for
            asked = [t for t in asked if t not in ("praise", "thanks")]
        number = find_number(text)
        praised = "praise" in asked
        if number and "order" not in asked:
            asked.append("order")
        if only_praises(texts, asked, rest, lower, number):
            # "Il vestito dell'ordine 730915 è bellissimo, grazie!": praise, with
            # nothing to look up (no proof asked for an order nobody asked about)
            return texts.answers["praise"]
        asked = [t for t in asked if t != "praise"]  # said beside a question: thanked
        if praised and set(asked) - {"order", "thanks"}:
            # "Me llegó el pedido 64450 y me encanta, ¿puedo comprar otro?": the order
            # is praised, the question is what is asked
            asked = [t for t in asked if t != "order"]
        asked = named_topics(texts, asked, text)
        # nothing we answer, or also something only a person can do (a person
        # asked for, a cancellation, a damaged item: ``topics`` beyond ANSWERED)
        if not asked or not set(asked) <= {*ANSWERED, "order"}:
            return None
        answered = [t for t in asked if t in ANSWERED and t != "thanks"]
        if "order" in asked and (number or not answered):
            answered.append("order")  # without a number: ask for it, unless answered
        if not answered:  # thanks, and nothing else we answer
            if asks_something(texts, rest):
                return None
            return self.thanked(code, text, recent, earlier)
        others = set(answered) - {"order"}
        if (
            "order" in answered
            and others
            and others <= ORDER_FREE
            and texts.state is not None
            and not asks_its_state(texts, lower)
        ):
            # "is the speaker from order 87001 still under guarantee?": the
            # guarantee, which needs no order looked up (nor the proof for it)
            answered = [t for t in answered if t != "order"]
            number = None
        if answered == ["order"] and asks_beside_the_order(texts, text):
            # "is the kettle from order 651234 still under guarantee?": its state
            # answers nothing of it (``unanswered`` says so and offers a person)
            return None
        found = order(number) if number and "order" in answered else None
        if found and found.get("late") and late_for_person(self.languages[code], text):
            # a late order and worry or a fright: a person at once
            return None
        if (
            found
            and found.get("status") == "delivered"
            and texts.late is not None
            and texts.late.search(lower)
        ):
            return None  # delivered, they say it has not come: a person looks for it
        # what went wrong, named ("that your order hasn't come yet"), else the
        # feeling they named
        # (and thanks for praise said beside the question)
        thanked = texts.answers.get("praise", "") if praised else ""
        parts = [self.heard(code, text), thanked]
        # a return asked of an order delivered more than 30 days ago: that the
        # window has closed, not the 30 days and "tell me if it didn't arrive"
        closed = bool(
            found
            and found.get("return_closed")
            and "returns" in answered
            and "returns_closed" in texts.answers
        )
        for topic in answered:
            if closed and topic == "order":
                continue  # its delivery is said with the window that closed
            if closed and topic == "returns" and found:
                values = written_values(texts, found)
                parts.append(texts.answers["returns_closed"].format(**values))
            elif topic == "order":
                parts.append(
                    order_text(
                        texts, number, found, said=text, beside=len(answered) > 1
                    )
                )
                if found and found.get("late") and "order.late_offer" in texts.answers:
                    # a person from our team can chase it: if the customer wants
                    parts.append(texts.answers["order.late_offer"])
            else:
                parts.append(topic_answer(texts, topic, text, asked))
        # a person is offered to a customer for whom something went wrong or who
        # named a feeling, once: not on a plain answer to a calm question (a stock
        # line there), nor when this reply or a recent one already says a person
        # from our team can help
        offered = any(offers_person(texts, said) for said in [*parts, *recent])
        if parts[0] and not offered:
            parts.append(texts.answers["offer_person"])
        return " ".join(p for p in parts if p)

    def thanked(
        self, code: str, text: str, recent: Sequence[str], earlier: Sequence[str]
    ) -> str:
        """Thanks answered in the language: after the words for a feeling named
        beside it ("Gracias. Es todo muy difícil ahora mismo."), with a person
        offered unless one was lately; with care, not a breezy "you're welcome",
        when something grave was told in the chat (a death, an injury, a fraud, in
        ``text`` or ``earlier``)."""
        texts = self.languages[code]
        grave = any(self.situations(code, said) for said in (*earlier, text))
        felt = self.felt(code, text)
        if grave:
            return " ".join(p for p in (felt, texts.answers["thanks_grave"]) if p)
        if not felt:
            return texts.answers["thanks"]
        offered = any(offers_person(texts, said) for said in recent)
        offer = "" if offered else texts.answers["offer_person"]
        return " ".join(p for p in (felt, offer) if p)

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
                values = {**values, "opens": opens_at(texts.opens, values)}
        return texts.queue[key].format(**values)


@lru_cache(maxsize=1)
def language_book() -> LanguageBook:
    """The texts from data/replies/languages.yml (read once)."""
    return LanguageBook.from_file(LANGUAGES_FILE)
