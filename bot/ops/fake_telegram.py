"""A fake Telegram Bot API: a small real HTTP server on 127.0.0.1 for the tests and
the benchmarks (the only stand-in: Telegram is a service on the internet).

python-telegram-bot talks to it through ``base_url`` (``TELEGRAM_API_URL``) exactly as
to ``https://api.telegram.org/bot``: ``POST /bot<token>/<method>`` with form-encoded
(or JSON) parameters, answered with ``{"ok": true, "result": ...}``. It implements what
the gateway calls (getMe, sendMessage, sendChatAction, answerCallbackQuery,
editMessageReplyMarkup, setWebhook, deleteWebhook, getUpdates), records every call,
and can be told to answer 429 with ``retry_after`` a number of times.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl

T = TypeVar("T")

BOT_USER = {
    "id": 7000001,
    "is_bot": True,
    "first_name": "Shop assistant",
    "username": "shop_assistant_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    """One request the gateway made."""

    method: str
    token: str
    params: dict[str, Any]
    at: float  # time.monotonic()
    answered: int = 200  # HTTP status of the answer
    result: Any = None  # what the fake answered

    @property
    def chat_id(self) -> int | None:
        """The ``chat_id`` parameter, if any."""
        value = self.params.get("chat_id")
        return int(value) if value not in (None, "") else None

    @property
    def markup(self) -> dict[str, Any] | None:
        """The ``reply_markup`` parameter, decoded."""
        raw = self.params.get("reply_markup")
        if raw in (None, ""):
            return None
        return raw if isinstance(raw, dict) else json.loads(raw)


@dataclass
class Failure:
    """Answer 429 to the next ``times`` matching calls."""

    method: str
    times: int
    retry_after: int
    chat_id: int | None = None


@dataclass
class FakeTelegramAPI:
    """The fake server; ``with FakeTelegramAPI() as api: ...`` runs it."""

    calls: list[Call] = field(default_factory=list)
    _failures: list[Failure] = field(default_factory=list)
    _updates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _message_id: int = 1000
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # -- running -------------------------------------------------------------------

    def start(self) -> FakeTelegramAPI:
        """Serve on a free port of 127.0.0.1 in a background thread."""
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                api._handle(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-telegram", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTelegramAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What ``TELEGRAM_API_URL`` must be (PTB appends the token)."""
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # -- what tests use ------------------------------------------------------------

    def fail(
        self, method: str, times: int, retry_after: int, chat_id: int | None = None
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``) with 429."""
        with self._cond:
            self._failures.append(Failure(method, times, retry_after, chat_id))

    def push_update(self, token: str, update: dict[str, Any]) -> None:
        """Queue an update for ``getUpdates`` (polling)."""
        with self._cond:
            self._updates.setdefault(token, []).append(update)
            self._cond.notify_all()

    def calls_to(
        self,
        method: str,
        chat_id: int | None = None,
        *,
        ok_only: bool = True,
    ) -> list[Call]:
        """The calls of ``method`` (to ``chat_id``), oldest first."""
        with self._cond:
            return [
                c
                for c in self.calls
                if c.method == method
                and (chat_id is None or c.chat_id == chat_id)
                and (not ok_only or c.answered == 200)
            ]

    def texts(self, chat_id: int) -> list[str]:
        """The texts sent to a chat (answered 200), in order."""
        return [
            str(c.params.get("text", "")) for c in self.calls_to("sendMessage", chat_id)
        ]

    def wait_for(
        self, check: Callable[[], T], timeout: float = 30.0, what: str = "condition"
    ) -> T:
        """Poll ``check`` until it returns something truthy; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.05)

    # -- serving -------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        token, method = self._route(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        params = self._params(request.headers.get("Content-Type", ""), raw)
        call = Call(method, token, params, time.monotonic())
        status, body = self._answer(call)
        call.answered, call.result = status, body.get("result")
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (a long poll ended)
            request.wfile.write(data)

    @staticmethod
    def _route(path: str) -> tuple[str, str]:
        path = path.split("?", 1)[0]
        if not path.startswith("/bot") or path.count("/") != 2:
            return "", ""
        token, _, method = path[len("/bot") :].partition("/")
        return token, method

    @staticmethod
    def _params(content_type: str, raw: bytes) -> dict[str, Any]:
        if not raw:
            return {}
        if "json" in content_type:
            loaded = json.loads(raw)
            return loaded if isinstance(loaded, dict) else {}
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))

    def _answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        if not call.token or not call.method:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        with self._cond:
            for failure in self._failures:
                if (
                    failure.times > 0
                    and failure.method == call.method
                    and (failure.chat_id is None or failure.chat_id == call.chat_id)
                ):
                    failure.times -= 1
                    return 429, {
                        "ok": False,
                        "error_code": 429,
                        "description": "Too Many Requests: retry after "
                        f"{failure.retry_after}",
                        "parameters": {"retry_after": failure.retry_after},
                    }
        handler = {
            "getMe": lambda c: BOT_USER,
            "sendMessage": self._send_message,
            "sendChatAction": lambda c: True,
            "answerCallbackQuery": lambda c: True,
            "editMessageReplyMarkup": lambda c: True,
            "setWebhook": lambda c: True,
            "deleteWebhook": lambda c: True,
            "getUpdates": self._get_updates,
        }.get(call.method)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return 200, {"ok": True, "result": handler(call)}

    def _send_message(self, call: Call) -> dict[str, Any]:
        with self._cond:
            self._message_id += 1
            message_id = self._message_id
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": call.chat_id, "type": "private"},
            "from": BOT_USER,
            "text": call.params.get("text", ""),
        }

    def _get_updates(self, call: Call) -> list[dict[str, Any]]:
        offset = int(call.params.get("offset") or 0)
        wait = min(float(call.params.get("timeout") or 0), 1.0)
        deadline = time.monotonic() + wait
        with self._cond:
            while True:
                queued = self._updates.setdefault(call.token, [])
                queued[:] = [u for u in queued if u["update_id"] >= offset]
                if queued or time.monotonic() >= deadline:
                    return list(queued)
                self._cond.wait(deadline - time.monotonic())
