"""Rasa's command line with personal data masked in every log record it makes, and
custom-action responses validated without re-checking the schema each time.

Rasa configures its own logging (structlog over the standard library) after it reads
its arguments, so a handler filter installed beforehand would miss it; a log-record
factory masks each record as it is created instead. Runs in ``.venv-rasa``
(``python -m bot.rasa_main run ...``), so it imports nothing beyond ``bot.privacy``
and Rasa's own dependencies.
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


def validate_action_results_once() -> None:
    """Check action-server responses with a validator built once, not per call.

    Rasa 3.6 calls ``jsonschema.validate`` for every custom-action response, which
    first re-checks the schema itself against its meta-schema: about 25 of 35 ms per
    call on this machine, a quarter of Rasa's CPU under load (bench.load, py-spy).
    The same checks run here; an invalid response still goes through Rasa's own
    code, so the error it raises is unchanged.
    """
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    validator_class = validator_for(spec)
    validator_class.check_schema(spec)
    validator = validator_class(spec)
    rasa_validate = RemoteAction._validate_action_result

    def validate(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError:
            return bool(rasa_validate(self, result))  # raises Rasa's own error
        return True

    RemoteAction._validate_action_result = validate


def main() -> None:
    """Run ``rasa`` with the given arguments."""
    mask_every_record()
    validate_action_results_once()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
