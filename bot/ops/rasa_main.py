"""Rasa's command line with personal data masked in every log record it makes, and
three of Rasa 3.6's costs under load removed (each measured with py-spy during
``bench.load``): custom-action responses validated without re-checking the schema
each time, trackers merged before a save in linear time, event classes looked up
in a table.

Rasa configures its own logging (structlog over the standard library) after it reads
its arguments, so a handler filter installed beforehand would miss it; a log-record
factory masks each record as it is created instead. Runs in ``.venv-rasa``
(``python -m bot.ops.rasa_main run ...``), so it imports nothing beyond ``bot.privacy``
and Rasa's own dependencies.

The HTTP API token comes from ``RASA_TOKEN`` in the environment, not from the
command line, which every user of the machine can read (``ps``).
"""

from __future__ import annotations

import json
import logging
import os
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


def merge_trackers_in_linear_time() -> None:
    """Merge a saved tracker with the stored one in O(n) instead of O(n²).

    Before each save, Rasa 3.6's Redis tracker store reads the stored tracker back
    and, unless it is a prefix of the new one, adds every new event that differs
    from all stored ones, comparing ``as_dict()`` pairwise: 36 % of Rasa's CPU under
    ``bench.load`` (py-spy), growing with the square of the conversation's length.
    The same rule with a set of the events' canonical JSON: linear, and the same
    result unless two events compare equal as dicts but not as JSON (1 and 1.0).
    """
    from rasa.core.tracker_store import RedisTrackerStore
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

    def key(event: Event) -> str:
        return json.dumps(event.as_dict(), sort_keys=True, default=repr)

    def merge(
        prior_tracker: DialogueStateTracker, tracker: DialogueStateTracker
    ) -> DialogueStateTracker:
        if not prior_tracker.events:
            return tracker
        last_event_timestamp = prior_tracker.events[-1].timestamp
        past_tracker = tracker.travel_back_in_time(target_time=last_event_timestamp)
        if past_tracker.events == prior_tracker.events:
            return tracker
        merged = tracker.init_copy()
        merged.update_with_events(
            list(prior_tracker.events), override_timestamp=False, domain=None
        )
        seen = {key(event) for event in merged.events}
        for new_event in tracker.events:
            new_key = key(new_event)
            if new_key not in seen:
                merged.update(new_event)
                seen.add(new_key)
        return merged

    RedisTrackerStore._merge_trackers = staticmethod(merge)


def resolve_event_types_once() -> None:
    """Look up event classes by type name in a table instead of a class-tree walk.

    Rasa resolves the class of every event it reads (each tracker load, each save)
    by listing all ``Event`` subclasses and testing each for abstractness: 7 % of
    Rasa's CPU under load. The table keeps the first class of that list per name,
    as Rasa's loop does; a name it does not know goes to Rasa's own code (which
    re-lists, so classes imported later are still found).
    """
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    rasa_resolve = Event.resolve_by_type
    table: dict[str, type[Event]] = {}

    def refresh() -> None:
        table.clear()
        for cls in all_subclasses(Event):
            table.setdefault(cls.type_name, cls)

    def resolve(
        type_name: str, default: type[Event] | None = None
    ) -> type[Event] | None:
        found = table.get(type_name)
        if found is None:
            refresh()
            found = table.get(type_name)
        return found if found is not None else rasa_resolve(type_name, default)

    Event.resolve_by_type = staticmethod(resolve)


def rasa_arguments(args: list[str], environ: dict[str, str]) -> list[str]:
    """Rasa's command line: ``args``, and for ``run`` the API token of RASA_TOKEN.

    Only this process's copy of its arguments gets the token; what ``ps`` shows
    is the command line it was started with.
    """
    token = environ.get("RASA_TOKEN", "")
    given = any(a == "--auth-token" or a.startswith("--auth-token=") for a in args)
    if args[:1] == ["run"] and token and not given:
        # One argument: a token may start with "-".
        return ["rasa", *args, f"--auth-token={token}"]
    return ["rasa", *args]


def main() -> None:
    """Run ``rasa`` with the given arguments."""
    mask_every_record()
    validate_action_results_once()
    merge_trackers_in_linear_time()
    resolve_event_types_once()
    from rasa.__main__ import main as rasa_main

    sys.argv = rasa_arguments(sys.argv[1:], dict(os.environ))
    rasa_main()


if __name__ == "__main__":
    main()
