"""`provenance verify` recomputes a published run and catches any edit after publication."""

from __future__ import annotations

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pipelines.commands.verify import verify_run
from pipelines.publish.outputs import content_digest, file_sha256, parquet_rows
from pipelines.publish.signing import load_private_key, sign_manifest
from tests.conftest import DEMO_CONFIG, REPO, run_cli


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


# Signed manifests: the hashes prove files match the manifest; the signature proves the
# manifest is the one the key holder published.

DEMO_PUBLIC_KEY = REPO / "configs" / "demo-signing.key.pub"


def _rewrite_consistently(run, signing_key=None) -> None:
    """What someone who can write the output but has no signing key would do: change a
    data file, then recompute every hash, row count and digest the manifest records."""
    path = sorted((run / "dataset").glob("*.parquet"))[0]
    table = pq.read_table(path)
    pq.write_table(table.slice(1), path)  # one accepted record silently gone
    manifest_path = run / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    for entry in manifest["outputs"]:
        file = run / entry["path"]
        entry["sha256"] = file_sha256(file)
        entry["bytes"] = file.stat().st_size
        if entry["path"].endswith(".parquet"):
            entry["rows"] = parquet_rows(file)
    manifest["content_digests"]["dataset"] = content_digest(run / "dataset")
    if signing_key is not None:
        manifest = sign_manifest(manifest, signing_key)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")


def test_the_demo_manifest_is_signed_by_the_demo_key(published, capsys):
    signature = json.loads((published / "manifest.json").read_text())["signature"]
    assert signature["algorithm"] == "ed25519"
    assert run_cli("verify", published, "--public-key", DEMO_PUBLIC_KEY) == 0
    assert f"signed by the trusted key {signature['key_id']}" in capsys.readouterr().out


def test_a_rewrite_that_recomputes_every_hash_fails_verification(published, capsys):
    _rewrite_consistently(published)
    assert verify_run(published) == [
        "manifest.json: the signature does not match its content (changed after signing)"
    ]
    assert run_cli("verify", published) == 1
    assert run_cli("verify", published, "--public-key", DEMO_PUBLIC_KEY) == 1
    assert "changed after signing" in capsys.readouterr().out


def test_a_rewrite_re_signed_with_another_key_fails_against_the_trusted_key(published, capsys):
    _rewrite_consistently(published, Ed25519PrivateKey.generate())
    # Without a trusted key only self-consistency can be checked, and the output says so.
    assert run_cli("verify", published) == 0
    assert "pass --public-key FILE" in capsys.readouterr().out
    assert run_cli("verify", published, "--public-key", DEMO_PUBLIC_KEY) == 1
    assert "not by the trusted key" in capsys.readouterr().out
    assert run_cli("verify", published, "--config", DEMO_CONFIG) == 1


def test_a_stripped_signature_fails_against_the_trusted_key(published, capsys):
    _rewrite_consistently(published)
    manifest_path = published / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    del manifest["signature"]
    manifest_path.write_text(json.dumps(manifest))
    assert run_cli("verify", published) == 0
    assert "the manifest is not signed" in capsys.readouterr().out
    assert run_cli("verify", published, "--public-key", DEMO_PUBLIC_KEY) == 1
    assert "manifest.json: not signed" in capsys.readouterr().out


def test_verify_refuses_a_public_key_that_is_not_one(published, tmp_path, capsys):
    bogus = tmp_path / "key.pub"
    bogus.write_text("not a key")
    assert run_cli("verify", published, "--public-key", bogus) == 2
    assert "is not a PEM public key" in capsys.readouterr().err
    assert run_cli("verify", published, "--public-key", tmp_path / "absent.pub") == 2
    assert "cannot be read" in capsys.readouterr().err


def test_a_broken_link_further_back_in_the_history_is_caught(published):
    """Two superseded versions: editing the older one breaks the chain at its successor."""
    history = published / "manifests"
    history.mkdir()
    first = {"run_id": "r1", "previous_manifest": None}
    (history / "r1.json").write_text(json.dumps(first))
    second = {"run_id": "r2", "previous_manifest": {"run_id": "r1", "sha256": "0" * 64}}
    (history / "r2.json").write_text(json.dumps(second))
    second["previous_manifest"]["sha256"] = file_sha256(history / "r1.json")
    (history / "r2.json").write_text(json.dumps(second))
    manifest_path = published / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["previous_manifest"] = {"run_id": "r2", "sha256": file_sha256(history / "r2.json")}
    signing_key = load_private_key((REPO / "configs" / "demo-signing.key").read_bytes(), "demo")
    manifest_path.write_text(json.dumps(sign_manifest(manifest, signing_key)))
    assert verify_run(published) == []
    (history / "r1.json").write_text(json.dumps({"run_id": "r1", "forged": True}))
    assert verify_run(published) == [
        "manifests/r1.json: differs from the sha256 its successor chains"
    ]
