"""Run the action server on ACTIONS_HOST:ACTIONS_PORT (127.0.0.1:5055 unless set;
the rasa-sdk CLI has no host option).

Usage: ``python -m actions.server [--host 127.0.0.1] [--port 5055]``
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from pydantic import ValidationError
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request

from actions.settings import get_settings
from actions.store import StoreConfigError, StoreUnavailable, store
from bot.privacy import install_log_redaction
from bot.settings import problems

logger = logging.getLogger(__name__)


def build_executor() -> ActionExecutor:
    """An executor with every action of this project registered."""
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


def warm_up() -> None:
    """Load data files (and models) now, so the first customer does not wait."""
    from actions.delivery import named_destination
    from actions.empathy import empathy_book
    from actions.faq import faq_index, intent_examples
    from actions.language_detection import detect
    from actions.mood import analyzer, policy
    from actions.replies import reply_book

    reply_book()
    empathy_book()
    store()  # STORE_BACKEND, read once: a bad value stops the start here
    policy()
    analyzer().analyze("warming up", [])
    faq_index()
    intent_examples()  # embedded once, then read from var/cache
    detect("warming up the language models")  # lingua loads them on first use
    named_destination("to Berlin")  # the towns of GeoNames


MAX_TEXT = 4000
MAX_HISTORY = 50


def json_object(request: Request) -> dict[str, Any]:
    """The request's body when it is a JSON object, else {} (bad JSON too): each
    route then checks the fields it needs and answers 400 without them."""
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - sanic raises its own on bad JSON
        return {}
    return body if isinstance(body, dict) else {}


def add_emotion_route(app: Sanic) -> None:
    """``POST /emotion``: the analysis of a message the bot does not see itself.

    The gateway asks while a person owns the chat, so a customer who gets angrier
    while waiting moves up the queue. Body: ``{"text": str, "history": [{"author":
    "customer"|"bot", "text": str}, ...]}`` (oldest first). Answer: the analysis
    (``compact``), with ``concern`` when the message, or one of the customer's
    recent earlier ones, names what is wrong, ``felt`` (label and words) when the
    message names a feeling and what it is about, and ``language`` when the chat
    is not in English.
    """
    from actions.emotion import Turn
    from actions.empathy import empathy_book
    from actions.language_detection import conversation_language
    from actions.mood import analyzer, compact
    from actions.order_chat import telling
    from actions.situation import Situation

    @app.post("/emotion")
    async def post_emotion(request: Request) -> Any:
        """Analyse one customer message in its conversation."""
        body = json_object(request)
        text, history = body.get("text"), body.get("history", [])
        if (
            not isinstance(text, str)
            or not 0 < len(text) <= MAX_TEXT
            or not isinstance(history, list)
            or len(history) > MAX_HISTORY
            or not all(
                isinstance(t, dict) and isinstance(t.get("text"), str) for t in history
            )
        ):
            return response.json(
                {"error": "body must be {text: 1-4000 chars, history: [<=50 turns]}"},
                status=400,
            )
        turns = [
            Turn(
                author="customer" if t.get("author") == "customer" else "bot",
                text=t["text"][:MAX_TEXT],
            )
            for t in history
        ]
        # what the customer is upset about in their own words ("the 3-week wait"),
        # now or in their recent earlier messages, for the words of a waiting
        # reply; only when they name it
        situation = Situation(
            None,
            None,
            text=text,
            earlier=telling([t.text for t in turns if t.author == "customer"]),
        )
        book = empathy_book()
        said = book.said_concern(situation) or book.earlier_concern(situation)
        language = conversation_language(
            [t.text for t in turns if t.author == "customer"] + [text]
        )
        result = analyzer().analyze(text, turns, language)
        # a date it is needed by ("the wedding is in 4 days"): its words of care
        deadline = book.deadline(result.circumstances, situation)
        # the feeling they name with what it is about, in their words said back
        own = None if language else book.said_felt(situation)
        return response.json(
            {
                **compact(result),
                # what the message tells besides the feeling ("I feel so silly":
                # self_blame), by kind
                "circumstances": [{"kind": c.kind} for c in result.circumstances],
                **({"concern": said} if said else {}),
                **({"deadline": deadline} if deadline else {}),
                **({"felt": {"label": own.label, "words": own.words}} if own else {}),
                # the chat's language when it is not English ("nl"): a survey or
                # a queue text in it, not in another language whose thanks match
                **({"language": language} if language else {}),
            }
        )


def add_answer_route(app: Sanic) -> None:
    """``POST /answer``: the answer to a general question a customer asks while
    waiting for a person (actions/waiting_answers.py, answer_while_waiting).

    Body ``{"text": str, "language": str ("" for English), "intent": str | null,
    "confidence": float | null, "conversation": str (optional), "proof_only": bool
    (optional)}`` (intent: NLU's reading of the text alone; conversation: whose
    chat, for a question about its order: answered once the customer proved it
    theirs, else the proof asked for, and a proof given opens it,
    actions/waiting_order.py; proof_only: the message is no question, only a proof
    is looked for; situation: what the customer reported, "double_charge",
    "damaged", "not_working", "missing", "wrong_item" or "fraud", optional: a
    question about their money or the item then needs no proof, what holds for it
    shows nothing of the order);
    answer ``{"text": str | null}``, with ``"unfit": situation`` when the general
    answer does not fit it.
    """
    from actions.side import chat_slots
    from actions.waiting_answers import UNFIT, UNFIT_SITUATIONS, answer_while_waiting
    from actions.waiting_order import about_money, asks_remedy, unproven_answer

    @app.post("/answer")
    async def post_answer(request: Request) -> Any:
        """Answer one waiting customer's question, if it is a general one."""
        body = json_object(request)
        text, language = body.get("text"), body.get("language", "")
        intent, confidence = body.get("intent"), body.get("confidence")
        conversation = body.get("conversation")
        proof_only = body.get("proof_only", False)
        situation = body.get("situation", "")
        if (
            not isinstance(text, str)
            or not 0 < len(text) <= MAX_TEXT
            or not isinstance(language, str)
            or len(language) > 8
            or not (intent is None or isinstance(intent, str))
            or not (confidence is None or isinstance(confidence, int | float))
            or not (
                conversation is None
                or (isinstance(conversation, str) and 0 < len(conversation) <= 200)
            )
            or not isinstance(proof_only, bool)
            or (proof_only and not conversation)
            or not isinstance(situation, str)
            or len(situation) > 40
        ):
            return response.json(
                {
                    "error": "body must be {text: 1-4000 chars, language: str, "
                    "intent: str|null, confidence: number|null, "
                    "conversation: 1-200 chars (optional), proof_only: bool "
                    "(optional, needs conversation)}"
                },
                status=400,
            )
        order = None
        if conversation:
            # the chat's order, when the customer proved it is theirs
            slots = await chat_slots(conversation)
            try:
                found = await store().order(str(slots.get("order_id") or ""))
            except StoreUnavailable:
                found = None  # answered without the order; a person is coming
            if found is not None and found.customer == slots.get("verified_customer"):
                order = found
            elif found is not None and not (
                situation in UNFIT_SITUATIONS and asks_remedy(text, language)
            ):
                # ("when do I get it back?" after a double charge: what holds for
                # that needs no order shown, so no proof first; below)
                # not proven theirs yet: the proof asked for, or given
                said, asks = await unproven_answer(
                    conversation, found, text, language, intent, proof_only
                )
                if said is not None or proof_only:
                    return response.json({"text": said, "asks_proof": asks})
        if proof_only:
            return response.json({"text": None})
        refund, asks_money = None, False
        if order is not None and about_money(text, language):
            # "how soon will the money be back?": the refund on record answers it
            asks_money = True
            try:
                refund = await store().refund_for(order.id)
            except StoreUnavailable:
                refund = None
        said = answer_while_waiting(
            text,
            language,
            intent,
            float(confidence) if confidence is not None else None,
            order,
            situation,
            refund,
            asks_money=asks_money,
        )
        if said == UNFIT:
            return response.json({"text": None, "unfit": situation})
        return response.json({"text": said})


MAX_EMBED_TEXTS = 64
MAX_EMBED_CHARS = 2000


def add_embed_route(app: Sanic) -> None:
    """``POST /embed``: sentence vectors for the gateway's agent assist.

    Body ``{"texts": [str, ...]}`` (1-64 texts of at most 2000 characters); answer
    ``{"vectors": [[float, ...], ...], "dim": int}``, unit length, the same model as
    the emotion analysis.
    """
    from actions.mood import analyzer

    @app.post("/embed")
    async def post_embed(request: Request) -> Any:
        """Embed a few texts."""
        texts = json_object(request).get("texts")
        if (
            not isinstance(texts, list)
            or not 0 < len(texts) <= MAX_EMBED_TEXTS
            or not all(isinstance(t, str) and len(t) <= MAX_EMBED_CHARS for t in texts)
        ):
            return response.json(
                {"error": "body must be {texts: [1-64 texts of <= 2000 chars]}"},
                status=400,
            )
        vectors = analyzer().embed(texts)
        return response.json(
            {"vectors": vectors.round(5).tolist(), "dim": int(vectors.shape[1])}
        )


def main() -> None:
    """Parse arguments and serve until stopped."""
    try:
        settings = get_settings()
    except ValidationError as error:  # say which variable and why, no traceback
        lines = "\n".join(f"  {line}" for line in problems(error))
        raise SystemExit(f"Cannot start with this configuration:\n{lines}") from None
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=settings.actions_host)
    parser.add_argument("--port", type=int, default=settings.actions_port)
    args = parser.parse_args()
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        warm_up()
    except StoreConfigError as error:
        raise SystemExit(f"Cannot start: {error}") from None
    app = create_app(build_executor(), cors_origins=[])
    add_emotion_route(app)
    add_embed_route(app)
    add_answer_route(app)

    @app.after_server_stop
    async def close_store(_app: Sanic) -> None:
        """Release the store's connections."""
        await store().aclose()

    @app.before_server_start
    async def redact_logs(_app: Sanic) -> None:
        """Mask personal data in every log line (once sanic set up its logging)."""
        install_log_redaction()

    install_log_redaction()
    logger.info("action server on http://%s:%s", args.host, args.port)
    app.run(
        host=args.host,
        port=args.port,
        single_process=True,
        access_log=False,
        motd=False,
    )


if __name__ == "__main__":
    main()
