"""Erasure through the ledger's tokens, following duplicate clusters; and `trace`."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pyarrow.parquet as pq
import pytest

from pipelines.commands.erase import ErasureError, ErasureRequest, erase
from pipelines.run.config import load_config
from tests.conftest import DEMO_CONFIG, REPO, run_cli
from tests.test_no_raw_values import output_texts

DEMO_PUBLIC_KEY = REPO / "configs" / "demo-signing.key.pub"
MARIA = "maria.lopez@northwind-mail.com"  # granted consent; her popular post was copied


@pytest.fixture()
def run_copy(demo_run, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(demo_run, copy)
    return copy


def ledger(run) -> list[dict]:
    return pq.read_table(run / "ledger").to_pylist()


def dataset_ids(run) -> set[str]:
    return {row["doc_id"] for row in pq.read_table(run / "dataset", columns=["doc_id"]).to_pylist()}


def maria_cluster(run) -> tuple[str, set[str]]:
    rows = ledger(run)
    [popular] = [r for r in rows if r["locator"] == "posts-2026.jsonl.gz:L151"]
    members = {r["doc_id"] for r in rows if r["cluster_id"] == popular["cluster_id"]}
    return popular["cluster_id"], members


def test_erasing_a_subject_removes_their_records_and_every_copy(run_copy, capsys):
    cluster, members = maria_cluster(run_copy)
    assert len(members) >= 3 and members & dataset_ids(run_copy)
    old_manifest = json.loads((run_copy / "manifest.json").read_text())

    assert (
        run_cli(
            "erase", run_copy, "--subject-email", MARIA, "--reason", f"Art. 17 request from {MARIA}"
        )
        == 0
    )
    assert "Erased" in capsys.readouterr().out

    remaining = dataset_ids(run_copy)
    assert not members & remaining, "a member of the subject's duplicate cluster survived"
    erased = [r for r in ledger(run_copy) if "erasure.requested" in r["reasons"]]
    assert members <= {r["doc_id"] for r in erased}
    assert all(r["decision"] == "reject" for r in erased)

    manifest = json.loads((run_copy / "manifest.json").read_text())
    assert manifest["previous_manifest"]["run_id"] == old_manifest["run_id"]
    marker = run_copy / "manifests" / f"{old_manifest['run_id']}.superseded.json"
    assert json.loads(marker.read_text())["invalid"] is True
    assert run_cli("verify", run_copy) == 0
    # The new version is signed again, and its signature covers the chain to the old one.
    assert manifest["signature"]["value"] != old_manifest["signature"]["value"]
    assert run_cli("verify", run_copy, "--public-key", DEMO_PUBLIC_KEY) == 0

    leaks = [path for path, text in output_texts(run_copy).items() if MARIA in text]
    assert not leaks, leaks
    receipt = json.loads(
        (run_copy / "reports" / f"erasure-{manifest['erasure']['erasure_id']}.json").read_text()
    )
    assert receipt["records_erased"] == len(erased) and receipt["clusters_followed"] >= 1


def test_erasure_is_recorded_as_a_lineage_run(run_copy):
    assert run_cli("erase", run_copy, "--subject-email", MARIA) == 0
    events = [
        json.loads(line)
        for line in (run_copy / "reports" / "openlineage.jsonl").read_text().splitlines()
    ]
    assert [e["eventType"] for e in events][-2:] == ["START", "COMPLETE"]


def test_erasure_lineage_carries_the_summary_counts(run_copy):
    assert run_cli("erase", run_copy, "--subject-email", MARIA) == 0
    lines = (run_copy / "reports" / "openlineage.jsonl").read_text().splitlines()
    complete = json.loads(lines[-1])
    assert complete["eventType"] == "COMPLETE"
    assert complete["run"]["facets"]["provenance_pii"]["found"]


def test_an_unreadable_summary_does_not_stop_an_erasure(run_copy, caplog):
    path = run_copy / "reports" / "summary.json"
    path.write_text(json.dumps({"totals": {}}))  # e.g. an older version's summary
    assert run_cli("erase", run_copy, "--subject-email", MARIA) == 0
    assert "is not a run summary this version can read" in caplog.text
    complete = json.loads((run_copy / "reports" / "openlineage.jsonl").read_text().splitlines()[-1])
    assert complete["eventType"] == "COMPLETE"
    assert "provenance_pii" not in complete["run"]["facets"]


def test_erasing_a_source_removes_all_its_records(run_copy):
    assert run_cli("erase", run_copy, "--source", "web-crawl") == 0
    sources = {r["source_id"] for r in pq.read_table(run_copy / "dataset").to_pylist()}
    assert "web-crawl" not in sources and "oss-code" in sources


def test_erasing_a_signed_run_without_its_signing_key_is_refused(run_copy):
    """The new version would be unsigned: refused before anything is written."""
    config = load_config(DEMO_CONFIG, output_override=str(run_copy))
    unsigned = dataclasses.replace(config, signing_key_source=None)
    before = (run_copy / "manifest.json").read_bytes()
    with pytest.raises(ErasureError, match="is signed, and the run config names no `signing_key`"):
        erase(run_copy, ErasureRequest(tokens=frozenset(), source="oss-code", reason=""), unsigned)
    assert (run_copy / "manifest.json").read_bytes() == before
    assert not list(run_copy.glob(".staging-*"))


def test_erase_needs_a_published_run(tmp_path, capsys):
    assert run_cli("erase", tmp_path, "--subject-id", "u-1") == 2
    assert "not a published run" in capsys.readouterr().err


def test_trace_tells_a_records_story_with_tokens_only(demo_run, capsys):
    rows = ledger(demo_run)
    [row] = [r for r in rows if r["locator"] == "posts-2026.jsonl.gz:L1"]
    assert run_cli("trace", demo_run, row["doc_id"]) == 0
    out = capsys.readouterr().out
    assert "forum-posts" in out and "accept_redacted" in out
    assert "EMAIL_ADDRESS" in out and "token" in out
    assert "@" not in out


def test_trace_follows_a_duplicate_to_its_kept_copy(demo_run, capsys):
    [row] = [r for r in ledger(demo_run) if r["locator"] == "posts-2026.jsonl.gz:L41"]
    assert run_cli("trace", demo_run, row["doc_id"]) == 0
    out = capsys.readouterr().out
    assert f"kept copy {row['duplicate_of']}" in out


def test_trace_of_a_dead_letter_says_why(demo_run, capsys):
    dead = pq.read_table(demo_run / "dead_letter").to_pylist()[0]
    assert run_cli("trace", demo_run, dead["doc_id"]) == 0
    assert dead["error_code"] in capsys.readouterr().out


def test_trace_of_an_unknown_id_exits_2(demo_run, capsys):
    assert run_cli("trace", demo_run, "0" * 32) == 2
