"""The audit pipeline checks every written file on the workers and combines the facts."""

from __future__ import annotations

import json

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from expectations.validate import uniqueness_results
from pipelines.publish.outputs import content_digest, file_sha256
from pipelines.reports.output_facts import FACTS_FILE, VALIDATION_RESULTS, OutputFacts
from pipelines.run.audit_outputs import AuditOutputs
from pipelines.run.options import FN_API_RUNNER
from pipelines.run.output_checks import CheckSettings, ConsentRule
from pipelines.run.validation import validation_records
from schemas.dataset import DATASET_SCHEMA
from schemas.dead_letter import DEAD_LETTER_SCHEMA
from schemas.gate import GateSettings
from schemas.ledger import LEDGER_SCHEMA
from schemas.pii import PiiSettings
from tests.expectations.test_expectations import dataset_row, ledger_row
from transforms.common.keys import KeySource


def dead_letter_row(doc_id: str) -> dict:
    row = {field.name: None for field in DEAD_LETTER_SCHEMA}
    row.update(doc_id=doc_id, source_id="s", locator="f:1", error_code="read.bad_json")
    row.update(message="not JSON", byte_length=3, raw_sha256="a" * 64)
    return row


def stage(root) -> dict[str, list[str]]:
    """A staged run: two ledger files sharing one doc_id, a dataset file, a dead-letter file."""
    files = {
        "ledger": [
            ("part-0.parquet", LEDGER_SCHEMA, [ledger_row("d1", "accept", ["accept.clean"])]),
            (
                "part-1.parquet",
                LEDGER_SCHEMA,
                [ledger_row(d, "reject", ["pii.sensitive.US_SSN"]) for d in ("d1", "d2")],
            ),
        ],
        "dataset": [("part-0.parquet", DATASET_SCHEMA, [dataset_row("d1", "plain text")])],
        "dead_letter": [("part-0.parquet", DEAD_LETTER_SCHEMA, [dead_letter_row("x1")])],
    }
    written: dict[str, list[str]] = {}
    for output, parts in files.items():
        (root / output).mkdir()
        for name, schema, rows in parts:
            path = root / output / name
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
            written.setdefault(output, []).append(str(path))
    return written


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    root = tmp_path_factory.mktemp("staged")
    written = stage(root)
    settings = CheckSettings(
        staging=str(root),
        gate=GateSettings(),
        pii=PiiSettings(),
        key_source=KeySource(file=str(root / "key")),
        allowed_categories=("permissive",),
        consent=ConsentRule(frozenset()),
    )
    (root / "key").write_text("k" * 32)
    options = PipelineOptions(runner=FN_API_RUNNER)
    with beam.Pipeline(options=options) as pipeline:
        names = {
            output: pipeline | f"Files{output}" >> beam.Create(paths)
            for output, paths in written.items()
        }
        _ = names | AuditOutputs(settings)
    return root


def test_facts_list_every_file_with_its_own_hash_and_rows(audited):
    facts = OutputFacts.read(audited)
    entries = facts.file_entries()
    assert sorted(entries) == [
        "dataset/part-0.parquet",
        "dead_letter/part-0.parquet",
        "ledger/part-0.parquet",
        "ledger/part-1.parquet",
    ]
    for relative, entry in entries.items():
        assert entry.sha256 == file_sha256(audited / relative)
        assert entry.bytes == (audited / relative).stat().st_size
    assert entries["ledger/part-1.parquet"].rows == 2


def test_combined_digests_equal_those_verify_recomputes(audited):
    facts = OutputFacts.read(audited)
    outputs = ("dataset", "ledger", "dead_letter")
    recomputed = {name: content_digest(audited / name) for name in outputs}
    assert facts.content_digests(outputs) == recomputed


def test_combined_counts_cover_every_file(audited):
    counts = OutputFacts.read(audited).counts
    assert counts.decisions == {("s", "accept"): 1, ("s", "reject"): 2}
    assert counts.dead_letters == {("s", "read.bad_json"): 1}


def test_doc_id_repeated_across_files_is_counted_without_one_worker_seeing_both(audited):
    facts = OutputFacts.read(audited)
    assert facts.repeated_ids == {"ledger": 1}
    ledger_result, dataset_result = uniqueness_results(facts.repeated_ids)
    assert ledger_result.failed == ("doc_id repeated across files (1 ids)",)
    assert dataset_result.success


def test_each_file_gx_result_is_written_for_the_launcher(audited):
    records = list(validation_records(audited))
    assert sorted(record["file"] for record in records) == sorted(
        check.file for check in OutputFacts.read(audited).checks
    )
    assert all(record["result"]["results"] for record in records)
    assert (audited / FACTS_FILE).is_file()
    assert list(audited.glob(VALIDATION_RESULTS + "*"))


def test_facts_file_is_small_json(audited):
    assert json.loads((audited / FACTS_FILE).read_text())["repeated_ids"] == {"ledger": 1}
