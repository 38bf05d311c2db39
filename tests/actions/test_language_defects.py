"""Damage told in everyday words in the other languages is something that went
wrong, for a person: a dent, a crack, a chip, a scratch, a tear, a bend, a leak, a
lid or zip that does not close, an item that does not switch on, and a part that
was missing told in the past ("mancava", "non c'era", "there was only one"); not
the order's delivery state (our own sentences)."""

from __future__ import annotations

from functools import lru_cache

import pytest
import yaml

from actions.language import language_book
from actions.language_texts import problem_said
from actions.paths import LANGUAGES_FILE

# (language, problem, sentence): one line each, several per language
DEFECTS = [
    ("de", "damaged", "Der Topf hat eine Delle am Boden."),
    ("de", "damaged", "Das Display hat einen Riss."),
    ("de", "damaged", "Die Trinkflasche leckt."),
    ("de", "damaged", "Der Bilderrahmen ist ganz verzogen."),
    ("de", "not_working", "Der Reißverschluss der Jacke schließt nicht."),
    ("de", "missing", "Im Karton war nur ein Handschuh."),
    ("de", "missing", "Das Netzteil fehlte."),
    ("es", "damaged", "La sartén llegó con una abolladura."),
    ("es", "damaged", "La pantalla tiene una grieta en la esquina."),
    ("es", "damaged", "El marco de la foto está torcido."),
    ("es", "not_working", "La tapa del termo no cierra."),
    ("es", "missing", "Faltaba el cable de carga."),
    ("es", "missing", "En la caja solo había una taza."),
    ("fr", "damaged", "La casserole a une bosse sur le côté."),
    ("fr", "damaged", "L'écran présente une fissure."),
    ("fr", "damaged", "Le bol a un éclat sur le bord."),
    ("fr", "not_working", "La fermeture éclair ne ferme pas."),
    ("fr", "missing", "Il manquait le mode d'emploi."),
    ("fr", "missing", "Dans le colis il n'y avait qu'une chaussette."),
    ("it", "damaged", "Lo specchio ha una crepa."),
    ("it", "damaged", "La borraccia perde."),
    ("it", "damaged", "Il manico della padella è piegato."),
    ("it", "not_working", "Il coperchio non si chiude."),
    ("it", "missing", "Mancava il caricabatterie."),
    ("it", "missing", "Il cavo non c'era."),
    ("nl", "damaged", "Het scherm heeft een barst."),
    ("nl", "damaged", "Het handvat is krom."),
    ("nl", "damaged", "De waterkoker druppelt."),
    ("nl", "not_working", "De rits van de tas sluit niet."),
    ("nl", "missing", "De handleiding ontbrak."),
    ("nl", "missing", "In de doos zat maar één handschoen."),
    ("pt", "damaged", "A panela tem uma mossa."),
    ("pt", "damaged", "O espelho tem uma racha."),
    ("pt", "damaged", "A garrafa está a pingar."),
    ("pt", "not_working", "A tampa da lancheira não fecha."),
    ("pt", "missing", "Faltava o carregador."),
    ("pt", "missing", "Na caixa só vinha um copo."),
    ("pl", "damaged", "Garnek ma wgniecenie."),
    ("pl", "damaged", "Rama jest krzywa."),
    ("pl", "damaged", "Dzbanek kapie."),
    ("pl", "not_working", "Pokrywka się nie domyka."),
    ("pl", "missing", "Brakowało instrukcji."),
    ("pl", "missing", "W pudełku był tylko jeden kubek."),
    ("sv", "damaged", "Koppen har ett hack i kanten."),
    ("sv", "damaged", "Handtaget är böjt."),
    ("sv", "damaged", "Termosen droppar."),
    ("sv", "not_working", "Locket stänger inte ordentligt."),
    ("sv", "missing", "I kartongen låg bara en vante."),
    ("sv", "missing", "Laddaren fanns inte i lådan."),
]


@pytest.mark.parametrize(("code", "kind", "text"), DEFECTS)
def test_damage_in_everyday_words_is_what_went_wrong(
    code: str, kind: str, text: str
) -> None:
    texts = language_book().languages[code]
    assert problem_said(texts, text.lower()) == _care(code, kind), text


@lru_cache(maxsize=1)
def _problems() -> dict[str, dict[str, dict[str, str]]]:
    """Every language's ``problems`` as written in the data file."""
    raw = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))
    return {code: entry["problems"] for code, entry in raw["languages"].items()}


def _care(code: str, kind: str) -> str:
    """The care words of the language's problem ``kind``."""
    return _problems()[code][kind]["care"]


# Words like those of damage that tell none (our own sentences)
NOT_DAMAGE = [
    ("es", "Quiero una camiseta de rayas, ¿la tienen en azul?"),
    ("es", "La camiseta venía doblada en una bolsa."),
    ("fr", "Je cherche une chemise rayée en taille M."),
    ("it", "Vorrei una coca cola con l'ordine? No, scherzo: quando arriva?"),
    ("it", "Il corriere è passato ma non c'era nessuno a casa."),
    ("pt", "A encomenda ainda não chegou."),
]


@pytest.mark.parametrize(("code", "text"), NOT_DAMAGE)
def test_words_like_damage_that_tell_none_are_no_problem(code: str, text: str) -> None:
    texts = language_book().languages[code]
    said = problem_said(texts, text.lower())
    assert said not in {_care(code, k) for k in ("damaged", "missing", "not_working")}
