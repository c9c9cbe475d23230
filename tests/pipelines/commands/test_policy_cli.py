"""`provenance policy explain` and `provenance policy check`."""

from __future__ import annotations

from tests.conftest import DEMO_CONFIG, REPO, run_cli


def test_explain_prints_every_stage_and_rule_in_plain_language(capsys):
    assert run_cli("policy", "explain", DEMO_CONFIG) == 0
    out = capsys.readouterr().out
    for heading in (
        "Personal information",
        "Licenses and copyright",
        "Consent and opt-outs",
        "Duplicates",
        "Per-source gate",
        "Override rules",
    ):
        assert heading in out
    assert "pii.sensitive.US_SSN: the record is rejected." in out
    assert "[contract-overrides-reservation]" in out
    assert "Unknown reason code" not in out


def test_explain_accepts_a_policy_file_directly(capsys):
    assert run_cli("policy", "explain", REPO / "configs" / "policy.yaml") == 0
    assert "commercial-training" in capsys.readouterr().out


def test_check_accepts_the_shipped_policy(capsys):
    assert run_cli("policy", "check", REPO / "configs" / "policy.yaml") == 0
    assert "OK" in capsys.readouterr().out


def test_check_rejects_a_bad_rule_naming_the_field(tmp_path, capsys):
    bad = tmp_path / "policy.yaml"
    bad.write_text("name: p\nversion: '1'\nrules:\n  - {id: r, match: '', action: reject}\n")
    assert run_cli("policy", "check", bad) == 2
    assert "field `rules[0].match`" in capsys.readouterr().err


def test_check_rejects_an_unknown_pii_entity(tmp_path, capsys):
    bad = tmp_path / "policy.yaml"
    bad.write_text("name: p\nversion: '1'\npii: {actions: {SHOE_SIZE: redact}}\n")
    assert run_cli("policy", "check", bad) == 2
    assert "SHOE_SIZE" in capsys.readouterr().err


def test_explain_says_whether_and_what_the_deep_scan_sends_to_scancode():
    from pipelines.commands.policy_explain import explain_policy
    from pipelines.run.config import load_policy

    policy, sha = load_policy(REPO / "configs" / "policy.yaml")
    assert "Deep scan: off" in explain_policy(policy, "policy.yaml", sha)
    deep = policy.licenses.deep.model_copy(
        update={"engine": "scancode", "max_chars": 1000, "source_types": ["open_source"]}
    )
    licenses = policy.licenses.model_copy(update={"deep": deep})
    out = explain_policy(policy.model_copy(update={"licenses": licenses}), "policy.yaml", sha)
    assert "go to scancode, up to 1,000 characters and 30 s each" in out
    assert "Deep scan only for source types open_source." in out
