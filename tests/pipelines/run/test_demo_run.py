"""End-to-end: the demo through the real Beam runner, asserting on the Parquet it wrote."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from pipelines.run.audited_run import RunFailed, check_components_settled
from tests.conftest import DEMO_CONFIG
from tests.corpus_counts import count_source_records
from transforms.dedup.components import not_settled

OUTPUTS = ("dataset", "ledger", "dead_letter")


def _rows(directory, *columns):
    table = pq.read_table(directory, columns=list(columns) or None)
    return table.to_pylist()


def _by_doc_id(rows):
    return {row["doc_id"]: row for row in rows}


def test_demo_writes_every_output_and_a_manifest_last(demo_run):
    for name in OUTPUTS:
        assert list((demo_run / name).glob("*.parquet")), f"{name}/ has no Parquet file"
    assert (demo_run / "reports" / "summary.json").is_file()
    manifest = json.loads((demo_run / "manifest.json").read_text())
    listed = {entry["path"] for entry in manifest["outputs"]}
    assert "reports/summary.json" in listed
    assert not list(demo_run.glob(".staging-*")), "staging directory left behind"


def test_ledger_plus_dead_letter_equals_records_in_the_inputs(demo_run):
    expected = count_source_records(DEMO_CONFIG)
    ledger = _rows(demo_run / "ledger", "source_id")
    dead = _rows(demo_run / "dead_letter", "source_id")
    found = {}
    for row in ledger + dead:
        found[row["source_id"]] = found.get(row["source_id"], 0) + 1
    assert found == expected


def test_every_record_is_in_exactly_one_of_ledger_or_dead_letter(demo_run):
    ledger_ids = [row["doc_id"] for row in _rows(demo_run / "ledger", "doc_id")]
    dead_ids = [row["doc_id"] for row in _rows(demo_run / "dead_letter", "doc_id")]
    assert len(set(ledger_ids)) == len(ledger_ids)
    assert len(set(dead_ids)) == len(dead_ids)
    assert not set(ledger_ids) & set(dead_ids)


def test_dataset_holds_exactly_the_non_rejected_ledger_rows(demo_run):
    ledger = _rows(demo_run / "ledger", "doc_id", "decision")
    accepted = {row["doc_id"] for row in ledger if row["decision"] != "reject"}
    dataset = {row["doc_id"] for row in _rows(demo_run / "dataset", "doc_id")}
    assert dataset == accepted


def test_every_ledger_row_has_a_decision_and_a_reason(demo_run):
    for row in _rows(demo_run / "ledger", "decision", "reasons"):
        assert row["decision"] in {"accept", "accept_redacted", "reject"}
        assert row["reasons"], row


def test_ledger_carries_no_text_column(demo_run):
    names = pq.read_schema(next((demo_run / "ledger").glob("*.parquet"))).names
    assert "text" not in names


def test_summary_counts_match_the_ledger_and_reconcile(demo_run):
    summary = json.loads((demo_run / "reports" / "summary.json").read_text())
    ledger = _rows(demo_run / "ledger", "source_id", "decision")
    assert summary["totals"]["ledger_rows"] == len(ledger)
    assert all(item["ok"] for item in summary["reconciliation"].values())
    for source_id, figures in summary["sources"].items():
        expected = sum(1 for row in ledger if row["source_id"] == source_id)
        assert sum(figures["decisions"].values()) == expected
    assert summary["metrics"]["read/records"] == summary["totals"]["records_read"]


def test_summary_reports_the_component_rounds_its_round_counters_show(demo_run):
    summary = json.loads((demo_run / "reports" / "summary.json").read_text())
    worked = [
        name
        for name, value in summary["metrics"].items()
        if name.startswith("dedup/component_changes.round_") and value > 0
    ]
    assert summary["dedup"]["component_rounds"] == len(worked)
    clustered = [row for row in _rows(demo_run / "ledger", "cluster_id") if row["cluster_id"]]
    assert summary["metrics"]["dedup/component_documents"] == len(clustered)


def test_a_run_whose_clusters_did_not_settle_fails_naming_the_setting():
    traceback = RuntimeError(f"Traceback (most recent call last):\n  ...\n{not_settled(3)}")
    with pytest.raises(RunFailed, match=r"dedup\.max_component_rounds=3 rounds"):
        check_components_settled(traceback)
    check_components_settled(RuntimeError("some other failure"))  # left to the caller


def test_manifest_lists_outputs_with_row_counts_and_hashes(demo_run):
    manifest = json.loads((demo_run / "manifest.json").read_text())
    assert len(manifest["config"]["sha256"]) == 64
    assert len(manifest["policy"]["sha256"]) == 64
    assert manifest["packages"]["apache-beam"]
    for entry in manifest["outputs"]:
        path = demo_run / entry["path"]
        assert path.stat().st_size == entry["bytes"]
        if entry["path"].endswith(".parquet"):
            assert pq.ParquetFile(path).metadata.num_rows == entry["rows"]


def test_runs_in_memory_and_multi_processing_give_the_same_outputs(demo_run, demo_run_in_memory):
    for name, columns in (
        ("ledger", ("doc_id", "decision", "reasons", "content_sha256")),
        ("dataset", ("doc_id", "text", "decision")),
        ("dead_letter", ("doc_id", "error_code", "raw_sha256")),
    ):
        first = _by_doc_id(_rows(demo_run / name, *columns))
        second = _by_doc_id(_rows(demo_run_in_memory / name, *columns))
        assert first == second, name


def test_rerunning_the_demo_gives_identical_ids_decisions_and_text(demo_run, tmp_path):
    from tests.conftest import IN_MEMORY, run_cli

    assert run_cli("run", DEMO_CONFIG, "--output", tmp_path, "--quiet", *IN_MEMORY) == 0
    for name in ("ledger", "dataset"):
        columns = ("doc_id", "decision", "reasons") if name == "ledger" else ("doc_id", "text")
        assert _by_doc_id(_rows(demo_run / name, *columns)) == _by_doc_id(
            _rows(tmp_path / name, *columns)
        )


def test_content_digests_do_not_depend_on_worker_count(demo_run, demo_run_in_memory):
    default = json.loads((demo_run / "manifest.json").read_text())
    in_memory = json.loads((demo_run_in_memory / "manifest.json").read_text())
    assert default["content_digests"] == in_memory["content_digests"]


def test_the_console_shows_progress_and_summary_not_worker_or_library_logs(tmp_path):
    """Worker processes write to the same terminal; only our own lines may reach it.

    A real process, not `run_cli`: under pytest, logging goes to pytest's handlers."""
    import subprocess
    import sys

    from tests.conftest import REPO

    command = [sys.executable, "-m", "pipelines.commands.cli", "run", str(DEMO_CONFIG)]
    result = subprocess.run(
        [*command, "--output", str(tmp_path / "out")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = (result.stdout + result.stderr).splitlines()
    assert any(" INFO read 452 rec " in line for line in console)
    assert any(line.startswith("Run ") and " published to " in line for line in console)
    # Python's default log format, which only a worker's own stderr handler would use.
    assert not [line for line in console if line.startswith(("INFO:", "WARNING:", "DEBUG:"))]
    assert not [line for line in console if "ephemeral docs site" in line]
    assert not [line for line in console if "OpenLineageClient" in line]
