"""Rendering of the results table, met/missed, medians over runs, README markers."""

from __future__ import annotations

import pytest

from bench.table import (
    BEGIN,
    END,
    Bench,
    Target,
    combine,
    keep_line,
    render_header,
    render_row,
    render_summary,
    render_table,
    render_targets,
    replace_between,
)

QUEUE = Bench(
    "queue",
    "handoff queue",
    ".venv/bin/python -m bench.queue",
    (
        "**{double_claims} double claims** in {runs} × {contested_claims:,} claims",
        "**{claims_per_s:,.0f} claims/s**",
        "p95 {p95_claim_ms:.0f} ms",
    ),
    (
        Target("double_claims", "<=", 0, "0 double claims"),
        Target("claims_per_s", ">=", 5000, "≥ 5,000 claims/s"),
    ),
    runs=3,
    summed=("double_claims",),
    spread=(("claims_per_s", "claims/s", ",.0f"),),
)
LOAD = Bench(
    "load",
    "load",
    ".venv/bin/python -m bench.load",
    (
        "p50 **{p50_ms:.0f} ms**, {throughput_per_s:.1f} msg/s",
        "gateway {memory_mb[gateway][idle]:.0f} → "
        "{memory_mb[gateway][peak_under_load]:.0f} MiB",
    ),
    (
        Target(
            "throughput_per_s",
            ">=",
            "stock_rasa_throughput_per_s",
            "throughput ≥ stock",
        ),
        Target("p50_ms", "<=", 120, "p50 ≤ 120 ms"),
    ),
)
REPLAY = Bench("replay", "escalation", "python -m bench.replay", ("recall {recall}",))


def record(result: dict, **extra: object) -> dict:
    """A results.json record measured 2026-12-01 by ``cmd --x``."""
    base = {"command": "cmd --x", "measured": "2026-12-01T14:38:00Z", "runs": 1}
    return {**base, "result": result, **extra}


def test_a_target_with_a_number_or_another_key() -> None:
    at_least = Target("acc", ">=", 0.95, "acc ≥ 0.95")
    assert at_least.met({"acc": 0.95}) is True
    assert at_least.met({"acc": 0.9499}) is False
    at_most = Target("p95_ms", "<=", 30, "p95 ≤ 30 ms")
    assert at_most.met({"p95_ms": 30.0}) is True
    assert at_most.met({"p95_ms": 30.1}) is False
    versus = Target("throughput", ">=", "stock", "≥ stock")
    assert versus.met({"throughput": 34.9, "stock": 24.6}) is True
    assert versus.met({"throughput": 20.0, "stock": 24.6}) is False


def test_a_missing_or_non_numeric_value_is_unknown_not_met() -> None:
    target = Target("acc", ">=", 0.95, "acc ≥ 0.95")
    assert target.met({}) is None
    assert target.met({"acc": None}) is None
    assert target.met({"acc": True}) is None
    assert Target("t", ">=", "stock", "≥ stock").met({"t": 3}) is None
    with pytest.raises(ValueError):
        Target("acc", ">", 1, "x").met({"acc": 2})


def test_target_cell_says_met_missed_or_no_number() -> None:
    assert (
        render_targets(
            LOAD,
            {
                "throughput_per_s": 34.9,
                "stock_rasa_throughput_per_s": 24.6,
                "p50_ms": 240,
            },
        )
        == "throughput ≥ stock: met; p50 ≤ 120 ms: **missed**"
    )
    assert render_targets(LOAD, {"p50_ms": 100}) == (
        "throughput ≥ stock: no number; p50 ≤ 120 ms: met"
    )
    assert render_targets(LOAD, None) == "throughput ≥ stock; p50 ≤ 120 ms"
    assert render_targets(REPLAY, {"recall": 1.0}) == "–"


def test_medians_over_runs_sums_for_counts_and_ranges() -> None:
    runs = [
        {"double_claims": 0, "claims_per_s": 9197, "p95_claim_ms": 41.0, "mode": "a"},
        {"double_claims": 1, "claims_per_s": 6313, "p95_claim_ms": 50.5, "mode": "b"},
        {"double_claims": 0, "claims_per_s": 11110, "p95_claim_ms": 30.0, "mode": "c"},
    ]
    result, ranges = combine(runs, summed=("double_claims",))
    assert result == {
        "double_claims": 1,
        "claims_per_s": 9197,
        "p95_claim_ms": 41.0,
        "mode": "a",
    }
    assert ranges == {"claims_per_s": [6313, 11110], "p95_claim_ms": [30.0, 50.5]}
    assert combine([runs[1]]) == (runs[1], {})


def test_a_number_missing_from_one_run_is_not_a_median() -> None:
    result, ranges = combine([{"a": 1, "b": 2}, {"a": 3}])
    assert result == {"a": 2, "b": 2}
    assert ranges == {"a": [1, 3]}


def test_kept_lines_join_the_last_line() -> None:
    result: dict = {"p50_ms": 240}
    keep = ("memory_mb", "bot_answered_only")
    keep_line(result, {"memory_mb": {"gateway": {"idle": 84}}}, keep)
    keep_line(result, {"bot_answered_only": True, "overhead_ratio_p50": 0.63}, keep)
    keep_line(result, {"breakdown": {"nlu_ms": 20}}, keep)
    keep_line(result, {}, keep)
    assert result == {
        "p50_ms": 240,
        "memory_mb": {"gateway": {"idle": 84}},
        "bot_answered_only": {"overhead_ratio_p50": 0.63},
    }


def test_summary_with_runs_spread_and_note() -> None:
    rec = record(
        {"double_claims": 0, "contested_claims": 50000, "claims_per_s": 9197.0},
        runs=3,
        ranges={"claims_per_s": [6313, 11110]},
        note="with hiredis",
    )
    assert render_summary(QUEUE, rec) == (
        "**0 double claims** in 3 × 50,000 claims; **9,197 claims/s** "
        "(median of 3 runs; claims/s 6,313–11,110); with hiredis"
    )


def test_summary_leaves_out_parts_without_numbers() -> None:
    rec = record(
        {
            "p50_ms": 240,
            "throughput_per_s": 34.9,
            "memory_mb": {"gateway": {"idle": 84, "peak_under_load": 87}},
        }
    )
    assert render_summary(LOAD, rec) == (
        "p50 **240 ms**, 34.9 msg/s; gateway 84 → 87 MiB"
    )
    del rec["result"]["memory_mb"]
    assert render_summary(LOAD, rec) == "p50 **240 ms**, 34.9 msg/s"


def test_summary_of_an_unknown_output_shows_its_numbers() -> None:
    assert render_summary(LOAD, record({"latency": 3.5, "name": "x"})) == "latency 3.5"
    assert render_summary(LOAD, record({})) == "no numbers"


def test_a_pipe_in_a_note_does_not_break_the_table() -> None:
    assert render_summary(REPLAY, record({"recall": 1.0}, note="a | b")) == (
        "recall 1.0; a \\| b"
    )


def test_row_with_the_recorded_command_and_date() -> None:
    row = render_row(
        LOAD,
        record(
            {"p50_ms": 90, "throughput_per_s": 30.0, "stock_rasa_throughput_per_s": 25}
        ),
    )
    assert row == (
        "| load | `cmd --x` | p50 **90 ms**, 30.0 msg/s | throughput ≥ stock: met; "
        "p50 ≤ 120 ms: met | 2026-12-01 14:38 UTC |"
    )


def test_a_stale_row_keeps_its_numbers_and_says_so() -> None:
    rec = record(
        {"recall": 1.0},
        stale={"failed": "2026-12-03T09:00:00Z", "reason": "exit code 1"},
    )
    assert render_row(REPLAY, rec) == (
        "| escalation | `cmd --x` | recall 1.0 | – | 2026-12-01 14:38 UTC, **stale**: "
        "the run of 2026-12-03 failed (exit code 1) |"
    )


def test_a_bench_never_measured() -> None:
    assert render_row(QUEUE, None) == (
        "| handoff queue | `.venv/bin/python -m bench.queue` | not measured yet | "
        "0 double claims; ≥ 5,000 claims/s | – |"
    )


def test_header_gives_the_machine_date_and_load() -> None:
    run = {
        "started": "2026-12-02T10:00:05Z",
        "finished": "2026-12-02T10:41:50Z",
        "benches": ["queue", "load"],
        "machine": {
            "nproc": 2,
            "cpu": "AMD EPYC 7B13",
            "ram": "23.4 GiB",
            "os": "Debian GNU/Linux 12 (bookworm)",
        },
        "load_start": [1.35, 0.68, 0.29],
        "load_end": [3.0, 2.5, 1.25],
        "failed": ["load"],
        "commit": "360efe3",
        "dirty": True,
    }
    assert render_header(run) == (
        "Last run 2026-12-02 10:00–10:41 UTC (queue, load) on nproc 2, AMD EPYC 7B13, "
        "23.4 GiB RAM, Debian GNU/Linux 12 (bookworm), commit 360efe3 with "
        "uncommitted changes; load average (1, 5, 15 min) "
        "1.35 / 0.68 / 0.29 at the start, 3.00 / 2.50 / 1.25 at the end; "
        "**failed**: load."
    )


def test_table_has_one_row_per_bench_in_list_order() -> None:
    table = render_table(
        [QUEUE, LOAD, REPLAY],
        {"replay": record({"recall": 1.0}), "queue": record({"double_claims": 0})},
        {"started": "2026-12-02", "benches": ["queue"], "machine": {"nproc": 2}},
    )
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert rows[0] == "| what | command | result | target | measured |"
    assert [r.split(" | ")[0] for r in rows[1:]] == [
        "| handoff queue",
        "| load",
        "| escalation",
    ]
    assert "not measured yet" in rows[2]
    assert "Last run 2026-12-02 (queue) on nproc 2." in table


README = f"""# Project

## Benchmarks

Intro.

{BEGIN}
| old | table |
{END}

Explanation kept.

## Testing
"""


def test_replace_between_keeps_what_is_around_the_markers() -> None:
    new = replace_between(README, "| new | table |\n")
    assert new == README.replace("| old | table |", "| new | table |")
    assert replace_between(new, "| new | table |") == new


@pytest.mark.parametrize(
    "text",
    [
        "no markers",
        f"{BEGIN} only the start",
        f"{END} before {BEGIN}",
        f"{BEGIN} {END} {BEGIN} {END}",
    ],
)
def test_replace_between_refuses_bad_markers(text: str) -> None:
    with pytest.raises(ValueError):
        replace_between(text, "table")
