"""The English words a waiting customer's message is read by (``ENGLISH``, the
``WaitingWords`` of bot/texts.py): a question, a person asked for, the wait asked
about, the one who was hurt seen to, "what now?", how they will hear, patience, a
call-back, a manager, impatience of three kinds, what was reported, what they want
done, an apology for themselves. Other languages have theirs in languages.yml;
bot/waiting_reading.py reads a message with them."""

from __future__ import annotations

import re

from bot.contact import CALL_WORDS
from bot.texts import WaitingWords, mention
from bot.waiting_courtesy import THANKS

# A waiting customer asks something, asks for a person, or thanks us.
QUESTION_START = re.compile(
    r"^(?:(?:please|so|and|but|ok|okay|like|sweet|cool|right|well|um|hmm|fine|yeah|"
    r"yes|no)[ ,]+){0,3}(?:what|when|whne|wen|where|who|why|how|which|can|"
    r"could|will|would|is|are|do|does|did|should|may)\b|"
    # a question put as a wish: "I just need to know if it will be here by Friday",
    # "I need to know it's really coming"
    r"\b(?:need|want|would like|'d like|have) to know\b|"
    r"\b(?:tell|let) me (?:know )?(?:if|whether|when|where|how|what)\b|"
    r"\bi (?:wonder|was wondering) (?:if|whether|when|where|how|what)\b|"
    # ...or as a demand: "just give me a date"
    r"\b(?:give|tell|send) me (?:a|an|the|some) (?:date|day|time|eta|estimate|"
    r"time ?frame|rough idea)\b",
    re.IGNORECASE,
)
WANTS_PERSON = re.compile(
    r"\b(?:some(?:one|body)(?! else)|any(?:one|body)(?! else)|a person|a human|"
    r"an? (?:real )?(?:agent|"
    r"human|person)|a manager|your team|speak to|talk to)\b|"
    r"\bare you (?:still |even )?(?:there|here|listening|reading this)\b",
    re.IGNORECASE,
)
# "how long will I have to wait?", "when will someone reply?", "what's the wait time?"
WAIT_WORDS = re.compile(
    r"\bhow long (?:will|do|must|should|have|shall) (?:i|we) "
    r"(?:have to |need to |still )?(?:wait|be waiting)\b|"
    r"\bhow long (?:is|will|'s) (?:the|my) (?:wait|queue)\b|"
    r"\bhow long (?:the|my) (?:wait|queue) (?:is|will be)\b|"
    r"\b(?:when|how soon) (?:will|can|does|do|is|are|would) "
    r"(?:someone|somebody|anyone|a person|your team|the team|an agent|a human|they)\b"
    r"[^.?!]{0,25}\b(?:reply|answer|respond|get back|pick|"
    r"be (?:here|back|online|available|in)|come|help|contact|call|ring|open)|"
    r"\bwait(?:ing)? time\b|"
    r"\bhow (?:long|much longer) (?:until|till|before) "
    r"(?:someone|somebody|anyone|a person|an agent|you|they|i)\b|\bhow much longer\b|"
    r"\bhow long (?:is|will) (?:it|this) (?:take|be) (?:for|until|till|before) "
    r"(?:someone|somebody|a person|an agent|you|they)\b|"
    r"\bwhen (?:will|do|can|shall|would) (?:i|we) (?:hear|get (?:an? )?(?:answer|reply|"
    r"response|call))\b|"
    r"\bwill (?:it|this|that) (?:take|be) (?:long|much longer|ages)\b|"
    # "how long is this going to take?": this, the wait (not "it", which may be
    # the parcel)
    r"\bhow long(?: is| will|'s) this (?:going to |gonna )?(?:take|be|last)\b"
    r"(?! to (?:arrive|come|deliver|ship|get here|be delivered))|"
    # "HELLO??", "hi?", "anyone there?", "is somebody here?": is anyone there
    r"^\W*(?:hello|hi|hey|hallo)\W*\?+\W*$|"
    r"^\W*(?:(?:hello|hi|hey|um+|so)\W+)?(?:is |are |'?s )?(?:there )?(?:any|some)"
    r"(?:one|body) (?:even |still |actually )?(?:there|here|around|online|reading "
    r"(?:this|these))\W*$|"
    # "please", "please help me": a plea, answered with where they stand
    r"^\W*(?:please+|pls|plz|help(?: me)?|please+ help(?: me)?|help(?: me)?,? please+|"
    r"i'?m begging you|i beg you)\W*$|"
    # "how long will it take?" and nothing more, while they wait: the wait
    r"^\W*(?:(?:so|and|but|ok|okay)\W+)?how long (?:will|does|is|would) "
    r"(?:it|this|that) (?:going to |gonna )?(?:take|be)\W*$|"
    # a bare "how long tho?", "when?" while they wait: the wait
    r"^\W*(?:(?:so|and|but|ok|okay) )?(?:how long|when)"
    r"(?: (?:tho|though|now|then))?\W*$|"
    # "do I just wait here then?": whether there is anything to do but wait
    r"\b(?:do|should|shall|must) (?:i|we) (?:just |still |now )?(?:wait|stay|hang on|"
    r"sit tight)\b|"
    r"\b(?:do|should|shall) (?:i|we) (?:just )?keep (?:waiting|this open)\b",
    re.IGNORECASE,
)
# How a waiting customer's message is read in English (the emotion analysis names
# the feelings); other languages have their words in languages.yml (bot/texts.py).
# the one who was hurt is all right now, or a doctor has seen them
SEEN_TO = re.compile(
    r"\b(?:(?:no one|nobody|no-one) (?:was|got|is) (?:hurt|injured)|"
    r"nothing serious|"
    r"(?:he|she|they|i|we|my \w+)(?:'s| is| are|'m| am|'re) (?:now |fine now |"
    r"ok now )?(?:ok|okay|fine|alright|all right|better|doing better|recovering)\b|"
    r"(?:went|been|go|gone|took (?:him|her|them)) to (?:a&e|the er|the doctor|the gp|"
    r"(?:the )?hospital|urgent care|the emergency room)|"
    r"(?:ended up|were|was|are|am|we're|i'm|spent the night) (?:in|at) (?:a&e|the er|"
    r"(?:the )?hospital|urgent care|the emergency room)|(?:saw|seen|see) (?:a|the|our|"
    r"his|her|my) (?:doctor|gp|nurse|pharmacist)|(?:doctor|gp|nurse) (?:said|says|"
    r"checked))"
)
# "what do I do now?", "what happens next?": about what happened (a question that
# goes on, "what do I do with the broken one?", is a question of its own)
WHAT_NOW = re.compile(
    r"\bwhat (?:do|should|can|shall|must) (?:i|we) do(?: now| next| then| meanwhile|"
    r" in the meantime| about (?:it|this|that))?\s*(?:[?.!]|$)|"
    r"\bwhat (?:happens|comes) (?:now|next)\b|"
    r"\b(?:don'?t|do not|dunno|not sure) (?:know )?what (?:to do|i should do|"
    r"i'?m (?:supposed|meant) to do)\b|"
    r"\bwhat(?:'s| is) (?:next|the next step)\b|\bwhat now\b|\bnow what\b|"
    # "is there anything I need to do now?"
    r"\banything (?:else )?(?:i|we) (?:need|have|should|must|ought) to do\b|"
    # what happens about it ("what are you going to do about this?", "who do I
    # report this to?")
    r"\bwhat (?:are|will) you (?:going to |gonna )?do about (?:it|this|that)\b|"
    r"\b(?:who|where|how) (?:do|should|can) (?:i|we) report (?:it|this|that)\b|"
    # "I want someone to take this seriously": what will be done about it
    r"\btak(?:e|es|ing) (?:this|it|that|me|us|safety) (?:\w+ )?seriously\b",
    re.IGNORECASE,
)
# "how will I know when someone has looked at it?", "will I get an e-mail when they
# answer?", "do I have to keep this window open?": where the reply comes
HOW_HEAR = re.compile(
    r"\bhow (?:will|would|do|can|shall) (?:i|we) (?:know|find out|hear|see|be told|"
    r"get (?:told|notified))(?:\s*(?:[?.!]|$)| back\b| from (?:you|them|someone)\b|"
    r" (?:when|if|whether|that) (?:someone|somebody|anyone|they|you|a person|the "
    r"person|your team|a colleague|an agent)\b)|"
    r"\b(?:will|would|do|does|shall) (?:i|we) (?:get|receive|be sent) (?:an? )?"
    r"(?:e-?mail|notification|text|message|alert)(?:\s*(?:[?.!]|$)| (?:when|once|if) "
    r"(?:someone|somebody|they|you|a person|the person|an agent)\b)|"
    r"\b(?:will|would) (?:you|they|someone|somebody) (?:let me know|notify me|e-?mail "
    r"me|text me|message me)(?:\s*(?:[?.!]|$)| (?:when|once) (?:someone|somebody|"
    r"they|a person|an agent)\b)|"
    r"\b(?:do|should|must) (?:i|we) (?:have to |need to )?(?:keep|leave|stay)(?: on)? "
    r"(?:this|the) (?:chat|window|page|tab|app)(?: open)?\b|"
    r"\bwhere will (?:the|their|your|my) (?:reply|answer|response) "
    r"(?:come|be|appear)\b",
    re.IGNORECASE,
)
# "ok", "fine, I'll wait", "no rush": thanked for their patience
ACCEPTS = re.compile(
    r"^\W*(?:(?:ok|okay|okie|k|kk|fine|alright|all right|aight|ight|sure|right|"
    r"understood|(?:i )?understand|i see|noted|got it|bet|cool|sounds good|"
    r"will do|fair enough|no worries|"
    r"no problem|np)\W*)+$|"
    r"\b(?:i'll|i will|i can|we'll|we can) (?:just |happily )?wait\b|"
    r"\bno rush\b|\btake your time\b",
    re.IGNORECASE,
)
# "please contact me", "can someone get in touch", "I want someone to contact me"
CONTACT_ME = re.compile(
    r"\b(?:contact me|get in touch with me|reach me|get back to me|"
    r"(?:someone|somebody) (?:to )?(?:contact|get in touch with|reach) me|"
    # "I really can't do this by text": by phone, then
    r"(?:can't|cannot|can not) (?:do|manage|handle) (?:this|it|that) (?:by|over|in) "
    r"(?:text|chat|typing|writing|message)s?)\b",
    re.IGNORECASE,
)
# "I want to speak to a manager", "someone senior", "your supervisor"
MANAGER = re.compile(
    r"\b(?:manager|supervisor|someone senior|somebody senior|team leader|"
    r"your boss|someone in charge|complaints department)\b",
    re.IGNORECASE,
)
# Impatience with the wait or with us, by kind (``impatience``): wants a person now,
# not the bot...
IMPATIENT = re.compile(
    r"\bnot (?:an? |the |some |another )?(?:bot|robot|machine|computer|chatbot|"
    r"automated \w+|ai|program)\b|\b(?:real|actual|living|live) (?:person|human|"
    r"people|agent|being)\b|^\W*(?:an? )?(?:agent|human|operator|representative|"
    r"person)\W*(?:now|please|pls)?\W*$|\b(?:(?:some(?:one|body)|a person|a human|"
    r"an agent)\b[^.?!]{0,30}\b(?:right now|immediately|asap|straight away|"
    r"right away|this minute|at once)|(?:want|need|get me|give me)\b[^.?!]{0,20}"
    r"\b(?:some(?:one|body)|a person|a human|an agent)\b[^.?!]{0,30}\bnow|"
    # "can you answer me right now" (not "it's all a bit much right now": a time,
    # not a demand)
    r"(?:need|want|get|send|help|answer|reply|respond|call|talk|speak|come|sort)\w*"
    r"\b[^.?!]{0,30}\b(?:right now|immediately)\W*$)|"
    # "yes now please", "now!!": the person, now
    r"^\W*(?:(?:yes|yeah|yep|ok|okay|please|pls)\W+)*(?:now|right now|asap|"
    r"immediately)(?:\W+(?:please|pls))?\W*$|"
    # "can I just talk to someone?"
    r"\bjust (?:talk|speak|chat) (?:to|with) (?:some(?:one|body)|a person|a human|"
    r"a real)",
)
# ...wants something done, not more words ("can someone actually help me with
# this?", "I want someone to actually DO something"): English only
WANTS_ACTION = re.compile(
    r"\b(?:some(?:one|body)|a person|a human|you|anyone)\b[^.?!]{0,20}\bactually "
    r"(?:do|help|look|listen|deal|sort|fix|call|care)\w*",
    re.IGNORECASE,
)
# ...has asked before and nobody helped, or is not listened to...
REPEATED = re.compile(
    r"\b(?:(?:second|third|fourth|fifth|2nd|3rd|4th|5th) time|"
    r"(?:asked|said|told you|written|wrote|explained)(?: this| it| that)? "
    r"(?:twice|\w+ times|already|before)|"
    r"(?:already|keep) (?:asked|asking|told|telling|said|saying|explained|"
    r"explaining|written|writing)|how many (?:more )?times|not (?:even )?listening|"
    r"(?:nobody|no one|no-one)(?: here)? (?:is )?(?:helps?|helping|answers?|"
    r"answering|replies|replying|listens|cares|(?:has|have) (?:helped|answered|"
    r"replied|got back))|repeat(?:ing)? myself|same (?:answer|reply|message|thing) "
    r"(?:again|over))\b"
)
# ...or has had enough of it
FED_UP = re.compile(
    r"\b(?:fed up|had enough|sick (?:and tired )?of|tired of (?:waiting|this)|"
    r"(?:this|that|it) is (?:ridiculous|a joke|unbelievable|absurd|pathetic|"
    r"a disgrace)|(?:this|that|it)'s (?:ridiculous|a joke|unbelievable|absurd|"
    r"pathetic)|ridiculous|come on|fed-up|lost (?:my )?patience|"
    r"still (?:nothing|no (?:one|answer|reply))|(?:so )?when then\W*\?|"
    r"what a joke|(?:going|getting) (?:me |us )?nowhere|waste of (?:my |our )?time|"
    r"pointless|useless|forget it|^\W*(?:(?:ok|okay|fine|yeah)\W+)?whatever)\b|"
    r"\?\s*!|!\s*\?"
)
# "I don't want this to happen to anyone else": heard as such
OTHERS = re.compile(
    r"\b(?:happens?|happening|happened) to (?:anyone|anybody|someone|somebody) else\b|"
    r"\b(?:to|for|no|any) (?:other|another) (?:people|person|child|children|kids?|"
    r"families|family|customers?)\b|"
    r"\b(?:no ?one|nobody|anyone|anybody|someone|somebody) else "
    r"(?:gets?|is|being) (?:hurt|harmed|injured|burn(?:ed|t))\b"
)
# What was reported that makes a general answer about returns wrong: charged twice,
# the wrong item, one that stopped working, a broken one, one missing from the parcel
ENGLISH_SITUATIONS = (
    (
        "double_charge",
        re.compile(
            r"\b(?:charged|billed|debited|paid|taken|took)\b[^.?!]{0,20}?\b(?:twice|"
            r"two times|double)\b|\bdouble[- ]?(?:charged|charge|payment)\b|"
            r"\b(?:two|2) (?:charges|payments)\b|\bcharged (?:me )?again\b"
        ),
    ),
    (
        "wrong_item",
        re.compile(
            r"\bwrong (?:item|size|colou?r|product|one|thing|model)\b|"
            r"\bnot what i ordered\b|\binstead of\b|\bordered\b[^.?!]{0,80}?\bwhat "
            r"(?:came|arrived|turned up|was in the box|i got)\b|\b(?:two|2) different "
            r"(?:sizes|colou?rs|models|styles)\b|\bmismatched\b"
        ),
    ),
    # an item that stopped working (covered by the guarantee), before a broken one
    ("not_working", mention("not_working")),
    (
        "damaged",
        re.compile(
            r"\b(?:broken|broke|damaged|smashed|cracked|shattered|faulty|defective|"
            r"dented|crushed|torn|leaking|in pieces)\b"
        ),
    ),
    # an item missing from the parcel (not the parcel itself gone missing)
    (
        "missing",
        re.compile(
            r"\bmissing from (?:the|my|our|your|this) (?:parcel|package|box|order|"
            r"delivery)\b|\b(?!(?:parcel|package|order|delivery|shipment|it|this|"
            r"that)\b)\w+ (?:is|was|are|were|'s) missing\b|\b(?:wasn't|weren't|"
            r"was not|were not|isn't|aren't|not) (?:in|included in|inside) (?:the|"
            r"my|our) (?:parcel|package|box|order|delivery)\b|\b(?:came|arrived|"
            r"turned up) without (?:the|a|an|any|its|their)\b|\bonly (?:one|half|"
            r"part|some)\b[^.?!]{0,30}?\b(?:came|arrived|was in|were in)\b"
        ),
    ),
)
# asks what becomes of the item, the order or the money, or for it to be sent (a
# missing one) (WaitingWords.remedy)
REMEDY = re.compile(
    r"\b(?:cancel\w*|send (?:it|them|this|that|the \w+(?: one)?) back|back first|"
    r"return (?:it|them|this|that|the \w+)|keep (?:it|them|the \w+)|throw (?:\w+ ){1,3}"
    r"(?:away|out)|bin (?:it|them)|do (?:i do )?with (?:it|them|the \w+)|"
    r"replace\w*|(?:another|a new) one|send (?:me |us )?(?:another|a new)|"
    r"(?:post|send|ship) (?:it|them|the missing \w+)(?! back)|"
    r"refund\w*|money back|get (?:my|the) money|get (?:it|that|them) back|"
    r"(?:money|payment|charge|amount|refund|it|that) (?:will |to )?(?:come|comes|"
    r"coming|be|go|goes) back)\b"
)
# states what they want done ("I want a refund", "can you stop it?", "please get
# someone to lock my account"): what follows is what they want (WaitingWords.wants)
WANTS = re.compile(
    r"(?:^|[.!?,;]\s*|\b(?:and|so|but|ok|okay|just)\s+)(?:i (?:just |really |only )?"
    r"(?:want|need|would like|'d like|demand|expect)|i'd like|(?:can|could|will) "
    r"(?:you|someone|somebody|anyone|you guys)(?: please| just)?|(?:please )?get "
    r"(?:someone|somebody) to|please)\s+(?P<what>[^.?!,;]{3,80})",
    re.IGNORECASE,
)
# apologises for themselves ("sorry, this is all a lot", "I'm sorry I don't know the
# number", "sorry for dumping that on you") (WaitingWords.apology)
APOLOGY = re.compile(
    r"(?:^|[.!,;]\s*)(?:(?:ok|oh|and|well|thanks|thank you)\W+)?(?:i'?m |i am )?"
    r"(?:so |really |very )?sorry\b|\bsorry (?:for|about) (?:dumping|rambling|"
    r"bothering|going on|the rant|all this|this|that|being|my)\b|\bi apologi[sz]e\b",
    re.IGNORECASE,
)
ENGLISH = WaitingWords(
    THANKS,
    QUESTION_START,
    CALL_WORDS,
    WANTS_PERSON,
    wait=WAIT_WORDS,
    seen=SEEN_TO,
    what_now=WHAT_NOW,
    how_hear=HOW_HEAR,
    accepts=ACCEPTS,
    manager=MANAGER,
    contact_me=CONTACT_ME,
    impatient=IMPATIENT,
    repeated=REPEATED,
    fed_up=FED_UP,
    others=OTHERS,
    remedy=REMEDY,
    wants=WANTS,
    apology=APOLOGY,
    situations=ENGLISH_SITUATIONS,
    own_mistake=mention("own_mistake"),
)
# asks someone to do something to the order ("can someone on your team push it
# through with express?"): a task for the person, named back as wanted
# (bot/waiting.py); "can someone check my account?" is a person asked for
ASKS_TO_DO = re.compile(
    r"\b(?:can|could|would|will) (?:someone|somebody|anyone|anybody|a person|you|"
    r"your team|one of you)\b[^.?!]{0,30}?\b(?:push|expedite|rush|upgrade|chase|"
    r"hurry|speed|send|ship|deliver)\b",
    re.IGNORECASE,
)
