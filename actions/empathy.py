"""The empathy layer: acknowledge the feeling in proportion, then help, then invite.

Plain library (no Rasa imports): the gateway can compose the same way for agent assist.
Texts and thresholds live in ``data/replies/empathy.yml``; the pieces a reply is built
from (the level, a template's pick, the words for what happened) are in
actions/empathy_parts.py.
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

from actions.concerns import first_sentences, named_lately
from actions.emotion import Circumstance, Emotion
from actions.emotion.policy import answer_first_situations
from actions.empathy_parts import AFTER_THE_PROBLEM, EmpathyParts
from actions.mentions import mentioned
from actions.paths import DATA
from actions.register import Register
from actions.replies import capitalise, reply_book
from actions.situation import Level, Situation
from bot.reflect import Felt
from bot.reflect import felt as stated_feeling

EMPATHY_FILE = DATA / "replies" / "empathy.yml"
# The bot's replies in which an offer of a person still counts as made.
RECENT_OFFER = 3
_SENTENCE_END = re.compile(r"(?<=[.?])\s+")


@dataclass
class EmpathyBook(EmpathyParts):
    """Templates and thresholds of the empathy layer."""

    data: dict[str, Any]
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_file(cls, path: Path = EMPATHY_FILE) -> EmpathyBook:
        """Load ``empathy.yml``."""
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

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
            concern = self.plain
        values = {"concern": concern, "name_prefix": self.name_prefix(situation)}
        own = (
            "" if apologises or of_life else self._own_words(situation, answer, pending)
        )
        if not own and not apologises and not of_life and concern == self.plain:
            # nothing named to be upset about ("this"): their own word for the
            # feeling says more than a stock line ("I understand you're nervous.")
            own = self._their_word(situation, "acknowledge_own_words")
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

    def _their_word(self, situation: Situation, texts: str) -> str:
        """The customer's word for the feeling their message states, said back in a
        text of ``texts`` for its label ("I understand you're nervous.", "I can hear
        how panicked you are"); "" when it states none that has one."""
        stated = stated_feeling(situation.text)
        if stated is None or stated.label not in self.data[texts]:
            return ""
        values = {"felt": stated.feeling, "name_prefix": self.name_prefix(situation)}
        return self._pick(f"{texts}.{stated.label}", situation, values)

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
            heard = heard or self._felt_first(situation, opening)
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
        elif situation.grave and label is not Emotion.ANGER:
            # "it's a lot to deal with" after a death: care, not "I'm sorry this
            # has been so frustrating"
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
        stated = stated_feeling(situation.text) if own is None else None
        if stated is not None and kind in ("care", "upset"):
            # "I'm really anxious now ... What can you do?" after the late order:
            # their word for the feeling, with what is wrong when it was not said
            # a moment ago ("anxious about the wait for order 808080123456")
            fresh = said and not named_lately(said, situation)
            own = Felt(stated.label, stated.feeling, f"about {said}" if fresh else "")
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

    def _felt_first(self, situation: Situation, opening: str) -> str:
        """The words for a feeling the customer states beside something serious, in
        their word for it ("I can hear how panicked you are, and I'm sorry."), when
        the words for what happened (``opening``) name no feeling and say no sorry;
        "" otherwise."""
        if _HEARS.search(opening):
            return ""
        if heard := self._their_word(situation, "felt_first"):
            return heard
        # "I already put my card details in. Oh no.": alarm without a word for the
        # feeling, heard as the shock it is
        alarmed = _ALARM.search(situation.text or "")
        return self._pick("felt_first.alarm", situation, {}) if alarmed else ""

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


# A bare word of assent that opens an answer ("Sure.", "Of course!"): natural alone,
# a seam after an acknowledgement ("...step by step. Sure. What would you like?").
# Words that hear a feeling already: no second acknowledgement before them
_HEARS = re.compile(
    r"\b(?:sorry|fright\w*|scar\w*|worr\w*|upsetting|distressing|unsettling|awful)\b",
    re.IGNORECASE,
)
# Alarm said without a word for the feeling ("Oh no.", "oh god", "omg")
_ALARM = re.compile(
    r"\b(?:oh no+|oh (?:my )?god|oh my|omg|oh dear|oh crap|oh sh\w+|help me)\b",
    re.IGNORECASE,
)
_INTERJECTION = re.compile(
    r"^(?:sure|of course|certainly|absolutely|no problem|okay|ok|alright|right)"
    r"[.!]\s+(?=\S)",
    re.I,
)


def _without_interjection(answer: str) -> str:
    """``answer`` without an opening "Sure." (see _INTERJECTION)."""
    return capitalise(_INTERJECTION.sub("", answer.lstrip(), count=1))


def _tells(found: Circumstance, words: str) -> bool:
    """Whether ``words`` already say what ``found`` is (its thing or its day)."""
    lower = words.lower()
    return any(w and w.lower() in lower for w in (found.what, found.when))


def _low_confidence(situation: Situation) -> bool:
    confidence = situation.intent_confidence
    return confidence is not None and confidence < 0.5


@lru_cache(maxsize=1)
def empathy_book() -> EmpathyBook:
    """The process-wide empathy templates, loaded on first use."""
    return EmpathyBook.from_file()
