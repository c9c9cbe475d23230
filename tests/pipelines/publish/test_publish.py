"""A run is published only by its manifest; a failed run publishes nothing."""

from __future__ import annotations

import json

import pytest

from pipelines.run import graph as audit
from tests.conftest import DEMO_CONFIG, IN_MEMORY, run_cli


def test_failed_pipeline_publishes_nothing_and_keeps_its_outputs_aside(
    tmp_path, monkeypatch, capsys
):
    def broken_stages(config):
        import apache_beam as beam

        def explode(record):
            raise RuntimeError("stage crashed")

        return [("Broken", beam.Map(explode))]

    monkeypatch.setattr(audit, "text_stages", broken_stages)
    assert run_cli("run", DEMO_CONFIG, "--output", tmp_path, "--quiet", *IN_MEMORY) == 1
    assert "nothing published" in capsys.readouterr().err
    assert not (tmp_path / "manifest.json").exists()
    assert not list(tmp_path.glob(".staging-*"))
    [failed] = list(tmp_path.glob(".failed-*"))
    events = (failed / "reports" / "openlineage.jsonl").read_text()
    assert '"eventType": "FAIL"' in events or '"eventType":"FAIL"' in events


def test_failed_rerun_keeps_the_previous_published_run_intact(tmp_path, monkeypatch):
    assert run_cli("run", DEMO_CONFIG, "--output", tmp_path, "--quiet", *IN_MEMORY) == 0
    before = json.loads((tmp_path / "manifest.json").read_text())

    def broken_stages(config):
        import apache_beam as beam

        return [("Broken", beam.Map(lambda record: 1 / 0))]

    monkeypatch.setattr(audit, "text_stages", broken_stages)
    assert run_cli("run", DEMO_CONFIG, "--output", tmp_path, "--quiet", *IN_MEMORY) == 1
    after = json.loads((tmp_path / "manifest.json").read_text())
    assert after["run_id"] == before["run_id"]


@pytest.mark.parametrize("flag", ["--help"])
def test_every_command_has_help(flag, capsys):
    for command in ([], ["run"], ["check"]):
        with pytest.raises(SystemExit) as exit_info:
            run_cli(*command, flag)
        assert exit_info.value.code == 0
    assert "PipelineOptions" in capsys.readouterr().out


def flag_with_an_unexplained_reason(record):
    """A stage that invents a reason code the catalogue does not explain (and puts an address
    in its free-text detail, which the ledger must scrub)."""
    from schemas.actions import Action
    from schemas.record import Signal

    record.add_signal(Signal("test.leak", Action.FLAG, "test", "contact leaked@example-mail.net"))
    return record


def test_failed_expectation_exits_non_zero_and_publishes_nothing(tmp_path, monkeypatch, capsys):
    import apache_beam as beam

    original = audit.global_stages
    monkeypatch.setattr(
        audit,
        "global_stages",
        lambda config, entering=None: [
            *original(config, entering),
            ("Leak", beam.Map(flag_with_an_unexplained_reason)),
        ],
    )
    assert run_cli("run", DEMO_CONFIG, "--output", tmp_path, "--quiet", *IN_MEMORY) == 1
    error = capsys.readouterr().err
    assert "validation failed" in error
    assert "every reason code is one the catalogue explains" in error
    assert "ledger/part-" in error
    assert "leaked@example-mail.net" not in error
    assert not (tmp_path / "manifest.json").exists()
    [failed] = list(tmp_path.glob(".failed-*"))
    assert (failed / "reports" / "gx" / "index.html").is_file()
    import pyarrow.parquet as pq

    ledger = pq.read_table(failed / "ledger").to_pylist()
    ledger_text = json.dumps(ledger, default=str)
    assert "test.leak" in ledger_text
    assert "leaked@example-mail.net" not in ledger_text


def test_beam_launcher_entry_maps_config_and_output(tmp_path):
    from pipelines.commands.beam_main import main

    assert main(["--config", str(DEMO_CONFIG), "--output", str(tmp_path), *IN_MEMORY]) == 0
    assert (tmp_path / "manifest.json").is_file()


def test_a_relative_output_directory_works(tmp_path, monkeypatch):
    """The README's first command passes `--output out/demo`, relative to the working directory."""
    monkeypatch.chdir(tmp_path)
    assert run_cli("run", DEMO_CONFIG, "--output", "out/demo", "--quiet", *IN_MEMORY) == 0
    assert (tmp_path / "out" / "demo" / "manifest.json").is_file()
    assert (tmp_path / "out" / "demo" / "reports" / "gx" / "index.html").is_file()
