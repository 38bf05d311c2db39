"""The gateway through the real stack: health, sessions, bad input, a conversation."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.stack


@pytest.fixture
def client(gateway_url: str) -> httpx.Client:
    with httpx.Client(base_url=gateway_url, timeout=30) as http:
        yield http


@pytest.fixture
def session(client: httpx.Client) -> str:
    response = client.post("/api/sessions")
    assert response.status_code == 201
    return response.json()["session"]


def send(client: httpx.Client, session: str, text: str) -> list[str]:
    response = client.post(
        "/api/messages", headers={"X-Session": session}, json={"text": text}
    )
    assert response.status_code == 200, response.text
    return [r["text"] for r in response.json()["replies"] if r.get("text")]


def test_health_reports_every_part(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "redis": "ok",
        "rasa": "ok",
        "actions": "ok",
    }


def test_where_is_my_order_gets_a_caring_question_then_the_answer(
    client: httpx.Client, session: str
) -> None:
    [ask] = send(client, session, "where is my order?")
    assert "order number" in ask.lower()
    [proof] = send(client, session, "it's #48213")
    assert "postcode" in proof and "DHL" not in proof  # private until proven
    [answer] = send(client, session, "maya.lindqvist@example.com")
    assert "48213" in answer and "DHL" in answer


def test_a_number_that_is_not_an_order_is_asked_again(
    client: httpx.Client, session: str
) -> None:
    send(client, session, "I'd like to track my package")
    [again] = send(client, session, "hmm where do I find that")
    assert "order number" in again.lower()


def test_off_topic_question_is_declined_with_what_we_can_do(
    client: httpx.Client, session: str
) -> None:
    [reply] = send(client, session, "how many moons does jupiter have")
    assert "order" in reply.lower() and (
        "person" in reply.lower() or "colleague" in reply.lower()
    )


def test_sessions_are_separate_conversations(client: httpx.Client) -> None:
    first = client.post("/api/sessions").json()["session"]
    second = client.post("/api/sessions").json()["session"]
    assert first != second
    [question] = send(client, first, "track my order please")
    assert "order number" in question.lower()
    [other] = send(client, second, "thank you")
    assert "order number" not in other.lower()  # the second customer asked nothing
    [proof] = send(client, first, "48213")
    assert "postcode" in proof
    # the second customer cannot answer the first one's question
    [still] = send(client, second, "maya.lindqvist@example.com")
    assert "DHL" not in still
    [answer] = send(client, first, "SE-113 56")
    assert "48213" in answer and "DHL" in answer


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "no token"),
        ({"X-Session": "web-abc.0123456789abcdef0123456789abcdef"}, "forged signature"),
        ({"X-Session": "someone-else"}, "garbage"),
    ],
)
def test_a_client_cannot_write_without_its_own_session(
    client: httpx.Client, headers: dict[str, str], reason: str
) -> None:
    response = client.post("/api/messages", headers=headers, json={"text": "hello"})
    assert response.status_code == 401, reason
    assert "session" in response.json()["detail"].lower()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"text": ""}', "at least 1 character"),
        (b'{"text": "   \\n  "}', "empty"),
        (b'{"text": "\\u0000\\u0007"}', "empty"),
        (('{"text": "' + "a" * 20000 + '"}').encode(), "longer than"),
        (b'{"text": "hello"', "JSON"),
        (b"\xff\xfe\x00binary", "parsing the body"),
        (b'{"message": "hello"}', "text"),
        (b'{"text": 42}', "string"),
        (b"[1, 2, 3]", "dict"),
    ],
)
def test_bad_input_gets_a_clear_error(
    client: httpx.Client, session: str, body: bytes, expected: str
) -> None:
    response = client.post(
        "/api/messages",
        headers={"X-Session": session, "Content-Type": "application/json"},
        content=body,
    )
    assert response.status_code in (400, 422)
    assert expected.lower() in str(response.json()).lower()


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script> where is my order",
        "\u202eredro ym si erehw",
        "Z̷̢a̶͝l̸g̵o̴ text ​ with zero width",
        "\ud83d\ude21\ud83d\ude21\ud83d\ude21",
        "wo ist meine Bestellung?",
    ],
)
def test_odd_text_gets_a_sane_reply(
    client: httpx.Client, session: str, text: str
) -> None:
    replies = send(
        client, session, text.encode("utf-16", "surrogatepass").decode("utf-16")
    )
    assert replies, "the customer must always get an answer"
    assert all("<script>" not in r for r in replies)
