"""`provenance run --previous OLD` builds only on a version it can trust and match.

Refused before any work (exit 2, nothing written): OLD is not published, was made
with another HMAC key, or has no index. A ledger file of OLD altered after
publication fails the run (nothing published). OLD scanned under other scan
settings is used for nothing but the chain: every record is scanned again.
"""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest

from tests.conftest import DEMO_CONFIG, run_cli
from tests.pipelines.commands.test_diff_refusals import _edit_manifest


@pytest.fixture()
def copy_of_demo(demo_run, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo_run, copy)
    return copy


def _run_on(previous, output) -> int:
    return run_cli("run", DEMO_CONFIG, "--output", output, "--previous", previous, "--quiet")


def test_a_directory_without_a_manifest_is_refused(tmp_path, capsys):
    (tmp_path / "old").mkdir()
    assert _run_on(tmp_path / "old", tmp_path / "new") == 2
    assert "not a published run" in capsys.readouterr().err
    assert not (tmp_path / "new" / "manifest.json").exists()


def test_a_version_made_with_another_hmac_key_is_refused(copy_of_demo, tmp_path, capsys):
    _edit_manifest(copy_of_demo, hmac_key_id="0" * 16)
    assert _run_on(copy_of_demo, tmp_path / "new") == 2
    error = capsys.readouterr().err
    assert "HMAC key 0000000000000000" in error and "never match" in error
    assert not (tmp_path / "new" / "manifest.json").exists()


def test_a_version_without_an_index_is_refused(copy_of_demo, tmp_path, capsys):
    manifest = json.loads((copy_of_demo / "manifest.json").read_text())
    outputs = [e for e in manifest["outputs"] if not e["path"].startswith("index/")]
    _edit_manifest(copy_of_demo, outputs=outputs)
    assert _run_on(copy_of_demo, tmp_path / "new") == 2
    assert "has no index/" in capsys.readouterr().err


def test_a_ledger_file_altered_after_publication_fails_the_run(copy_of_demo, tmp_path, capsys):
    ledger_file = sorted((copy_of_demo / "ledger").glob("*.parquet"))[0]
    table = pq.read_table(ledger_file)
    pq.write_table(table.slice(1), ledger_file)
    assert _run_on(copy_of_demo, tmp_path / "new") == 1
    error = capsys.readouterr().err
    assert "nothing published" in error and "does not match its manifest" in error
    assert not (tmp_path / "new" / "manifest.json").exists()


def test_other_scan_settings_reuse_nothing_and_change_nothing(
    demo_run, copy_of_demo, tmp_path, caplog
):
    _edit_manifest(copy_of_demo, scan_fingerprint="0" * 64)
    assert _run_on(copy_of_demo, tmp_path / "new") == 0
    assert "every record is scanned again" in caplog.text
    summary = json.loads((tmp_path / "new" / "reports" / "summary.json").read_text())
    ledger_rows = summary["totals"]["ledger_rows"]
    assert summary["reuse"]["reused"] == 0
    assert summary["reuse"]["rescanned"] == {"scan_settings_changed": ledger_rows}
    fresh = pq.read_table(demo_run / "dataset").sort_by("doc_id")
    again = pq.read_table(tmp_path / "new" / "dataset").sort_by("doc_id")
    assert again.equals(fresh)
