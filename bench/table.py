"""The benchmark results table: targets, medians over runs, Markdown between markers.

Pure functions over the JSON objects the benchmarks print last; ``bench/report.py``
runs the benchmarks, keeps their records in ``bench/results.json`` and calls these to
render the table between ``BEGIN`` and ``END`` in docs/benchmarks.md.

A record (one per benchmark in results.json)::

    {"command": "...", "measured": "2026-12-01T14:38:00Z", "runs": 3,
     "result": {...medians...}, "ranges": {"key": [min, max]},
     "machine": {...}, "load": [start, end], "note": "...",
     "stale": {"failed": "2026-12-02T10:00:00Z", "reason": "exit code 1"}}
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any, TypeGuard

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"


@dataclass(frozen=True)
class Target:
    """``key op bound`` on a result: the bound is a number or another key's value."""

    key: str
    op: str  # ">=" or "<="
    bound: float | str
    label: str

    def met(self, result: dict[str, Any]) -> bool | None:
        """Whether the result reaches the target; None when a number is missing."""
        value = result.get(self.key)
        bound = result.get(self.bound) if isinstance(self.bound, str) else self.bound
        if self.op not in (">=", "<="):
            raise ValueError(f"unknown operator {self.op!r}")
        if is_number(value) and is_number(bound):
            return value >= bound if self.op == ">=" else value <= bound
        return None


@dataclass(frozen=True)
class Bench:
    """One benchmark: the command, how its numbers read, what they must reach.

    ``summary`` parts are ``str.format`` templates over the result (nested values as
    ``{memory_mb[gateway][idle]:.0f}``, plus ``{runs}``); a part whose numbers are
    missing is left out. ``runs`` > 1 runs the command that often and reports
    medians, except the ``summed`` counts, and shows the ``spread`` keys' ranges.
    ``keep`` names earlier JSON lines to keep (by their first key) beside the last.
    """

    name: str
    what: str
    command: str
    summary: tuple[str, ...]
    targets: tuple[Target, ...] = ()
    runs: int = 1
    summed: tuple[str, ...] = ()
    spread: tuple[tuple[str, str, str], ...] = ()  # (key, label, format spec)
    keep: tuple[str, ...] = ()


def is_number(value: Any) -> TypeGuard[float]:
    """An int or float, not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def combine(
    results: list[dict[str, Any]], summed: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """Medians (sums for ``summed``) of the numbers of several runs, and their ranges.

    Non-numbers and numbers missing from a run are taken from the first run.
    """
    if len(results) == 1:
        return dict(results[0]), {}
    combined: dict[str, Any] = {}
    ranges: dict[str, list[float]] = {}
    for key, first in results[0].items():
        values = [v for r in results if is_number(v := r.get(key))]
        if len(values) < len(results):
            combined[key] = first
        elif key in summed:
            combined[key] = sum(values)
        else:
            combined[key] = round(statistics.median(values), 4)
            ranges[key] = [min(values), max(values)]
    return combined, ranges


def keep_line(
    result: dict[str, Any], line: dict[str, Any], keep: tuple[str, ...]
) -> None:
    """Add an earlier JSON line to ``result`` when its first key is in ``keep``.

    ``{"memory_mb": {...}}`` becomes ``result["memory_mb"]``; a flag line such as
    ``{"bot_answered_only": true, "p50_ms": 1}`` keeps the rest under the flag's name.
    """
    if not line:
        return
    key = next(iter(line))
    if key not in keep:
        return
    value = line[key]
    result[key] = (
        value
        if isinstance(value, dict)
        else {k: v for k, v in line.items() if k != key}
    )


def verdicts(bench: Bench, result: dict[str, Any]) -> list[tuple[Target, bool | None]]:
    """Every target of the bench with met (True), missed (False) or unknown (None)."""
    return [(target, target.met(result)) for target in bench.targets]


def render_targets(bench: Bench, result: dict[str, Any] | None) -> str:
    """The target cell: each target's label and met / missed."""
    if not bench.targets:
        return "–"
    if result is None:
        return "; ".join(t.label for t in bench.targets)
    words = {True: "met", False: "**missed**", None: "no number"}
    return "; ".join(f"{t.label}: {words[ok]}" for t, ok in verdicts(bench, result))


def render_summary(bench: Bench, record: dict[str, Any]) -> str:
    """The result cell: the summary parts that have their numbers, runs, the note."""
    result = record.get("result") or {}
    view = {**result, "runs": record.get("runs", 1)}
    parts = []
    for template in bench.summary:
        try:
            parts.append(template.format_map(view))
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    if not parts:  # the bench's output changed: show its numbers as they are
        parts = [f"{k} {v}" for k, v in result.items() if is_number(v)]
    text = "; ".join(parts) or "no numbers"
    runs = record.get("runs", 1)
    if runs > 1:
        ranges = record.get("ranges") or {}
        spans = [
            f"{label} {format(ranges[key][0], spec)}–{format(ranges[key][1], spec)}"
            for key, label, spec in bench.spread
            if key in ranges
        ]
        text += f" (median of {runs} runs" + (
            f"; {', '.join(spans)})" if spans else ")"
        )
    if record.get("note"):
        text += f"; {record['note']}"
    return text.replace("|", "\\|")


def render_when(record: dict[str, Any]) -> str:
    """The date cell: when the numbers were measured, and whether they are stale."""
    measured = str(record.get("measured", ""))
    when = measured[:10] + (f" {measured[11:16]} UTC" if measured[11:16] else "")
    stale = record.get("stale")
    if not stale:
        return when or "?"
    failed = f"the run of {str(stale.get('failed', ''))[:10]} failed"
    failed += f" ({stale.get('reason')})"
    return f"{when}, **stale**: {failed}" if when else f"**{failed}**"


def render_row(bench: Bench, record: dict[str, Any] | None) -> str:
    """One Markdown table row."""
    if record is None:
        cells = [bench.what, f"`{bench.command}`", "not measured yet"]
        cells += [render_targets(bench, None), "–"]
        return "| " + " | ".join(cells) + " |"
    cells = [
        bench.what,
        f"`{record.get('command', bench.command)}`",
        render_summary(bench, record),
        render_targets(bench, record.get("result") or {}),
        render_when(record),
    ]
    return "| " + " | ".join(cells) + " |"


def describe_machine(machine: dict[str, Any]) -> str:
    """``nproc 2, AMD EPYC 7B13, 23.4 GiB RAM, Debian GNU/Linux 12 (bookworm)``."""
    parts = [
        f"nproc {machine['nproc']}" if machine.get("nproc") else "",
        str(machine.get("cpu") or ""),
        f"{machine['ram']} RAM" if machine.get("ram") else "",
        str(machine.get("os") or ""),
    ]
    return ", ".join(p for p in parts if p) or "unknown machine"


def _load(values: Any) -> str:
    return " / ".join(f"{v:.2f}" for v in values) if values else "?"


def render_header(run: dict[str, Any]) -> str:
    """The line above the table: the last run's date, benches, machine and load."""
    started, finished = str(run.get("started", "")), str(run.get("finished", ""))
    when = started[:10]
    if started[11:16]:
        when += f" {started[11:16]}–{finished[11:16] or '?'} UTC"
    text = f"Last run {when} ({', '.join(run.get('benches', []))}) on "
    text += describe_machine(run.get("machine") or {})
    if run.get("commit"):
        text += f", commit {run['commit']}"
        text += " with uncommitted changes" if run.get("dirty") else ""
    if run.get("load_start") or run.get("load_end"):
        text += (
            f"; load average (1, 5, 15 min) {_load(run.get('load_start'))} at the "
            f"start, {_load(run.get('load_end'))} at the end"
        )
    if run.get("failed"):
        text += f"; **failed**: {', '.join(run['failed'])}"
    if run.get("note"):
        text += f"; {run['note']}"
    return text + "."


def render_table(
    benches: list[Bench], records: dict[str, dict[str, Any]], run: dict[str, Any]
) -> str:
    """The generated block: header line, note on dates, and the table."""
    lines = [
        "<!-- generated by bench/report.py from bench/results.json; do not edit -->",
        render_header(run),
        "Other rows come from earlier runs, at the time shown (the machine and load "
        "of each are in `bench/results.json`); a stale row keeps the numbers of its "
        "last good run.",
        "",
        "| what | command | result | target | measured |",
        "|---|---|---|---|---|",
    ]
    lines += [render_row(b, records.get(b.name)) for b in benches]
    return "\n".join(lines)


def replace_between(text: str, block: str, begin: str = BEGIN, end: str = END) -> str:
    """``text`` with everything between the markers replaced by ``block``.

    Raises:
        ValueError: the markers are missing, repeated or in the wrong order.
    """
    if text.count(begin) != 1 or text.count(end) != 1:
        raise ValueError(f"expected one {begin} and one {end}")
    head, rest = text.split(begin)
    if end not in rest:
        raise ValueError(f"{end} comes before {begin}")
    _, tail = rest.split(end)
    return f"{head}{begin}\n{block.strip()}\n{end}{tail}"
