"""Run every benchmark and write one results table (``make bench``).

Run from the repo root::

    .venv/bin/python -m bench.report              # all; docs/benchmarks.md updated
    .venv/bin/python -m bench.report --only queue,intents
    .venv/bin/python -m bench.report --only queue --no-write   # print only
    .venv/bin/python -m bench.report --list
    .venv/bin/python -m bench.report --render   # table from bench/results.json only

``BENCHES`` in bench/catalogue.py is the one list of benchmark commands. Each command
runs from the repo root with its output shown as it comes; its last stdout line must
be a JSON object. Commands with ``runs`` > 1 run that often and report medians. The
records go to ``bench/results.json`` (with the machine facts and load average of the
run) and the table between ``<!-- bench:begin -->`` and ``<!-- bench:end -->`` in
docs/benchmarks.md is regenerated from it. A benchmark that fails keeps its previous
record, marked stale, and the exit code is 1.

The data set benchmarks read public data sets from ``../shared/datasets`` (or the
folder named by ``BENCH_DATASETS``). A benchmark whose files are not there is skipped
with a line naming the data set and where it comes from; the others run, and a skip
alone does not make the exit code 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.catalogue import BENCHES, DATA_SETS, SHARED
from bench.table import (
    Bench,
    combine,
    keep_line,
    render_table,
    replace_between,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"


# -- the machine ---------------------------------------------------------------
def cpu_model(cpuinfo: str) -> str:
    """The first ``model name`` of /proc/cpuinfo."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            return value.strip()
    return ""


def ram(meminfo: str) -> str:
    """MemTotal of /proc/meminfo in GiB (``23.4 GiB``)."""
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    return ""


def os_name(os_release: str) -> str:
    """PRETTY_NAME of /etc/os-release."""
    for line in os_release.splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.partition("=")[2].strip().strip('"')
    return ""


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [float(v) for v in _read("/proc/loadavg").split()[:3]]


def machine() -> dict[str, Any]:
    """Facts about this machine, read now."""
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu_model(_read("/proc/cpuinfo")) or platform.processor(),
        "ram": ram(_read("/proc/meminfo")),
        "os": os_name(_read("/etc/os-release")) or platform.platform(),
    }


def commit() -> dict[str, Any]:
    """The checked-out commit and whether tracked files differ from it."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


def now() -> str:
    """UTC time as ``2026-12-01T14:38:05Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- data sets -----------------------------------------------------------------
def data_root() -> Path:
    """The folder holding the data sets: BENCH_DATASETS, else ../shared/datasets."""
    configured = os.environ.get("BENCH_DATASETS")
    return Path(configured or ROOT / SHARED).expanduser().resolve()


def data_files(bench: Bench) -> list[str]:
    """The files under the data set folder that the bench's command reads."""
    prefix = SHARED + "/"
    args = shlex.split(bench.command)
    return [arg[len(prefix) :] for arg in args if arg.startswith(prefix)]


def command_line(bench: Bench) -> str:
    """The bench's command with its data set paths under ``data_root()``."""
    if not os.environ.get("BENCH_DATASETS"):
        return bench.command
    prefix = SHARED + "/"
    args = [
        str(data_root() / arg[len(prefix) :]) if arg.startswith(prefix) else arg
        for arg in shlex.split(bench.command)
    ]
    return shlex.join(args)


def missing_data(bench: Bench) -> list[str]:
    """One line per data set file the bench needs that is not there."""
    root = data_root()
    lines = []
    for name in data_files(bench):
        path = root / name
        if path.exists():
            continue
        known = DATA_SETS.get(name.split("/")[0])
        what = f"{known.name}, from {known.source}" if known else "a data set"
        lines.append(f"{what}; expected at {path}")
    return lines


# -- running -------------------------------------------------------------------
def run_once(bench: Bench) -> dict[str, Any]:
    """Run the command once, echoing its output; its last JSON line plus kept lines.

    Raises:
        RuntimeError: the command failed or did not end with a JSON object.
    """
    env = {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "RASA_TELEMETRY_ENABLED": "false",
        **os.environ,
        "PYTHONUNBUFFERED": "1",
    }
    lines: list[str] = []
    with subprocess.Popen(
        shlex.split(command_line(bench)),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            if line.strip():
                lines.append(line.strip())
    if process.returncode != 0:
        raise RuntimeError(f"exit code {process.returncode}")
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        result = None
    if not isinstance(result, dict):
        raise RuntimeError("the last line is not a JSON object")
    for line in lines[:-1]:
        if line.startswith("{"):
            try:
                keep_line(result, json.loads(line), bench.keep)
            except json.JSONDecodeError:
                continue
    return result


def measure(bench: Bench) -> dict[str, Any]:
    """Run the bench ``runs`` times; its new record (raises RuntimeError on failure)."""
    started, load_start = now(), load_average()
    results = []
    command = command_line(bench)
    for number in range(1, bench.runs + 1):
        print(f"== {bench.name} ({number}/{bench.runs}): {command}", flush=True)
        results.append(run_once(bench))
    result, ranges = combine(results, bench.summed)
    return {
        "command": command,
        "measured": started,
        "runs": bench.runs,
        "result": result,
        "ranges": ranges,
        "machine": machine(),
        "load": [load_start[0], load_average()[0]] if load_start else [],
        **commit(),
    }


def selected(only: list[str]) -> list[Bench]:
    """The benches named in ``--only`` (comma-separated or repeated), or all."""
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    known = {b.name for b in BENCHES}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown bench {', '.join(unknown)}; known: {sorted(known)}")
    return [b for b in BENCHES if not names or b.name in names]


def write_table(table: str) -> None:
    """Put the table between the markers of docs/benchmarks.md."""
    DOC.write_text(replace_between(DOC.read_text("utf-8"), table), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the selected benches, then write results.json and the table in the docs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", default=[], help="bench names")
    parser.add_argument(
        "--no-write",
        "--no-readme",
        dest="no_write",
        action="store_true",
        help="print the table; write neither docs/benchmarks.md nor bench/results.json",
    )
    parser.add_argument(
        "--list", action="store_true", help="list the benches and missing data"
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="run nothing; rewrite the table in docs/benchmarks.md from "
        "bench/results.json",
    )
    args = parser.parse_args(argv)
    if args.list:
        for bench in BENCHES:
            print(f"{bench.name:20} {command_line(bench)}")
            for line in missing_data(bench):
                print(f"{'':20} missing: {line}")
        return 0
    stored = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else {}
    records: dict[str, Any] = stored.get("benches", {})
    if args.render:
        table = render_table(BENCHES, records, stored.get("run", {}))
        write_table(table)
        print(table)
        return 0
    benches = selected(args.only)
    skipped = {b.name: missing for b in benches if (missing := missing_data(b))}
    for name, missing in skipped.items():
        for line in missing:
            print(f"== {name} SKIPPED: needs {line}", flush=True)
    if skipped:
        print(
            "   (set BENCH_DATASETS to a folder holding these files; see docs/data.md)",
            flush=True,
        )
    benches = [b for b in benches if b.name not in skipped]
    if not benches:
        print("nothing left to run; bench/results.json and the table are unchanged")
        return 0
    run: dict[str, Any] = {
        "started": now(),
        "benches": [b.name for b in benches],
        "machine": machine(),
        "load_start": load_average(),
        **commit(),
    }
    if skipped:
        run["note"] = f"skipped for want of their data sets: {', '.join(skipped)}"
    failed = []
    for bench in benches:
        try:
            records[bench.name] = measure(bench)
        except (RuntimeError, OSError) as error:
            failed.append(bench.name)
            print(f"== {bench.name} FAILED: {error}", flush=True)
            record = records.setdefault(bench.name, {"command": bench.command})
            record["stale"] = {"failed": now(), "reason": str(error)}
    run.update(finished=now(), load_end=load_average(), failed=failed)
    table = render_table(BENCHES, records, run)
    print(table)
    if not args.no_write:
        RESULTS.write_text(
            json.dumps({"run": run, "benches": records}, indent=2, ensure_ascii=False)
            + "\n",
            encoding="utf-8",
        )
        write_table(table)
        print(f"wrote {RESULTS} and the table in {DOC}")
    if skipped:
        print(f"skipped (no data): {', '.join(skipped)}", file=sys.stderr)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
