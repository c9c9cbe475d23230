"""The stage contract: budget, reason-code counters, declared fields, and the order check."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that, equal_to

from pipelines.run import graph
from pipelines.run.config import load_config
from schemas.actions import Action
from schemas.document import Document
from schemas.licenses import LicenseSettings
from schemas.record import AuditRecord, SourceContext
from tests.conftest import DEMO_CONFIG
from transforms.common.stage import (
    TEXT,
    ScanStage,
    StageContract,
    StageOrder,
    StageOrderError,
    check_stage_order,
    contract_of,
)
from transforms.common.time_budget import TIME_BUDGET_EXCEEDED
from transforms.consent.stage import CONTRACT as CONSENT
from transforms.decision.stage import ATTACH_SOURCE_CONTRACT, DECIDE_CONTRACT
from transforms.dedup.stage import SKETCH_CONTRACT
from transforms.licenses.stage import ScanLicenses
from transforms.pii.stage import CONTRACT as PII
from transforms.read.sidecar import DetachText

FN_API_RUNNER = "apache_beam.runners.portability.fn_api_runner.fn_runner.FnApiRunner"
LICENSE_TEXT = "Copyright (c) 2020 Jane Doe\nSPDX-License-Identifier: MIT\n" * 5
NON_COMMERCIAL_TEXT = "SPDX-License-Identifier: CC-BY-NC-4.0\n"


def _record(text: str = "plain words") -> AuditRecord:
    document = Document.from_text("src", f"{len(text)}.txt", text, text.encode(), {})
    return AuditRecord(document=document, source=SourceContext("src", "open_source", "", "", 0))


class Probe(ScanStage):
    contract = StageContract.declare("probe", requires=(TEXT,), provides=("pii_counts",))


# -- budget and counters ------------------------------------------------------------------


def test_over_budget_adds_a_rejecting_time_budget_signal_under_the_stage_name():
    probe = Probe(time_budget=0.5)
    record = _record()
    rejected = probe.over_budget(record)
    [signal] = rejected.signals
    assert (signal.code, signal.action, signal.stage) == (
        TIME_BUDGET_EXCEEDED,
        Action.REJECT,
        "probe",
    )
    assert "0.5 s" in signal.detail
    assert record.signals == []


def test_no_budget_means_no_deadline_and_a_budget_scales_with_the_batch():
    assert Probe().deadline() is None
    one, eight = Probe(time_budget=2.0).deadline(), Probe(time_budget=2.0).deadline(8)
    assert (one.seconds, eight.seconds) == (2.0, 16.0)


def test_a_record_over_budget_is_rejected_and_counted_under_its_reason_code():
    """Run on Beam, so the counters are the run's own: named after the codes recorded."""
    options = PipelineOptions([f"--runner={FN_API_RUNNER}", "--direct_running_mode=in_memory"])
    pipeline = beam.Pipeline(options=options)
    records = pipeline | beam.Create([_record(LICENSE_TEXT), _record(NON_COMMERCIAL_TEXT)])
    codes = (
        records
        | "OverBudget" >> beam.ParDo(ScanLicenses(LicenseSettings(), time_budget=1e-9))
        | "Codes"
        >> beam.Map(lambda record: TIME_BUDGET_EXCEEDED in {s.code for s in record.signals})
    )
    assert_that(codes, equal_to([True, True]))
    _ = records | "InBudget" >> beam.ParDo(ScanLicenses(LicenseSettings(), time_budget=60))
    result = pipeline.run()
    result.wait_until_finish()

    def counted(name: str, step: str) -> int:
        found = result.metrics().query(
            MetricsFilter().with_namespace("licenses").with_name(name).with_step(step)
        )["counters"]
        return sum(counter.committed for counter in found)

    assert counted(TIME_BUDGET_EXCEEDED, "OverBudget") == 2
    assert counted(TIME_BUDGET_EXCEEDED, "InBudget") == 0
    assert counted("license.non_commercial", "InBudget") == 1


def test_updated_refuses_a_field_the_contract_does_not_declare():
    with pytest.raises(TypeError, match=r"'probe' sets \['rights'\]"):
        Probe().updated(_record(), rights=None)


def test_updated_sets_declared_fields_on_a_new_record_only():
    record = _record()
    changed = Probe().updated(record, [Probe().signal("x.y", Action.FLAG)], pii_counts={"A": 1})
    assert (changed.pii_counts, [s.stage for s in changed.signals]) == ({"A": 1}, ["probe"])
    assert (record.pii_counts, record.signals) == ({}, [])
    assert changed.document is record.document  # shared, not copied: the text is not duplicated


def test_declaring_a_fact_no_record_has_fails():
    with pytest.raises(ValueError, match="unknown facts \\['pii_finding'\\]"):
        StageContract.declare("typo", requires=("pii_finding",))


# -- order --------------------------------------------------------------------------------


def test_a_stage_wired_before_the_stage_providing_its_input_fails_naming_both():
    order = StageOrder()
    order.admit("AttachSource", ATTACH_SOURCE_CONTRACT)
    with pytest.raises(StageOrderError) as error:
        order.admit("ConsentAndOptOuts", CONSENT)
    message = str(error.value)
    assert "'ConsentAndOptOuts' is wired before its input exists" in message
    assert "'pii_findings' (no earlier step provides it)" in message
    assert "Steps wired before it: AttachSource" in message


def test_a_text_stage_after_the_text_is_detached_fails_naming_the_step_that_removed_it():
    steps = [("AttachSource", ATTACH_SOURCE_CONTRACT), ("DetachText", DetachText.contract)]
    with pytest.raises(StageOrderError, match=r"'text' \(removed by DetachText\)"):
        check_stage_order([*steps, ("SketchForDedup", SKETCH_CONTRACT)])


def test_steps_without_a_contract_pass_records_through():
    available = check_stage_order(
        [("AttachSource", ATTACH_SOURCE_CONTRACT), ("Probe", None), ("ScanPii", PII)]
    )
    assert {"pii_findings", TEXT} <= available
    with pytest.raises(StageOrderError):
        check_stage_order([("AttachSource", ATTACH_SOURCE_CONTRACT), ("Decide", DECIDE_CONTRACT)])


def test_the_audit_graph_declares_a_contract_for_every_stage_and_its_order_holds(tmp_path):
    config = load_config(DEMO_CONFIG)
    stages = [*graph.text_stages(config), *graph.global_stages(config)]
    assert [name for name, stage in stages if contract_of(stage) is None] == []
    graph.build_audit(beam.Pipeline(), config, str(tmp_path))  # raises on a bad order


def test_the_audit_graph_refuses_consent_wired_before_pii(tmp_path, monkeypatch):
    config = load_config(DEMO_CONFIG)
    original = graph.text_stages

    def consent_first(config):
        stages = dict(original(config))
        order = ["ConsentAndOptOuts", "ScanPii", "ScanLicenses", "SketchForDedup"]
        return [(name, stages[name]) for name in order]

    monkeypatch.setattr(graph, "text_stages", consent_first)
    with pytest.raises(StageOrderError, match="'ConsentAndOptOuts'.*'pii_findings'"):
        graph.build_audit(beam.Pipeline(), config, str(tmp_path))
