"""What a customer waiting for a person hears from the bot when they write again.

The router (bot/conversations.py) stores the message, scores it and re-prioritises
the ticket; ``WaitingReplies.reply`` then says what the customer hears, in their
language: the words for a feeling they put into words first, then the advice for what
happened (the ticket's flag, said once), an answer to what they asked (how long the
wait is, a general question the action server can answer, a call), that an order
number or their thanks reached us, never the same words twice in a row, and where they
stand when upset (in the words of bot/waiting_standing.py). English is read with the
emotion analysis; another language by its own words (languages.yml, bot/texts.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

from bot import contact
from bot import waiting_reading as read
from bot import waiting_texts as words_of
from bot.handoff import HandoffQueue, UrgencyFlag
from bot.handoff.flags import SERIOUS_FLAGS
from bot.state_view import StateView
from bot.texts import say, texts
from bot.upstream import UNFIT, EmotionClient, RasaClient
from bot.waiting_advice import advice_for
from bot.waiting_courtesy import THANKS_WORDS, apologises, only_thanks
from bot.waiting_english import ASKS_TO_DO
from bot.waiting_standing import Standing


class WaitingReplies(Standing):
    """The replies to a customer who waits for a person and writes again."""

    def __init__(
        self,
        queue: HandoffQueue,
        rasa: RasaClient,
        emotion: EmotionClient,
        standing: Callable[[str], Awaitable[StateView]],
    ) -> None:
        """``standing``: where a conversation's customer stands now (the router's
        ``view``)."""
        self.queue = queue
        self.rasa = rasa
        self.emotion = emotion
        self._standing = standing

    async def reply(
        self,
        conversation_id: str,
        text: str,
        analysis: dict[str, Any] | None,
        said: list[str],
        flag: UrgencyFlag | None = None,
        language: str = "",
        told_where: bool = False,
        wrote: list[str] | None = None,
        reasons: Collection[str] = (),
    ) -> str:
        """What a waiting customer hears after writing again, in their ``language``
        (English when ""): what they can do meanwhile (the advice for what happened,
        the ticket's ``flag``, said once, to anything but plain thanks), an answer to
        what they added (a question we can answer, an order number, how urgent it
        is), never the same words twice in a row, and where they stand when they are
        upset (not when ``told_where``: the handoff message among the recent entries
        said it). A feeling they put into words is heard first, whatever else is
        said, with what it is about when they named that (now or in ``wrote``, their
        earlier messages, oldest first)."""
        words = read.words_for(language)
        lower = text.lower()
        felt = (
            read.felt(analysis)
            or read.urgent(analysis, flag)
            or read.felt_words(lower, words)
        ) and not apologises(analysis, lower, words)
        ack = (
            words_of.ack(analysis, lower, words, language, wrote or [], flag=flag)
            if felt
            else ""
        )
        imposed = words_of.SITUATION_FEELINGS.get(flag) if flag else None
        own = read.feeling_label(None if language else analysis, lower, words)
        if ack and imposed and own != imposed and any(ack in x for x in said):
            # the feeling something serious brings, read into a message that names
            # another (or none): said once while they wait, not the same stock line
            # on every message; a feeling they put into words again is heard again
            ack = ""
        if not (
            felt
            or read.thanks_only(text, words, language)
            or read.assents_only(text, words)
        ):
            # after a death the loss is named once while they wait, even when this
            # message names none ("is there any paperwork you need?"); money that
            # is tight, when they say it ("I'm struggling to buy food")
            ack = words_of.situation_ack(flag, language, said, analysis, text)
        # "the wedding is in 4 days": the date heard ("I know the wedding is in 4
        # days, so the timing really matters."), and that the person will see it
        deadline = "" if felt else str((analysis or {}).get("deadline") or "")
        ack = ack or deadline
        if ack and any(ack in x for x in said[-1:]):
            # said a moment ago: the feeling alone, not the same words again
            ack = words_of.ack(
                analysis, lower, words, language, [], named=False, flag=flag
            )
            ack = "" if any(ack in x for x in said[-1:]) else ack
        # "not a bot", "third time and nobody helps", "I'm fed up": the impatience
        # named (not "Thanks, I've added that"), and where they stand
        impatient = read.impatience(text, words)
        if impatient and not ((analysis or {}).get("concern") and ack):
            # (what it is about, named in their words, says more: "the 3-week wait")
            ack = words_of.impatience_ack(impatient, language, said) or ack
        others = say("waiting_ack_others", language)
        if words.others.search(lower) and not any(others in x for x in said):
            ack = f"{ack} {others}".strip()  # "...so it doesn't happen to others"
        reply = await self._answer(
            conversation_id,
            text,
            analysis,
            said,
            flag,
            language,
            told_where,
            ack,
            wrote or [],
            bool(deadline),
            bool(impatient),
            reasons,
        )
        # the words for a feeling may come again; the lines after them once (but
        # "how long?" is answered, even where the handoff message said it already)
        if not read.asks_how_long(lower, words):
            reply = words_of.unsaid(reply, said)
        if ack and not words_of.acknowledges(reply, language):
            reply = f"{ack} {reply}"
        return words_of.person_once(reply, language)

    async def _answer(
        self,
        conversation_id: str,
        text: str,
        analysis: dict[str, Any] | None,
        said: list[str],
        flag: UrgencyFlag | None,
        language: str,
        told_where: bool,
        ack: str,
        wrote: list[str],
        deadline: bool = False,
        impatient: bool = False,
        reasons: Collection[str] = (),
    ) -> str:
        """The waiting reply that follows ``ack``, the words for the feeling or the
        date it is needed by (``deadline``) or their impatience (``impatient``);
        ``reasons``: why the chat was handed over (the ticket's)."""
        advice, asked = advice_for(flag, language, [*wrote, text], reasons)
        words = read.words_for(language)
        lower = text.lower()
        asks = read.asks(text, words)
        urgent = read.urgent(analysis, flag)
        order = read.ORDER_NUMBER.search(read.POSTCODE_NUMBER.sub(" ", text))
        thanks = (
            bool(words.thanks.search(lower)) and len(text.split()) <= THANKS_WORDS
        ) or (not language and only_thanks(text))
        calls = contact.asks_call(lower, words, language, asks) or (
            asks
            and not language
            and bool(said)
            and say("waiting_call", language) in said[-1]
            and bool(contact.GIVES_IT.search(lower))
        )
        # "fine, I'll wait", "ok": thanked for their patience
        accepts = bool(words.accepts.search(lower)) and not thanks
        plain_thanks = thanks and not (asks or urgent or order)
        # the advice for what happened is said once; a question of theirs we can
        # answer comes first ("while I wait, how long do refunds take?")
        # (or what to do about it, asked: waiting_asked_<flag> says the advice too)
        told = " ".join(said)
        due = (
            advice is not None
            and not plain_thanks
            and advice not in told
            and not (asked and asked in told)
            and not (accepts and flag in words_of.ONLY_REASSURES)
        )
        if flag is UrgencyFlag.SAFETY and any(
            words.seen.search(t.lower()) for t in (text, *wrote)
        ):
            due = False  # "he's ok, we went to A&E", now or before: no "see a doctor"
        # a person, or someone senior ("escalated to a supervisor", in any words):
        # granted first, the advice on their next message ("Ich möchte bitte mit
        # einem Mitarbeiter sprechen.")
        asks_person = bool(words.person.search(lower) or words.manager.search(lower))
        if due and advice and (calls or not (asks or asks_person)):
            if calls:
                return f"{advice} {say('waiting_call', language)}"
            advised = await self._advised(conversation_id, advice, flag, language, said)
            # "Please lock my account.": what they want is seen before the advice
            wanted = words_of.wants(text, words, language)
            if wanted and not (urgent or words.person.search(lower)):
                return f"{wanted} {advised}"
            return advised
        if calls:
            return words_of.fresh(said, language, "waiting_call", "waiting_call_again")
        what_now = bool(words.what_now.search(lower))
        if what_now and not asks and not flag:
            # "I don't know what to do now", nothing serious happened: the person
            # will take them through it
            return words_of.fresh(
                said, language, "waiting_felt_confusion", "waiting_for_person_again"
            )
        if what_now:
            # "what do I do now?", "what happens next?": about what happened, not a
            # general answer that shares a word with it ("card" -> how to pay):
            # what to do and what the person will do, else the advice, once
            if asked and asked not in told:
                return asked
            if not asked and due and advice:
                return await self._advised(
                    conversation_id, advice, flag, language, said
                )
            # "what are you going to do about it?" after a broken, a wrong or a
            # missing item: what the person arranges for it, once
            reported = read.situation([*wrote, text], words)
            fits = f"waiting_fits_{reported}"
            if (
                reported in words_of.REMEDIES
                and fits in texts()
                and say(fits, language) not in told
            ):
                return say(fits, language)
            then = say("waiting_next", language)  # what the person will do, once
            if then in told:
                return await self._how_long(conversation_id, language, said, told_where)
            line = await self._standing_line(conversation_id, language, said)
            return f"{then} {line}"
        if words.how_hear.search(lower) and not (order or impatient):
            # "how will I know when someone has looked at it?": where the reply comes
            return words_of.fresh(
                said, language, "waiting_how_hear", "waiting_for_person_again"
            )
        if impatient and not (asks and not words.person.search(lower)):
            # "a human, not a bot", "nobody helps": where they stand, honestly
            return await self._standing_line(conversation_id, language, said)
        if read.asks_how_long(lower, words):
            # "HOW LONG DO I HAVE TO WAIT": where they stand, after the words for how
            # they feel, or that they are still waiting (not "passed on as urgent")
            answer = await self._how_long(conversation_id, language, said, told_where)
            if said and answer in said[-1]:  # asked again: not the same words
                answer = say("waiting_for_person_again", language)
            heard = (
                ""
                if ack
                else words_of.first_time("waiting_ack_waiting", language, said)
            )
            return f"{heard} {answer}".strip()
        # a question we can answer is answered, after the feeling it carries: a
        # general one (delivery, returns, payment...), the chat's own order once
        # proven, even beside words for a person ("can someone tell me when it's
        # coming?"); a decision waits for the person
        known = None
        if asks and not order:
            # "can someone tell me how long a refund takes?" asks how long a refund
            # takes: the wrapper is no request for a person to NLU
            question = text if language else read.TELL_ME.sub("", text) or text
            reading = None if language else await self.rasa.intent(question)
            reported = read.situation([*wrote, text], words)
            if flag is UrgencyFlag.SAFETY:
                reported = "safety"  # it hurt someone: kept, collected, no return
            elif not reported and flag in (UrgencyFlag.FRAUD, UrgencyFlag.BEREAVEMENT):
                reported = flag.value  # done in their name, a death: no how-tos
            known = await self.emotion.answer(
                question, language, reading, conversation_id, situation=reported
            )
            if UNFIT.get():
                # "when do I get my money back?" after a double charge: not the
                # refund after a return, but what holds for what they reported
                fit = f"waiting_fits_{UNFIT.get()}"  # (or what the person arranges)
                known = say(fit, language) if fit in texts() else asked
            elif (
                known is None
                and reported in words_of.REMEDIES
                and words.remedy.search(lower)
            ):
                # "do I send it back first?", "can you send another?" after a broken
                # or wrong item: what holds for it, once (then the person answers)
                fits = say(f"waiting_fits_{reported}", language)
                known = None if any(fits in x for x in said) else fits
            if known and reported == "safety" and (due or asked not in told):
                known = None if due else asked  # "see a doctor" first, then all
        # "I want a refund. Now.", "can you stop it?": what they want, seen first
        # (not "Thanks, I've added that"), unless they want a person or a call
        wanted = words_of.wants(text, words, language)
        # "can someone on your team push it through with express?": a task for the
        # person, named back, not the order's state nor only "you're in line"
        does = not language and bool(ASKS_TO_DO.search(lower))
        if does and wanted:
            known = None
        if (
            wanted
            and known is None
            and not (calls or urgent or (asks_person and not does))
            and not any(wanted in x for x in said[-1:])
        ):
            return await self._and_where(
                wanted, conversation_id, language, said, told_where
            )
        # an urgent question ("what are you going to do about this?") is answered
        # below, after the words for how they feel
        if (asks_person and known is None) or (urgent and not asks):
            # after something serious (a death, someone hurt, fraud, money) the
            # request is granted warmly, not with a bare "you're in line"
            asked = words_of.person_asked(flag, language, said) if not ack else ""
            asked = asked or "waiting_person_asked"
            lines = {say(k, language) for k in ("waiting_person_asked", asked)}
            manager = say("waiting_manager", language)
            # asked again, or in capitals: the wait itself is what they feel
            insists = any(
                line in x for x in said for line in (*lines, manager)
            ) or read.shouted(analysis, text)
            first = say("waiting_person_insists" if insists else asked, language)
            if words.manager.search(lower) and not any(manager in x for x in said):
                # "I want to speak to a manager": that they asked is seen
                first = manager
            if urgent:
                # after the words for what they are upset about or the feeling they
                # named (``reply``), not a stock "I hear you, and I'm sorry"
                first = say(
                    "waiting_urgent_passed" if ack else "waiting_urgent", language
                )
            where = await self._where(conversation_id, language)
            if told_where or any(where and where in t for t in said):
                # told a moment ago: not the same lines again; asked ("can someone
                # look at it today?"), when someone can, in other words
                where = ""
                if asks:
                    where = await self._standing_line(conversation_id, language, said)
                    if (
                        asked != "waiting_person_asked"
                        and said
                        and words_of.same_place(where, said[-1])
                    ):
                        # "you're already in line" said warmly, and their place
                        # in line the last reply told: not again
                        where = ""
            reply = " ".join(p for p in (first, where) if p)
            if reply in said[-1:]:  # "are you even listening??": not the same again
                return say("waiting_for_person_again", language)
            return reply
        felt = words_of.felt_text(analysis, lower, words)
        if asks and not order:
            if (
                known is None
                and asked
                and asked not in told
                and flag in words_of.ASKED_FIRST
            ):
                # what to do about what happened, asked (can I still send it back?
                # how do I secure my account?): its answer, which says what the
                # advice says
                return asked
            if known is None and due and advice:  # "what do I do now?": advice first
                return await self._advised(
                    conversation_id, advice, flag, language, said
                )
            # the advice not said yet comes after the answer, not instead of it
            closing = advice if due and advice else ""
            if known is None and asked:
                # ...or what to do about what happened (keep the kettle?)
                known, closing = asked, ""
            if known is not None and not any(known in x for x in said[-1:]):
                return " ".join(p for p in (known, closing) if p)
        if due and advice:
            return await self._advised(conversation_id, advice, flag, language, said)
        if impatient:  # "so when then?!": where they stand
            return await self._standing_line(conversation_id, language, said)
        if words.apology.search(lower) and not asks:
            # "sorry, this is all a lot": no need, and who takes it on
            return words_of.fresh(
                said, language, "waiting_no_apology", "waiting_for_person_again"
            )
        if felt is not None:
            if ack:
                # the words for it come first (``reply``); then that it is
                # passed on
                return words_of.fresh(
                    said, language, "waiting_felt_passed", "waiting_for_person_again"
                )
            return words_of.fresh(
                said, language, felt, "waiting_felt", "waiting_for_person_again"
            )
        if order:  # "is order 48213 even real?": the person answers it, not "noted"
            key = "waiting_asked_order" if asks else "waiting_added_order"
            return say(key, language, order=order.group(0))
        if deadline:
            return say("waiting_deadline", language)
        if thanks:
            # after something serious, care rather than a breezy "you're welcome"
            first = "waiting_thanks_care" if flag in SERIOUS_FLAGS else "waiting_thanks"
            return words_of.fresh(said, language, first, "waiting_thanks_again")
        if accepts:
            return words_of.fresh(
                said, language, "waiting_patience", "waiting_thanks_again"
            )
        if asks:
            # a question only the person can answer: that they will, and where the
            # customer stands (nobody online, their place), unless just said
            deferred = words_of.fresh(
                said, language, "waiting_question", "waiting_for_person_again"
            )
            return await self._and_where(
                deferred, conversation_id, language, said, told_where
            )
        return words_of.fresh(
            said, language, "waiting_for_person", "waiting_for_person_again"
        )

    async def _advised(
        self,
        conversation_id: str,
        advice: str,
        flag: UrgencyFlag | None,
        language: str,
        said: list[str],
    ) -> str:
        """The advice for what happened, then that a person will reply here, or,
        when the advice says who acts already, where they stand (once)."""
        if flag not in words_of.PERSON_IN_ADVICE:
            return f"{advice} {say('waiting_advice_then', language)}"
        line = await self._standing_line(conversation_id, language, said)
        return " ".join(p for p in (advice, line) if p and p not in " ".join(said))
