"""The report's run: machine facts, --only, a failing bench keeping its old row, the
table written into docs/benchmarks.md, and benches skipped for want of their data.

The commands here are tiny Python one-liners that print like a benchmark, not
benchmarks.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

import pytest

from bench import report
from bench.table import BEGIN, END, Bench, Target

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B13
processor\t: 1
model name\t: AMD EPYC 7B13
"""
MEMINFO = "MemTotal:       24522260 kB\nMemFree:         1000 kB\n"
OS_RELEASE = 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'


def test_machine_facts_from_proc_and_os_release() -> None:
    assert report.cpu_model(CPUINFO) == "AMD EPYC 7B13"
    assert report.ram(MEMINFO) == "23.4 GiB"
    assert report.os_name(OS_RELEASE) == "Debian GNU/Linux 12 (bookworm)"
    assert report.cpu_model("") == report.ram("") == report.os_name("") == ""


def test_machine_facts_of_this_machine() -> None:
    facts = report.machine()
    assert facts["nproc"] >= 1
    assert facts["os"]
    assert len(report.load_average()) == 3
    assert len(report.commit()["commit"]) >= 7


def test_only_selects_in_list_order_and_refuses_unknown_names() -> None:
    names = [b.name for b in report.selected(["queue,intents"])]
    assert names == ["intents", "queue"]
    assert [b.name for b in report.selected(["oos", "replay"])] == ["oos", "replay"]
    assert len(report.selected([])) == len(report.BENCHES)
    with pytest.raises(SystemExit):
        report.selected(["nope"])


def test_every_bench_has_a_unique_name_and_a_python_module_command() -> None:
    names = [b.name for b in report.BENCHES]
    assert len(names) == len(set(names))
    for bench in report.BENCHES:
        assert bench.command.startswith(".venv/bin/python -m bench.")


def _python(code: str) -> str:
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}"


def _bench(name: str, code: str, runs: int = 1) -> Bench:
    return Bench(
        name,
        f"{name} bench",
        _python(code),
        ("value **{value}**",),
        (Target("value", ">=", 2, "value ≥ 2"),),
        runs=runs,
    )


def test_the_table_lives_in_docs_benchmarks_md_between_one_pair_of_markers() -> None:
    assert report.DOC == report.ROOT / "docs" / "benchmarks.md"
    text = report.DOC.read_text("utf-8")
    assert text.count(BEGIN) == text.count(END) == 1
    assert text.index(BEGIN) < text.index(END)
    readme = (report.ROOT / "README.md").read_text("utf-8")
    assert BEGIN not in readme and END not in readme
    assert "docs/benchmarks.md" in readme


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """results.json and a benchmarks page in a temporary directory."""
    results, readme = tmp_path / "results.json", tmp_path / "benchmarks.md"
    readme.write_text(f"# X\n\n{BEGIN}\nold\n{END}\n\nKept.\n", encoding="utf-8")
    monkeypatch.setattr(report, "RESULTS", results)
    monkeypatch.setattr(report, "DOC", readme)
    monkeypatch.delenv("BENCH_DATASETS", raising=False)
    return results, readme


def test_a_run_writes_results_and_the_table(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    results, readme = files
    repeated = _bench("good", "print('working'); print('{\"value\": 3}')", runs=3)
    never_run = _bench("other", "raise SystemExit(1)")
    monkeypatch.setattr(report, "BENCHES", [repeated, never_run])
    assert report.main(["--only", "good"]) == 0
    stored = json.loads(results.read_text("utf-8"))
    assert stored["run"]["benches"] == ["good"]
    record = stored["benches"]["good"]
    assert record["runs"] == 3
    assert record["result"] == {"value": 3}
    assert record["ranges"] == {"value": [3, 3]}
    text = readme.read_text("utf-8")
    assert text.startswith("# X\n\n" + BEGIN) and text.endswith(f"{END}\n\nKept.\n")
    assert "old" not in text
    assert "| good bench |" in text and "value **3** (median of 3 runs)" in text
    assert "value ≥ 2: met" in text
    assert "| other bench |" in text and "not measured yet" in text


def test_a_failing_bench_keeps_its_old_row_marked_stale(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    results, readme = files
    old = {
        "command": "old command",
        "measured": "2026-12-01",
        "runs": 1,
        "result": {"value": 1},
    }
    results.write_text(json.dumps({"run": {}, "benches": {"b": old}}), "utf-8")
    monkeypatch.setattr(report, "BENCHES", [_bench("b", "raise SystemExit(3)")])
    assert report.main([]) == 1
    record = json.loads(results.read_text("utf-8"))["benches"]["b"]
    assert record["result"] == {"value": 1}
    assert record["command"] == "old command"
    assert record["stale"]["reason"] == "exit code 3"
    row = next(
        line for line in readme.read_text("utf-8").splitlines() if "| b " in line
    )
    assert "value **1**" in row and "value ≥ 2: **missed**" in row
    assert "2026-12-01, **stale**: the run of " in row
    assert "failed: b" in capsys.readouterr().err


def test_output_without_a_final_json_object_is_a_failure(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    results, readme = files
    monkeypatch.setattr(report, "BENCHES", [_bench("b", "print('[1, 2]')")])
    assert report.main([]) == 1
    record = json.loads(results.read_text("utf-8"))["benches"]["b"]
    assert record["stale"]["reason"] == "the last line is not a JSON object"
    assert "result" not in record
    assert "**the run of " in readme.read_text("utf-8")


@pytest.mark.parametrize("flag", ["--no-write", "--no-readme"])
def test_no_write_writes_nothing(
    flag: str, files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    results, readme = files
    before = readme.read_text("utf-8")
    monkeypatch.setattr(report, "BENCHES", [_bench("b", "print('{\"value\": 5}')")])
    assert report.main([flag]) == 0
    assert not results.exists()
    assert readme.read_text("utf-8") == before
    assert "value **5**" in capsys.readouterr().out


def test_render_rewrites_the_table_from_results_json_only(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    results, readme = files
    stored = {
        "run": {"started": "2026-12-01", "benches": ["b"], "machine": {"nproc": 2}},
        "benches": {"b": {"command": "c", "measured": "2026-12-01", "result": {}}},
    }
    results.write_text(json.dumps(stored), "utf-8")
    monkeypatch.setattr(report, "BENCHES", [_bench("b", "raise SystemExit(1)")])
    assert report.main(["--render"]) == 0
    assert "| b bench | `c` | no numbers |" in readme.read_text("utf-8")
    assert json.loads(results.read_text("utf-8")) == stored


# -- data sets -----------------------------------------------------------------
COUNT_LINES = (
    "import json, sys; "
    "print(json.dumps({'value': len(open(sys.argv[-1]).read().splitlines())}))"
)


def _bench_on(name: str, data: str) -> Bench:
    """A bench whose command reads ``data`` under the data set folder."""
    return Bench(
        name,
        f"{name} bench",
        f"{_python(COUNT_LINES)} --data {report.SHARED}/{data}",
        ("value **{value}**",),
        (Target("value", ">=", 2, "value ≥ 2"),),
    )


def test_every_data_set_a_bench_reads_is_named_with_its_source() -> None:
    needs = {b.name: report.data_files(b) for b in report.BENCHES}
    assert needs["intents"] == ["bitext/dev.csv"]
    assert needs["situations"] == ["bitext/dev.csv", "frustration/dev.txt"]
    assert needs["queue"] == needs["load"] == needs["frustration-latency"] == []
    folders = {path.split("/")[0] for paths in needs.values() for path in paths}
    assert folders == set(report.DATA_SETS)
    for data_set in report.DATA_SETS.values():
        assert "(" in data_set.name and data_set.source


def test_a_missing_data_set_skips_its_bench_and_the_others_run(
    files: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
) -> None:
    results, page = files
    empty = tmp_path / "no-data"
    empty.mkdir()
    monkeypatch.setenv("BENCH_DATASETS", str(empty))
    monkeypatch.setattr(
        report,
        "BENCHES",
        [
            _bench_on("intents", "bitext/dev.csv"),
            _bench_on("emotions", "goemotions/dev.tsv"),
            _bench("queue", "print('{\"value\": 7}')"),
        ],
    )
    assert report.main([]) == 0
    out, err = capsys.readouterr()
    skip = next(line for line in out.splitlines() if "intents SKIPPED" in line)
    assert "Bitext customer-service intents (CDLA-Sharing 1.0)" in skip
    assert "Hugging Face bitext/Bitext-customer-support" in skip
    assert str(empty / "bitext" / "dev.csv") in skip
    skip = next(line for line in out.splitlines() if "emotions SKIPPED" in line)
    assert "GoEmotions (Demszky et al., ACL 2020; Apache-2.0)" in skip
    assert "== queue (1/1)" in out
    assert "== intents (1/1)" not in out
    assert "skipped (no data): intents, emotions" in err
    stored = json.loads(results.read_text("utf-8"))
    assert stored["run"]["benches"] == ["queue"]
    assert set(stored["benches"]) == {"queue"}
    text = page.read_text("utf-8")
    assert "skipped for want of their data sets: intents, emotions" in text
    row = next(line for line in text.splitlines() if "| intents bench |" in line)
    assert "not measured yet" in row


def test_a_skipped_bench_keeps_its_earlier_row_as_it_was(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results, page = files
    old = {"command": "c", "measured": "2026-12-01", "runs": 1, "result": {"value": 4}}
    results.write_text(json.dumps({"run": {}, "benches": {"b": old}}), "utf-8")
    monkeypatch.setenv("BENCH_DATASETS", str(tmp_path / "nowhere"))
    runs = _bench("q", "print('{\"value\": 9}')")
    monkeypatch.setattr(report, "BENCHES", [_bench_on("b", "bitext/dev.csv"), runs])
    assert report.main([]) == 0
    stored = json.loads(results.read_text("utf-8"))["benches"]
    assert stored["b"] == old
    assert stored["q"]["result"] == {"value": 9}
    row = next(line for line in page.read_text("utf-8").splitlines() if "| b " in line)
    assert "value **4**" in row and "stale" not in row


def test_bench_datasets_points_the_command_at_another_folder(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results, _ = files
    data = tmp_path / "my data"
    (data / "bitext").mkdir(parents=True)
    (data / "bitext" / "dev.csv").write_text("text,intent\na,b\nc,d\n", "utf-8")
    monkeypatch.setenv("BENCH_DATASETS", str(data))
    monkeypatch.setattr(report, "BENCHES", [_bench_on("b", "bitext/dev.csv")])
    assert report.missing_data(report.BENCHES[0]) == []
    assert report.main([]) == 0
    record = json.loads(results.read_text("utf-8"))["benches"]["b"]
    assert record["result"] == {"value": 3}
    assert shlex.split(record["command"])[-1] == str(data / "bitext" / "dev.csv")


def test_without_bench_datasets_the_commands_read_the_shared_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BENCH_DATASETS", raising=False)
    intents = next(b for b in report.BENCHES if b.name == "intents")
    assert report.command_line(intents) == intents.command
    expected = os.path.realpath(report.ROOT.parent / "shared" / "datasets")
    assert str(report.data_root()) == expected


def test_when_every_selected_bench_lacks_its_data_nothing_is_written(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    results, page = files
    before = page.read_text("utf-8")
    monkeypatch.setenv("BENCH_DATASETS", str(tmp_path / "nowhere"))
    monkeypatch.setattr(report, "BENCHES", [_bench_on("b", "goemotions/dev.tsv")])
    assert report.main([]) == 0
    assert not results.exists()
    assert page.read_text("utf-8") == before
    assert "b SKIPPED: needs GoEmotions" in capsys.readouterr().out
