"""Care in the other languages for a hurt told by body and symptom: "his hands are
itching" is an injury though no word for one is in it (a body part and a symptom in
one sentence), a product's red handle is not. Our own sentences."""

from __future__ import annotations

import pytest

from actions.language import language_book

# A body part and a symptom in one sentence, no word of the `injury` list
BODY_AND_SYMPTOM = [
    ("de", "Seine Hände jucken, seit er die Handschuhe trägt."),
    ("de", "Nach der Creme war ihr Gesicht gerötet."),
    ("de", "Die Augen meiner Tochter sind vom Shampoo ganz rot und brennen."),
    ("es", "Desde que usa los guantes le pican las manos."),
    ("es", "Con la crema le salió una reacción en la piel."),
    ("es", "Tiene los ojos hinchados desde que probó el rímel."),
    ("fr", "Depuis qu'il porte les gants, ses mains le démangent."),
    ("fr", "Après la crème, elle a eu une réaction sur la peau."),
    ("fr", "Ses yeux ont gonflé avec le mascara."),
    ("it", "Da quando porta i guanti gli prudono le mani."),
    ("it", "Dopo la crema le è venuta una reazione sulla pelle."),
    ("it", "Le sono venuti gli occhi gonfi con il mascara."),
    ("nl", "Sinds hij de handschoenen draagt, heeft hij jeuk aan zijn handen."),
    ("nl", "Na de crème kreeg ze een reactie op haar huid."),
    ("nl", "Haar ogen zijn opgezwollen van de mascara."),
    ("pt", "Desde que usa as luvas, as mãos dele coçam."),
    ("pt", "Depois do creme teve uma reação na pele."),
    ("pt", "Os olhos dela ficaram inchados com o rímel."),
    ("pl", "Od kiedy nosi te rękawiczki, swędzą go ręce."),
    ("pl", "Po kremie miała reakcję na skórze."),
    ("pl", "Oczy ma spuchnięte po tym tuszu do rzęs."),
    ("sv", "Sedan han började använda handskarna kliar det i händerna."),
    ("sv", "Efter krämen fick hon en reaktion på huden."),
    ("sv", "Ögonen blev svullna av mascaran."),
]


@pytest.mark.parametrize(("code", "text"), BODY_AND_SYMPTOM)
def test_a_body_part_and_a_symptom_in_one_sentence_is_an_injury(
    code: str, text: str
) -> None:
    assert "injury" in language_book().situations(code, text)


# A product's part, a colour, a symptom word and a body word in different sentences
NO_INJURY = [
    ("de", "Der Griff vom Wasserkocher ist rot."),
    ("de", "Ich hätte gern den Schal in Rot, für meine Mutter."),
    ("de", "Der Topf hat eine Beule."),
    ("es", "El asa de la tetera es roja."),
    ("es", "Quiero las zapatillas rojas para mi hijo, ¿tienen la talla 30?"),
    ("fr", "La poignée de la bouilloire est rouge."),
    ("fr", "Le pied de la lampe est rouge. Ma main va bien."),
    ("it", "Il manico del bollitore è rosso."),
    ("it", "Vorrei la borsa rossa da tenere in mano."),
    ("nl", "Het handvat van de waterkoker is rood."),
    ("pt", "A pega da chaleira é vermelha."),
    ("pl", "Uchwyt czajnika jest czerwony."),
    ("pl", "Skórzana torebka ma czerwony kolor."),
    ("sv", "Handtaget på vattenkokaren är rött."),
    ("sv", "Jag vill ha den röda mössan till min son."),
]


@pytest.mark.parametrize(("code", "text"), NO_INJURY)
def test_a_products_part_or_a_colour_is_no_injury(code: str, text: str) -> None:
    assert "injury" not in language_book().situations(code, text)


def test_nobody_hurt_still_cancels_a_body_and_a_symptom() -> None:
    text = "Der Stecker hat geraucht, die Hand tat weh, aber niemand wurde verletzt."
    assert "injury" not in language_book().situations("de", text)
