"""Serious situations: found in what customers write (with who and what), not found in
look-alikes, handed to a person, acknowledged in the customer's terms, flagged."""

from __future__ import annotations

import random

import pytest

from actions.emotion import EmotionAnalyzer, EscalationPolicy
from actions.emotion.resources import load_yaml
from actions.emotion.situations import SituationDetector
from actions.empathy import EmpathyBook
from actions.situation import Situation
from bot.handoff import REASON_FLAGS, UrgencyFlag, urgency_flags
from bot.handoff.config import load_config


@pytest.fixture(scope="module")
def detector() -> SituationDetector:
    return SituationDetector(load_yaml("situations.yml"))


def kinds(detector: SituationDetector, text: str) -> list[str]:
    return [c.kind for c in detector.detect(text.lower())]


@pytest.mark.parametrize(
    ("text", "kind", "who", "what"),
    [
        (
            "The scarf was for my nan, who passed away on Sunday",
            "bereavement",
            "your nan",
            "",
        ),
        # non-native tense: "die" for "died"
        (
            "my uncle die in october and his parcel still come, how to stop",
            "bereavement",
            "your uncle",
            "",
        ),
        (
            "my late husband's account is still open, please close it",
            "bereavement",
            "your husband",
            "",
        ),
        (
            "we lost my dad in march and his subscription keeps charging",
            "bereavement",
            "your dad",
            "",
        ),
        ("I need to cancel the flowers, the funeral was moved", "bereavement", "", ""),
        ("Please cancel order 48213, sorry for the trouble", "apology", "", ""),
        ("Thanks. Sorry, I know it's daft to worry.", "self_blame", "", ""),
        (
            "the driver wants me to call to rebook, I suffer from panic attacks and "
            "can't do phone calls",
            "vulnerable",
            "",
            "",
        ),
        (
            "I fly to Toronto for my new job on the 20th, will the bag be here by "
            "then?",
            "deadline",
            "",
            "trip",
        ),
        ("so sorry to bother you, is the scarf wool?", "apology", "", ""),
        # the one named in the sentence before, told of as "he" or "she"
        (
            "I got the lamp in order 4471290 for my gran. She passed away last "
            "week, so I want to cancel it",
            "bereavement",
            "your gran",
            "",
        ),
        # ...but another sentence about a death names nobody of theirs
        (
            "The candle was a gift for my aunt; her neighbour died on Monday",
            "gift",
            "your aunt",
            "",
        ),
        (
            "the kettle lid flew off and my daughter got burned",
            "injury",
            "your daughter",
            "",
        ),
        ("i cut my hand badly on the broken glass inside the box", "injury", "you", ""),
        # whose face: the customer's own, not "someone"
        ("my whole face went puffy and red raw after the serum", "injury", "you", ""),
        ("a rash all over his arms since the new washing powder", "injury", "he", ""),
        # a skin reaction to what we sold, said as what it did
        ("the bath salts left me with a blotchy rash", "injury", "you", ""),
        ("her lips started swelling after the lip balm", "injury", "", ""),
        ("the charger sparked and then caught fire on the desk", "hazard", "", ""),
        # heat where none belongs, told without fire or smoke
        (
            "my lamp got really hot and now it smells of burnt plastic",
            "hazard",
            "",
            "",
        ),
        ("the charger overheats and the base is partly melted", "hazard", "", ""),
        ("There is an order on my account I never placed", "fraud", "", ""),
        ("someone has used my card to buy three phones", "fraud", "", ""),
        (
            # only asked about, nothing done: the question whether it is ours
            "a text that looked like yours wants me to verify my account, is it real?",
            "fraud_check",
            "",
            "",
        ),
        # ...but card details already typed in after such a message: fraud, the card
        # to be blocked (not "if nothing was entered, there's nothing else to do")
        (
            "a text said my parcel is held and I had to pay a fee by link. I already "
            "put my card details in. Was that you??",
            "fraud",
            "",
            "card",
        ),
        ("I don't recognise this payment of 240 euros at all", "fraud", "", "payment"),
        ("someone got into my account and now I can't log in", "fraud", "", "account"),
        ("my 6 year old cut his finger on the lid", "injury", "your 6 year old", ""),
        # a learning disability asks for plain words (vulnerable), it is no illness
        ("i have a learning disability and i dont get the email", "vulnerable", "", ""),
        ("that was my rent you took, I have 9 pounds left", "hardship", "", "rent"),
        ("we've got £6 left to last the week", "hardship", "", ""),
        # card details given away: `what` says so (the advice is to block the card)
        (
            "a man phoned me saying he was from you and I read him my card number",
            "fraud",
            "",
            "card",
        ),
        # ...also when a refund is named after it ("...my bank details to give me a
        # refund")
        (
            "someone rang saying they were from your shop and asked for my bank "
            "details to give me a refund. I gave them to him.",
            "fraud",
            "",
            "bank",
        ),
        (
            "the text said a customs fee was due, I clicked it and typed my bank login",
            "fraud",
            "",
            "bank",
        ),
        # a sum demanded for the parcel, with no link and no fee named
        (
            "had a letter saying I need to pay 2 pounds or the package gets destroyed",
            "fraud",
            "",
            "pay",
        ),
        ("it was a fake e-mail, I see that now", "fraud", "", ""),
        (
            "you took the money twice and my rent is due on friday",
            "hardship",
            "",
            "rent",
        ),
        ("I honestly can't afford to lose that money right now", "hardship", "", ""),
        ("how soon is it back? I need that money for food", "hardship", "", "food"),
        ("the second payment has left me short for rent", "hardship", "", "rent"),
        ("that was our rent money for December", "hardship", "", "rent"),
        ("no idea how we're going to feed the kids now", "hardship", "", ""),
        (
            "I'm not well at the moment and can't get to the post office",
            "health",
            "you",
            "",
        ),
        ("Money's been really tight since the summer", "hardship", "", ""),
        ("I'm in hospital until next week so can't collect it", "health", "you", ""),
        (
            "my wife is terminally ill and the bed was for her",
            "health",
            "your wife",
            "",
        ),
        (
            "I am 83 and not very good with computers, my grandson usually does this",
            "vulnerable",
            "",
            "",
        ),
        ("as an older gentleman I find your website hard to use", "vulnerable", "", ""),
        # a disability that makes the website or the door hard, told of themselves
        (
            "I'm partially sighted and the magnifier can't read your returns form",
            "vulnerable",
            "",
            "",
        ),
        (
            "I use a wheelchair so collecting it from the depot is hard",
            "vulnerable",
            "",
            "",
        ),
        (
            "it's my son's birthday tomorrow and nothing has come",
            "deadline",
            "",
            "birthday",
        ),
        ("I need it by Friday for the wedding", "deadline", "", "wedding"),
        # the occasion without a date, and who the order was for
        (
            "I needed it for a wedding and it came in the wrong size",
            "deadline",
            "",
            "wedding",
        ),
        (
            "the lamp came smashed, it was a present for my sister",
            "gift",
            "your sister",
            "",
        ),
        ("the mug i bought for my gran arrived chipped", "gift", "your gran", ""),
        ("Such a shame, it was for my mum.", "gift", "your mum", ""),
        # whose present, said with the owner's "'s" (or without the apostrophe)
        (
            "it was going to be my fiances leaving present and it hasnt come",
            "gift",
            "your fiance",
            "",
        ),
        ("still not here and it was meant as a birthday present", "gift", "", ""),
        # an injury named by what it did, and the pain it left
        ("the step stool tipped and I twisted my ankle", "injury", "you", ""),
        ("he came off the scooter with a fractured elbow", "injury", "", ""),
        ("I'm still in a lot of pain from it", "injury", "you", ""),
        # how little money is left
        ("you took it twice and I only have 9 euros left", "hardship", "", ""),
        ("with the second charge I've got £6 to my name", "hardship", "", ""),
        ("the electricity bill goes out on monday", "hardship", "", "electricity bill"),
        # card details asked for by a message, or typed into it
        (
            "a text said my parcel is on hold and asked me to confirm my card number",
            "fraud",
            "",
            "card",
        ),
        ("I already put my bank details into that link, help", "fraud", "", "bank"),
        # a message that asks for money, which is not from us
        (
            # (only asked about, nothing paid: whether it is ours, fraud_check)
            "an sms says my parcel is on hold and I need to pay 2 euros, is it you?",
            "fraud_check",
            "",
            "pay",
        ),
        ("a text asked me to pay a customs fee via a link", "fraud", "", "fee"),
        # a choking hazard
        (
            "tiny parts keep coming off the rattle, my baby almost swallowed one",
            "hazard",
            "",
            "",
        ),
        ("she nearly put a piece in her mouth", "hazard", "", ""),
        (
            "my toddler swallowed a small plastic part from it",
            "injury",
            "your toddler",
            "",
        ),
        # an address's dots are no sentence end
        (
            "an email from your-shop-help@gmail.com asking me to confirm my password",
            "fraud",
            "",
            "password",
        ),
        # the treatment named, so the reply can name it
        (
            "I'm recovering from surgery and can't carry parcels",
            "health",
            "",
            "surgery",
        ),
        # pain with no product as its cause: a health matter, not an injury from it
        (
            "I can't leave the house and I'm in a lot of pain while I wait",
            "health",
            "you",
            "",
        ),
        ("I'm in so much pain since using the face mask", "injury", "you", ""),
        # a message saying the account is locked, or asking for the password on a link
        (
            "an e-mail says my account has been frozen, is that really you?",
            "fraud_check",
            "",
            "frozen",
        ),
        (
            "the sms wants me to re-enter my password on their site",
            "fraud",
            "",
            "password",
        ),
        # someone who frightens the customer can reach their e-mail or address
        (
            "my ex-husband can still log into my account and see my address",
            "personal_safety",
            "",
            "",
        ),
        (
            "please take my old number off, I left a violent partner and need to keep "
            "the kids safe",
            "personal_safety",
            "",
            "",
        ),
        (
            "I don't want my ex knowing where we live, can you remove the address?",
            "personal_safety",
            "",
            "",
        ),
    ],
)
def test_situations_are_found_with_who_and_what(
    detector: SituationDetector, text: str, kind: str, who: str, what: str
) -> None:
    found = {c.kind: c for c in detector.detect(text.lower())}
    assert kind in found, (text, list(found))
    assert found[kind].who == who
    assert found[kind].what == what
    assert found[kind].quote


@pytest.mark.parametrize(
    "text",
    [
        "where is my order 48213?",
        "my phone died so I couldn't answer the courier",
        "the battery died after two days, can I return it",
        "I ordered the blue one but got a red one",
        "nobody was hurt but the box was soaked",
        "can I pay with paypal?",
        "I cut the tag off already, can I still return it?",
        "how do I change my password",
        "the price is a bit high, do you price match?",
        "I'm sick of waiting for this refund",
        "my mum wants to know if you ship to Spain",
        "is this suitable as a birthday present?",
        "I'd like to order two more for my dad",
        "your delivery estimate says friday, is that right?",
        "I'm not well informed about your returns, can you explain?",
        "the food processor money was refunded already, thanks",
        # look-alikes of the injury and money words
        "the lid has a cracked hinge",
        "what a pain this delivery has been",
        "I only have 2 left in my basket, can you reserve them?",
        "my parcel has been stuck in the depot for days",
        "I entered my details on the checkout page and it said thank you",
        "can I put my card details in at checkout later?",
        "my parcel is held at customs, do I need to pay anything?",
        "can I pay by text message?",
        "I have 2 days left to return it",
        "it is my rent-a-car booking I need to change",
        "ordering three was a rash decision, can I send one back?",
        "I got an e-mail saying my order shipped, is it really from you?",
        "can you send me an e-mail to confirm my new address?",
        "is the hand cream fine for very dry skin?",
        # look-alikes of someone else reaching the customer
        "my ex-colleague recommended your shop",
        "I want to keep the parcel safe until I'm home",
        "is this heater safe for a child's room?",
        "my partner has the order e-mail, can you resend it to me?",
        "my account is locked after too many tries, how do I get back in?",
        "the e-mail to reset my password never came",
        # a size, colour or item not ordered is the wrong item, not a payment nobody
        # made
        "order 5521 came in a colour I didn't order, can I swap it?",
        "they sent me two items I never ordered with my order 77",
        # "scam" said of us, in anger about something of ours: no fraud against them
        "three weeks and no refund for 4471290, you lot are a total scam",
        "refund me today or I'm reporting you, this shop is a scam",
        "what a scam company, charging for delivery that never came",
        "you're scammers, plain and simple",
        # a thing meant to be hot, said without alarm
        "does the pour-over set keep the coffee hot for long?",
        # the blind the shop sells, not a customer's sight
        "the roller blind I ordered arrived with a bent rail",
        # the stakes, not money: "can't afford to lose this"
        "Can someone check with the courier today? I can't afford to lose this.",
        # a trip told beside when it was ordered is no date it is needed by
        "we travel a lot and I ordered this on Monday, where is it?",
        # their own question about a fee, after a message of ours
        "got the email that my order shipped, do I have to pay customs on the parcel?",
    ],
)
def test_ordinary_messages_have_no_situation(
    detector: SituationDetector, text: str
) -> None:
    assert kinds(detector, text) == []


def test_the_day_someone_died_is_no_deadline(
    analyzer: EmotionAnalyzer, book: EmpathyBook
) -> None:
    text = (
        "It was a birthday present for my dad and he died on Sunday, before I "
        "could give it to him."
    )
    analysis = analyzer.analyze(text)
    assert [c.kind for c in analysis.circumstances if c.kind != "gift"] == [
        "bereavement"
    ]
    said = book.handoff(Situation(intent="complaint", analysis=analysis, text=text))
    assert "Sunday" not in said and "timing" not in said and "matter" not in said


def test_a_deadline_names_the_day(detector: SituationDetector) -> None:
    (found,) = detector.detect("the party is on saturday and the cake stand isn't here")
    assert (found.kind, found.what, found.when, found.serious) == (
        "deadline",
        "party",
        "on Saturday",
        False,
    )


@pytest.mark.parametrize(
    ("text", "what", "when"),
    [
        # the day shortened, the apostrophe left out: typed in a hurry
        (
            "its my nephews christening on sun and nothing yet",
            "christening",
            "on Sunday",
        ),
        ("we need it by thurs for our anniversary", "anniversary", "by Thursday"),
        ("my sisters wedding is next sat", "wedding", "next Saturday"),
        # the occasion shortened too, named in full
        ("my cousin's bday is on fri, will it make it?", "birthday", "on Friday"),
        # a day of the month, with its month or without
        ("it's a gift for my dad's birthday on 14th", "birthday", "on 14th"),
        ("our wedding is on 22 december, please hurry", "wedding", "on 22 December"),
        ("we need it by the 9th for the party", "party", "by the 9th"),
        # leaving is travelling ("I leave Japan on the 20th")
        ("I leave Japan on the 20th. It can arrive before?", "trip", "on the 20th"),
        ("we're leaving for Spain on friday", "trip", "on Friday"),
        # an opening or a launch is an occasion with a day like any other
        (
            "the grand opening is next tuesday, any news?",
            "grand opening",
            "next Tuesday",
        ),
        # needed before something told in a clause of its own, with its day
        ("I need the lamp before my studio opens on the 18th", "", "on the 18th"),
        ("we need them for when the new flat is ready on thursday", "", "on Thursday"),
    ],
)
def test_a_deadline_typed_in_a_hurry_names_the_whole_day(
    detector: SituationDetector, text: str, what: str, when: str
) -> None:
    found = {c.kind: c for c in detector.detect(text)}
    assert (found["deadline"].what, found["deadline"].when) == (what, when)
    # ...and a shortened day on its own is no date ("I sat by the door all day"),
    # nor a day of the month something happened on
    assert "deadline" not in kinds(detector, "I sat by the door all day for my party")
    assert "deadline" not in kinds(detector, "i placed the order on the 2nd")
    # ...nor where a parcel is to be left on a day
    assert "deadline" not in kinds(detector, "please leave it with my neighbour on fri")
    # ...nor a need gone by ("I needed it before I flew on Monday")
    assert "deadline" not in kinds(detector, "i needed it before we met on monday")


@pytest.mark.parametrize(
    "text",
    [
        "It was a present for my mum, who died last month, and it came smashed",
        "My son burned his fingers on the toaster you sold me",
        "why is there an order for a laptop on my account, I never ordered it",
        "I was charged twice and now I can't pay my rent",
        "my abusive ex keeps reading my emails from you, I'm scared of him",
    ],
)
def test_serious_situations_go_to_a_person_and_are_flagged(
    analyzer: EmotionAnalyzer, policy: EscalationPolicy, text: str
) -> None:
    analysis = analyzer.analyze(text)
    decision = policy.decide(analysis)
    assert decision.escalate, decision
    serious = analysis.serious
    assert serious and serious[0].kind in decision.reasons
    flags = urgency_flags(decision.reasons)
    assert flags, decision.reasons
    # every flag a situation can raise has a weight in the queue config
    weights = load_config().flag_weights
    assert all(flag in weights for flag in flags)


def test_every_serious_situation_raises_a_weighted_flag() -> None:
    config = load_yaml("situations.yml")["situations"]
    weights = load_config().flag_weights
    policy = load_yaml("policy.yml")["immediate"]
    for kind, spec in config.items():
        if spec.get("serious"):
            assert kind in policy, kind
            assert isinstance(REASON_FLAGS[kind], UrgencyFlag)
            assert REASON_FLAGS[kind] in weights


def test_the_situation_survives_the_round_trip(analyzer: EmotionAnalyzer) -> None:
    analysis = analyzer.analyze("my late father's card was charged again")
    again = type(analysis).from_dict(analysis.to_dict())
    assert [c.to_dict() for c in again.circumstances] == [
        c.to_dict() for c in analysis.circumstances
    ]
    assert again.serious[0].who == "your father"


@pytest.fixture
def book() -> EmpathyBook:
    loaded = EmpathyBook.from_file()
    loaded.rng = random.Random(7)
    return loaded


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it was a gift for my mum who passed away, and it came broken", "your mum"),
        ("My son burned his hand on the heater", "your son"),
        ("I have never ordered this, someone is using my account", "secur"),
        # nothing through the channel the other person reads
        (
            "a stalker has been tracking my orders and my address",
            "e-mail address or phone",
        ),
    ],
)
def test_the_handoff_names_what_happened_and_is_never_cheerful(
    analyzer: EmotionAnalyzer, book: EmpathyBook, text: str, expected: str
) -> None:
    analysis = analyzer.analyze(text)
    situation = Situation(intent="track_order", analysis=analysis)
    for _ in range(6):
        said = book.handoff(situation, ["bereavement"])
        assert expected in said.lower() or expected in said
        lowered = said.lower()
        assert "good news" not in lowered and "!" not in said
        assert "patience" not in lowered


@pytest.mark.parametrize(
    ("text", "reason", "heard"),
    [
        # words for the fraud that name no feeling: the panic heard first
        (
            "a text said my parcel was held, I paid the fee through the link and "
            "typed in my card details. I'm panicking",
            "fraud",
            "panicked",
        ),
        # alarm without a word for the feeling: the shock heard
        (
            "a text said my parcel was held, I paid the fee through the link and "
            "typed in my card details. Oh no.",
            "fraud",
            "shock",
        ),
        # nothing serious read: the feeling in their word all the same
        ("I clicked something weird and I'm panicking", "distress", "panicked"),
        # words for a fright that name it already: not heard twice
        ("the charger burst into flames and I'm so scared", "safety", ""),
    ],
)
def test_a_feeling_stated_beside_something_serious_is_heard_first(
    analyzer: EmotionAnalyzer, book: EmpathyBook, text: str, reason: str, heard: str
) -> None:
    analysis = analyzer.analyze(text)
    situation = Situation(intent="track_order", analysis=analysis, text=text)
    for _ in range(4):
        said = book.handoff(situation, [reason])
        first = said.split(". ")[0]
        if heard:
            assert heard in first, said
        else:
            assert "scared" not in said, said


def test_a_deadline_is_acknowledged_before_the_answer(
    analyzer: EmotionAnalyzer, book: EmpathyBook
) -> None:
    analysis = analyzer.analyze(
        "where is order 48213? it's for my daughter's birthday tomorrow"
    )
    situation = Situation(intent="track_order", analysis=analysis, order_id="48213")
    text = book.compose("Order 48213 is with DHL and arrives on Friday.", situation)
    assert text.index("birthday") < text.index("Order 48213")
    assert "tomorrow" in text


def test_who_it_was_for_is_named_after_what_went_wrong_and_only_then(
    analyzer: EmotionAnalyzer, book: EmpathyBook
) -> None:
    broken = (
        "The teapot from order 730915 arrived cracked. It was a present for my dad."
    )
    situation = Situation(
        intent="complaint", analysis=analyzer.analyze(broken), text=broken
    )
    for _ in range(4):
        said = book.compose("What's the e-mail address it's under?", situation)
        assert "your dad" in said, said
        assert said.index("damage") < said.index("your dad") < said.index("e-mail")
        handed = book.handoff(situation, ["problem"])
        assert handed.index("damage") < handed.index("your dad"), handed
    # a calm question about a present: nothing to be sorry about, no words about it
    calm = "Do you gift wrap? It's a present for my mum."
    plain = Situation(intent="faq", analysis=analyzer.analyze(calm), text=calm)
    for _ in range(4):
        said = book.compose("Yes, choose Gift wrap at checkout.", plain)
        assert said == "Yes, choose Gift wrap at checkout.", said


def test_a_message_asking_for_money_is_said_not_to_be_ours(
    analyzer: EmotionAnalyzer, book: EmpathyBook
) -> None:
    for text in [
        "A text says my parcel is held and I need to pay 1.99. I paid it. Is that you?",
        "An e-mail says I must pay a redelivery fee through a link. Paid it. Real?",
    ]:
        situation = Situation(intent="complaint", analysis=analyzer.analyze(text))
        for _ in range(4):
            said = book.handoff(situation, ["fraud"])
            assert said.startswith(("That message isn't from us", "That wasn't us"))
            assert "bank" in said and "password" not in said


def test_money_worries_are_acknowledged_with_what_went_wrong(
    analyzer: EmotionAnalyzer, book: EmpathyBook
) -> None:
    text = "you took the payment twice and now my rent is due on friday"
    situation = Situation(
        intent="payment_issue", analysis=analyzer.analyze(text), text=text
    )
    for _ in range(4):
        said = book.handoff(situation, ["hardship"])
        assert "double charge" in said.lower() and "rent" in said


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("honestly i dont see the point in anything anymore", "at_risk"),
        ("I can't go on like this", "at_risk"),
        ("after the face cream my cheeks and lips are all swollen", "injury"),
        ("I've never ordered anything from you, why is there a parcel", "fraud"),
        ("someone rang me pretending to be you and asked for my card number", "fraud"),
        (
            "she's coeliac and the bread mix had wheat in it, she's been ill all night",
            "injury",
        ),
        (
            "my daughter had a bad reaction after using the face wash from order 64450",
            "injury",
        ),
        (
            "received an email supposedly from your shop about a delivery charge, paid "
            "it, and now the bank says my savings are gone",
            "fraud",
        ),
        (
            "my card got drained after I clicked the link in your 'parcel held' sms",
            "fraud",
        ),
        ("my dad is fine now but we had to take him to A&E last night", "injury"),
        (
            "a guy rang up claiming to be your shop and I read him my card number",
            "fraud",
        ),
        ("honestly I can't cope with any of this right now", "distress"),
        (
            "I've got absolutely nothing left until payday and you still have my money",
            "hardship",
        ),
        ("there are weird card payments from abroad since last night", "fraud"),
        (
            "an sms asked me to pay the outstanding customs fee for my parcel so I did",
            "fraud",
        ),
        ("I tapped the link and typed in my card details, was that you?", "fraud"),
        (
            "an e-mail in your name said to confirm my card number to free up the "
            "parcel, so I did",
            "fraud",
        ),
        ("the cat ate a piece of the feather wand and we're at the vet", "injury"),
        ("my toddler swallowed a button off the teddy", "injury"),
        # a part of the body and a sign of harm in one sentence, told as it happened
        (
            "her toes came out of the new trainers red raw and covered in blisters",
            "injury",
        ),
        ("he has sore welts all across his wrists since wearing the watch", "injury"),
        # help with the ordering, and the computer in the singular
        (
            "my granddaughter helped me to order this, I am no good with a computer",
            "vulnerable",
        ),
        ("the pan lid slipped and hot oil went all over her wrist", "injury"),
        ("the hot water bottle leaked and now she has a big blister", "injury"),
        # money asked for through a link (an amount in it), and card details typed
        # into the page it led to
        (
            "a text says my parcel is stuck and I must pay £1.99 duty via a link, "
            "I paid it, was that you?",
            "fraud",
        ),
        ("I entered my bank details on that page before I realised", "fraud"),
        # a fall the product caused
        ("the stool gave way and my grandad fell", "injury"),
        # smoke enough to set the alarm off
        ("the diffuser gave off thick smoke and the smoke alarm went off", "hazard"),
        # the plug melted, the flat nearly caught fire
        (
            "the heater got so hot it melted the plug, it nearly set the sofa on fire",
            "hazard",
        ),
        # someone they left must not find them
        (
            "send it elsewhere please, I had to get away from my husband",
            "personal_safety",
        ),
        (
            "my ex mustn't find out where we live now, change the address",
            "personal_safety",
        ),
    ],
)
def test_indirect_wording_still_reaches_a_person(
    analyzer: EmotionAnalyzer, policy: EscalationPolicy, text: str, reason: str
) -> None:
    decision = policy.decide(analyzer.analyze(text))
    assert decision.escalate and reason in decision.reasons, decision


@pytest.mark.parametrize(
    "text",
    [
        "i don't see the point of the premium account, what do i get?",
        "the lid swelled up a bit in the heat, is that normal?",
        "your confirmation email says I can pay the rest on the link, is that right?",
        "honestly I fell for the photos, is the colour true to life?",
        "does the smoke alarm you sell need a battery?",
        "my friend called me to say your sale has started, what's on offer?",
        "I've never bought from you before, is paying by card safe?",
        "I have a nut allergy, do the cereal bars contain any nuts?",
        "got an email from you saying my parcel shipped, when will it arrive?",
        "did the reaction to our new logo surprise you?",
        "the courier was rude to my elderly neighbour, please pass that on",
        "I can't cope with the checkout page, it keeps freezing on me",
        "your email says I pay the delivery fee at the door, is that right?",
        "I clicked the link in your shipping email but the tracking page is blank",
        "why is the delivery charge on my receipt higher than on the website?",
        "the checkout page asked me to confirm my card details twice, is that normal?",
        "a button fell off the cardigan, can I get it repaired?",
        # a sign of harm asked about, not told
        "is the balm any good for cracked lips and sores?",
        "is this case any good with the phone I have?",
        "do the gloves stop hands from cracking and bleeding in winter?",
        "I had to take the dog to the park, so I missed the courier",
        "does the kettle switch off by itself when the water is boiling?",
        "can I put hot water in the glass teapot you sell?",
        "please make sure my husband doesn't see the parcel, it's his birthday present",
        "I had to leave work early because of my partner's car and missed the courier",
        "the chocolate melted in the van, can I get a refund?",
    ],
)
def test_look_alikes_of_indirect_wording_stay_with_the_bot(
    analyzer: EmotionAnalyzer, policy: EscalationPolicy, text: str
) -> None:
    assert not policy.decide(analyzer.analyze(text)).escalate


def test_a_serious_handoff_also_names_the_date_that_matters(
    analyzer: EmotionAnalyzer, book: EmpathyBook
) -> None:
    text = (
        "I'm on dialysis this week and the charger is for my dad's birthday on Friday"
    )
    analysis = analyzer.analyze(text)
    said = book.handoff(Situation(intent="track_order", analysis=analysis, text=text))
    assert "dialysis" in said and "Friday" in said
    assert said.index("dialysis") < said.index("Friday")


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("the lid flew off and boiling water went over my son's arm", "your son"),
        ("hot oil from the fryer splashed over my wife's hand", "your wife"),
        # the pronoun the pattern found comes first
        ("my husband ordered it for me and I burned my hand on it", "you"),
        # the writer, by their words for themselves beside the injury's
        ("the serum made my skin swell up badly", "you"),
        ("I got a nasty rash after wearing the bracelet", "you"),
        # ...not someone else told of in a sentence the writer is in
        ("a little boy burned his arm on the heater I bought", ""),
    ],
)
def test_who_was_hurt_is_named_from_the_message_when_the_words_for_it_do_not_say(
    detector: SituationDetector, text: str, who: str
) -> None:
    [injury] = [c for c in detector.detect(text.lower()) if c.kind == "injury"]
    assert injury.who == who


def test_a_death_is_never_put_on_someone_the_words_do_not_name(
    detector: SituationDetector,
) -> None:
    """ "The funeral is on Friday and my mum's dress hasn't come": the funeral need
    not be mum's; nobody is named."""
    [death] = [
        c
        for c in detector.detect("the funeral is on friday and my mum's dress is late")
        if c.kind == "bereavement"
    ]
    assert death.who == ""


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("got a txt saying I have to pay a 2.50 customs fee on a link", "fee"),
        ("oh no I already typed my card number in", "card"),
    ],
)
def test_a_scam_text_and_card_details_typed_in_are_fraud(
    detector: SituationDetector, text: str, what: str
) -> None:
    found = {c.kind: c for c in detector.detect(text.lower())}
    assert "fraud" in found and found["fraud"].what == what


@pytest.mark.parametrize(
    ("text", "what", "who"),
    [
        ("our anniversary was yesterday and the vase never came", "anniversary", ""),
        ("it turned up too late for the wedding", "wedding", ""),
        ("the scarf missed my grandma's birthday", "birthday", "your grandma"),
    ],
)
def test_a_date_gone_by_is_a_missed_occasion_not_a_deadline(
    detector: SituationDetector, text: str, what: str, who: str
) -> None:
    found = [c for c in detector.detect(text) if c.kind != "gift"]
    assert [(c.kind, c.what, c.who) for c in found] == [("missed_occasion", what, who)]


def test_a_missed_occasion_is_met_with_sorry_it_missed_it(
    analyzer: EmotionAnalyzer, book: EmpathyBook
) -> None:
    """Sorry it did not come in time, naming the day, and nothing about timing that
    still matters; whichever wording is picked."""
    text = "My son's party was on Saturday and the costume still hasn't come."
    analysis = analyzer.analyze(text)
    (missed,) = [c for c in analysis.circumstances if c.kind == "missed_occasion"]
    situation = Situation(intent="complaint", analysis=analysis, text=text)
    said = book.circumstance(missed, situation)
    assert "your son's party" in said and "sorry" in said.lower()
    # every wording: sorry, the occasion named, no timing that still matters
    for variant, wordings in book.data["circumstances"]["missed_occasion"].items():
        for wording in wordings:
            assert "sorry" in wording and "timing" not in wording, wording
            assert variant == "plain" or "{what}" in wording, wording


@pytest.mark.parametrize(
    "text",
    [
        "please don't post anything to my old flat, I don't feel safe there anymore",
        "my ex-partner still has access to that inbox, please use my phone instead",
    ],
)
def test_not_feeling_safe_is_personal_safety(
    detector: SituationDetector, text: str
) -> None:
    assert "personal_safety" in kinds(detector, text)


def test_a_learning_disability_is_no_illness(detector: SituationDetector) -> None:
    """It asks for plain words and patience (vulnerable), not "please look after
    yourself first" (health); a disability otherwise named still counts."""
    said = "i have a learning disability and i dont understand the email"
    assert "health" not in kinds(detector, said)
    assert "vulnerable" in kinds(detector, said)
    assert "health" in kinds(detector, "i'm in a wheelchair so i can't get to the door")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # only asking whether a message is ours, nothing done: a question
        (
            "Received an e-mail saying it was from you, I've won a gift card if I "
            "confirm my card details. Is it real?",
            "fraud_check",
        ),
        (
            "did you really send me an email asking me to confirm my password? "
            "havent done anything yet",
            "fraud_check",
        ),
        (
            "Got a text saying my parcel is held and I must pay a redelivery fee. "
            "Was it official?",
            "fraud_check",
        ),
        # a step taken, or something other than a message: fraud
        (
            "An e-mail said my parcel is held and I need to pay a fee. I clicked and "
            "paid. Was it you?",
            "fraud",
        ),
        ("somebody signed into my account last night. was that you?", "fraud"),
        ("a charge from your shop I don't recognise. Is it real?", "fraud"),
    ],
)
def test_asking_whether_a_message_is_ours_is_no_fraud_yet(
    detector: SituationDetector, policy: EscalationPolicy, text: str, kind: str
) -> None:
    found = detector.detect(text.lower())
    assert [c.kind for c in found][:1] == [kind]
    assert found[0].serious is (kind == "fraud")


@pytest.mark.parametrize(
    "text",
    [
        "I think I've been scammed by someone pretending to be you",
        "a scammer rang me saying he was from your shop",
        "the scammers used my card on your site",
    ],
)
def test_a_scam_done_to_them_is_still_fraud(
    detector: SituationDetector, text: str
) -> None:
    assert "fraud" in kinds(detector, text)


@pytest.mark.parametrize(
    ("asked", "then", "what"),
    [
        (
            "Got a text saying a parcel is waiting and I must pay a fee through a "
            "link. Is that you?",
            "oh no I did it already, typed in my card number",
            "card",
        ),
        (
            "An e-mail says my account is locked, is it genuine?",
            "ugh I already logged in through it with my password",
            "password",
        ),
        (
            "Received an email saying my account will be closed unless I confirm "
            "my details. Is that you?",
            "I opened the link and filled it in",
            "link",
        ),
    ],
)
def test_a_step_told_after_asking_whether_a_message_was_ours_is_fraud(
    asked: str, then: str, what: str
) -> None:
    """The calm check ("is that from you?") answered, and then a step taken told
    in the next message: the fraud it is, about what they gave away."""
    from actions.emotion.models import Turn
    from actions.mood import analyzer

    assert [c.kind for c in analyzer().analyze(asked).circumstances] == ["fraud_check"]
    analysis = analyzer().analyze(then, [Turn("customer", asked)])
    fraud = [c for c in analysis.circumstances if c.kind == "fraud"]
    assert fraud and fraud[0].serious and fraud[0].what == what, analysis.circumstances
    # nothing taken, or no such question before: no fraud
    calm = analyzer().analyze("Phew, I haven't clicked it", [Turn("customer", asked)])
    assert not [c for c in calm.circumstances if c.kind == "fraud"]
    alone = analyzer().analyze(then, [Turn("customer", "where is order 48213?")])
    assert not [c for c in alone.circumstances if c.kind == "fraud"]
