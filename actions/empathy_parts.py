"""The pieces the empathy layer's replies are built from (actions/empathy.py puts
them together): the treatment a message's analysis calls for (``level``), a template's
variation not used lately, the customer's name at most twice, and the words for what
happened to the customer (a serious situation, a date that cannot move, who it was
for), from ``circumstances`` in data/replies/empathy.yml."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from actions.asking import only_asks
from actions.concerns import Concerns, circumstance_variant
from actions.emotion import Analysis, Circumstance, Emotion
from actions.mentions import mentioned
from actions.replies import capitalise, fill
from actions.situation import Level, Situation
from bot.waiting_english import SEEN_TO

# The customer's name appears in at most this many bot messages per conversation.
MAX_NAME_USES = 2
# Said after what went wrong, only beside a problem or a feeling: who it was for
AFTER_THE_PROBLEM = frozenset({"gift", "missed_occasion"})


class EmpathyParts(Concerns):
    """The readings and template picks of the empathy layer, over its ``data``."""

    data: dict[str, Any]
    rng: random.Random

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
            # ...and so is a wait told as too long ("been ages fr")
            if analysis.label is Emotion.NEUTRAL and mentioned("waited_long", text):
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

    def _pick(self, key: str, situation: Situation, values: dict[str, Any]) -> str:
        """A variation of ``key`` ("acknowledge.anger", "handoff", ...) whose opening
        the bot has not used recently."""
        templates: Any = self.data
        for part in key.split("."):
            templates = templates[part]
        options = [capitalise(fill(t, values)) for t in templates]
        fresh = [o for o in options if not _said(o, situation)] or options
        return self.rng.choice(fresh)

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

    @staticmethod
    def name_prefix(situation: Situation) -> str:
        """ "Maya, " while the name has been used fewer than MAX_NAME_USES times."""
        if situation.customer_name and situation.name_uses < MAX_NAME_USES:
            return f"{situation.customer_name}, "
        return ""


# who it happened to, after a word like "about" ("sorry about him") and as the one
# whose it is ("his birthday"); a relation ("your mum") stays as it is
_WHOM = {"he": "him", "she": "her", "they": "them", "you": "you"}
_WHOSE = {"he": "his", "she": "her", "they": "their", "you": "your"}


def _said(opener: str, situation: Situation) -> bool:
    return any(r.startswith(opener[:30]) for r in situation.recent)
