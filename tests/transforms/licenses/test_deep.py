"""The optional deep license scan: which documents go to the engine, and what comes back.

The core is engine-agnostic, so these tests drive it with a recording fake engine; the
ScanCode adapter has its own tests at the end, which need the `scancode` extra.
"""

from __future__ import annotations

import importlib.util
import time

import pytest

from pipelines.run.config import ConfigError, load_policy
from schemas.document import Document
from schemas.licenses import DeepScanSettings, EvidenceKind, LicenseEvidence, LicenseSettings
from schemas.record import AuditRecord, SourceContext
from transforms.common.time_budget import Deadline
from transforms.licenses.deep import (
    DeepMatch,
    Uncertainty,
    deep_evidence,
    engine_problem,
    line_spans,
    merge,
    named_expression,
    second_opinion,
    uncertainty,
)
from transforms.licenses.detect import scan_licenses
from transforms.licenses.rights import rights_verdict
from transforms.licenses.stage import ScanLicenses

SETTINGS = DeepScanSettings(engine="scancode")
POLICY_HEAD = 'name: deep-test\nversion: "1"\n'
HAS_SCANCODE = importlib.util.find_spec("licensedcode") is not None


class FakeEngine:
    """Answers every text with fixed matches and records what it was asked."""

    name = "fake"

    def __init__(self, matches: list[DeepMatch], seconds: float = 0.0) -> None:
        self.matches = matches
        self.seconds = seconds
        self.asked: list[tuple[str, float]] = []

    def match(self, text: str, deadline_epoch: float) -> list[DeepMatch]:
        self.asked.append((text, deadline_epoch))
        if self.seconds:
            time.sleep(self.seconds)
        return self.matches


def _notice(spdx: str, confidence: float, **extra) -> LicenseEvidence:
    return LicenseEvidence(str(EvidenceKind.NOTICE), spdx, 0, 10, confidence, **extra)


def _never() -> bool:
    raise AssertionError("license words were asked for although a license was found")


# -- which documents are uncertain ------------------------------------------------------


def test_a_confident_license_needs_no_second_opinion_and_skips_the_trigger_check():
    assert uncertainty([_notice("MIT", 0.95)], "text", _never, SETTINGS) is None


def test_a_weak_match_is_uncertain():
    assert uncertainty([_notice("GPL-1.0-or-later", 0.5)], "text", _never, SETTINGS) == (
        Uncertainty.WEAK_MATCH
    )


def test_an_unknown_id_is_uncertain_even_next_to_a_confident_license():
    evidence = [_notice("MIT", 0.95), _notice("Acme-1.0", 0.7, unknown_ids=("Acme-1.0",))]
    assert uncertainty(evidence, "text", _never, SETTINGS) == Uncertainty.UNKNOWN_ID


def test_license_words_without_a_known_license_are_unresolved_unless_turned_off():
    reservation = LicenseEvidence(
        str(EvidenceKind.RESERVATION), "", 0, 5, 0.9, "all_rights_reserved"
    )
    assert uncertainty([reservation], "t", lambda: True, SETTINGS) == Uncertainty.UNRESOLVED
    quiet = DeepScanSettings(engine="scancode", scan_unresolved=False)
    assert uncertainty([reservation], "t", lambda: True, quiet) is None


def test_a_short_url_document_is_uncertain_but_a_long_one_is_not():
    url = "https://github.com/example/project/blob/master/LICENSE\n"
    assert uncertainty([], url, lambda: False, SETTINGS) == Uncertainty.BARE_URL
    long_page = url + "words " * 100
    assert uncertainty([], long_page, lambda: False, SETTINGS) is None


def test_plain_text_without_license_words_is_sure():
    assert uncertainty([], "a recipe for bread", lambda: False, SETTINGS) is None


# -- engine matches as evidence -----------------------------------------------------------


def test_line_spans_cut_lines_as_scancode_numbers_them():
    assert line_spans("a\r\nbc\x0cd\re\u2028f") == [(0, 1), (3, 5), (6, 7), (8, 9), (10, 11)]
    assert line_spans("one\n\nthree\n") == [(0, 3), (4, 4), (5, 10)]
    assert line_spans("") == [(0, 0)]


def test_match_spans_cover_whole_lines_without_their_line_breaks():
    text = "first\r\nsecond line\r\nthird\r\n"
    [evidence] = deep_evidence(text, [DeepMatch("MIT", 2, 3, 87.5, "mit_1.RULE")], "fake")
    assert text[evidence.start : evidence.end] == "second line\r\nthird"
    assert evidence.kind == EvidenceKind.DEEP_MATCH
    assert evidence.confidence == pytest.approx(0.88)
    assert evidence.detail == "fake:mit_1.RULE"


def test_match_lines_past_the_end_are_clamped_to_the_text():
    text = "only line"
    [evidence] = deep_evidence(text, [DeepMatch("MIT", 1, 9, 100, "r")], "fake")
    assert (evidence.start, evidence.end) == (0, len(text))


def test_engine_licenses_replace_fast_ones_but_reservations_stay():
    reservation = LicenseEvidence(str(EvidenceKind.RESERVATION), "", 50, 70, 0.9, "tdm_reserved")
    deep = deep_evidence("a\nb\n", [DeepMatch("Apache-2.0", 1, 1, 100, "r")], "fake")
    merged = merge([_notice("GPL-1.0-or-later", 0.5), reservation], deep)
    assert [item.kind for item in merged] == [EvidenceKind.DEEP_MATCH, EvidenceKind.RESERVATION]
    assert merge([_notice("MIT", 0.5)], []) == [_notice("MIT", 0.5)]


def test_unnamed_scancode_keys_are_left_out_of_the_expression():
    assert named_expression(["mit"], "MIT") == "MIT"
    assert named_expression(["unknown-license-reference"], "LicenseRef-x") == ""
    mixed = named_expression(["apache-2.0", "unknown"], "Apache-2.0 AND LicenseRef-scancode-x")
    assert mixed == "Apache-2.0"
    assert named_expression(["gpl-2.0-plus", "free-unknown"], "x") == "GPL-2.0-or-later"


def test_a_deep_match_expression_decides_the_verdict_like_an_spdx_tag():
    text = "Licensed under the GPL\nand some more\n"
    deep = deep_evidence(text, [DeepMatch("MIT OR Apache-2.0", 1, 1, 100, "r")], "fake")
    verdict = rights_verdict(deep, [], "")
    assert verdict.spdx_expression == "MIT OR Apache-2.0"
    assert verdict.category == "permissive"
    assert verdict.detected_licenses == ["Apache-2.0", "MIT"]


# -- the whole second opinion -------------------------------------------------------------


def test_uncertain_documents_go_to_the_engine_and_its_answer_replaces_the_guess():
    text = "This program is distributed under the GPL.\n"
    fast = scan_licenses(text)
    assert fast and all(item.confidence < SETTINGS.confident_at for item in fast)
    engine = FakeEngine([DeepMatch("GPL-2.0-only", 1, 1, 95, "gpl-2.0_12.RULE")])
    outcome = second_opinion(engine, text, fast, lambda: True, SETTINGS)
    assert [text for text, _ in engine.asked] == [text]
    assert [item.spdx for item in outcome.evidence] == ["GPL-2.0-only"]
    assert outcome.reasons == ["uncertain:weak_match", "deep:fake:replaced"]


def test_confident_documents_never_reach_the_engine():
    text = "// SPDX-License-Identifier: MIT\n"
    engine = FakeEngine([DeepMatch("GPL-3.0-only", 1, 1, 100, "r")])
    outcome = second_opinion(engine, text, scan_licenses(text), lambda: True, SETTINGS)
    assert engine.asked == []
    assert outcome.reasons == []
    assert [item.spdx for item in outcome.evidence] == ["MIT"]


def test_no_engine_match_keeps_the_fast_answer_and_says_so():
    fast = [_notice("GPL-1.0-or-later", 0.5)]
    outcome = second_opinion(FakeEngine([]), "the GPL", fast, lambda: True, SETTINGS)
    assert outcome.evidence == fast
    assert outcome.reasons == ["uncertain:weak_match", "deep:fake:no_match"]


def test_low_scoring_engine_matches_are_ignored():
    settings = DeepScanSettings(engine="scancode", min_score=80)
    engine = FakeEngine([DeepMatch("MIT", 1, 1, 40, "r")])
    outcome = second_opinion(engine, "x", [_notice("MIT", 0.5)], lambda: True, settings)
    assert outcome.reasons[-1] == "deep:fake:no_match"


def test_too_large_documents_keep_the_fast_answer():
    settings = DeepScanSettings(engine="scancode", max_chars=10)
    engine = FakeEngine([DeepMatch("MIT", 1, 1, 100, "r")])
    fast = [_notice("MIT", 0.5)]
    outcome = second_opinion(engine, "x" * 11, fast, lambda: True, settings)
    assert engine.asked == []
    assert outcome.evidence == fast
    assert outcome.reasons[-1] == "deep:fake:skipped_too_large"


def test_the_engine_gets_the_smaller_of_its_timeout_and_the_record_budget():
    engine = FakeEngine([DeepMatch("MIT", 1, 1, 100, "r")])
    before = time.time()
    second_opinion(engine, "x", [_notice("MIT", 0.5)], lambda: True, SETTINGS, Deadline.after(2))
    [(_, deadline_epoch)] = engine.asked
    assert before + 1 < deadline_epoch <= time.time() + 2


def test_an_overrunning_engine_is_discarded_and_a_spent_budget_skips_it():
    fast = [_notice("MIT", 0.5)]
    slow = FakeEngine([DeepMatch("GPL-3.0-only", 1, 1, 100, "r")], seconds=0.05)
    settings = DeepScanSettings(engine="scancode", timeout_seconds=0.01)
    outcome = second_opinion(slow, "x", fast, lambda: True, settings)
    assert outcome.evidence == fast
    assert outcome.reasons[-1] == "deep:fake:timed_out"
    spent = Deadline.after(-1)
    fresh = FakeEngine([DeepMatch("GPL-3.0-only", 1, 1, 100, "r")])
    outcome = second_opinion(fresh, "x", fast, lambda: True, SETTINGS, spent)
    assert fresh.asked == []
    assert outcome.reasons[-1] == "deep:fake:timed_out"


# -- the stage ----------------------------------------------------------------------------


def _record(text: str, declared: str = "") -> AuditRecord:
    document = Document.from_text("src", "a.txt", text, text.encode(), {})
    return AuditRecord(
        document=document, source=SourceContext("src", "open_source", declared, "", 0)
    )


def _scanned(text: str, engine: FakeEngine, monkeypatch, **deep) -> AuditRecord:
    import transforms.licenses.deep as license_deep

    monkeypatch.setattr(license_deep, "load_engine", lambda name: engine)
    scan = ScanLicenses(LicenseSettings(deep=DeepScanSettings(engine="scancode", **deep)))
    scan.setup()
    [record] = list(scan.process(_record(text)))
    return record


def test_the_stage_sends_uncertain_records_and_records_why_in_the_verdict(monkeypatch):
    engine = FakeEngine([DeepMatch("CC-BY-NC-4.0", 1, 1, 100, "cc-by-nc-4.0_3.RULE")])
    record = _scanned("Some text under a license the rules do not know.\n", engine, monkeypatch)
    assert len(engine.asked) == 1
    assert [item.kind for item in record.license_evidence] == ["deep_match"]
    assert record.rights.spdx_expression == "CC-BY-NC-4.0"
    assert record.rights.reasons[-2:] == ["uncertain:unresolved", "deep:fake:replaced"]
    assert "license.non_commercial" in [signal.code for signal in record.signals]


def test_the_stage_asks_only_for_the_sources_and_types_the_policy_names(monkeypatch):
    text = "Some text under a license the rules do not know.\n"
    engine = FakeEngine([DeepMatch("MIT", 1, 1, 100, "r")])
    _scanned(text, engine, monkeypatch, source_types=["web_crawl"])
    assert engine.asked == []  # the record's source is open_source
    _scanned(text, engine, monkeypatch, source_types=["open_source"], sources=["src"])
    assert len(engine.asked) == 1
    _scanned(text, engine, monkeypatch, sources=["other"])
    assert len(engine.asked) == 1


def test_the_stage_leaves_confident_records_alone(monkeypatch):
    engine = FakeEngine([DeepMatch("GPL-3.0-only", 1, 1, 100, "r")])
    record = _scanned("// SPDX-License-Identifier: MIT\n", engine, monkeypatch)
    assert engine.asked == []
    assert record.rights.spdx_expression == "MIT"
    assert not [reason for reason in record.rights.reasons if reason.startswith("deep:")]


def test_an_engine_error_keeps_the_fast_answer_and_names_only_the_error_type():
    class Broken:
        name = "broken"

        def match(self, text, deadline_epoch):
            raise ValueError(f"cannot tokenize {text!r}")

    fast = [_notice("MIT", 0.5)]
    secret = "jane.doe@example.org wrote this under the MIT license"
    outcome = second_opinion(Broken(), secret, fast, lambda: True, SETTINGS)
    assert outcome.evidence == fast
    assert outcome.reasons == ["uncertain:weak_match", "deep:broken:failed:ValueError"]


# -- settings and start-up ----------------------------------------------------------------


def test_deep_scan_is_off_by_default():
    assert LicenseSettings().deep.engine == "off"
    assert engine_problem("off") is None


def _load_deep_policy(tmp_path, deep_block: str):
    """`load_policy` on a policy whose `licenses.deep` block is `deep_block` (YAML lines)."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY_HEAD + "licenses:\n  deep:\n" + deep_block)
    return load_policy(policy)[0]


@pytest.mark.skipif(HAS_SCANCODE, reason="checks the error shown when ScanCode is missing")
def test_asking_for_scancode_without_it_installed_is_a_config_error_with_the_fix(tmp_path):
    with pytest.raises(ConfigError, match=r"licenses\.deep\.engine.*\.\[scancode\]"):
        _load_deep_policy(tmp_path, "    engine: scancode\n")


def test_a_bare_yaml_off_means_off(tmp_path):
    assert _load_deep_policy(tmp_path, "    engine: off\n").licenses.deep.engine == "off"


def test_an_unknown_source_type_for_the_deep_scan_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"licenses\.deep\.source_types.*opensource.*open_source"):
        _load_deep_policy(tmp_path, "    source_types: [opensource]\n")


def test_an_unknown_engine_name_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"licenses\.deep\.engine"):
        _load_deep_policy(tmp_path, "    engine: fossology\n")


# -- the ScanCode adapter (needs the `scancode` extra) ------------------------------------

needs_scancode = pytest.mark.skipif(
    not HAS_SCANCODE, reason='ScanCode toolkit not installed (pip install -e ".[scancode]")'
)


@pytest.fixture(scope="module")
def scancode_engine():
    from transforms.licenses.deep import ScanCodeEngine

    return ScanCodeEngine()


@needs_scancode
def test_scancode_resolves_a_project_url_the_fast_rules_do_not_know(scancode_engine):
    text = "https://github.com/carbon/Amazon/blob/master/LICENSE"
    assert scan_licenses(text) == []
    outcome = second_opinion(scancode_engine, text, [], lambda: False, SETTINGS)
    assert [item.spdx for item in outcome.evidence] == ["MIT"]
    assert outcome.reasons == ["uncertain:bare_url", "deep:scancode:replaced"]


@needs_scancode
def test_scancode_matches_carry_spdx_expressions_and_line_spans(scancode_engine):
    # A form feed ends a line for ScanCode (str.splitlines) as it does for line_spans.
    tag = "// SPDX-License-Identifier: GPL-2.0+ WITH Linux-syscall-note"
    text = f"int x;\x0c\n{tag}\n"
    [found] = scancode_engine.match(text, time.time() + 30)
    assert found.expression == "GPL-2.0-or-later WITH Linux-syscall-note"
    assert (found.start_line, found.end_line) == (3, 3)
    assert found.score == 100
    [evidence] = deep_evidence(text, [found], "scancode")
    assert text[evidence.start : evidence.end] == tag


@needs_scancode
def test_a_pipeline_run_with_deep_mode_records_scancode_answers_in_the_ledger(tmp_path):
    import pyarrow.parquet as pq

    from tests.conftest import IN_MEMORY, run_cli

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "url.txt").write_text("https://github.com/carbon/Amazon/blob/master/LICENSE\n")
    (corpus / "tagged.c").write_text("// SPDX-License-Identifier: MIT\nint x;\n")
    (corpus / "plain.txt").write_text("A recipe for bread: flour, water, salt.\n")
    (tmp_path / "key").write_text("k" * 32)
    (tmp_path / "policy.yaml").write_text(
        POLICY_HEAD
        + "rules: []\nlicenses:\n  unknown_action: accept\n  deep:\n    engine: scancode\n"
    )
    config = tmp_path / "run.yaml"
    config.write_text(
        """
name: deep
policy: policy.yaml
hmac_key: {file: key}
sources:
  - {id: s, type: self_collected, format: text, paths: ["corpus/*"], legal_basis: contract,
     evidence: {collection: {period_start: "2026-01-01", period_end: "2026-01-02",
                             method: export}, jurisdiction: EU}}
"""
    )
    output = tmp_path / "out"
    assert run_cli("run", config, "--output", output, "--quiet", *IN_MEMORY) == 0
    rows = {row["locator"]: row for row in pq.read_table(output / "ledger").to_pylist()}
    url = rows["url.txt"]
    assert [item["kind"] for item in url["license_evidence"]] == ["deep_match"]
    assert url["license_evidence"][0]["detail"].startswith("scancode:")
    assert url["rights"]["spdx_expression"] == "MIT"
    # "LICENSE" in the URL is a license word the fast rules cannot resolve.
    assert url["rights"]["reasons"][-2:] == ["uncertain:unresolved", "deep:scancode:replaced"]
    tagged = rows["tagged.c"]
    assert [item["kind"] for item in tagged["license_evidence"]] == ["spdx_tag"]
    assert not [r for r in tagged["rights"]["reasons"] if r.startswith("deep:")]
    assert rows["plain.txt"]["license_evidence"] == []
