"""After the demo run, reports/ holds what privacy officers and lineage tools read."""

from __future__ import annotations

import json
import re

import jsonschema

from tests.pipelines.publish.test_lineage import RUN_EVENT_SCHEMA

REPORTS = (
    "summary.json",
    "audit.html",
    "audit.json",
    "eu_training_summary.md",
    "eu_training_summary.json",
    "china_sources.md",
    "china_sources.json",
    "openlineage.jsonl",
)


def test_reports_directory_holds_every_report(demo_run):
    for name in REPORTS:
        assert (demo_run / "reports" / name).is_file(), name
    assert (demo_run / "reports" / "gx" / "index.html").is_file()
    assert list((demo_run / "reports" / "gx" / "validations").rglob("*.html"))
    assert (demo_run / "croissant.json").is_file()


def test_validation_results_are_in_the_summary_and_all_pass(demo_run):
    validation = json.loads((demo_run / "reports" / "summary.json").read_text())["validation"]
    assert validation["success"]
    names = {suite["name"] for suite in validation["suites"]}
    assert {"ledger", "dataset", "dead_letter", "reconciliation"} <= names


def test_openlineage_start_and_complete_events_validate(demo_run):
    lines = (demo_run / "reports" / "openlineage.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert [event["eventType"] for event in events] == ["START", "COMPLETE"]
    assert events[0]["run"]["runId"] == events[1]["run"]["runId"]
    for event in events:
        jsonschema.validate(event, RUN_EVENT_SCHEMA)
    complete = events[1]
    assert {d["name"].split("/")[-1] for d in complete["outputs"]} >= {"dataset", "ledger"}
    assert len(complete["inputs"]) == 6


def test_audit_html_is_self_contained_and_free_of_contact_data(demo_run):
    html = (demo_run / "reports" / "audit.html").read_text()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?://", html)
    assert not re.search(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}", html)
    for heading in ("Personal", "License", "Duplicate", "Consent", "gate"):
        assert heading.lower() in html.lower(), heading


def test_croissant_lists_every_dataset_file_with_its_hash(demo_run):
    croissant = json.loads((demo_run / "croissant.json").read_text())
    manifest = json.loads((demo_run / "manifest.json").read_text())
    listed = {
        item["contentUrl"]: item["sha256"]
        for item in croissant["distribution"]
        if item["@type"] == "cr:FileObject"
    }
    published = {
        entry["path"]: entry["sha256"]
        for entry in manifest["outputs"]
        if entry["path"].startswith("dataset/")
    }
    assert listed == published
    assert "rai:personalSensitiveInformation" in croissant


def test_rerun_chains_the_superseded_manifest(demo_run, tmp_path):
    import shutil

    from tests.conftest import DEMO_CONFIG, IN_MEMORY, run_cli

    output = tmp_path / "run"
    shutil.copytree(demo_run, output)
    first = json.loads((output / "manifest.json").read_text())
    assert run_cli("run", DEMO_CONFIG, "--output", output, "--quiet", *IN_MEMORY) == 0
    second = json.loads((output / "manifest.json").read_text())
    assert second["previous_manifest"]["run_id"] == first["run_id"]
    assert (output / "manifests" / f"{first['run_id']}.json").is_file()
    assert run_cli("verify", output) == 0
    (output / "manifests" / f"{first['run_id']}.json").write_text("{}")
    assert run_cli("verify", output) == 1
