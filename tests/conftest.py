"""Shared fixtures: the demo run (once per session), small corpora, and a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEMO_CONFIG = REPO / "configs" / "demo.yaml"
IN_MEMORY = ["--direct_running_mode=in_memory", "--direct_num_workers=1"]
MULTI_PROCESS = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def run_cli(*args: str) -> int:
    from pipelines.commands.cli import main

    return main([str(arg) for arg in args])


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Path:
    """The demo, run once through the CLI with the default (multi-processing) runner."""
    output = tmp_path_factory.mktemp("demo-default")
    assert run_cli("run", DEMO_CONFIG, "--output", output, "--quiet") == 0
    return output


@pytest.fixture(scope="session")
def demo_run_in_memory(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("demo-in-memory")
    assert run_cli("run", DEMO_CONFIG, "--output", output, "--quiet", *IN_MEMORY) == 0
    return output
