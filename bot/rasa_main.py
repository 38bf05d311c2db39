"""Rasa's command line with personal data masked in every log record it makes.

Rasa configures its own logging (structlog over the standard library) after it reads
its arguments, so a handler filter installed beforehand would miss it; a log-record
factory masks each record as it is created instead. Runs in ``.venv-rasa``
(``python -m bot.rasa_main run ...``), so it imports nothing beyond ``bot.privacy``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from bot.privacy import RedactingFilter


def mask_every_record() -> None:
    """Mask e-mail addresses, card and phone numbers in every new log record."""
    make = logging.getLogRecordFactory()
    redact = RedactingFilter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        redact.filter(record)
        return record

    logging.setLogRecordFactory(factory)


def main() -> None:
    """Run ``rasa`` with the given arguments."""
    mask_every_record()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
