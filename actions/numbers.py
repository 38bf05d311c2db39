"""Order and invoice numbers in customer text: found, normalised, and told apart
from telephone numbers and postcodes."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d+")
# 4 to 15 digits, possibly written with spaces or dashes in between ("4821 3").
# "... 87001 2)": a list's next item number after an order number, not part of it
_LIST_NUMBER = re.compile(r"[ -]\d{1,2}$")
_NUMBER_IN_TEXT = re.compile(r"(?<![\w])#?\s*(\d[\d -]{2,18}\d)(?![\w])")


def normalise_number(value: str | None) -> str | None:
    """Digits of an order/invoice number, no leading zeros ("#0048213" -> "48213")."""
    if not value:
        return None
    digits = "".join(_DIGITS.findall(str(value)))
    if not 4 <= len(digits) <= 15:
        return None
    return digits.lstrip("0") or "0"


# A telephone number: an international prefix, or a leading 0 and 9+ digits written
# in groups ("07700 900123", "+49 30 1234567", "0049-30-123456"). Order numbers never
# look like this: a customer leaving a phone number is not asked about "order 900123".
_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)\d[\d ()./-]{6,18}\d(?!\w)"
    r"|(?<![\w+])0\d{1,5}[ ()./-]+\d[\d ./-]{4,14}\d(?!\w)"
    r"|(?<![\w+])0\d{9,12}(?!\w)"
)


# "postcode 10115", "zip: 94105", "PLZ 10115", "CP 28013", "code postal 75001": the
# number after such a word is a postcode, never an order number
POSTCODE_LABEL = re.compile(
    r"\b(?:post\s?codes?|postal\s+codes?|zip(?:\s?code)?|plz|postleitzahl|cp|"
    r"c[oó]digo\s+postal|code\s+postal|cap|postcode|kod\s+pocztowy)\b"
    # "postcode 10115", "the postcode on the account is 28013", "PLZ ist 10115"
    r"(?:\s+(?:on|of|for|in|at|the|my|our|this|that|account|order|delivery|address|"
    r"it|it's|its|is|was|ist|es|est|è|é|to|jest|de|la|le|del|der|die|des|von|für|"
    r"im|am|zum)){0,5}\s*[:#-]?\s*"
    r"(?P<code>[A-Za-z]{0,3}[- ]?\d[\w-]*(?:\s\d\w{1,3})?)",
    re.IGNORECASE,
)


# A postcode in an address: after a comma or a line break (or "in"), before the
# town ("Torstrasse 12, 10119 Berlin", "Keizersgracht 100, 1015 CV Amsterdam",
# "in 75011 Paris"), never an order number ("48213 Maya Lindqvist" may be one)
POSTCODE_TOWN = re.compile(
    r"(?:[,;\n]|\b(?:in|nach|naar|à|w|em)\b)\s*"
    r"(?P<code>\d{4,5}(?:\s?[A-Z]{2})?)\s+"
    r"(?!(?:EUR|USD|GBP|Euro|Euros|Pounds|Dollars)\b)[A-ZÄÖÜÉÅŁŚŻ][a-zäöüßéèàáíóúñãçåøæłśżźćń-]{2,}"
)


def is_postcode_part(number: str | None, text: str | None) -> bool:
    """Whether ``number`` (digits) is, or is part of, a postcode ``text`` labels as
    one ("postcode 10115") or writes in an address before the town ("10119
    Berlin")."""
    digits = "".join(_DIGITS.findall(number or ""))
    codes = [
        *(m.group("code") for m in POSTCODE_LABEL.finditer(text or "")),
        *(m.group("code") for m in POSTCODE_TOWN.finditer(text or "")),
    ]
    return bool(digits) and any(
        digits in "".join(_DIGITS.findall(code)) for code in codes
    )


def phone_digits(text: str | None) -> list[str]:
    """The digits of every telephone number in ``text``."""
    return ["".join(_DIGITS.findall(m.group(0))) for m in _PHONE.finditer(text or "")]


def is_phone_part(number: str | None, text: str | None) -> bool:
    """Whether ``number`` (digits) is, or is part of, a telephone number in ``text``."""
    digits = "".join(_DIGITS.findall(number or ""))
    return bool(digits) and any(digits in phone for phone in phone_digits(text))


def find_number(text: str | None) -> str | None:
    """The first order/invoice-like number in free text, normalised, or None; a
    telephone number or a postcode said to be one is not one."""
    if not text:
        return None
    for match in _NUMBER_IN_TEXT.finditer(text):
        if is_phone_part(match.group(1), text) or is_postcode_part(
            match.group(1), text
        ):
            continue
        found = match.group(1)
        if text[match.end() : match.end() + 1] in (")", "."):
            # "1) order 87001 2) can I pay by card": the next item's number in a
            # list is not part of the order number
            found = _LIST_NUMBER.sub("", found)
        number = normalise_number(found)
        if number:
            return number
    return None
