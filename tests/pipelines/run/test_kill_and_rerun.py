"""A run killed at a random point (SIGKILL of its whole process group) publishes nothing
half-written, and the next run on the same output directory gives the same result."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import DEMO_CONFIG, IN_MEMORY, REPO, run_cli

SEED = int(os.environ.get("KILL_TEST_SEED", "20261121"))


def start_run(output) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.commands.cli",
            "run",
            str(DEMO_CONFIG),
            "--output",
            str(output),
            "--quiet",
            *IN_MEMORY,
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the launcher and every Beam worker
    )


def kill_group_after(process: subprocess.Popen, seconds: float) -> bool:
    """True when the run was killed; False when it finished first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    return True


def visible_entries(output) -> set[str]:
    return {path.name for path in output.iterdir() if not path.name.startswith(".")}


@pytest.mark.parametrize("attempt", [0, 1])
def test_killed_run_publishes_nothing_and_rerun_matches(demo_run, tmp_path, attempt):
    delay = random.Random(SEED + attempt).uniform(0.5, 12.0)
    output = tmp_path / "out"
    killed = kill_group_after(start_run(output), delay)
    if killed and output.exists():
        manifest = output / "manifest.json"
        if manifest.exists():  # killed after publishing had finished
            assert run_cli("verify", output) == 0
        else:
            assert visible_entries(output) <= {
                "dataset",
                "ledger",
                "dead_letter",
                "index",
                "reports",
            }
            assert not (output / "croissant.json").exists()
            # Whatever is visible without a manifest is not a published dataset; readers
            # are told so by `verify`.
            assert run_cli("verify", output) == 2

    assert run_cli("run", DEMO_CONFIG, "--output", output, "--quiet", *IN_MEMORY) == 0
    assert not list(output.glob(".staging-*")), "stale staging left after the rerun"
    rerun = json.loads((output / "manifest.json").read_text())
    uninterrupted = json.loads((demo_run / "manifest.json").read_text())
    assert rerun["content_digests"] == uninterrupted["content_digests"], f"delay {delay:.2f}s"
    assert run_cli("verify", output) == 0


def test_kill_during_a_rerun_leaves_the_published_run_valid_or_unpublished(demo_run, tmp_path):
    import shutil

    output = tmp_path / "out"
    shutil.copytree(demo_run, output)
    killed = kill_group_after(start_run(output), random.Random(SEED + 7).uniform(1.0, 14.0))
    if (output / "manifest.json").exists():
        assert run_cli("verify", output) == 0
    else:
        assert killed
    assert run_cli("run", DEMO_CONFIG, "--output", output, "--quiet", *IN_MEMORY) == 0
    assert run_cli("verify", output) == 0
