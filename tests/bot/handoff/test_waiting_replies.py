"""What a customer waiting for a person hears from the gateway, on a real Redis: in
their own language, advice for what happened to any message but plain thanks, and
the feeling they named (the emotion analysis is unavailable here unless a test runs
it, as when the action server is down: flags and words decide)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.conversations import Conversations, Inbound
from bot.handoff import HandoffQueue, UrgencyFlag
from bot.handoff.config import load_config
from bot.texts import say
from bot.waiting_english import HOW_HEAR
from tests.bot.handoff.conftest import (
    CONFIG,
    Clock,
    online_agent,
    own_conversations,
    request,
)
from tests.hours import closed_for_days


async def waiting(
    conversations: Conversations,
    cid: str,
    texts: list[str],
    language: str = "",
    flags: frozenset[UrgencyFlag] = frozenset(),
) -> list[str]:
    """Queue ``cid`` (in ``language``, with ``flags``), send ``texts`` one by one;
    the gateway's reply to each."""
    slots = {"language": language} if language else {}
    await conversations.queue.enqueue(replace(request(cid, flags=flags), slots=slots))
    replies = []
    for text in texts:
        outcome = await conversations.customer_message(Inbound(cid, "web", text))
        [reply] = outcome.replies
        replies.append(reply.text)
    return replies


async def standing(conversations: Conversations, cid: str, language: str = "") -> str:
    """Where ``cid`` stands while nobody is online, in one short line."""
    position = str((await conversations.queue.position(cid)).position)
    return say("waiting_standing_nobody_position", language, position=position)


def still(answer: str, language: str = "") -> str:
    """A how-long answer as the first question about the wait gets it: that they are
    still waiting heard first."""
    return f"{say('waiting_ack_waiting', language)} {answer}"


async def test_a_frightened_fraud_victim_gets_the_advice_in_spanish(
    conversations: Conversations,
) -> None:
    replies = await waiting(
        conversations,
        "web-es-fraud",
        [
            "¿Y ahora qué hago? Estoy muy nerviosa, no paro de temblar",
            "Gracias",
            "¿Cuánto van a tardar?",
            "¿Cuánto van a tardar?",
            "Estoy muy preocupada por mi cuenta",
        ],
        "es",
        frozenset({UrgencyFlag.FRAUD}),
    )
    asked = say("waiting_asked_fraud", "es")
    assert asked != say("waiting_asked_fraud") and "banco" in asked
    assert replies == [
        # the feeling heard first, then what to do about it and what we will do
        f"{say('waiting_ack_anxiety', 'es')} {asked}",
        say("waiting_thanks_care", "es"),  # after a fraud: care, not "de nada"
        still(say("waiting_nobody_online", "es"), "es"),  # how long: nobody online
        # asked again: no time can be given, and where they stand, not the same words
        say("waiting_no_time_position", "es", position="1"),
        say("waiting_felt_anxiety", "es"),
    ]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Ich bin total in Panik."),
        ("es", "Estoy en pánico."),
        ("fr", "Je panique complètement."),
        ("it", "Sono nel panico."),
        ("nl", "Ik ben in paniek."),
        ("pt", "Estou em pânico."),
        ("pl", "Jestem w panice."),
        ("sv", "Jag får panik."),
    ],
)
async def test_panic_told_while_waiting_is_heard_in_every_language(
    conversations: Conversations, language: str, text: str
) -> None:
    """Panic put into words after a fraud is heard first (the feeling the fraud
    brings), not met with the advice alone."""
    [reply] = await waiting(
        conversations,
        f"web-{language}-panic",
        [text],
        language,
        frozenset({UrgencyFlag.FRAUD}),
    )
    assert reply.startswith(say("waiting_ack_anxiety", language)), reply


@pytest.mark.parametrize(
    "language", ["", "de", "es", "fr", "it", "nl", "pt", "pl", "sv"]
)
async def test_something_that_smoked_and_hurt_nobody_is_a_fire_risk_not_a_doctor(
    conversations: Conversations, language: str
) -> None:
    """Handed over for a hazard (it overheated, sparked or smoked), nobody hurt: what
    to do about the fire risk, and "can it catch fire?" answered so, never "see a
    doctor"; handed over for an injury, the doctor first as before."""
    cid = f"web-hazard-{language or 'en'}"
    hazard = replace(
        request(cid, flags=frozenset({UrgencyFlag.SAFETY})),
        reasons=["hazard"],
        slots={"language": language} if language else {},
    )
    await conversations.queue.enqueue(hazard)
    asked = {
        "": "Can it catch fire? What do I do with it?",
        "de": "Kann es brennen? Was soll ich jetzt tun?",
        "es": "¿Puede arder? ¿Qué hago ahora?",
        "fr": "Est-ce qu'il peut prendre feu ? Qu'est-ce que je dois faire ?",
        "it": "Può prendere fuoco? Cosa devo fare adesso?",
        "nl": "Kan het vlam vatten? Wat moet ik nu doen?",
        "pt": "Pode pegar fogo? O que devo fazer agora?",
        "pl": "Czy to może się zapalić? Co mam teraz zrobić?",
        "sv": "Kan den börja brinna? Vad ska jag göra nu?",
    }
    outcome = await conversations.customer_message(Inbound(cid, "web", asked[language]))
    [reply] = outcome.replies
    hazard_words = (
        say("waiting_asked_hazard", language),
        say("waiting_advice_hazard", language),
    )
    assert any(words in reply.text for words in hazard_words), reply.text
    assert say("waiting_advice_safety", language) not in reply.text


async def test_thanks_after_something_grave_is_met_with_care(
    conversations: Conversations,
) -> None:
    """ "Thank you" from someone whose husband died is not met with a breezy
    "you're welcome"; from someone with a plain question it is."""
    grave = await waiting(
        conversations,
        "web-loss-thanks",
        ["Thank you."],
        "",
        frozenset({UrgencyFlag.BEREAVEMENT}),
    )
    assert grave == [say("waiting_thanks_care")]
    for language in ("de", "fr", "pl"):
        said = await waiting(
            conversations,
            f"web-loss-thanks-{language}",
            [{"de": "Danke.", "fr": "Merci.", "pl": "Dziękuję."}[language]],
            language,
            frozenset({UrgencyFlag.SAFETY}),
        )
        assert said == [say("waiting_thanks_care", language)]
        assert said[0] != say("waiting_thanks_care")  # in their language
    plain = await waiting(conversations, "web-plain-thanks", ["Thank you."])
    assert plain == [say("waiting_thanks")]


async def test_what_to_do_now_is_answered_by_what_happened_in_every_language(
    conversations: Conversations,
) -> None:
    """ "What do I do now?" or "what happens next?" asks about what happened (the
    ticket's flag), not a general question that shares a word with it; asked again,
    what the person will do, and where they stand in words not said yet."""
    card = await waiting(
        conversations,
        "web-card",
        ["someone has my card details now, what do I do?", "what happens next?"],
        flags=frozenset({UrgencyFlag.FRAUD}),
    )
    assert card[0] == say("waiting_asked_fraud")
    assert (
        card[1] == f"{say('waiting_next')} {await standing(conversations, 'web-card')}"
    )
    for language, question in (
        ("de", "Das hätte schlimm ausgehen können. Was passiert jetzt?"),
        ("fr", "Qu'est-ce que je dois faire maintenant ?"),
        ("it", "E adesso? Cosa devo fare?"),
        ("nl", "Wat moet ik nu doen?"),
        ("pt", "O que faço agora?"),
        ("pl", "Co mam teraz zrobić?"),
    ):
        [reply] = await waiting(
            conversations,
            f"web-safety-{language}",
            [question],
            language,
            frozenset({UrgencyFlag.SAFETY}),
        )
        assert reply == say("waiting_asked_safety", language), language
        assert reply != say("waiting_asked_safety")
    # a flag without its own answer: the advice, once; then where they stand
    health = await waiting(
        conversations,
        "web-health",
        ["what happens now?", "so what now"],
        flags=frozenset({UrgencyFlag.HEALTH}),
    )
    # the advice says who acts already: where they stand, not "a person will
    # reply here" on top
    where = await standing(conversations, "web-health")
    assert health[0] == f"{say('waiting_advice_health')} {where}"
    assert health[1].startswith(say("waiting_next")) and where not in health[1]


async def test_an_ok_or_i_will_wait_is_thanked_for_patience_in_every_language(
    conversations: Conversations,
) -> None:
    """ "ok", "fine, I'll wait", "Dobrze, poczekam." are met with thanks for their
    patience, not with who will reply (the handoff message said that); thanks with
    "you're welcome", and neither line twice in a row."""
    english = await waiting(
        conversations, "web-ok", ["ok", "fine, I'll wait then", "cheers", "thanks"]
    )
    assert english == [
        say("waiting_patience"),
        say("waiting_thanks_again"),  # not the same words twice in a row
        say("waiting_thanks"),
        say("waiting_thanks_again"),
    ]
    assert "reply" not in " ".join(english) and "see everything" not in " ".join(
        english
    )
    # long, and only warm: still thanks; long with something else in it: not
    warm = await waiting(
        conversations,
        "web-warm",
        ["Oh thank you ever so much, that's really kind and you have been so patient"],
    )
    assert warm == [say("waiting_thanks")]
    # ...and thanks for what helped a little, or an ok in slang: not "I've added
    # that to your conversation"
    helped = await waiting(
        conversations, "web-helped", ["ok thank you, that helps a bit"]
    )
    assert helped == [say("waiting_thanks")]
    [slang] = await waiting(conversations, "web-slang", ["aight bet"])
    assert slang == say("waiting_patience")
    more = await waiting(
        conversations, "web-warm-more", ["thank you but it still has not come at all"]
    )
    assert more != [say("waiting_thanks")]
    for language, text in (
        ("de", "Gut, ich warte."),
        ("es", "Vale, espero."),
        ("fr", "D'accord, j'attends."),
        ("it", "Va bene, aspetto."),
        ("nl", "Oké, we zien het wel."),
        ("pt", "Está bem, aguardo."),
        ("pl", "Dobrze, poczekam."),
        # an ok with a word before it ("Ist gut.", "Tá bem"): no question
        ("de", "Na, ist gut."),
        ("pt", "Tá bem."),
        ("nl", "Dat is duidelijk."),
        ("sv", "Det är lugnt."),
    ):
        cid = f"web-ok-{language}-{len(text)}"
        [reply] = await waiting(conversations, cid, [text], language)
        assert reply == say("waiting_patience", language) != say("waiting_patience")
    # "I hope" is no "I'll wait"
    [hope] = await waiting(
        conversations, "web-hope", ["Espero que llegue pronto."], "es"
    )
    assert hope != say("waiting_patience", "es")


@pytest.mark.parametrize(
    "text",
    [
        "what do I do with the broken one?",
        "what do I do to change my address",
        "whatever happens now is fine",
    ],
)
def test_a_question_that_goes_on_is_no_what_now(text: str) -> None:
    from bot.waiting_english import WHAT_NOW

    assert not WHAT_NOW.search(text.lower())


async def test_a_german_customer_is_answered_about_what_they_wrote(
    conversations: Conversations,
) -> None:
    replies = await waiting(
        conversations,
        "web-de",
        [
            "Danke!",
            "Danke",
            "Wann meldet sich denn jemand bei mir",
            "Können Sie mich bitte anrufen?",
            "Es geht um die Bestellung 48213",
            "Ich bin verwirrt, ich weiß nicht, wie das hier alles funktioniert",
            "Ich möchte mit einem Mitarbeiter sprechen",
            "ok",
            "PLZ 10115",
        ],
        "de",
    )
    assert replies[:6] == [
        say("waiting_thanks", "de"),
        say("waiting_thanks_again", "de"),
        still(say("waiting_nobody_online", "de"), "de"),  # when someone comes
        say("waiting_call", "de"),
        say("waiting_added_order", "de", order="48213"),
        say("waiting_felt_confusion", "de"),
    ]
    # asked for a person: told so; that nobody is online was said a moment ago
    assert replies[6] == say("waiting_person_asked", "de")
    assert replies[7] == say("waiting_patience", "de")  # "ok": their patience
    # a postcode is not noted as an order
    assert replies[8] != say("waiting_added_order", "de", order="10115")
    assert all(r not in (say("waiting_thanks"), say("waiting_call")) for r in replies)


async def test_a_bereaved_customer_gets_the_advice_once_without_asking(
    conversations: Conversations,
) -> None:
    replies = await waiting(
        conversations,
        "web-bereaved",
        [
            "thank you",
            "I don't really know how any of this works, he always handled these things",
            "his name was on the account",
        ],
        flags=frozenset({UrgencyFlag.BEREAVEMENT}),
    )
    where = await standing(conversations, "web-bereaved")
    assert replies == [
        say("waiting_thanks_care"),  # plain thanks: thanked, with care
        # the advice says the person will take care of it: then where they stand,
        # not a second sentence that a person will reply
        f"{say('waiting_ack_loss')} {say('waiting_advice_bereavement')} {where}",
        say("waiting_for_person"),
    ]
    assert "person who picks this up" in say("waiting_advice_bereavement")


async def test_a_line_said_once_in_the_chat_is_not_said_on_every_message(
    conversations: Conversations,
) -> None:
    """Waiting replies do not repeat a clause an earlier one said word for word (a
    reviewer reads "they'll see everything" six times as a template); what is new
    in them stays, each reply starts a sentence, and a reply with nothing new left
    is said whole (the alternation of whole replies takes care of it)."""
    replies = await waiting(
        conversations,
        "web-once",
        ["I don't know what to do now", "it was his account", "ok", "thanks"],
        flags=frozenset({UrgencyFlag.BEREAVEMENT}),
    )
    seen: set[str] = set()
    for reply in replies:
        clauses = [_plain(c) for c in CLAUSE.findall(reply)]
        assert reply[0].isupper(), reply
        if not set(clauses) <= seen:  # something new: nothing old beside it
            assert not set(clauses) & seen, (reply, replies)
        seen |= set(clauses)
    assert len(seen) >= 4, replies


CLAUSE = re.compile(r"[^.?!;]+[.?!;]*")


def _plain(clause: str) -> str:
    return " ".join(clause.lower().strip(" .?!;").split())


async def test_a_call_request_after_something_serious_gets_both(
    conversations: Conversations,
) -> None:
    [reply] = await waiting(
        conversations,
        "web-call",
        ["can somebody phone me instead?"],
        flags=frozenset({UrgencyFlag.SAFETY}),
    )
    assert reply == f"{say('waiting_advice_safety')} {say('waiting_call')}"


async def test_a_confused_customer_hears_they_will_be_taken_through_it(
    conversations: Conversations,
) -> None:
    from actions.mood import analyzer, compact

    text = "I'm confused, I don't understand what happens now"
    analysis = compact(analyzer().analyze(text, []))
    assert analysis["label"] == "confusion"
    reply = await conversations.waiting.reply("web-confused", text, analysis, [])
    assert reply == say("waiting_felt_confusion")
    assert "step by step" in reply


async def test_how_long_the_wait_is_gets_an_answer_not_a_promise(
    client: aioredis.Redis, prefix: str, clock: Clock, tmp_path: Path
) -> None:
    """ "How long will the wait be?" is answered with what we know: when the team
    is back outside business hours, else the place in line and the expected wait."""
    path = tmp_path / "handoff.yml"
    back = closed_for_days(path, clock.now)
    closed = HandoffQueue(client, prefix=prefix, config=load_config(path), clock=clock)
    async with own_conversations(closed) as conv:
        [reply] = await waiting(conv, "web-wait-closed", ["how long will the wait be?"])
        [german] = await waiting(
            conv, "web-wait-de", ["Wie lange muss ich noch warten?"], "de"
        )
    assert reply == still(say("waiting_back", back=back))
    assert back in reply
    # German writes the time its own way: "am 01.12. um 07:30 Uhr (Berlin)"
    assert german.startswith(still("Unser Team ist am ", "de"))
    assert "um 07:30 Uhr (Berlin)" in german
    open_queue = HandoffQueue(client, prefix=prefix, config=CONFIG, clock=clock)
    async with own_conversations(open_queue) as conv:
        replies = await waiting(
            conv,
            "web-wait-open",
            ["when will someone get back to me?", "how long does a refund take?"],
        )
        until = await waiting(
            conv, "web-wait-until", ["how long until somebody answers me?"]
        )
        longer = await waiting(conv, "web-wait-longer", ["how much longer??"])
        this = await waiting(conv, "web-wait-this", ["how long's this gonna take"])
        there = await waiting(conv, "web-wait-there", ["hello? are you still there?"])
        french = await waiting(conv, "web-wait-la", ["Vous êtes toujours là ?"], "fr")
        # "how long ... wait", however the language puts it
        asked_how_long = {
            code: await waiting(conv, f"web-wait-{code}", [text], code)
            for code, text in (
                ("pl", "Ile jeszcze będę tu czekać?"),
                ("de", "Wie lange soll ich denn noch warten?"),
                ("nl", "Hoelang moet ik hier nog op wachten?"),
            )
        }
    # nobody online: said honestly; a question about something else is no wait
    assert replies[0] == still(say("waiting_nobody_online"))
    assert replies[1] == say("waiting_question")
    assert until == longer == this == [still(say("waiting_nobody_online"))]
    # "are you still there?": yes, in line for a person (where they stand, too)
    assert there[0].startswith(say("waiting_person_asked"))
    assert french == [still(say("waiting_nobody_online", "fr"), "fr")]
    for code, reply in asked_how_long.items():
        [answer] = reply
        assert answer.endswith(say("waiting_nobody_online", code)), code


async def test_how_long_is_answered_even_where_the_handoff_message_said_it(
    conversations: Conversations,
) -> None:
    """An agent online and the customer first in line, told so by the handoff
    message: "how long will that take?" still hears where they stand, not only
    that they are still waiting."""
    await online_agent(conversations.queue, "a-wait", capacity=1)
    await conversations.queue.enqueue(request("web-said-where"))
    place = say("waiting_position", position="1")
    reply = await conversations.waiting.reply(
        "web-said-where",
        "how long will that take?",
        None,
        [f"A person will take this over. {place}", say("waiting_thanks")],
        told_where=True,
    )
    assert place in reply, reply


async def test_what_to_do_about_what_happened_is_answered_not_passed_on(
    conversations: Conversations,
) -> None:
    """After the advice for a serious situation, a question about it that no general
    answer covers ("should I keep it?", "how do I make my account safe?") gets the
    answer for what happened, once; asked again, it waits for the person (after
    something that hurt someone, what holds for keeping it, in short)."""
    safety = await waiting(
        conversations,
        "web-keep",
        ["it burnt my hand", "should I keep it?", "and should I keep the box?"],
        flags=frozenset({UrgencyFlag.SAFETY}),
    )
    assert safety == [
        f"{say('waiting_advice_safety')} {say('waiting_advice_then')}",
        say("waiting_asked_safety"),
        # not the same answer twice in a row: keep it, don't use it, collected
        say("waiting_fits_safety"),
    ]
    [polish] = await waiting(
        conversations,
        "web-fraud-pl",
        ["Co mam teraz zrobić?"],
        "pl",
        frozenset({UrgencyFlag.FRAUD}),
    )
    # what to do now: what to do about the card, and what the person will do
    assert polish == say("waiting_asked_fraud", "pl")
    fraud = await waiting(
        conversations,
        "web-fraud-en",
        ["ok", "how do I make my account safe meanwhile?"],
        flags=frozenset({UrgencyFlag.FRAUD}),
    )
    assert fraud[1] == say("waiting_asked_fraud")
    assert "bank" in fraud[1] and "password" in fraud[1]


async def test_a_worried_question_gets_the_feeling_named_then_the_answer(
    conversations: Conversations,
) -> None:
    from actions.mood import analyzer, compact

    text = "I'm a bit worried, what should I do with it meanwhile?"
    analysis = compact(analyzer().analyze(text, []))
    assert analysis["label"] == "anxiety"
    reply = await conversations.waiting.reply(
        "web-worried", text, analysis, ["something said before"], UrgencyFlag.SAFETY
    )
    advice = say("waiting_advice_safety")
    # the feeling heard, then the advice, said once
    then = say("waiting_advice_then")
    assert reply == f"{say('waiting_ack_anxiety')} {advice} {then}"
    reply = await conversations.waiting.reply(
        "web-worried",
        text,
        analysis,
        [f"{advice} {say('waiting_advice_then')}"],
        UrgencyFlag.SAFETY,
    )
    assert reply == f"{say('waiting_ack_anxiety')} {say('waiting_asked_safety')}"


async def test_something_serious_said_while_waiting_in_another_language_gets_its_advice(
    conversations: Conversations,
) -> None:
    """The ticket had no flag; the customer's own words in French say their bank
    details were taken and they ask what to do: what to do about it, in French."""
    [reply] = await waiting(
        conversations,
        "web-fr-phishing",
        ["Je viens de voir des débits inconnus sur mon compte, que dois-je faire ?"],
        "fr",
    )
    assert reply == say("waiting_asked_fraud", "fr")
    assert "banque" in reply


def test_a_short_question_with_filler_words_is_still_a_question() -> None:
    """ "so like when tho" asks something (the person, or what we know, answers it);
    it is not only "added to your conversation"."""
    from bot.waiting_reading import asks

    assert asks("so like when tho") and asks("ok, sweet, where is it now")
    assert not asks("so I waited all day")


async def test_no_see_a_doctor_first_to_someone_who_has_seen_one(
    conversations: Conversations,
) -> None:
    """The safety advice ("see a doctor first") is not said to a customer who says
    the one hurt is all right now or has been seen; in French too."""
    [english] = await waiting(
        conversations,
        "web-seen-en",
        ["She's fine now, the GP checked her hand."],
        flags=frozenset({UrgencyFlag.SAFETY}),
    )
    assert say("waiting_advice_safety") not in english
    [french] = await waiting(
        conversations,
        "web-seen-fr",
        ["Nous sommes allés aux urgences hier, il va mieux."],
        "fr",
        frozenset({UrgencyFlag.SAFETY}),
    )
    assert say("waiting_advice_safety", "fr") not in french
    [unhurt] = await waiting(
        conversations,
        "web-unhurt-fr",
        ["Il n'a rien, heureusement, mais j'ai eu très peur."],
        "fr",
        frozenset({UrgencyFlag.SAFETY}),
    )
    assert say("waiting_advice_safety", "fr") not in unhurt
    [unseen] = await waiting(
        conversations,
        "web-unseen-en",
        ["it really hurts and it's gone red"],
        flags=frozenset({UrgencyFlag.SAFETY}),
    )
    assert unseen.startswith(say("waiting_advice_safety"))


async def test_a_person_asked_for_again_or_in_capitals_hears_the_wait_named(
    conversations: Conversations,
) -> None:
    """Asked for a person once: in line already. Asked again, or shouting in any
    language: the wait itself is acknowledged, not the same line again."""
    replies = await waiting(
        conversations,
        "web-insists",
        ["can I talk to someone please", "I asked for someone"],
    )
    assert replies[0].startswith(say("waiting_person_asked"))
    assert replies[1].startswith(say("waiting_person_insists"))
    [spanish] = await waiting(
        conversations, "web-insists-es", ["QUIERO HABLAR CON UNA PERSONA"], "es"
    )
    # shouted: the impatience named, and where they stand
    where = await standing(conversations, "web-insists-es", "es")
    assert spanish == f"{say('waiting_ack_impatient', 'es')} {where}"


async def test_nobody_hurt_or_a_telephone_asked_for_is_read_as_said(
    conversations: Conversations,
) -> None:
    """ "Nobody was hurt" (in Polish) gets no doctor advice; a telephone asked for
    gets the call taken up, not only "you're in line"."""
    [polish] = await waiting(
        conversations,
        "web-nobody-pl",
        ["Nikomu nic się nie stało, ale jestem w szoku."],
        "pl",
        frozenset({UrgencyFlag.SAFETY}),
    )
    assert say("waiting_advice_safety", "pl") not in polish
    [phone] = await waiting(
        conversations,
        "web-telephone",
        ["can i speak to a person on the telephone please?"],
    )
    assert phone == say("waiting_call")


async def test_a_feeling_in_another_language_is_heard_with_what_went_wrong_earlier(
    conversations: Conversations,
) -> None:
    """The double charge was told first; the worry comes later, with a question
    how long: the worry and the double charge are named before the answer, in
    Spanish, whatever the answer is."""
    replies = await waiting(
        conversations,
        "web-es-double",
        [
            "Me cobraron dos veces el pedido 300418862",
            "Estoy muy preocupada, ¿cuánto van a tardar?",
        ],
        "es",
    )
    worry, care = "Entiendo su preocupación.", "Siento mucho que se le haya cobrado"
    assert not replies[0].startswith(worry)  # no feeling named: none heard
    assert replies[1].startswith(f"{worry} {care}"), replies[1]
    assert replies[1].endswith(say("waiting_nobody_online", "es"))


async def test_an_english_feeling_is_heard_before_any_other_answer(
    conversations: Conversations,
) -> None:
    """ "I'm really shaken, I want someone to look into this": the feeling and what
    it is about (the analysis's concern, named in an earlier message) before "you're
    in line"; a request to be rung after a feeling gets the words for it too."""
    from actions.mood import analyzer, compact

    await conversations.queue.enqueue(request("web-shaken"))
    text = "I'm really worried. I want someone to look into this properly"
    analysis = compact(analyzer().analyze(text, []))
    assert analysis["label"] == "anxiety"
    named = {**analysis, "concern": "the double charge"}
    reply = await conversations.waiting.reply("web-shaken", text, named, [])
    heard = say("concern_ack_anxiety", concern="the double charge")
    assert reply.startswith(f"{heard} "), reply
    assert reply.count("I'm sorry") == 1  # heard once, not twice in other words
    # the same words are not said twice in a row
    again = await conversations.waiting.reply("web-shaken", text, named, [reply])
    assert not again.startswith(heard)
    text = "I'm so worried about this, can someone ring me?"
    analysis = compact(analyzer().analyze(text, []))
    reply = await conversations.waiting.reply("web-shaken", text, analysis, [])
    assert reply == f"{say('waiting_ack_anxiety')} {say('waiting_call')}"


async def test_a_feeling_with_its_reason_is_said_back_while_waiting(
    conversations: Conversations,
) -> None:
    """The analysis's ``felt`` (the feeling and what it is about in the customer's
    words, said back) comes before any concern read from the topic."""
    from actions.mood import analyzer, compact

    await conversations.queue.enqueue(request("web-felt"))
    text = "I'm worried that I paid twice for the same lamp"
    analysis = {
        **compact(analyzer().analyze(text, [])),
        "concern": "the double charge",
        "felt": {"label": "anxiety", "words": "worried that you paid twice"},
    }
    reply = await conversations.waiting.reply("web-felt", text, analysis, [])
    heard = say("felt_ack_anxiety", felt="worried that you paid twice")
    assert reply.startswith(f"{heard} "), reply
    assert "the double charge" not in reply


@pytest.mark.parametrize(
    "asked", ["when will I hear back?", "will it take long?", "HELLO??", "hi?"]
)
async def test_asking_when_in_other_words_gets_where_they_stand(
    conversations: Conversations, asked: str
) -> None:
    """No one is online: "when will I hear back?" or a bare "HELLO??" gets that, not
    "the person will answer that here"."""
    [reply] = await waiting(conversations, f"web-when-{len(asked)}", [asked])
    assert reply == still(say("waiting_nobody_online"))


async def test_someone_else_is_no_request_for_a_person(
    conversations: Conversations,
) -> None:
    [reply] = await waiting(
        conversations,
        "web-someone-else",
        ["I just want to be sure this doesn't happen to someone else"],
    )
    assert reply != say("waiting_person_asked")


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("", ["she's ok-ish, we went to the GP", "what happens now?"]),
        ("pl", ["Nic poważnego, syn ma tylko małe skaleczenie", "Co teraz?"]),
    ],
)
async def test_once_told_they_are_all_right_the_safety_advice_is_not_said(
    conversations: Conversations, language: str, texts: list[str]
) -> None:
    """ "We went to the GP" earlier, or "nothing serious": no "see a doctor first"
    later in the wait either."""
    replies = await waiting(
        conversations,
        f"web-seen-{language or 'en'}",
        texts,
        language,
        frozenset({UrgencyFlag.SAFETY}),
    )
    advice = say("waiting_advice_safety", language)
    assert not any(advice in reply for reply in replies), replies


async def test_perfect_while_waiting_is_thanks(conversations: Conversations) -> None:
    [reply] = await waiting(conversations, "web-it-perfetto", ["Perfetto"], "it")
    assert reply == say("waiting_thanks", "it")


@pytest.mark.parametrize(
    "text",
    [
        "Thanks ever so much, you've been so patient with me.",
        "Much obliged.",
        "I'm really grateful",
    ],
)
async def test_warm_thanks_while_waiting_is_thanks(
    conversations: Conversations, text: str
) -> None:
    """Thanks in warm words ("you've been so patient with me", "much obliged") is
    thanked, not "I've added that to your conversation"."""
    [reply] = await waiting(conversations, f"web-warm-{len(text)}", [text])
    assert reply in {say("waiting_thanks"), say("waiting_thanks_again")}, reply


@pytest.mark.parametrize("asked", ["how long tho", "when?", "so when now"])
async def test_a_bare_when_while_waiting_is_about_the_wait(
    conversations: Conversations, asked: str
) -> None:
    [reply] = await waiting(conversations, f"web-bare-{len(asked)}", [asked])
    assert reply == still(say("waiting_nobody_online"))


async def test_a_shouted_question_about_the_wait_gets_where_they_stand(
    conversations: Conversations,
) -> None:
    """ "HELLO?? HOW LONG DO I HAVE TO WAIT" is upset and asks how long: the words
    for the feeling, then that nobody is online yet, not only "passed on"."""
    from actions.mood import analyzer, compact

    await conversations.queue.enqueue(request("web-shouted-wait"))
    text = "HELLO?? HOW LONG DO I HAVE TO WAIT, THIS IS RIDICULOUS"
    analysis = compact(analyzer().analyze(text, []))
    reply = await conversations.waiting.reply("web-shouted-wait", text, analysis, [])
    assert reply.endswith(say("waiting_nobody_online")), reply


async def test_a_date_it_is_needed_by_is_heard_while_waiting(
    conversations: Conversations,
) -> None:
    """ "the party is on Saturday" while waiting: the date heard in the customer's
    terms and that the person will see it, not "Thanks, I've added that"."""
    from actions.empathy import empathy_book
    from actions.mood import analyzer, compact
    from actions.situation import Situation

    text = "my daughter's party is on saturday"
    result = analyzer().analyze(text, [])
    heard = empathy_book().deadline(
        result.circumstances, Situation(None, None, text=text, earlier=[])
    )
    assert "Saturday" in heard and "party" in heard
    analysis = {**compact(result), "deadline": heard}
    await conversations.queue.enqueue(request("web-party"))
    reply = await conversations.waiting.reply("web-party", text, analysis, [])
    assert reply == f"{heard} {say('waiting_deadline')}"
    assert say("waiting_for_person") not in reply


@pytest.mark.parametrize(
    ("language", "shaken", "outraged"),
    [
        ("de", "Ich bin immer noch ganz erschrocken.", "Das ist eine Frechheit."),
        ("es", "Todavía estoy muy asustada.", "Esto es inadmisible."),
        ("fr", "Je suis encore sous le choc.", "C'est vraiment inadmissible."),
        ("it", "Sono ancora spaventata.", "È una vergogna."),
        ("nl", "Ik ben nog steeds van slag.", "Dit is echt schandalig."),
        ("pt", "Ainda estou muito abalada.", "Isto é inaceitável."),
        ("pl", "Nadal jestem roztrzęsiona.", "To jest nie do przyjęcia."),
    ],
)
async def test_a_fright_or_outrage_is_heard_in_every_language(
    conversations: Conversations, language: str, shaken: str, outraged: str
) -> None:
    """Shaken or outraged, in words of the language: heard as worry or anger, not
    "Thanks, I've added that to your conversation"."""
    fright, anger = await waiting(
        conversations, f"web-felt-{language}", [shaken, outraged], language
    )
    assert fright == say("waiting_felt_anxiety", language)
    assert anger == say("waiting_felt_anger", language)
    assert say("waiting_felt_anger", language) != say("waiting_felt_anger")


async def test_a_plea_hears_where_they_stand_and_being_lost_is_taken_through(
    conversations: Conversations,
) -> None:
    """ "please" alone while waiting is answered with where they stand, not "Thanks,
    I've added that"; "I don't know what to do now" with nothing serious behind it
    hears that the person will take them through it (in their language too)."""
    english = await waiting(
        conversations, "web-plea", ["please", "I don't know what to do now"]
    )
    assert english == [
        still(say("waiting_nobody_online")),
        say("waiting_felt_confusion"),
    ]
    polish = await waiting(
        conversations, "web-plea-pl", ["Proszę.", "Nie wiem, co mam robić."], "pl"
    )
    assert polish == [
        still(say("waiting_nobody_online", "pl"), "pl"),
        say("waiting_felt_confusion", "pl"),
    ]


async def test_asking_for_a_manager_while_waiting_is_seen(
    conversations: Conversations,
) -> None:
    """ "I want to speak to a manager" while waiting: that they asked is seen, not
    only "you're in line"; asked again, the wait itself is heard."""
    english = await waiting(
        conversations,
        "web-manager",
        ["I want to speak to a manager.", "get me a manager please"],
    )
    assert english[0].startswith(say("waiting_manager"))
    assert english[1].startswith(say("waiting_person_insists"))
    [german] = await waiting(
        conversations,
        "web-manager-de",
        ["Ich möchte mit Ihrem Vorgesetzten sprechen."],
        "de",
    )
    assert german.startswith(say("waiting_manager", "de"))
    # in a formal register, without "speak to"
    [formal] = await waiting(
        conversations,
        "web-manager-formal",
        ["Kindly have a supervisor review this matter."],
    )
    assert formal.startswith(say("waiting_manager")), formal


async def test_asking_to_be_contacted_is_a_call_request_and_a_visit_is_seen(
    conversations: Conversations,
) -> None:
    """ "I'd like someone to contact me" is a call asked for, question or not (in
    German too); "we were in A&E" in German word order means the doctor has seen
    them: no "see a doctor first"."""
    [english] = await waiting(
        conversations, "web-contact", ["I would like someone to contact me."]
    )
    assert english == say("waiting_call")
    [german] = await waiting(
        conversations,
        "web-contact-de",
        ["Wir waren in der Notaufnahme. Bitte melden Sie sich persönlich bei mir."],
        "de",
        frozenset({UrgencyFlag.SAFETY}),
    )
    assert say("waiting_advice_safety", "de") not in german
    assert say("waiting_call", "de") in german


async def test_a_question_left_for_the_person_says_where_the_customer_stands(
    conversations: Conversations,
) -> None:
    """ "can you send a new one?" needs a decision: the person sees what they want
    straight away, and the customer hears honestly that nobody is online; asked
    again right after, not the same line about who is online again."""
    replies = await waiting(
        conversations,
        "web-decide",
        ["could you post me a new one instead?", "and would that be free?"],
    )
    wanted = say("wants_named", wanted="us to post you a new one instead")
    assert replies[0] == f"{wanted} {say('waiting_nobody_online')}"
    assert say("waiting_nobody_online") not in replies[1]


async def test_a_question_after_a_death_is_answered_not_put_off(
    conversations: Conversations,
) -> None:
    """Waiting after telling us of a death, a question about the order that no
    general answer covers: nothing is needed from them and the person arranges
    whatever is needed, a return or refund included; not only "nothing to do
    meanwhile", and no "no rush" (they may want it stopped soon)."""
    text = "and what happens with the order he had, do I have to do something?"
    reply = await conversations.waiting.reply(
        "web-bereaved-asks",
        text,
        None,
        ["something said before"],
        UrgencyFlag.BEREAVEMENT,
    )
    # their loss named (once while they wait), then the answer
    loss = say("waiting_ack_loss")
    assert reply == f"{loss} {say('waiting_asked_bereavement')}"
    assert "refund" in reply and "nothing you need to do" in reply
    assert "no rush" not in reply and "password" not in reply  # maybe their own order


async def test_the_feeling_something_serious_brings_is_named_once_while_waiting(
    conversations: Conversations,
) -> None:
    """After a death the waiting customer's follow-up is met with their loss, once,
    whatever its own words say; after a child was hurt, a follow-up whose reading
    is frustration ("nobody told me") is met with worry for them, not with "I'm
    sorry this is so frustrating"; anger they put into words stays anger."""
    from actions.emotion.models import Turn
    from actions.mood import analyzer, compact

    bereaved = await waiting(
        conversations,
        "web-loss",
        ["is there any paperwork you need from me?", "and the card it was paid with?"],
        flags=frozenset({UrgencyFlag.BEREAVEMENT}),
    )
    loss = say("waiting_ack_loss")
    assert bereaved[0].startswith(loss), bereaved
    assert loss not in bereaved[1], bereaved  # once, not on every message
    assert "worried" not in " ".join(bereaved)
    hurt = "The heater scorched my little boy's arm."
    text = "Nobody told me these could catch fire, who should I tell about it?"
    analysis = compact(analyzer().analyze(text, [Turn("customer", hurt)]))
    assert analysis["label"] == "frustration"  # what the reading alone says
    reply = await conversations.waiting.reply(
        "web-fire", text, analysis, ["something said before"], UrgencyFlag.SAFETY
    )
    assert reply.startswith(say("waiting_ack_anxiety")), reply
    assert "frustrating" not in reply
    angry = "I am furious that you sell heaters that catch fire"
    analysis = compact(analyzer().analyze(angry, [Turn("customer", hurt)]))
    assert analysis["label"] == "anger"
    reply = await conversations.waiting.reply(
        "web-fire-angry", angry, analysis, [], UrgencyFlag.SAFETY
    )
    assert "angry" in reply and "worried" not in reply, reply
    [spanish] = await waiting(
        conversations,
        "web-loss-es",
        ["¿Necesitan algún documento?"],
        "es",
        frozenset({UrgencyFlag.BEREAVEMENT}),
    )
    assert spanish.startswith(say("waiting_ack_loss", "es")), spanish


async def test_a_fright_put_into_words_is_named_as_a_fright_not_as_worry(
    conversations: Conversations,
) -> None:
    """ "I'm really shaken" after a child was hurt is the fright, in its own words;
    not "I can hear how worried you are"."""
    from actions.emotion.models import Turn
    from actions.mood import analyzer, compact

    hurt = "The toaster threw sparks at my daughter and singed her fingers."
    for text in (
        "The doctor says she'll heal, but I'm still quite shaken by it.",
        "It gave us such a fright, honestly.",
    ):
        analysis = compact(analyzer().analyze(text, [Turn("customer", hurt)]))
        reply = await conversations.waiting.reply(
            "web-fright",
            text,
            analysis,
            [say("waiting_advice_safety")],  # the advice was given already
            UrgencyFlag.SAFETY,
        )
        assert reply.startswith(say("waiting_ack_fright")), reply
        assert "worried" not in reply


async def test_a_person_asked_for_after_something_serious_is_granted_warmly(
    conversations: Conversations,
) -> None:
    """After a death, "I'd rather talk to someone" is met with the loss named ("With
    everything you have to deal with after your loss...") the first time, then with
    "Of course, and I'm sorry you have to wait", never a bare "You're in line";
    after a fraud, the worry about their details; without a flag the plain line
    stays."""
    for language, texts in (
        (
            "",
            [
                "is there any paperwork you need?",
                "I'd rather talk to someone, please.",
                "can I just talk to someone please",
            ],
        ),
        (
            "es",
            [
                "¿Necesitan algún documento?",
                "¿Me puede atender una persona?",
                "Quiero hablar con una persona.",
            ],
        ),
    ):
        replies = await waiting(
            conversations,
            f"web-warm-{language or 'en'}",
            texts,
            language,
            frozenset({UrgencyFlag.BEREAVEMENT}),
        )
        first = say("waiting_person_asked_bereavement", language)
        assert replies[1].startswith(first), replies
        assert first not in replies[2], replies
    [fraud] = await waiting(
        conversations,
        "web-warm-fraud",
        ["can someone from your team check my account?"],
        "",
        frozenset({UrgencyFlag.FRAUD}),
    )
    assert fraud.startswith(say("waiting_person_asked_fraud")), fraud
    [plain] = await waiting(
        conversations, "web-plain-person", ["I'd rather talk to someone, please."]
    )
    assert plain.startswith(say("waiting_person_asked")), plain


async def test_what_becomes_of_a_broken_or_wrong_item_is_answered_while_waiting(
    conversations: Conversations,
) -> None:
    """After a broken or wrong item, "do I send it back?" or "can you send another?"
    while waiting gets what holds for it (keep it, the person arranges a
    replacement or refund, at no cost), once; in other languages too; a question
    about something else is not answered with it."""
    english = await waiting(
        conversations,
        "web-remedy",
        [
            "the lamp came with the glass shade smashed",
            "should I throw the lamp away?",
            "and can I get a replacement?",
        ],
    )
    assert english[1] == say("waiting_fits_damaged"), english
    assert say("waiting_fits_damaged") not in english[2]  # once
    wrong = await waiting(
        conversations,
        "web-remedy-wrong",
        ["you sent a green jumper instead of the grey one", "do I post it back first?"],
    )
    assert wrong[1] == say("waiting_fits_wrong_item"), wrong
    charged = await waiting(
        conversations,
        "web-remedy-charged",
        [
            "I've been charged twice for order 228810",
            "When will the extra payment come back? That's a lot of money for me.",
        ],
    )
    assert charged[1].endswith(say("waiting_fits_double_charge")), charged
    for language, texts in (
        ("es", ["La taza llegó rota.", "¿Me pueden mandar otra nueva?"]),
        ("de", ["Die Vase ist kaputt angekommen.", "Muss ich sie zurückschicken?"]),
        ("nl", ["De lamp is kapot aangekomen.", "Moet ik hem terugsturen?"]),
    ):
        replies = await waiting(
            conversations, f"web-remedy-{language}", texts, language
        )
        assert replies[1] == say("waiting_fits_damaged", language), (language, replies)
    other = await waiting(
        conversations,
        "web-remedy-other",
        ["the lamp came with the glass shade smashed", "do you sell candles as well?"],
    )
    assert say("waiting_fits_damaged") not in other[1]


@pytest.mark.parametrize(
    ("language", "texts", "situation"),
    [
        (
            "",
            ["my toaster has stopped working after a month", "do I get a new one?"],
            "not_working",
        ),
        (
            "",
            ["the charger wasn't in the box, only the lamp", "will you post it?"],
            "missing",
        ),
        (
            "es",
            [
                "La tostadora ya no funciona.",
                "¿Me mandan otra o me devuelven el dinero?",
            ],
            "not_working",
        ),
        (
            "pl",
            ["W paczce brakowało ładowarki.", "Czy dostanę zwrot pieniędzy?"],
            "missing",
        ),
        (
            "de",
            ["Der Föhn funktioniert nicht mehr.", "Muss ich ihn zurückschicken?"],
            "not_working",
        ),
    ],
)
async def test_what_becomes_of_an_item_that_stopped_working_or_is_missing(
    conversations: Conversations, language: str, texts: list[str], situation: str
) -> None:
    """An item that stopped working is covered by the guarantee and one missing from
    the parcel is sent or refunded with nothing to send back: "do I get a new one?"
    while waiting gets what holds for it, not "the person will answer that" nor
    the returns rule for unused items."""
    replies = await waiting(
        conversations, f"web-remedy-{situation}-{language}", texts, language
    )
    assert replies[1] == say(f"waiting_fits_{situation}", language), replies


async def test_what_a_waiting_customer_wants_done_is_named_not_just_added(
    conversations: Conversations,
) -> None:
    """ "I want my money back", "can you hold it for me?" while waiting: that the
    person sees what they want straight away, in their words (ours for theirs:
    "your", "you"), honestly not done by the bot; in another language without the
    words; a want for a person or a question put as one is not this."""
    english = await waiting(
        conversations,
        "web-wants",
        ["I want my money back, today", "Can you hold my parcel at the depot?"],
    )
    assert english[0].startswith(say("wants_named", wanted="your money back")), english
    assert english[1].startswith(
        say("wants_named", wanted="us to hold your parcel at the depot")
    ), english
    assert all(say("waiting_for_person") not in r for r in english)
    [french] = await waiting(
        conversations, "web-wants-fr", ["Je voudrais annuler la commande."], "fr"
    )
    assert french.startswith(say("waiting_wants_noted", "fr")), french
    [person] = await waiting(
        conversations, "web-wants-person", ["I want to talk to a real person"]
    )
    assert "you want" not in person
    [question] = await waiting(
        conversations, "web-wants-question", ["can you tell me if it shipped?"]
    )
    assert "you want" not in question


@pytest.mark.parametrize(
    "text", ["Should I call my bank?", "ok ty", "do I need to phone the police?"]
)
async def test_calling_someone_themselves_or_thanks_is_no_request_to_be_called(
    conversations: Conversations, text: str
) -> None:
    """ "Should I call my bank?" is a question of theirs, not a request for us to
    ring them; "ok ty" is thanks, not something added to the case."""
    [reply] = await waiting(conversations, f"web-self-call-{len(text)}", [text])
    assert reply != say("waiting_call"), reply
    assert say("waiting_for_person") not in reply, reply


async def test_thanks_and_do_i_just_wait_is_answered_with_where_they_stand(
    conversations: Conversations,
) -> None:
    """ "thank you. do I just wait here then?" asks whether there is anything to do
    but wait: where they stand, not "Thanks, I've added that"."""
    [reply] = await waiting(
        conversations, "web-just-wait", ["thank you so much. do i just wait here then"]
    )
    assert say("waiting_for_person") not in reply, reply
    assert reply == still(say("waiting_nobody_online")), reply


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("", "thank you. how will I know when someone has looked at it?"),
        ("", "Will I get an email when they reply?"),
        ("", "do I have to keep this window open?"),
        ("de", "Wie erfahre ich, wann jemand geantwortet hat?"),
        ("es", "¿Cómo sabré cuándo me responden?"),
        ("fr", "Comment je vais savoir quand quelqu'un a répondu ?"),
        ("it", "Come faccio a sapere quando mi rispondete?"),
        ("nl", "Hoe weet ik wanneer iemand heeft gereageerd?"),
        ("pt", "Como vou saber quando alguém responder?"),
        ("pl", "Jak się dowiem, że ktoś odpisał?"),
    ],
)
async def test_how_they_will_hear_back_is_where_the_reply_comes(
    conversations: Conversations, language: str, text: str
) -> None:
    """ "How will I know when someone has looked at it?" asks where the answer
    comes: here in the chat (or by phone or e-mail if they leave one), in their
    language; asked again, not the same words."""
    cid = f"web-how-hear-{language or 'en'}-{len(text)}"
    first, again = await waiting(conversations, cid, [text, text], language)
    assert first == say("waiting_how_hear", language), first
    assert again != first, again


def test_how_hear_is_no_question_about_something_else() -> None:
    """Knowing which size to pick or an e-mail about the refund is no question how
    the person's reply reaches them."""
    for text in (
        "how do I know my order is safe?",
        "how will I know which size to pick?",
        "will I get an email confirmation of the refund?",
    ):
        assert not HOW_HEAR.search(text), text


@pytest.mark.parametrize(
    ("said", "reply"),
    [
        (
            "Nasz zespół wraca 07.12 o godz. 08:00 (Berlin) i zajmie się tym.",
            "Niestety nasz zespół wraca dopiero 07.12 o godz. 08:00 (Berlin).",
        ),
        (
            "Unser Team ist wieder am 07.12. um 08:00 Uhr (Berlin) da.",
            "Leider ist unser Team erst am 07.12. um 08:00 Uhr (Berlin) wieder da.",
        ),
    ],
)
def test_a_date_is_no_end_of_a_sentence_when_clauses_said_before_go(
    said: str, reply: str
) -> None:
    """A clause said before is left out of a waiting reply; the dots of a date or
    an abbreviation ("07.12. um", "godz. 08:00") end no clause, so the time is not
    cut to "07. 08:00"."""
    from bot.waiting_texts import unsaid

    assert unsaid(reply, [said]) == reply
    # a whole sentence said before still goes
    assert unsaid(f"{reply} Danke.", ["Danke."]) == reply


def test_a_customer_who_blames_themselves_is_told_not_to_while_waiting() -> None:
    """ "Oh dear. I feel so silly." after a scam (the analysis reads self-blame):
    not their fault, before the worry the fraud brings."""
    from bot import waiting_texts
    from bot.waiting_reading import words_for

    analysis = {
        "label": "sadness",
        "frustration": 1,
        "signals": [],
        "circumstances": [{"kind": "self_blame", "serious": False}],
    }
    said = waiting_texts.ack(
        analysis,
        "oh dear. i feel so silly. what should i do?",
        words_for(""),
        "",
        [],
        flag=UrgencyFlag.FRAUD,
    )
    assert said == say("waiting_ack_self_blame"), said


async def test_a_german_demand_for_someone_responsible_is_seen(
    conversations: Conversations,
) -> None:
    """ "Ich erwarte eine Rückmeldung von einer verantwortlichen Person." while
    waiting asks for someone senior: that it is seen, not "Danke, ich habe das
    hinzugefügt"."""
    [reply] = await waiting(
        conversations,
        "web-de-responsible",
        ["Ich erwarte eine Rückmeldung von einer verantwortlichen Person."],
        "de",
    )
    assert reply.startswith(say("waiting_manager", "de")), reply


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Dois-je aussi appeler ma banque ?"),
        ("de", "Soll ich meine Bank anrufen?"),
        ("es", "¿Tengo que llamar a mi banco?"),
    ],
)
async def test_calling_their_bank_in_another_language_is_no_call_request(
    conversations: Conversations, language: str, text: str
) -> None:
    """ "Dois-je aussi appeler ma banque ?" is a question of theirs, not a request
    for us to ring them: no "leave your phone number"."""
    [reply] = await waiting(conversations, f"web-{language}-own-call", [text], language)
    assert reply != say("waiting_call", language), reply


async def test_anything_to_do_after_a_death_gets_the_advice_not_the_time(
    conversations: Conversations,
) -> None:
    """ "Is there anything I need to do now or do I just wait?" after a death: that
    there is nothing they need to do, not when the team is back once more."""
    [reply] = await waiting(
        conversations,
        "web-anything-to-do",
        ["Is there anything I need to do now or do I just wait?"],
        flags=frozenset({UrgencyFlag.BEREAVEMENT}),
    )
    assert say("waiting_asked_bereavement") in reply, reply


async def test_what_happens_now_is_what_the_person_will_do_and_when(
    client: aioredis.Redis, prefix: str, clock: Clock, tmp_path: Path
) -> None:
    """ "What happens now?" with nothing serious behind it is answered with what the
    person will do and that nothing is needed meanwhile, then when the team is back;
    asked again, when they are back, in words not said yet, with an apology for the
    wait, not the same sentence."""
    path = tmp_path / "handoff.yml"
    back = closed_for_days(path, clock.now)
    closed = HandoffQueue(client, prefix=prefix, config=load_config(path), clock=clock)
    async with own_conversations(closed) as conv:
        first, again, third = await waiting(
            conv,
            "web-next",
            ["so what happens now?", "how long will it be?", "and how long now?"],
        )
        [swedish] = await waiting(conv, "web-next-sv", ["Vad händer nu?"], "sv")
    assert first.startswith(say("waiting_next")) and back in first
    assert again != first and back in again
    assert third not in (first, again) and back in third
    assert swedish.startswith(say("waiting_next", "sv"))


async def test_a_question_after_thanks_is_a_question(
    conversations: Conversations,
) -> None:
    """A question that starts a later sentence ("oh thank you. is there a number I
    can ring") is a question: asking for our phone number is no request to be called
    back, and a request to be called still is one."""
    [number] = await waiting(
        conversations,
        "web-ring-us",
        ["oh thank you. is there a telephone number i can ring, this is confusing"],
    )
    [call_me] = await waiting(
        conversations, "web-ring-me", ["thanks. can someone ring me tomorrow please"]
    )
    assert say("waiting_call") not in number
    assert call_me.endswith(say("waiting_call"))


async def test_what_they_want_done_is_seen_before_the_advice(
    conversations: Conversations,
) -> None:
    """After a fraud, "Please lock my account." is seen in their words before the
    advice for what happened, not answered with the advice alone."""
    [reply] = await waiting(
        conversations,
        "web-lock",
        ["None of those orders are mine. Please lock my account."],
        flags=frozenset({UrgencyFlag.FRAUD}),
    )
    assert reply.startswith(say("wants_named", wanted="us to lock your account"))
    assert say("waiting_advice_fraud") in reply


async def test_after_something_that_hurt_someone_sending_it_back_is_no_ordinary_return(
    conversations: Conversations,
) -> None:
    """After a product hurt someone (the ticket's safety flag) and the advice for
    it, "should I keep it or send it back?" is answered with what holds for that
    (keep it, don't use it, it is collected), in the customer's language, not the
    returns how-to."""
    safety = frozenset({UrgencyFlag.SAFETY})
    *_, english = await waiting(
        conversations,
        "web-keep-it",
        ["the heater scorched my arm", "ok", "should I keep the heater or return it?"],
        flags=safety,
    )
    *_, dutch = await waiting(
        conversations,
        "web-keep-it-nl",
        ["De kachel heeft mijn arm verbrand", "ok", "Moet ik de kachel terugsturen?"],
        "nl",
        safety,
    )
    assert english.startswith(say("waiting_asked_safety"))
    assert "Account > Orders" not in english
    assert dutch.startswith(say("waiting_asked_safety", "nl"))


async def test_a_customer_who_apologises_is_told_there_is_no_need(
    conversations: Conversations,
) -> None:
    """ "Thank you. Sorry, this is all a lot." or "Perdonad, estos días son muy
    difíciles" while waiting: no need to apologise, and who takes it on, in their
    language, not "Thanks, I've added that"; a question beginning with sorry is still
    a question."""
    [english] = await waiting(
        conversations, "web-sorry", ["Thank you. Sorry, this is all a lot."]
    )
    [spanish] = await waiting(
        conversations, "web-sorry-es", ["Perdonad, estos días son muy difíciles."], "es"
    )
    [question] = await waiting(
        conversations, "web-sorry-q", ["sorry, how long is the wait?"]
    )
    assert english.endswith(say("waiting_no_apology"))
    assert spanish.endswith(say("waiting_no_apology", "es"))
    assert say("waiting_no_apology") not in question


async def test_a_customer_not_all_right_is_heard_even_beside_an_apology(
    conversations: Conversations,
) -> None:
    """ "sorry, I know it's silly. I'm really not ok right now" while waiting: how
    they are is heard, not only that there is no need to apologise; "sorry to
    bother you again" is politeness, met with no need to apologise."""
    from actions.mood import analyzer, compact

    text = "sorry, I know it's silly. I'm really not ok right now"
    analysis = compact(analyzer().analyze(text, []))
    reply = await conversations.waiting.reply("web-not-ok", text, analysis, [])
    assert not reply.startswith(say("waiting_no_apology")), reply
    assert "sorry" in reply.lower() or "hard" in reply.lower(), reply
    polite = "sorry to bother you again"
    analysis = compact(analyzer().analyze(polite, []))
    reply = await conversations.waiting.reply("web-polite", polite, analysis, [])
    assert reply.startswith(say("waiting_no_apology")), reply


async def test_asking_for_someone_today_hears_when_someone_can(
    client: aioredis.Redis, prefix: str, clock: Clock, tmp_path: Path
) -> None:
    """Outside hours, "Can someone look into it today please?" after the handoff
    said where they stand: in line already, and when the team is back (the answer to
    "today?"), not only "you're in line"; a request that asks nothing stays short."""
    path = tmp_path / "handoff.yml"
    back = closed_for_days(path, clock.now)
    closed = HandoffQueue(client, prefix=prefix, config=load_config(path), clock=clock)
    async with own_conversations(closed) as conv:
        await closed.enqueue(request("web-today"))
        told = await conv.waiting.reply(
            "web-today",
            "Can someone look into it today please?",
            None,
            [say("waiting_back", back=back)],
            told_where=True,
        )
        plain = await conv.waiting.reply(
            "web-today",
            "I want a person.",
            None,
            [say("waiting_back", back=back)],
            told_where=True,
        )
    assert told.startswith(say("waiting_person_asked")) and back in told, told
    assert back not in plain, plain


async def test_how_long_until_the_money_is_back_is_no_question_about_the_wait(
    conversations: Conversations,
) -> None:
    """ "How long until I get the money back?" after a double charge asks about the
    money (what holds for a double charge), not how long the wait for a person is;
    "how long until someone answers?" still is."""
    money = await waiting(
        conversations,
        "web-money-long",
        [
            "you charged me twice for the same order",
            "How long until I get the money back? I can't pay my rent.",
        ],
    )
    wait = await waiting(
        conversations, "web-wait-long", ["how long until someone answers me?"]
    )
    assert say("waiting_fits_double_charge") in money[1], money
    assert wait == [still(say("waiting_nobody_online"))]


async def test_a_question_put_as_a_need_is_answered_as_a_question(
    conversations: Conversations,
) -> None:
    """ "I only need to know the parcel is really on its way." asks something: the
    person will answer it, not "Thanks, I've added that to your conversation"."""
    [reply] = await waiting(
        conversations,
        "web-need-to-know",
        ["I only need to know the parcel is really on its way."],
    )
    assert say("waiting_for_person") not in reply
    assert say("waiting_for_person_again") not in reply
    assert say("waiting_question") in reply, reply


@pytest.mark.parametrize(
    "text",
    [
        "Could it be any quicker? We're struggling to pay for food this week.",
        "honestly we're struggling financially at the moment",
    ],
)
def test_money_that_is_tight_is_heard_each_time_it_is_said(text: str) -> None:
    """ "Could it be any quicker? We're struggling to pay for food this week." while
    waiting (English, read by the emotion analysis): the tight money heard (not only
    "marked as urgent"); said again, in other words; a third time, no more words."""
    from actions.mood import analyzer
    from bot.waiting_texts import situation_ack

    found = analyzer().analyze(text)
    analysis = {"circumstances": [{"kind": c.kind} for c in found.circumstances]}
    first = situation_ack(UrgencyFlag.HARDSHIP, "", [], analysis, text)
    assert first == say("waiting_ack_hardship")
    again = situation_ack(UrgencyFlag.HARDSHIP, "", [f"{first} More."], analysis, text)
    assert again == say("hardship_again")
    both = [first, again]
    assert situation_ack(UrgencyFlag.HARDSHIP, "", both, analysis, text) == ""
    calm = {"circumstances": []}
    assert situation_ack(UrgencyFlag.HARDSHIP, "", [], calm, "any news?") == ""


async def test_money_that_is_tight_is_heard_in_spanish(
    conversations: Conversations,
) -> None:
    [spanish] = await waiting(
        conversations,
        "web-es-hardship-waiting",
        ["Este mes voy muy justa de dinero, ¿pueden darse prisa?"],
        language="es",
        flags=frozenset({UrgencyFlag.HARDSHIP}),
    )
    assert spanish.startswith(say("waiting_ack_hardship", "es")), spanish


@pytest.mark.parametrize(
    ("language", "person"),
    [
        ("", "the person who picks this up"),
        ("es", "la persona que atienda su caso"),
        ("de", "die Person, die Ihr Anliegen übernimmt"),
    ],
)
def test_the_person_is_named_in_full_once_per_reply(language: str, person: str) -> None:
    from bot.waiting_texts import person_once

    twice = f"First {person} will read it. Then {person} will answer."
    once = person_once(twice, language)
    assert once.count(person) == 1, once
    assert once.startswith(f"First {person} will read it.")
    assert person_once(f"Only {person} will.", language) == f"Only {person} will."


async def test_a_want_beside_urgency_names_the_person_once(
    conversations: Conversations,
) -> None:
    """ "Please, I need that money back before Friday" after a double charge with
    rent due: what they want is seen and it is urgent, with "the person who picks
    this up" said once, not twice in one reply."""
    [reply] = await waiting(
        conversations,
        "web-want-urgent",
        ["please, I need that money back before Friday"],
        flags=frozenset({UrgencyFlag.HARDSHIP}),
    )
    assert reply.lower().count("the person who picks this up") <= 1, reply


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Wie lange noch, bis sich jemand meldet?"),
        ("es", "¿Cuánto van a tardar en contestarme?"),
        ("fr", "Combien de temps avant qu'on me recontacte ?"),
        ("it", "Quanto devo aspettare una risposta?"),
        ("nl", "Hoe lang moet ik wachten op een antwoord?"),
        ("pt", "Quanto tempo até terem uma resposta para mim?"),
        ("pl", "Ile jeszcze, zanim ktoś się odezwie?"),
        ("sv", "Hur länge dröjer det innan jag får svar?"),
    ],
)
def test_how_long_until_someone_answers_is_the_wait_in_every_language(
    language: str, text: str
) -> None:
    """ "How long until someone answers me?" asks how long the wait is (its answer:
    when the team is back), not for the advice of what happened."""
    from bot import waiting_reading as read

    assert read.words_for(language).wait.search(text.lower()), text


async def test_a_question_about_an_order_number_is_answered_as_a_question(
    conversations: Conversations,
) -> None:
    """ "Is order 48213 even real then?" while waiting: the person will look at it
    and answer, not "Thank you, I've noted 48213"; a number only given is noted."""
    [asked] = await waiting(
        conversations, "web-asked-order", ["is order 48213 even real then?"]
    )
    assert asked == say("waiting_asked_order", order="48213"), asked
    [given] = await waiting(conversations, "web-given-order", ["it's order 48213"])
    assert given == say("waiting_added_order", order="48213"), given
    [spanish] = await waiting(
        conversations,
        "web-es-asked-order",
        ["¿El pedido 48213 existe de verdad?"],
        language="es",
    )
    assert spanish == say("waiting_asked_order", "es", order="48213"), spanish


async def test_what_will_you_do_after_a_broken_item_says_what_the_person_arranges(
    conversations: Conversations,
) -> None:
    """ "What are you going to do about it?" after an item that stopped working:
    what the person arranges for it (the guarantee: repair, replacement or refund),
    once; asked again, what happens next."""
    replies = await waiting(
        conversations,
        "web-what-will-you-do",
        [
            "my kettle stopped working after two weeks",
            "what are you going to do about it",
            "so what happens now?",
        ],
    )
    assert replies[1] == say("waiting_fits_not_working"), replies
    assert say("waiting_fits_not_working") not in replies[2], replies


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "Gracias. Es todo muy difícil ahora mismo."),
        ("de", "Es ist gerade alles zu viel."),
        ("fr", "C'est tellement dur en ce moment."),
    ],
)
async def test_a_weight_told_while_waiting_in_another_language_is_heard(
    conversations: Conversations, language: str, text: str
) -> None:
    """ "Es todo muy difícil ahora mismo" while waiting is a weight heard as such
    (not "thanks, I've added that to your conversation")."""
    [reply] = await waiting(conversations, f"web-weighed-{language}", [text], language)
    assert reply.startswith(say("waiting_ack_sadness", language)), reply
    assert say("waiting_for_person", language) not in reply


async def test_someone_asked_to_do_something_is_a_want_named_back(
    conversations: Conversations,
) -> None:
    """ "Can someone on your team push it through with express shipping?" while
    waiting asks a person to act: named back as what they want done (not the
    order's state, nor only "you're in line"), without "on your team" in it."""
    [reply] = await waiting(
        conversations,
        "web-push-it",
        ["Can someone on your team push it through with express shipping?"],
    )
    wanted = "someone to push it through with express shipping"
    assert reply.startswith(say("wants_named", wanted=wanted)), reply
