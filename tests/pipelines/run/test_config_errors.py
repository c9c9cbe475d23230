"""Bad config, missing input or missing key: exit 2, a message naming the field, no traceback."""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import run_cli

GOOD_SOURCE = """
  - id: notes
    type: self_collected
    format: jsonl
    paths: ["data/*.jsonl"]
    legal_basis: legitimate_interests
    evidence:
      collection: {period_start: "2026-01-01", period_end: "2026-02-01", method: survey}
      legitimate_interests_assessment_ref: LIA-1
      jurisdiction: EU
"""


def write_config(tmp_path, body: str, sources: str = GOOD_SOURCE) -> str:
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "a.jsonl").write_text('{"text": "hello"}\n')
    (tmp_path / "policy.yaml").write_text("name: p\nversion: '1'\nrules: []\n")
    (tmp_path / "key").write_text("k" * 32)
    path = tmp_path / "run.yaml"
    path.write_text(textwrap.dedent(body) + "sources:" + sources)
    return str(path)


BASE = """\
name: t
policy: policy.yaml
output: out
hmac_key: {file: key}
"""


def check(path) -> int:
    return run_cli("check", path)


def test_good_config_passes_the_check(tmp_path, capsys):
    assert check(write_config(tmp_path, BASE)) == 0
    assert "OK" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("source_patch", "field"),
    [
        (("type: self_collected", "type: webcrawl"), "sources[0].type"),
        (("format: jsonl", "format: csv"), "sources[0].format"),
        (("id: notes", "id: 'bad id!'"), "sources[0].id"),
        (("legal_basis: legitimate_interests", "legal_basis: because"), "sources[0].legal_basis"),
        (
            ("legal_basis: legitimate_interests\n", "legal_basis: consent\n    colour: red\n"),
            "sources[0].colour",
        ),
    ],
)
def test_invalid_source_field_exits_2_naming_the_field(tmp_path, capsys, source_patch, field):
    path = write_config(tmp_path, BASE, GOOD_SOURCE.replace(*source_patch))
    assert check(path) == 2
    error = capsys.readouterr().err
    assert f"field `{field}`" in error
    assert "run.yaml" in error and "Fix:" in error
    assert "Traceback" not in error


def test_missing_required_field_is_named(tmp_path, capsys):
    path = write_config(tmp_path, BASE.replace("policy: policy.yaml\n", ""))
    assert check(path) == 2
    assert "field `policy`" in capsys.readouterr().err


def test_duplicate_source_ids_are_rejected(tmp_path, capsys):
    path = write_config(tmp_path, BASE, GOOD_SOURCE + GOOD_SOURCE)
    assert check(path) == 2
    assert "repeated: notes" in capsys.readouterr().err


def test_glob_matching_no_file_is_a_start_up_error(tmp_path, capsys):
    path = write_config(tmp_path, BASE, GOOD_SOURCE.replace("data/*.jsonl", "nowhere/*.jsonl"))
    assert run_cli("run", path) == 2
    error = capsys.readouterr().err
    assert "sources[0].paths" in error and "matches no file" in error
    assert not (tmp_path / "out").exists(), "work started despite a config error"


def test_missing_key_environment_variable_is_a_start_up_error(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PROVENANCE_TEST_KEY_UNSET", raising=False)
    body = BASE.replace("{file: key}", "{env: PROVENANCE_TEST_KEY_UNSET}")
    assert run_cli("run", write_config(tmp_path, body)) == 2
    error = capsys.readouterr().err
    assert "field `hmac_key`" in error and "PROVENANCE_TEST_KEY_UNSET" in error


def test_short_key_file_is_rejected_without_printing_it(tmp_path, capsys):
    path = write_config(tmp_path, BASE)
    (tmp_path / "key").write_text("tiny-secret")
    assert check(path) == 2
    error = capsys.readouterr().err
    assert "at least 16" in error and "tiny-secret" not in error


def test_key_given_both_ways_is_rejected(tmp_path, capsys):
    path = write_config(tmp_path, BASE.replace("{file: key}", "{file: key, env: X}"))
    assert check(path) == 2
    assert "field `hmac_key`" in capsys.readouterr().err


def test_yaml_syntax_error_names_the_line(tmp_path, capsys):
    path = write_config(tmp_path, BASE + "limits: [unclosed\n")
    assert check(path) == 2
    assert "not valid YAML at line" in capsys.readouterr().err


def test_missing_config_file_exits_2(tmp_path, capsys):
    assert check(tmp_path / "absent.yaml") == 2
    assert "file not found" in capsys.readouterr().err


def test_bad_policy_rule_is_a_start_up_error(tmp_path, capsys):
    path = write_config(tmp_path, BASE)
    (tmp_path / "policy.yaml").write_text(
        "name: p\nversion: '1'\nrules:\n  - {id: r1, match: 'pii.*', action: obliterate}\n"
    )
    assert check(path) == 2
    error = capsys.readouterr().err
    assert "policy.yaml" in error and "field `rules[0].action`" in error


def test_non_positive_size_limit_is_rejected(tmp_path, capsys):
    path = write_config(tmp_path, BASE + "limits: {max_document_bytes: 0}\n")
    assert check(path) == 2
    assert "field `limits.max_document_bytes`" in capsys.readouterr().err


def test_missing_source_evidence_is_a_start_up_error_naming_the_gap(tmp_path, capsys):
    path = write_config(tmp_path, BASE, GOOD_SOURCE.replace("      jurisdiction: EU\n", ""))
    assert check(path) == 2
    error = capsys.readouterr().err
    assert "field `sources[0].evidence`" in error and "evidence.jurisdiction" in error


def test_commercial_source_without_contract_reference_is_named(tmp_path, capsys):
    source = GOOD_SOURCE.replace("type: self_collected", "type: commercial")
    assert check(write_config(tmp_path, BASE, source)) == 2
    assert "evidence.contract_ref" in capsys.readouterr().err


def test_policy_can_turn_missing_evidence_into_rejection(tmp_path, capsys):
    path = write_config(tmp_path, BASE, GOOD_SOURCE.replace("      jurisdiction: EU\n", ""))
    (tmp_path / "policy.yaml").write_text(
        "name: p\nversion: '1'\nsources: {missing_evidence: reject}\n"
    )
    assert check(path) == 0


def _signing_config(tmp_path, signing: str) -> str:
    return write_config(tmp_path, BASE + signing)


def test_a_signing_key_from_keygen_passes_the_check(tmp_path, capsys):
    assert run_cli("keygen", tmp_path / "sign.key") == 0
    assert "Key id" in capsys.readouterr().out
    assert (tmp_path / "sign.key").stat().st_mode & 0o077 == 0, "private key readable by others"
    assert check(_signing_config(tmp_path, "signing_key: {file: sign.key}\n")) == 0


def test_keygen_never_overwrites_a_key(tmp_path, capsys):
    (tmp_path / "sign.key.pub").write_text("an older public key")
    assert run_cli("keygen", tmp_path / "sign.key") == 2
    assert "already exists; not overwriting" in capsys.readouterr().err
    assert not (tmp_path / "sign.key").exists()


@pytest.mark.parametrize(
    ("signing", "expected"),
    [
        ("signing_key: {file: key}\n", "field `signing_key`: key file"),
        ("signing_key: {file: absent.key}\n", "field `signing_key`: key file"),
        ("signing_key: {env: PROVENANCE_TEST_UNSET_SIGNING}\n", "is not set or empty"),
        ("signing_key: {file: sign.key, env: X}\n", "give exactly one of"),
    ],
)
def test_an_unusable_signing_key_is_a_config_error(tmp_path, capsys, signing, expected):
    assert check(_signing_config(tmp_path, signing)) == 2
    err = capsys.readouterr().err
    assert expected in err and "signing_key" in err and "Traceback" not in err


def test_the_hmac_key_may_not_sign(tmp_path, capsys):
    """The same secret in both roles is refused, even when it is a valid Ed25519 key."""
    assert run_cli("keygen", tmp_path / "sign.key") == 0
    config = write_config(tmp_path, BASE + "signing_key: {file: sign.key}\n")
    (tmp_path / "key").write_bytes((tmp_path / "sign.key").read_bytes())
    capsys.readouterr()
    assert check(config) == 2
    assert "it is the HMAC key; use a separate Ed25519 key" in capsys.readouterr().err
