"""What is said when a message is not understood (``ActionNotUnderstood``,
``not_understood``): a plausible reading checked with Yes/No
(``ActionConfirmUnderstood`` replays the message with the intent confirmed), several
offered as buttons, a question the FAQ knows answered, anything else declined
honestly; and a question asked beside thanks, answered as if asked alone
(actions/replay.py). The answers that need no lookup are in actions/answers.py."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import (
    ActionExecuted,
    EventType,
    SlotSet,
    UserUtteranceReverted,
)

from actions.answer_keys import answer_key, answer_values
from actions.closings import (
    asked_beside_thanks,
    closes_only,
    closing_key,
    done_asking,
    only_closes,
    warm_intent,
)
from actions.conversation import (
    accepted_offer,
    asks_us_to_find_out,
    bot_texts,
    customer_texts,
    latest_confidence,
    latest_intent,
    replayed,
    user_events,
    yes_or_no_again,
)
from actions.emotion import Emotion
from actions.faq import FaqHit
from actions.faq import beats_intent as faq_beats_intent
from actions.faq import match as faq_match
from actions.mentions import content_words, mentioned
from actions.mood import history, policy
from actions.new_address import address_given
from actions.numbers import find_number
from actions.order_chat import chat_order, proof_outside_the_form
from actions.order_checks import item_problem
from actions.order_items import partly_returned
from actions.payments import joined
from actions.readings import (
    DECLINED,
    FOLLOW_UP_CONFIDENCE,
    asks_about_the_order,
    chosen_reading,
    follow_up_topic,
    last_question,
    reading_text,
    readings,
)
from actions.replay import accept_offer, answer_beside_thanks
from actions.replies import capitalise, reply_book
from actions.side import clauses, is_question, points_back
from actions.speaker import Speaker
from actions.store import store
from actions.voice import CaringAction, asks_for_facts, hand_over

# Questions about sending back or money back (``refund_in_context``: no return)
RETURN_QUESTIONS = frozenset({"get_refund", "check_refund_policy", "exchange_item"})

YES_NO_BUTTONS = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
]

# A question NLU cannot place, asked in the middle of a matter ("Do you need
# photos?" after a broken item, "will it make it for Monday?" after the order's
# state), is about that matter, not outside what we do: at most this many words...
IN_THE_CHAT_WORDS = 12
# ...and about what was said (it, that, the words of the last reply or of the
# customer's recent messages), or asking how things go ("do I need to ...?")
_PLAIN = frozenset(
    [
        "that",
        "this",
        "with",
        "have",
        "what",
        "when",
        "where",
        "which",
        "will",
        "would",
        "could",
        "should",
        "there",
        "their",
        "them",
        "they",
        "your",
        "yours",
        "from",
        "about",
        "just",
        "like",
        "know",
        "want",
        "need",
        "please",
        "thanks",
        "thank",
        "hello",
        "still",
        "does",
        "into",
        "been",
        "were",
        "then",
        "than",
        "also",
        "only",
        "some",
    ]
)


def _last_missed(tracker: Tracker) -> bool:
    """Whether our last reply could not help (a miss, ``ReplyBook.misses``)."""
    bot = [turn for turn in history(tracker) if not turn.is_customer]
    return bool(bot) and bot[-1].fallback


def about_the_chat(tracker: Tracker, text: str) -> bool:
    """Whether a question NLU could not place is about the matter of the chat: a
    short question after an answer of ours that was no miss, pointing back at it,
    asking how it goes on, or using the words of the last reply or of the
    customer's recent messages."""
    said = bot_texts(tracker)
    if (
        not said
        or not is_question(text)
        or len(text.split()) > IN_THE_CHAT_WORDS
        or _last_missed(tracker)
    ):
        return False
    if points_back(text) or asks_for_facts(text):
        return True
    context = " ".join([said[-1], *customer_texts(tracker)[-4:-1]])
    return bool(content_words(text, _PLAIN) & content_words(context, _PLAIN))


def faq_follow_up(tracker: Tracker) -> FaqHit | None:
    """The FAQ entry a short question that points back goes on with ("How long are
    they valid for?" right after "Do you sell gift cards?"), when NLU is unsure of
    it and it names no FAQ topic of its own: read with the customer's question
    before it, the entry that answered that one; None otherwise."""
    text = str((tracker.latest_message or {}).get("text") or "")
    texts = customer_texts(tracker)
    if (
        len(texts) < 2
        or not (is_question(text) and points_back(text))
        or (latest_confidence(tracker) or 0.0) >= FOLLOW_UP_CONFIDENCE
    ):
        return None
    asked = last_question(texts[-2])
    before = faq_match(asked)
    alone = faq_match(text)
    if before is None or (alone is not None and alone.entry.id != before.entry.id):
        return None
    together = faq_match(f"{asked} {text}")
    return together if together and together.entry.id == before.entry.id else None


def answer_from_faq(speaker: Speaker, tracker: Tracker) -> bool:
    """Answer from the FAQ when the latest message asks one of the FAQ's questions:
    when NLU declined it, or named an intent the message is clearly further from
    (``faq.beats_intent``). A plausible guess under the fallback is confirmed
    instead ("my parcel isn't here" is about tracking, not split deliveries),
    unless the message is clearly closer to an FAQ question than to that guess
    ("Do I need to send you photos?" is no question about delivery options)."""
    intent = latest_intent(tracker)
    text = str((tracker.latest_message or {}).get("text") or "")
    if intent not in DECLINED:
        # NLU named an intent: the FAQ answers only a message that is clearly
        # closer to one of its questions than to anything NLU learned for it
        hit = faq_beats_intent(text, str(intent)) if intent else None
    elif intent == "nlu_fallback" and (guesses := readings(tracker)):
        hit = faq_beats_intent(text, guesses[0])
    else:
        hit = faq_match(text)
    hit = hit or faq_follow_up(tracker)
    if hit is None:
        return False
    speaker.say(hit.key, **answer_values(tracker))
    return True


def asks_anything(text: str) -> bool:
    """Whether any part of ``text`` asks something ("Thank you. Will the money go
    back to his card? I'm closing his accounts." does, though it ends in a full
    stop)."""
    return "?" in text or any(is_question(c) for c in clauses(text))


def glad(speaker: Speaker) -> bool:
    """Whether the latest message reads as joy, without sarcasm."""
    analysis = speaker.mood.analysis
    return (
        analysis is not None
        and analysis.label is Emotion.JOY
        and not analysis.has("sarcasm")
    )


def glad_only(speaker: Speaker, text: str) -> bool:
    """Whether an unclear message only says they are glad ("no question really,
    just happy :)"): it reads as joy, without sarcasm, and asks nothing."""
    return glad(speaker) and not asks_anything(text)


# Feelings a customer tells of themselves with nothing asked ("honestly I'm so
# stressed, there's loads to organise"): heard, not read as a request
TOLD_FEELINGS = frozenset({Emotion.ANXIETY, Emotion.SADNESS})
# ...of themselves, in the first person ("I'm so stressed", "feeling low"), not of
# something ("the glasses look different from the advert, disappointing")
_OF_THEMSELVES = re.compile(
    r"\b(?:i'?m|im|i am|i feel|i'?ve been|i have been|(?<!it's )feeling|"
    # how it all weighs on them ("it's a lot to deal with all at once")
    r"it'?s (?:all )?(?:a lot|too much|so much|so hard|really hard|overwhelming))\b",
    re.I,
)


def felt_only(speaker: Speaker, text: str) -> bool:
    """Whether an unclear message only tells how the customer feels: worry, stress
    or sadness, with no question, nothing that went wrong and nothing asked of us;
    a guess at a request ("did you want to tell us something went wrong?") would
    put words in their mouth."""
    felt = speaker.mood.analysis
    # after a death or an injury, a weight told reads as frustration in the chat's
    # context ("it's a lot to deal with all at once"): heard all the same
    grave = felt is not None and felt.label is Emotion.FRUSTRATION and speaker.grave
    return (
        felt is not None
        and (felt.label in TOLD_FEELINGS or grave)
        and _OF_THEMSELVES.search(text) is not None
        and not felt.has("misunderstood")
        and not asks_anything(text)
        and not item_problem(text)
        and not mentioned("not_arrived", text)
        and not mentioned("double_charge", text)
        and not mentioned("asks_to_do", text)
    )


async def not_understood(
    speaker: Speaker, tracker: Tracker, fallback: bool
) -> list[EventType]:
    """Check what an unclear message meant, or decline it kindly: one plausible
    reading is checked with Yes/No, several are offered as buttons to pick from, a
    question the FAQ knows is answered, anything else is declined honestly."""
    warm = warm_intent(tracker) if fallback else None
    text = str((tracker.latest_message or {}).get("text") or "")
    if done_asking(text):  # "that is all I needed", read as anything: goodbye
        speaker.say("goodbye")
        return [SlotSet("pending_intent", None)]
    if warm and (question := asked_beside_thanks(text)):
        return await answer_beside_thanks(question, speaker, tracker)
    if warm:
        speaker.say(answer_key(warm, tracker), **answer_values(tracker))
        return [SlotSet("pending_intent", None)]
    if glad_only(speaker, text):
        # "no question really, just happy :)": glad with them, not "didn't catch that"
        speaker.say("compliment", **answer_values(tracker))
        return [SlotSet("pending_intent", None)]
    if answer_from_faq(speaker, tracker):
        return [SlotSet("pending_intent", None)]
    if partly := await partly_returned(tracker):
        # "Just the boots. I'm keeping the jacket." after how to return the order
        speaker.say("return.partial", item=partly[1], **partly[0].values())
        return [SlotSet("pending_intent", None)]
    if felt_only(speaker, text):
        # heard (the empathy opening names the feeling), and what we can do said
        # without a question to answer
        speaker.say("felt_only", **answer_values(tracker))
        return [SlotSet("pending_intent", None)]
    if mentioned("asks_for_person", text) or mentioned("asks_to_hurry", text):
        # "does it contain latex? can someone check?": nothing we know answers
        # it, and they asked for someone who can find out (or hurry it along)
        return [
            SlotSet("pending_intent", None),
            *await hand_over(speaker, tracker, "Customer asked for a person."),
        ]
    if is_question(text) and mentioned("away_at_delivery", text):
        # "will the driver need me to sign?": where the parcel goes, not a menu
        speaker.say("faq.safe_place", **answer_values(tracker))
        return [SlotSet("pending_intent", None)]
    if is_question(text) and mentioned("asks_about_product", text):
        # "what temperature can they be washed at?": about the product itself,
        # which its page answers (or a colleague who asks the product team)
        speaker.say("faq.product_details", **answer_values(tracker))
        return [SlotSet("pending_intent", None)]
    if not is_question(text) and (
        mentioned("not_working", text) or mentioned("has_it_with_a_problem", text)
    ):
        # "my toaster stopped working": a problem with an item of ours, told (not
        # something we don't do): answered as the complaint it is
        return [
            SlotSet("pending_intent", None),
            *await accept_offer("ask complaint", speaker, tracker),
        ]
    options = readings(tracker) if fallback else []
    if glad(speaker) and not speaker.mood.analysis.has("problem_report"):
        # "I'm so excited, I start my yoga class next week! Do they come in one
        # parcel?": nothing went wrong, so no "you'd like to tell us something went
        # wrong?"
        options = [o for o in options if o != "complaint"]
    if (
        options
        and options[0] in RETURN_QUESTIONS
        and (key := reply_book().refund_in_context(customer_texts(tracker)[-3:]))
    ):
        # "do I need to send it back first?" after "it came cracked": the chat
        # says which reading it is, and that it is no ordinary return
        speaker.say(key)
        return [SlotSet("pending_intent", None)]
    if len(options) > 1 and set(options[1:]) <= policy().together.get(
        options[0], frozenset()
    ):
        # "how soon will the money be back?": NLU torn between readings that ask
        # the same (when the refund comes, and the refund rules): one question,
        # answered as the likelier
        return [
            SlotSet("pending_intent", None),
            *await accept_offer(f"ask {options[0]}", speaker, tracker),
        ]
    if len(options) > 1:
        buttons = [
            {
                "title": capitalise(reply_book().describe(o) or o),
                "payload": reading_text(o),
            }
            for o in options
        ]
        named = [reply_book().describe(o) or o for o in options]
        speaker.say("choose_intent", buttons, options=joined(named))
        speaker.offer = "choose " + ",".join(options)
        return [SlotSet("pending_intent", None)]
    if options:
        description = reply_book().describe(options[0])
        speaker.say("confirm_intent", YES_NO_BUTTONS, description=description)
        return [SlotSet("pending_intent", options[0])]
    if is_question(text) and mentioned("if_lost", text):
        # "what happens if it doesn't turn up by Friday?": what we do then
        speaker.say("get_refund.if_lost")
        return [SlotSet("pending_intent", None)]
    if about_the_chat(tracker, text):
        # no sure answer to a question about the matter at hand: said honestly,
        # a person offered (a miss: the second one brings the person)
        speaker.say("unsure")
        return [SlotSet("pending_intent", None)]
    speaker.say("out_of_scope" if not fallback else "fallback")
    return [SlotSet("pending_intent", None)]


class ActionNotUnderstood(CaringAction):
    """Say honestly that we did not understand, or check our best guess."""

    def name(self) -> str:
        return "action_not_understood"

    async def respond(
        self, speaker: Speaker, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Thanks or praise NLU could not tell apart get their answer; a plausible
        guess is checked ("did you mean ...?"); else a question the FAQ knows is
        answered, anything else declined kindly. An e-mail address or postcode
        given on its own opens the order of the chat (proof_outside_the_form); a
        new delivery address written out after asking to change it is taken as that
        (address_given)."""
        if (given := await address_given(speaker, tracker)) is not None:
            return given
        if proof := await proof_outside_the_form(tracker):
            return proof
        if only_closes(tracker):
            speaker.say(closing_key(tracker))  # "sweet" after an answer: no miss
            return []
        if again := yes_or_no_again(tracker):
            speaker.say(again[0], said=again[1])  # "so is that a yes?"
            return [SlotSet("pending_intent", None)]
        if (offered := accepted_offer(tracker)) == "handoff":
            # "So what happens now?" right after a person was offered
            return [
                SlotSet("pending_intent", None),
                *await accept_offer(offered, speaker, tracker),
            ]
        if topic := follow_up_topic(tracker):
            return [
                SlotSet("pending_intent", None),
                *await accept_offer(f"ask {topic}", speaker, tracker),
            ]
        if chosen := chosen_reading(tracker):
            return [
                SlotSet("pending_intent", None),
                *await accept_offer(f"ask {chosen}", speaker, tracker),
            ]
        text = str((tracker.latest_message or {}).get("text") or "")
        if mentioned("asks_for_person", text) or asks_us_to_find_out(tracker):
            # "Is someone going to help me?", "is there anyone who can check with
            # them?" after a colleague was offered: a person, in words NLU did not know
            return [
                SlotSet("pending_intent", None),
                *await hand_over(speaker, tracker, "Customer asked for a person."),
            ]
        if await about_an_order(tracker):
            # "yo can u check 5520174", "aight so when's it landing": an order
            # question NLU did not recognise in those words
            return [
                SlotSet("pending_intent", None),
                *await accept_offer("ask track_order", speaker, tracker),
            ]
        fallback = latest_intent(tracker) == "nlu_fallback"
        return await not_understood(speaker, tracker, fallback)


async def about_an_order(tracker: Tracker) -> bool:
    """Whether a message NLU could not place is about an order: it names one of
    ours, or asks about the delivery of the order in the chat ("when's it landing")."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if await store().order(find_number(text)) is not None:
        return True
    return asks_about_the_order(text, latest_intent(tracker)) and (
        await chat_order(tracker) is not None
    )


class ActionConfirmUnderstood(CaringAction):
    """Act on the customer's yes/no to "Just to check I got it ...?"."""

    def name(self) -> str:
        return "action_confirm_understood"

    async def respond(
        self, speaker: Speaker, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Yes: replay the unclear message with the confirmed intent. No: ask again."""
        pending = tracker.get_slot("pending_intent")
        said_yes = latest_intent(tracker) == "affirm"
        original = _previous_user_event(tracker)
        offered = accepted_offer(tracker)
        said = str((tracker.latest_message or {}).get("text") or "")
        if said_yes and not pending and offered:
            return [
                SlotSet("pending_intent", None),
                *await accept_offer(offered, speaker, tracker),
            ]
        if not said_yes or not pending or original is None:
            if said_yes and not pending and closes_only(tracker):
                # "ok fine." to an open question ("What would you prefer?"): taken
                # as it is, the door left open; not "What can I do for you?"
                speaker.say(closing_key(tracker))
            elif said_yes and not pending and mentioned("thanks_last", said):
                # "Much obliged." read as a yes with nothing asked: thanks
                speaker.say("thank_you")
            elif said_yes and not pending:
                speaker.say("affirm_nothing_pending")
            else:
                speaker.say("confirm_denied" if pending else "deny_nothing_pending")
            return [SlotSet("pending_intent", None)]
        # Same shape as Rasa's own two-stage fallback: undo "yes" and the unclear
        # message, then let the dialogue run on the confirmed intent.
        return [
            UserUtteranceReverted(),
            UserUtteranceReverted(),
            ActionExecuted("action_listen"),
            SlotSet("pending_intent", None),
            replayed(original, pending),
        ]


def _previous_user_event(tracker: Tracker) -> dict[str, Any] | None:
    users = user_events(tracker)
    return users[-2] if len(users) >= 2 else None
