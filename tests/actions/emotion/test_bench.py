"""The benchmark's parsing and calibration helpers, on a tiny corpus written for this
test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench import frustration as bench

CORPUS = """\
--------------------  [1, 2, 3]  --------------------
USER: my parcel is late {1,2,1}
SUPP: Sorry about that, what is the order number?
USER: 4417 {n,1,1}
USER: WHERE IS IT, it has been two weeks!!! {3,4,3}

--------------------  [4, 5]  --------------------
USER: thanks, all sorted {0,0,0}
SUPP: Glad to help!
"""


def test_parse(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(CORPUS, encoding="utf-8")
    conversations = bench.parse(path)
    assert len(conversations) == 2
    roles = [role for role, _, _ in conversations[0]]
    assert roles == ["customer", "agent", "customer", "customer"]
    assert conversations[0][0] == ("customer", "my parcel is late", [1, 2, 1])
    assert conversations[0][2][2] is None  # one rating missing
    assert conversations[1][0][2] == [0, 0, 0]


def test_fit_recovers_a_clean_mapping() -> None:
    rng = np.random.default_rng(7)
    y = rng.integers(0, 5, size=400)
    X = np.column_stack([y / 4 + rng.normal(0, 0.03, 400), rng.uniform(0, 1, 400)])
    cal = bench.fit(
        X, y, ["signal", "noise"], {"signal": 0.5, "noise": 0.5}, strength=0.0
    )
    assert cal.mix["signal"] > 0.8 and cal.mix["noise"] < 0.1
    intensity, level = bench.apply(X, cal, ["signal", "noise"])
    metrics = bench.metrics(y, intensity, level)
    assert metrics["exact_acc"] > 0.9 and metrics["spearman"] > 0.9
    assert cal.thresholds == sorted(cal.thresholds)


def test_cross_validation_scores_held_out_conversations() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 5, size=300)
    conv = np.repeat(np.arange(60), 5)
    X = rng.uniform(
        0, 1, size=(300, 2)
    )  # pure noise: held-out scores must stay near chance
    result = bench.cross_validate(X, y, conv, ["a", "b"], 5, {"a": 0.3, "b": 0.3})
    assert abs(result["spearman"]) < 0.25
    assert result["n"] == 300


@pytest.mark.parametrize(
    ("levels", "expected"), [([0, 1, 4], 1 / 3), ([3, 1, 2], 1.0), ([4, 0, 0], 0.0)]
)
def test_exact_accuracy(levels: list[int], expected: float) -> None:
    y = np.asarray([3, 1, 2])
    intensity = np.asarray(levels, dtype=float) / 4
    assert bench.metrics(y, intensity, np.asarray(levels))[
        "exact_acc"
    ] == pytest.approx(expected, abs=1e-3)
