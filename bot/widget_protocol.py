"""The widget protocol's frames on ``/ws/chat``: reading one, writing one
(``frame_text``), the ``error`` frame, and the checks of a ``message`` frame. What a
connection does with them is in bot/widget_socket.py (what it reads) and
bot/widget_push.py (what it sends).

Protocol (JSON text frames; the first client frame must be ``hello``)::

    client -> {"type": "hello", "session": token|null, "after": stream id|null,
               "name": optional customer name, "customer_token": optional JWT}
    server <- {"type": "welcome", "session": token, "conversation": id,
               "idle_s": seconds without a customer message until it expires}
    client -> {"type": "message", "id": client message id, "text": "..."}
    client -> {"type": "rating", "csat": 1-5, "understood": 1-5, "effort": 1-7,
               "recommend": 0-10, "comment": "..."}  the open survey's questions
               (bot/surveys.py); an error frame "invalid_rating" says what is wrong
    client -> {"type": "ping"}                    server <- {"type": "pong"}
    client -> {"type": "typing"}                  the customer is typing (shown to
               the agent who holds the chat; bot/typing_notes.py)
    server <- {"type": "entry", "entry": {id, author, kind, text, at, client_id?,
               agent_name?, buttons?, data?}}     every transcript entry after the
               cursor, the customer's own messages included (with their client id)
    server <- {"type": "typing", "author": "bot", "on": true|false}
    server <- {"type": "typing", "author": "agent", "on": true, "name": agent's
               display name, "for_s": seconds to show it unless renewed or the
               agent's message arrives}
    server <- {"type": "state", "state": "bot"|"queued"|"assigned", "position",
               "wait_s", "agents_online", "agent_name", "back": outside business
               hours, when the team is back ("tomorrow at 08:00 Berlin time")}
    server <- {"type": "error", "code": "...", "message": "...", "id"?: client id,
               "retry"?: true}
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import WebSocket

from bot.inputs import MAX_FRAME_BYTES, clean_text

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CLOSE_TOO_BIG = 1009


# State frames already written as text, by their fields: a place in line reads the
# same for every customer who stands there, so each is encoded once, not per widget.
STATE_TEXTS: dict[tuple[tuple[str, Any], ...], str] = {}
MAX_STATE_TEXTS = 4096


def frame_text(frame: dict[str, Any]) -> str:
    """A frame as the JSON text sent on the socket."""
    if frame.get("type") != "state":
        return json.dumps(frame, ensure_ascii=False)
    key = tuple(frame.items())
    text = STATE_TEXTS.get(key)
    if text is None:
        if len(STATE_TEXTS) >= MAX_STATE_TEXTS:
            STATE_TEXTS.clear()
        text = STATE_TEXTS[key] = json.dumps(frame, ensure_ascii=False)
    return text


class FrameError(Exception):
    """A frame the client should be told about (an ``error`` frame)."""

    def __init__(self, code: str, message: str, client_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.client_id = client_id


def error_frame(error: FrameError, retry: bool = False) -> dict[str, Any]:
    """The ``error`` frame that tells the client what was wrong with its frame."""
    frame: dict[str, Any] = {
        "type": "error",
        "code": error.code,
        "message": error.message,
    }
    if error.client_id:
        frame["id"] = error.client_id
    if retry:
        frame["retry"] = True
    return frame


async def receive_frame(ws: WebSocket) -> dict[str, Any] | None:
    """The next JSON frame, None when the client left (or was closed for a frame
    over ``MAX_FRAME_BYTES``); FrameError when bad."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        return None
    if message.get("bytes") is not None:
        raise FrameError("binary", "binary frames are not accepted; send JSON text")
    text = message.get("text") or ""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        await ws.close(CLOSE_TOO_BIG, "frame too large")
        return None
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply
        raise FrameError("invalid_json", "the frame is not valid JSON") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise FrameError("invalid_frame", "a frame is a JSON object with a type")
    return frame


def message_fields(frame: dict[str, Any], max_chars: int) -> tuple[str, str]:
    """The client id and the cleaned text of a ``message`` frame; FrameError when
    either is not acceptable."""
    client_id = frame.get("id")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise FrameError(
            "invalid_frame", "a message needs an id (1-64 of A-Z a-z 0-9 _ -)"
        )
    try:
        text = clean_text(frame.get("text"), max_chars)
    except ValueError as error:
        code = "too_long" if "longer" in str(error) else "empty"
        raise FrameError(code, str(error), client_id) from None
    return client_id, text
