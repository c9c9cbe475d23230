"""`provenance verify` recomputes a published run and catches any edit after publication."""

from __future__ import annotations

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import run_cli


@pytest.fixture()
def published(demo_run, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(demo_run, copy)
    return copy


def test_untouched_run_verifies(published, capsys):
    assert run_cli("verify", published) == 0
    assert "every output matches" in capsys.readouterr().out


def test_rewritten_ledger_file_is_caught(published, capsys):
    path = sorted((published / "ledger").glob("*.parquet"))[0]
    table = pq.read_table(path)
    decisions = ["accept"] * table.num_rows
    table = table.set_column(
        table.schema.get_field_index("decision"), "decision", pa.array(decisions, pa.string())
    )
    pq.write_table(table, path)
    assert run_cli("verify", published) == 1
    out = capsys.readouterr().out
    assert f"ledger/{path.name}: sha256 is" in out


def test_removed_and_added_files_are_caught(published, capsys):
    victim = sorted((published / "dataset").glob("*.parquet"))[0]
    victim.unlink()
    (published / "reports" / "extra.txt").write_text("not from the run")
    assert run_cli("verify", published) == 1
    out = capsys.readouterr().out
    assert "missing" in out and "reports/extra.txt: present but not listed" in out


def test_a_summary_of_another_shape_is_named_with_its_key(published, capsys):
    path = published / "reports" / "summary.json"
    summary = json.loads(path.read_text())
    del summary["reconciliation"]  # e.g. written by an older version
    path.write_text(json.dumps(summary, indent=2) + "\n")
    assert run_cli("verify", published) == 1
    out = capsys.readouterr().out
    assert "reports/summary.json: sha256 is" in out
    assert "is not a run summary this version can read" in out
    assert "lacks required key(s) reconciliation" in out


def test_directory_without_manifest_is_not_a_published_run(published, capsys):
    (published / "manifest.json").unlink()
    assert run_cli("verify", published) == 2
    assert "not a published run" in capsys.readouterr().err


def test_manifest_records_content_digests_of_each_parquet_output(published):
    manifest = json.loads((published / "manifest.json").read_text())
    assert set(manifest["content_digests"]) == {"dataset", "ledger", "dead_letter"}
    ledger_rows = sum(e["rows"] for e in manifest["outputs"] if e["path"].startswith("ledger/"))
    assert manifest["content_digests"]["ledger"]["rows"] == ledger_rows
