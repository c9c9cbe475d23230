"""The source gate counts exactly the signals records have when they reach it."""

from __future__ import annotations

from dataclasses import replace

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.actions import Action
from schemas.document import Document
from schemas.gate import GateSettings
from schemas.record import AuditRecord, Signal, SourceContext
from transforms.decision.gate import GATE_EXCEEDED, SourceGate


def _record(doc_id: str, codes: list[str]) -> AuditRecord:
    document = Document.from_text("src", f"{doc_id}.txt", doc_id, doc_id.encode(), {})
    source = SourceContext("src", "open_source", "MIT", "legitimate_interest", 0)
    record = AuditRecord(document=document, source=source)
    for code in codes:
        record.add_signal(Signal(code, Action.FLAG, "test", ""))
    return record


def _add_late_code(record: AuditRecord) -> AuditRecord:
    """A step between `rates_from` and the gate that adds a counted code to one record."""
    if record.document.locator == "b.txt":  # a new record: Beam inputs are not to be changed
        return replace(record, signals=[*record.signals, Signal("late.bad", Action.FLAG, "t", "")])
    return record


def _gated(rates_from_entering: bool) -> None:
    settings = GateSettings(threshold=0.4, disqualifying=["early.*", "late.*"])
    with TestPipeline() as pipeline:
        entering = pipeline | beam.Create(
            [_record("a", ["early.bad"]), _record("b", []), _record("c", [])]
        )
        later = entering | "Late" >> beam.Map(_add_late_code)
        gate = SourceGate(settings, rates_from=entering if rates_from_entering else None)
        exceeded = (
            later
            | gate
            | beam.Map(
                lambda record: any(signal.code == GATE_EXCEEDED for signal in record.signals)
            )
        )
        assert_that(exceeded, equal_to([rates_from_entering is False] * 3))


def test_gate_counts_codes_added_before_it_when_rated_on_its_own_input():
    _gated(rates_from_entering=False)  # 2 of 3 disqualifying > 40%: every record rejected


def test_gate_rated_on_earlier_records_does_not_see_later_codes():
    _gated(rates_from_entering=True)  # 1 of 3 <= 40%: why audit only does this without them


def test_audit_rates_the_gate_early_only_when_deduplication_adds_no_counted_code():
    from pipelines.run import graph as audit
    from pipelines.run.config import load_config
    from tests.conftest import DEMO_CONFIG

    config = load_config(DEMO_CONFIG)
    marker = object()
    gate = dict(audit.global_stages(config, entering=marker))["SourceGate"]
    assert gate.rates_from is marker
    gate_settings = config.policy.gate
    config.policy.gate = gate_settings.model_copy(
        update={"disqualifying": (*gate_settings.disqualifying, "dedup.*")}
    )
    gate = dict(audit.global_stages(config, entering=marker))["SourceGate"]
    assert gate.rates_from is None
