"""Packaged data (fingerprints, reason-code prose): validated, a start-up error if broken."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from schemas import reason_codes
from tests.conftest import run_cli
from transforms.licenses import fingerprints
from transforms.licenses.fingerprints import (
    DATA_FORMAT,
    FingerprintDataError,
    load_fingerprints,
    parse_fingerprints,
)

REPO = Path(__file__).resolve().parents[3]
DEMO_CONFIG = str(REPO / "configs" / "demo.yaml")


def _builder():
    spec = importlib.util.spec_from_file_location(
        "build_license_fingerprints", REPO / "tools" / "build_license_fingerprints.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _good() -> dict:
    return {"format": DATA_FORMAT, "fingerprints": {"Demo-1.0": ["a b c d e f g", "h i j k"]}}


def test_packaged_file_is_a_valid_fingerprint_file():
    assert load_fingerprints() == parse_fingerprints(
        json.loads((REPO / "transforms/licenses/data/fingerprints.json").read_text()), "repo"
    )


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"format": DATA_FORMAT + 1, "fingerprints": {"X": ["a", "b"]}},
        {"format": DATA_FORMAT, "fingerprints": {}},
        {"format": DATA_FORMAT, "fingerprints": {"X": ["only one phrase"]}},
        {"format": DATA_FORMAT, "fingerprints": {"X": ["ascii words", "non-ascii ünïcode"]}},
        {"format": DATA_FORMAT, "fingerprints": {"X": "not a list"}},
    ],
)
def test_malformed_documents_are_rejected_whole(document):
    with pytest.raises(FingerprintDataError, match="fingerprint data"):
        parse_fingerprints(document, "test")


def test_well_formed_document_parses():
    assert parse_fingerprints(_good(), "test") == {"Demo-1.0": ("a b c d e f g", "h i j k")}


@pytest.fixture
def packaged_data(tmp_path, monkeypatch):
    """Point the loader at a temporary package data folder."""
    (tmp_path / "data").mkdir()
    monkeypatch.setattr(fingerprints.resources, "files", lambda package: tmp_path)
    load_fingerprints.cache_clear()
    yield tmp_path / "data" / fingerprints.DATA_FILE
    load_fingerprints.cache_clear()


def test_missing_file_is_an_error_not_an_empty_table(packaged_data):
    with pytest.raises(FingerprintDataError, match="cannot be read"):
        load_fingerprints()


def test_truncated_file_is_an_error(packaged_data):
    packaged_data.write_text(json.dumps(_good())[:-7])
    with pytest.raises(FingerprintDataError, match="cannot be read"):
        load_fingerprints()


@pytest.mark.parametrize("command", ["run", "check"])
def test_broken_install_stops_the_cli_before_any_work(packaged_data, command, tmp_path, capsys):
    packaged_data.write_text('{"format": 1, "fingerprints": {}}')
    output = ["--output", str(tmp_path / "o")] if command == "run" else []
    assert run_cli(command, DEMO_CONFIG, *output) == 2
    err = capsys.readouterr().err
    assert "provenance: error: license fingerprint data" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def _write_license(folder: Path, spdx: str, text: str) -> None:
    (folder / f"{spdx}.json").write_text(json.dumps({"name": spdx, "licenseText": text}))


def test_builder_picks_phrases_unique_to_one_license(tmp_path):
    shared = "permission is hereby granted to any person obtaining a copy of this work. "
    letters = "abcdefghijkl"
    alpha = " ".join(f"alpha clause number{c} grants wide rights here" for c in letters)
    beta = " ".join(f"beta clause number{c} limits narrow rights there" for c in letters)
    _write_license(tmp_path, "Alpha-1.0", shared + alpha)
    _write_license(tmp_path, "Beta-1.0", shared + beta)
    _write_license(tmp_path, "GPL-9.0", shared + alpha)  # skipped id, yet counted as a text
    builder = _builder()
    built = builder.build(tmp_path)
    assert set(built) == {"Beta-1.0"}  # Alpha's phrases also occur in GPL-9.0's text
    parsed = parse_fingerprints(builder.document(built), "built")
    assert all("beta" in phrase and "permission" not in phrase for phrase in parsed["Beta-1.0"])
    assert 2 <= len(parsed["Beta-1.0"]) <= fingerprints.PHRASES_PER_LICENSE


def test_unreadable_reason_catalogue_stops_the_cli_with_a_message(tmp_path, monkeypatch, capsys):
    real_files = reason_codes.resources.files
    # `resources` is one module shared by every loader: redirect only the schemas package.
    monkeypatch.setattr(
        reason_codes.resources,
        "files",
        lambda package: tmp_path if package == "schemas" else real_files(package),
    )
    reason_codes.catalogue.cache_clear()
    try:
        assert run_cli("check", DEMO_CONFIG) == 2
    finally:
        reason_codes.catalogue.cache_clear()
    err = capsys.readouterr().err
    assert "provenance: error: schemas/data/reason_codes.json cannot be read" in err
    assert "Traceback" not in err
