"""How the topics of a message in another language than English stand to each other
(the ``topics`` of ``data/replies/languages.yml``, read by
actions/language_texts.py): those whose words are a whole question, and those that
give way to another said beside them."""

from __future__ import annotations

# Answered topics whose words are a whole question ("how long does a refund take",
# "can I change the address"): the words they match are taken out of the message
# before the other topics are looked for, so "refund" or "wrong address" inside such
# a question does not also count as a problem for a person, nor "telefono" in "what
# is your phone number" as a request for a call. Anything else said
# beside them (charged twice, broken) still does.
# "password" too: "das Login funktioniert nicht" is no broken item; "giftcard" too: a
# "carte cadeau" is no way to pay by card; "warranty" too: "hur lång är
# reklamationsrätten?" is no complaint, "wie lange gilt die Garantie ab Lieferung?"
# no question about delivery.
QUESTIONS = (
    "refund",
    "address",
    "contact",
    "cancelled",
    "password",
    "giftcard",
    "warranty",
)
# Topics that give way to others said beside them. A question about an item itself
# (``product``: its size, colour, care): a size or colour in an exchange, a change to
# an order or something that went wrong is that, not a question about the item, and
# "how long is the guarantee on the washing machine?" asks about the guarantee. The
# guarantee (``warranty``) named as what a receipt is for ("een bonnetje voor de
# garantie"): the invoice is what is asked.
GIVES_WAY = {
    "product": (
        "returns",
        "change",
        "problem",
        "cancel",
        "cancel_question",
        "warranty",
    ),
    "warranty": ("invoice",),
}
