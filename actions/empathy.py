"""The empathy layer: acknowledge the feeling in proportion, then help, then invite.

Plain library (no Rasa imports): the gateway can compose the same way for agent assist.
Texts and thresholds live in ``data/replies/empathy.yml``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions.asking import only_asks
from actions.concerns import (
    Concerns,
    circumstance_variant,
    first_sentences,
    named_lately,
)
from actions.emotion import Analysis, Circumstance, Emotion
from actions.emotion.policy import answer_first_situations
from actions.mentions import mentioned
from actions.paths import DATA
from actions.register import Register
from actions.replies import capitalise, fill, reply_book
from actions.situation import Level, Situation
from bot.waiting_reading import SEEN_TO

EMPATHY_FILE = DATA / "replies" / "empathy.yml"
# The customer's name appears in at most this many bot messages per conversation.
MAX_NAME_USES = 2
# The bot's replies in which an offer of a person still counts as made.
RECENT_OFFER = 3
# Said after what went wrong, only beside a problem or a feeling: who it was for
AFTER_THE_PROBLEM = frozenset({"gift", "missed_occasion"})
_SENTENCE_END = re.compile(r"(?<=[.?])\s+")


@dataclass
class EmpathyBook(Concerns):
    """Templates and thresholds of the empathy layer."""

    data: dict[str, Any]
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_file(cls, path: Path = EMPATHY_FILE) -> EmpathyBook:
        """Load ``empathy.yml``."""
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def level(
        self, analysis: Analysis | None, text: str = "", person_asked: bool = False
    ) -> Level:
        """The treatment a message's analysis calls for: by frustration level and
        intensity, and at least "upset" when a negative feeling is named; neutral
        when only the conversation, not the message, carries it (``from_context``),
        and when the message ``text`` only asks something and the feeling is only
        read into its words (``read_into_questions``); so too a request for a
        person (``person_asked``) with nothing felt beside the request."""
        if analysis is None:
            return Level.NEUTRAL
        if not analysis.label.negative:
            # a problem told in capitals or with "!!!" is felt, whatever the words
            # sound like ("WHERE IS MY ORDER ITS 3 WEEKS LATE")
            shouted = analysis.has("all_caps") or analysis.has("punctuation")
            # ...and so is a person demanded in capitals ("I WANT A HUMAN")
            told = analysis.has("problem_report") or analysis.has("person_request")
            if analysis.label is Emotion.NEUTRAL and shouted and told:
                return Level.UPSET
            return Level.NEUTRAL
        context = set(self.data.get("from_context") or [])
        felt = [s.name for s in analysis.signals if s.weight > 0]
        if felt and all(name in context for name in felt):
            return Level.NEUTRAL  # nothing felt in this message itself
        read_in = context | set(self.data.get("read_into_questions") or [])
        if person_asked:
            read_in.add("person_request")  # "I want to talk to a real person"
        # ...and so is the customer's own mistake told with a request ("cancel it,
        # I ordered the wrong size"): "wrong" is no feeling to name
        asks = person_asked or (
            bool(text) and (only_asks(text) or mentioned("own_mistake", text))
        )
        # confusion is only heard when said ("I'm so confused", "I don't get
        # it"): read into a question ("I can't remember my password, how do I
        # reset it?") it is no feeling to name
        puzzled = analysis.label is Emotion.CONFUSION
        if felt and (asks or puzzled) and all(n in read_in for n in felt):
            return Level.NEUTRAL  # "is my order cancelled?": a question, no feeling
        levels = self.data["levels"]
        for level in (Level.VERY_UPSET, Level.UPSET):
            limits = levels[level.value]
            if (
                analysis.frustration >= limits["frustration"]
                or analysis.intensity >= limits["intensity"]
            ):
                return level
        # A feeling the customer put into words ("I'm a little worried") is
        # acknowledged even when it is mild.
        if analysis.has("emotion_words"):
            return Level.UPSET
        return Level.NEUTRAL

    @cached_property
    def _projected(self) -> re.Pattern[str] | None:
        pattern = self.data.get("projected_feeling")
        return re.compile(pattern, re.I) if pattern else None

    def _unprojected(self, answer: str) -> str:
        """``answer`` without a first sentence about a feeling the customer did not
        express; unchanged when it has only one sentence."""
        sentences = _SENTENCE_END.split(answer.strip())
        if self._projected is None or len(sentences) < 2:
            return answer
        if self._projected.search(sentences[0]):
            return capitalise(" ".join(sentences[1:]))
        return answer

    def _pick(self, key: str, situation: Situation, values: dict[str, Any]) -> str:
        """A variation of ``key`` ("acknowledge.anger", "handoff", ...) whose opening
        the bot has not used recently."""
        templates: Any = self.data
        for part in key.split("."):
            templates = templates[part]
        options = [capitalise(fill(t, values)) for t in templates]
        fresh = [o for o in options if not _said(o, situation)] or options
        return self.rng.choice(fresh)

    def compose(self, answer: str, situation: Situation, invite: bool = True) -> str:
        """The full reply: acknowledgement in proportion, the answer, an invitation.

        Args:
            answer: the helpful part, already filled.
            situation: intent, analysis, channel, name and recent bot texts.
            invite: add an invitation to correct us (not after a question).

        Returns:
            The text to send.
        """
        level = self.level(situation.analysis, situation.text)
        parts: list[str] = []
        if (
            _low_confidence(situation)
            and situation.description
            and situation.intent not in self.data.get("understood_as_skip", [])
        ):
            described = {"description": situation.description}
            parts.append(self._pick("understood_as", situation, described))
        analysis = situation.analysis
        # a date that cannot move (serious situations never get here: a person takes
        # over); said whatever the mood, after the feeling, before the help
        # the answer names the order: the acknowledgement need not ("sorry about the
        # wait" then "order 48213 is ..."), or it reads twice
        about = (
            replace(situation, order_id=None)
            if situation.order_id and situation.order_id in answer
            else situation
        )
        # An answer that opens with an apology already acknowledges; never say sorry
        # twice in a row.
        apologises = "sorry" in first_sentences(answer, 1).lower()
        fault = "" if apologises else self._fault(about)
        troubled = bool(
            fault
            or level is not Level.NEUTRAL
            or (analysis is not None and analysis.has("problem_report"))
        )
        pending = self._pending(situation, troubled)
        noted = self.circumstance(pending[0], situation) if pending else ""
        if parts or noted or fault or level is not Level.NEUTRAL:
            # something comes before the answer: its "Sure." would be a seam
            answer = _without_interjection(answer)
        offer = self._offer_beside(pending, answer, situation)
        # money worries, illness or a need for care told beside the question: the
        # words for that are the acknowledgement, not a feeling about the request
        # read into it as well ("sorry, the cancellation is disappointing")
        of_life = bool(pending) and pending[0].kind in answer_first_situations(
            cancelling=True
        )
        if level is Level.NEUTRAL:
            answer = self._unprojected(answer)
            return " ".join(p for p in [*parts, fault, noted, answer, offer] if p)
        concern = self.concern(about)
        if named_lately(concern, situation):
            # said a moment ago: not the same words for it again
            concern = str(self.data["concerns"]["default"])
        values = {"concern": concern, "name_prefix": self.name_prefix(situation)}
        own = (
            "" if apologises or of_life else self._own_words(situation, answer, pending)
        )
        if own and pending and _tells(pending[0], own):
            noted = ""  # "nervous it won't come before your interview on Friday"
        assert situation.analysis is not None
        if level is Level.UPSET:
            label = situation.analysis.label.value
            if label not in self.data["acknowledge"]:
                label = Emotion.FRUSTRATION.value
            if fault and label == Emotion.CONFUSION.value:
                # "one of the two candles is missing" reads as puzzled to the
                # model; what it calls for is an apology, not "here's how it works"
                parts.append(fault)
            elif not apologises and not of_life:
                parts.append(
                    own or self._pick(f"acknowledge.{label}", situation, values)
                )
            if noted:
                parts.append(noted)
            parts.append(answer)
            unsure = _low_confidence(situation)
            if offer:
                parts.append(offer)
            elif invite and unsure and situation.channel != "telegram":
                # only a guess invites a correction: on every reply it is a stock
                # closer that makes a sure answer sound unsure
                parts.append(self._pick("invite_correction", situation, {}))
        else:
            felt = situation.analysis.label.value
            short = (
                f"acknowledge_short_felt.{felt}"
                if felt in self.data.get("acknowledge_short_felt", {})
                else "acknowledge_short"
            )
            if not apologises and not of_life:
                parts.append(own or self._pick(short, situation, values))
            if noted:
                parts.append(noted)
            kept = first_sentences(answer, 2)
            parts.append(kept)
            offered = [kept, *situation.recent[-RECENT_OFFER:]]
            if not any(reply_book().offers_person(t) for t in offered):
                # one offer of a person, not one on every reply
                parts.append(self._pick("offer_person", situation, {}))
        return " ".join(parts)

    def _own_words(
        self,
        situation: Situation,
        answer: str = "",
        pending: Sequence[Circumstance] = (),
    ) -> str:
        """The acknowledgement of the feeling in the customer's own words
        (``acknowledge_own_words``), or "" when they did not say what it is
        about (``said_felt``, or the date it is needed by: ``felt_by_date``)."""
        found = self.said_felt(situation, answer) or self.felt_by_date(
            situation, pending
        )
        if found is None or found.label not in self.data["acknowledge_own_words"]:
            return ""
        values = {"felt": found.words, "name_prefix": self.name_prefix(situation)}
        return self._pick(f"acknowledge_own_words.{found.label}", situation, values)

    def _offer_beside(
        self, pending: Sequence[Circumstance], answer: str, situation: Situation
    ) -> str:
        """The offer of a person beside an answer given to someone who told us of
        money worries, illness or a need for extra care (``answer_first_situations``
        of data/emotion/policy.yml),
        unless this answer or a recent reply already offers one; "" otherwise."""
        beside = answer_first_situations(cancelling=True)
        if not any(c.kind in beside for c in pending):
            return ""
        offered = [answer, *situation.recent[-RECENT_OFFER:]]
        if any(reply_book().offers_person(t) for t in offered):
            return ""
        return self._pick("offer_person", situation, {})

    def _fault(self, situation: Situation) -> str:
        """An apology for what went wrong on our side, in the customer's words ("I'm
        sorry about the missing item."), when they report a problem whose concern
        their own words name (``concern_from_text``); "" otherwise. It apologises
        for the fault, so it is said whether or not they put a feeling into words."""
        analysis = situation.analysis
        if analysis is None or not analysis.has("problem_report"):
            return ""
        said = self.said_concern(situation)
        if not said or named_lately(said, situation):
            return ""  # nothing named, or said a moment ago
        return self._pick("apologise", situation, {"concern": said})

    def circumstance(self, found: Circumstance, situation: Situation) -> str:
        """The acknowledgement of what happened to the customer, in their terms
        ("I'm so sorry about your mum."), from ``circumstances`` in empathy.yml."""
        variants = self.data["circumstances"].get(found.kind) or {}
        variant = circumstance_variant(found, variants)
        if variant is None:
            return ""
        seen = SEEN_TO.search(situation.text.lower())
        if f"{variant}_unseen" in variants and not seen:
            variant = f"{variant}_unseen"  # hurt, and no word of a doctor: one first
        said = self.said_concern(situation)
        if said and f"{variant}_concern" in variants:
            variant = f"{variant}_concern"  # "the double charge, with rent to pay"
        values = {
            "who": found.who,
            "whom": _WHOM.get(found.who, found.who),
            "whose": _WHOSE.get(found.who, f"{found.who}'s"),
            "what": found.what,
            "when": found.when,
            "concern": said or "",
        }
        return self._pick(f"circumstances.{found.kind}.{variant}", situation, values)

    def deadline(self, found: Sequence[Circumstance], situation: Situation) -> str:
        """The words for the first date among ``found`` that something is needed by
        ("I know the wedding is in 4 days, so the timing really matters."), or ""."""
        return next(
            (
                heard
                for c in found
                if c.kind == "deadline" and (heard := self.circumstance(c, situation))
            ),
            "",
        )

    def handoff(self, situation: Situation, reasons: Sequence[str] = ()) -> str:
        """What the bot says when a person takes over, in keeping with why: a calm
        request for a person is simply granted, distress, worry and sadness are met
        with care, the bot's own failures are owned, and an upset customer is not
        thanked for patience they have run out of (``handoff.<kind>`` in
        empathy.yml)."""
        found = set(reasons)
        label = situation.analysis.label if situation.analysis else Emotion.NEUTRAL
        serious = situation.analysis.serious if situation.analysis else []
        if "at_risk" in found:  # their safety first, before anything that happened
            values = {"name_prefix": self.name_prefix(situation)}
            return self._pick("handoff.at_risk", situation, values)
        if serious and situation.analysis is not None:
            # what happened comes first, in the customer's terms, then who takes over
            first = serious[0]
            handoff = self.data["handoff"]
            kind = f"situation_{first.kind}"
            key = f"handoff.{kind if kind in handoff else 'situation'}"
            opening = self.circumstance(first, situation)
            # a date that cannot move, said beside it ("chemo, and your son's
            # birthday on Saturday"): the person will know it matters
            dated = [
                c
                for c in situation.analysis.circumstances
                if not c.serious and c.kind not in AFTER_THE_PROBLEM
            ]
            noted = self.circumstance(dated[0], situation) if dated else ""
            felt = self.distress_beside(situation, first.kind, found)
            heard = self._pick("handoff.distress_first", situation, {}) if felt else ""
            parts = (heard, opening, noted, self._pick(key, situation, {}))
            return " ".join(p for p in parts if p)
        requested = bool(found) and found <= {"person_request"}
        level = self.level(situation.analysis, situation.text, person_asked=requested)
        confused = (
            label is Emotion.CONFUSION
            and situation.analysis is not None
            and situation.analysis.signal("emotion_words") is not None
        )
        if "distress" in found or label in (Emotion.ANXIETY, Emotion.SADNESS):
            kind = "care"
        elif confused:
            # "i dont understand what tracking is. can someone phone me?": that it
            # is confusing, and that the person goes through it, not "Sure."
            kind = "care"
        elif situation.analysis is not None and situation.analysis.has("misunderstood"):
            # "that's the same useless answer I got last time": our answers failed
            # them, owned, not a stock "a person will take this further"
            kind = "bot_failed"
        elif found and found <= {"person_request"} and level is Level.NEUTRAL:
            # a calm request is granted; "I WANT A REAL PERSON NOW" is upset
            kind = "asked_task" if mentioned("asks_to_do", situation.text) else "asked"
        elif "bot_failures" in found:
            kind = "bot_failed"
        elif level is not Level.NEUTRAL:
            kind = "upset"
        else:
            # handed over for the conversation's sake, not the message's mood: no
            # "you shouldn't have to chase this" to someone who sounds calm
            kind = "calm"
        values = {"name_prefix": self.name_prefix(situation)}
        # what is wrong, in the customer's words: now, or earlier in the chat ("GET
        # ME A MANAGER" after "it's 3 weeks late" is still about the three weeks)
        said = self.said_concern(situation) or (
            self.earlier_concern(situation) if self.names_no_topic(situation) else None
        )
        own = self.said_felt(situation)
        if own is not None and kind in ("care", "upset"):
            # the feeling and what it is about in their words: said back, whatever
            # the topic's words would name
            values["felt"] = own.words
            said, kind = None, f"{kind}_own_words"
        if (
            said
            and kind in ("calm", "upset", "asked", "bot_failed")
            and named_lately(said, situation)
        ):
            # "I'm sorry about the damage" a moment ago: not again, and no other
            # apology in its place; who takes over and that they see it all (our
            # own failure still owned)
            said, kind = None, ("bot_failed" if kind == "bot_failed" else "calm")
        if said and f"{kind}_about" in self.data["handoff"]:
            # what is wrong, named ("the double charge"); distress first beside it
            values["concern"] = said
            distress = situation.analysis and situation.analysis.has("distress")
            kind = f"{kind}{'_distress' if distress and kind == 'care' else ''}_about"
        elif f"{kind}_{label.value}" in self.data["handoff"]:
            # else the feeling the message shows: "I can hear how worried you are"
            kind = f"{kind}_{label.value}"
        said_text = self._pick(f"handoff.{kind}", situation, values)
        # a date that cannot move ("it's for the wedding on Saturday"), heard first;
        # who it was for, after what went wrong ("I'm sorry about the damage. I know
        # it was for your mum, ...")
        pending = self._pending(situation, troubled=True)
        noted = self.circumstance(pending[0], situation) if pending else ""
        lead = first_sentences(said_text, 1)
        rest = said_text[len(lead) :].strip()
        if "sorry" in noted.lower() and "sorry" in lead.lower():
            lead = ""  # "I'm so sorry it missed his birthday": one "sorry", specific
        if noted and pending[0].kind in AFTER_THE_PROBLEM:
            return " ".join(p for p in (lead, noted, rest) if p)
        return " ".join(p for p in (noted, lead, rest) if p)

    @staticmethod
    def _pending(situation: Situation, troubled: bool) -> list[Circumstance]:
        """What the customer told us that is not for a person by itself (a date
        that cannot move, who it was for), most pressing first; who it was for only
        when something went wrong or they are upset (``troubled``): "it's a present
        for my mum, do you gift wrap?" needs no words about it."""
        analysis = situation.analysis
        if analysis is None:
            return []
        return [
            c
            for c in analysis.circumstances
            if not c.serious and (troubled or c.kind not in AFTER_THE_PROBLEM)
        ]

    def without_immediacy(self, text: str) -> str:
        """``text`` without words that promise a person at once (``immediacy``)."""
        pattern = self.data.get("immediacy")
        if not pattern:
            return text
        return re.sub(r"\s+([;,.])", r"\1", re.sub(pattern, "", text, flags=re.I))

    def waiting(self, key: str, situation: Situation, values: dict[str, Any]) -> str:
        """Where the customer stands in the queue (``queue.<key>`` in empathy.yml)."""
        return self._pick(f"queue.{key}", situation, values)

    @cached_property
    def registers(self) -> Register:
        """The customer's register and our texts fitted to it (actions/register.py)."""
        return Register(self.data.get("register") or {})

    @staticmethod
    def name_prefix(situation: Situation) -> str:
        """ "Maya, " while the name has been used fewer than MAX_NAME_USES times."""
        if situation.customer_name and situation.name_uses < MAX_NAME_USES:
            return f"{situation.customer_name}, "
        return ""


# A bare word of assent that opens an answer ("Sure.", "Of course!"): natural alone,
# a seam after an acknowledgement ("...step by step. Sure. What would you like?").
_INTERJECTION = re.compile(
    r"^(?:sure|of course|certainly|absolutely|no problem|okay|ok|alright|right)"
    r"[.!]\s+(?=\S)",
    re.I,
)


def _without_interjection(answer: str) -> str:
    """``answer`` without an opening "Sure." (see _INTERJECTION)."""
    return capitalise(_INTERJECTION.sub("", answer.lstrip(), count=1))


# who it happened to, after a word like "about" ("sorry about him") and as the one
# whose it is ("his birthday"); a relation ("your mum") stays as it is
_WHOM = {"he": "him", "she": "her", "they": "them", "you": "you"}
_WHOSE = {"he": "his", "she": "her", "they": "their", "you": "your"}


def _tells(found: Circumstance, words: str) -> bool:
    """Whether ``words`` already say what ``found`` is (its thing or its day)."""
    lower = words.lower()
    return any(w and w.lower() in lower for w in (found.what, found.when))


def _said(opener: str, situation: Situation) -> bool:
    return any(r.startswith(opener[:30]) for r in situation.recent)


def _low_confidence(situation: Situation) -> bool:
    confidence = situation.intent_confidence
    return confidence is not None and confidence < 0.5


@lru_cache(maxsize=1)
def empathy_book() -> EmpathyBook:
    """The process-wide empathy templates, loaded on first use."""
    return EmpathyBook.from_file()
