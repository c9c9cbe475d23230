"""`provenance diff` refuses what it cannot compare honestly, with exit 2 and one message."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest

from pipelines.publish.signing import SIGNATURE
from tests.conftest import REPO, run_cli

DEMO_PUBLIC_KEY = REPO / "configs" / "demo-signing.key.pub"


@pytest.fixture()
def copy_of_demo(demo_run, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo_run, copy)
    return copy


def _edit_manifest(run, **changes) -> None:
    path = run / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    manifest.pop(SIGNATURE, None)  # unsigned: only the edited field differs
    path.write_text(json.dumps(manifest))


def test_a_directory_without_a_manifest_is_refused(demo_run, tmp_path, capsys):
    assert run_cli("diff", tmp_path, demo_run, "--output", tmp_path / "d") == 2
    assert "not a published run" in capsys.readouterr().err


def test_versions_made_with_different_hmac_keys_are_refused(
    demo_run, copy_of_demo, tmp_path, capsys
):
    _edit_manifest(copy_of_demo, hmac_key_id="0" * 16)
    assert run_cli("diff", demo_run, copy_of_demo, "--output", tmp_path / "d") == 2
    assert "different HMAC keys" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_a_version_without_a_key_id_is_compared_with_a_warning(
    demo_run, copy_of_demo, tmp_path, capsys
):
    _edit_manifest(copy_of_demo, hmac_key_id=None)
    assert run_cli("diff", demo_run, copy_of_demo, "--output", tmp_path / "d") == 0
    assert "records no HMAC key id" in capsys.readouterr().err
    report = json.loads((tmp_path / "d" / "diff.json").read_text())
    assert report["same_hmac_key"] is None
    assert report["totals"]["unchanged"] == report["totals"]["old_records"]


def test_a_ledger_file_edited_after_publication_is_refused(
    demo_run, copy_of_demo, tmp_path, capsys
):
    ledger_file = sorted((copy_of_demo / "ledger").glob("*.parquet"))[0]
    table = pq.read_table(ledger_file)
    pq.write_table(table.slice(1), ledger_file)
    assert run_cli("diff", demo_run, copy_of_demo, "--output", tmp_path / "d") == 2
    error = capsys.readouterr().err
    assert f"ledger/{ledger_file.name} does not match its manifest" in error
    assert not (tmp_path / "d" / "diff.json").exists()


def test_a_summary_edited_after_publication_is_refused(demo_run, copy_of_demo, tmp_path, capsys):
    summary = copy_of_demo / "reports" / "summary.json"
    summary.write_text(summary.read_text().replace('"exceeded": true', '"exceeded": false'))
    assert run_cli("diff", demo_run, copy_of_demo, "--output", tmp_path / "d") == 2
    assert "summary.json does not match its manifest" in capsys.readouterr().err


def test_an_output_inside_a_version_is_refused(demo_run, copy_of_demo, capsys):
    assert run_cli("diff", demo_run, copy_of_demo, "--output", copy_of_demo / "reports") == 2
    assert "inside NEW" in capsys.readouterr().err


def test_a_version_not_signed_by_the_trusted_key_is_refused(
    demo_run, copy_of_demo, tmp_path, capsys
):
    _edit_manifest(copy_of_demo)  # strips the signature
    args = ("diff", demo_run, copy_of_demo, "--output", tmp_path / "d")
    assert run_cli(*args, "--public-key", DEMO_PUBLIC_KEY) == 2
    assert "NEW" in capsys.readouterr().err
    assert run_cli(*args) == 0  # without a trusted key an unsigned version is compared


def test_identical_versions_diff_to_no_change(demo_run, copy_of_demo, tmp_path):
    assert run_cli("diff", demo_run, copy_of_demo, "--output", tmp_path / "d") == 0
    report = json.loads((tmp_path / "d" / "diff.json").read_text())
    totals = report["totals"]
    assert totals["unchanged"] == totals["old_records"] == totals["new_records"] > 0
    assert report["decision_changes"] == report["rights_changes"] == []
    assert report["subjects_withdrawn"] == {"count": 0, "listed": [], "truncated": False}
