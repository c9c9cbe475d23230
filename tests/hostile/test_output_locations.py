"""Outputs pointed where they could corrupt something: two runs into one directory at
once, a run into a published run (or inside one), an output inside an input directory.
Each case asserts the outcome and that the published run is intact and complete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from pipelines.publish.output_lock import LOCK_FILE, OutputBusy, hold_output
from pipelines.run.config import _reaches_into
from tests.conftest import IN_MEMORY, REPO, run_cli

ROWS = 40


def write_corpus(root, paths: str = '["data/*.jsonl"]') -> str:
    (root / "data").mkdir(exist_ok=True)
    lines = [
        json.dumps({"id": f"n-{i}", "text": f"note {i} about the garden"}) for i in range(ROWS)
    ]
    (root / "data" / "notes.jsonl").write_text("\n".join(lines) + "\n")
    (root / "key").write_text("k" * 32)
    (root / "policy.yaml").write_text("name: p\nversion: '1'\nrules: []\n")
    config = root / "run.yaml"
    config.write_text(
        f"""
name: hostile-outputs
policy: policy.yaml
hmac_key: {{file: key}}
sources:
  - {{id: notes, type: self_collected, format: jsonl, paths: {paths}, legal_basis: contract,
     fields: {{text: text, id: id}},
     evidence: {{collection: {{period_start: "2026-01-01", period_end: "2026-01-02",
                              method: export}}, jurisdiction: EU}}}}
"""
    )
    return str(config)


def assert_published_and_complete(output) -> None:
    assert run_cli("verify", output) == 0
    assert len(pq.read_table(output / "ledger").to_pylist()) == ROWS
    assert not list(output.glob(".staging-*")) and not list(output.glob(".failed-*"))


def lock_is_held(output) -> bool:
    try:
        with hold_output(output, "probe"):
            return False
    except OutputBusy:
        return True


def test_a_second_run_into_a_busy_output_refuses_and_the_first_publishes(tmp_path, capsys):
    config = write_corpus(tmp_path)
    output = tmp_path / "out"
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.commands.cli",
            "run",
            config,
            "--output",
            str(output),
            "--quiet",
            *IN_MEMORY,
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not (output / LOCK_FILE).exists() or not lock_is_held(output):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first run never took the output"
            time.sleep(0.05)
        assert run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY) == 2
        err = capsys.readouterr().err
        assert "is in use by another run (run " in err and "one run per output" in err
        assert "Traceback" not in err
        _, first_err = first.communicate(timeout=300)
    finally:
        first.kill()
    assert first.returncode == 0, first_err.decode()[-2000:]
    assert_published_and_complete(output)
    assert not lock_is_held(output), "the lock outlived its run"


def test_an_erasure_refuses_while_a_run_holds_the_output(tmp_path, capsys):
    config = write_corpus(tmp_path)
    output = tmp_path / "out"
    assert run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY) == 0
    before = (output / "manifest.json").read_bytes()
    with hold_output(output, "run r-test"):
        assert run_cli("erase", output, "--source", "notes", "--config", config) == 2
    assert "in use by another run (run r-test, pid" in capsys.readouterr().err
    assert (output / "manifest.json").read_bytes() == before
    assert_published_and_complete(output)


def test_a_run_into_a_published_run_publishes_a_new_version(tmp_path):
    config = write_corpus(tmp_path)
    output = tmp_path / "out"
    assert run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY) == 0
    first = json.loads((output / "manifest.json").read_text())
    assert run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY) == 0
    second = json.loads((output / "manifest.json").read_text())
    assert second["previous_manifest"]["run_id"] == first["run_id"]
    assert json.loads((output / "manifests" / f"{first['run_id']}.json").read_text()) == first
    assert second["content_digests"] == first["content_digests"]
    assert_published_and_complete(output)


def test_an_output_inside_a_published_run_is_refused(tmp_path, capsys):
    config = write_corpus(tmp_path)
    output = tmp_path / "out"
    assert run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY) == 0
    for inside in (output / "dataset", output / "reports" / "new"):
        before = sorted(p.name for p in inside.parent.iterdir())
        assert run_cli("run", config, "--output", inside, "--quiet", *IN_MEMORY) == 2
        err = capsys.readouterr().err
        assert f"is inside the published run {output}" in err and "Traceback" not in err
        assert sorted(p.name for p in inside.parent.iterdir()) == before
    assert_published_and_complete(output)


def test_an_output_a_source_reaches_into_is_refused(tmp_path, capsys):
    config = write_corpus(tmp_path, paths='["data/**/*.jsonl"]')
    (tmp_path / "data" / "2026").mkdir()
    (tmp_path / "data" / "notes.jsonl").rename(tmp_path / "data" / "2026" / "notes.jsonl")
    inside = tmp_path / "data" / "out"
    assert run_cli("run", config, "--output", inside, "--quiet", *IN_MEMORY) == 2
    err = capsys.readouterr().err
    assert "field `sources[0].paths`" in err and "reaches into the output directory" in err
    assert not inside.exists()


@pytest.mark.parametrize(
    ("pattern", "directory", "reaches"),
    [
        ("/d/*.jsonl", "/d/out", False),  # only files directly in /d
        ("/d/*", "/d/out", False),
        ("/d/*/*.jsonl", "/d/out", True),
        ("/d/**/*.jsonl", "/d/out", True),
        ("/d/**", "/d", True),
        ("/d/*.jsonl", "/d", True),  # the output is the input directory itself
        ("/d/x/*.jsonl", "/d/out", False),
        ("/data/*.jsonl", "/d", False),
        ("/d/sub/*.jsonl", "/d/sub/deeper/out", False),
    ],
)
def test_which_globs_reach_into_a_directory(pattern, directory, reaches):
    assert _reaches_into(pattern, directory) is reaches


def test_the_lock_is_released_however_the_holder_ends(tmp_path):
    with pytest.raises(RuntimeError), hold_output(tmp_path, "run a"):
        assert lock_is_held(tmp_path)
        raise RuntimeError("the run failed")
    assert not lock_is_held(tmp_path)
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; from pipelines.publish.output_lock import hold_output\n"
            f"with hold_output({str(tmp_path)!r}, 'run k'): os._exit(9)",
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert killed.returncode == 9
    assert not lock_is_held(tmp_path)
