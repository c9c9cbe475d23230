"""Same inputs and config give the same rows, whatever the order of sources and globs."""

from __future__ import annotations

import json

import yaml

from tests.conftest import IN_MEMORY, REPO, run_cli
from tests.transforms.consent.test_registry_sources import absolute_demo_config


def test_reordered_sources_and_globs_give_identical_content(tmp_path, demo_run):
    registry = {"registry": str(REPO / "configs" / "demo-consent.csv"), "purpose": "training"}
    config = absolute_demo_config(tmp_path, registry)
    data = yaml.safe_load(config.read_text())
    data["sources"] = list(reversed(data["sources"]))
    for source in data["sources"]:
        source["paths"] = list(reversed(source["paths"]))
    config.write_text(yaml.safe_dump(data))
    output = tmp_path / "out"
    assert run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY) == 0
    reordered = json.loads((output / "manifest.json").read_text())["content_digests"]
    original = json.loads((demo_run / "manifest.json").read_text())["content_digests"]
    assert reordered == original
