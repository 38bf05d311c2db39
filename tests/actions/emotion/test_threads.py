"""``analyze`` may be called from several threads at once (gateway workers)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from actions.emotion import EmotionAnalyzer, Turn

TEXTS = [
    "still waiting for my refund",
    "Thanks, all sorted now",
    "WHERE IS MY ORDER???",
    "I'll do a chargeback",
    "Could you check my delivery date?",
    "you useless idiots",
]


def test_concurrent_calls_match_sequential(analyzer: EmotionAnalyzer) -> None:
    history = [Turn("customer", "my parcel is late"), Turn("bot", "Let me check.")]
    expected = [analyzer.analyze(t, history).to_dict() for t in TEXTS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda t: analyzer.analyze(t, history).to_dict(), TEXTS * 3)
        )
    for i, result in enumerate(results):
        want = expected[i % len(TEXTS)]
        assert result["label"] == want["label"]
        assert result["frustration"] == want["frustration"]
        assert abs(result["intensity"] - want["intensity"]) < 1e-3
