"""The audit pipeline's last step: check every file it wrote, on the workers, and combine.

    written file names (each write's FinalizeWrite output), tagged by output
      -> Reshuffle (spread files over workers)
      -> CheckOutputFile: one file's facts (OutputFacts), its GX result, its doc ids
      -> doc ids: count per (output, id), keep repeats  -> OutputFacts of repeats
      -> all facts: CombineGlobally(merge)               -> _facts/facts.json
      -> GX results                                      -> _facts/validation-*.jsonl

No step holds more than one file's worth of rows or a combined value whose size
depends on the number of files and distinct keys; the launcher reads the two
small outputs, never the data (see pipelines/run/audited_run.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from expectations.scope import UNIQUE_ID_OUTPUTS
from pipelines.reports.output_facts import FACTS_FILE, VALIDATION_RESULTS, OutputFacts
from pipelines.run.output_checks import CheckSettings, OutputChecker
from transforms.common.scrubbed_output import scrub_worker_output

VALIDATION_TAG = "validation"
DOC_IDS_TAG = "doc_ids"


class CheckOutputFile(beam.DoFn):
    """Thin wrapper of `OutputChecker`: one (output, path) in, its facts out."""

    def __init__(self, settings: CheckSettings) -> None:
        self.settings = settings
        self.checker: OutputChecker | None = None

    def setup(self) -> None:
        scrub_worker_output()
        self.checker = OutputChecker(self.settings)

    def process(self, element: tuple[str, str]) -> Iterator:
        output, path = element
        if self.checker is None:
            raise RuntimeError("CheckOutputFile.process called before setup")
        facts, record = self.checker.check(output, path)
        yield facts
        if record is not None:
            yield beam.pvalue.TaggedOutput(VALIDATION_TAG, json.dumps(record, sort_keys=True))
        if output in UNIQUE_ID_OUTPUTS:
            for doc_id in self.checker.doc_ids(path):
                yield beam.pvalue.TaggedOutput(DOC_IDS_TAG, (output, doc_id))


class MergeFacts(beam.CombineFn):
    def create_accumulator(self) -> OutputFacts:
        return OutputFacts()

    def add_input(self, accumulator: OutputFacts, facts: OutputFacts) -> OutputFacts:
        return accumulator.merge(facts)

    def merge_accumulators(self, accumulators) -> OutputFacts:
        merged = OutputFacts()
        for accumulator in accumulators:
            merged.merge(accumulator)
        return merged

    def extract_output(self, accumulator: OutputFacts) -> OutputFacts:
        return accumulator


def repeats_as_facts(item: tuple[tuple[str, str], int]) -> OutputFacts:
    """An id seen n times in an output counts n - 1 repeats (the old launcher check's count)."""
    (output, _), seen = item
    return OutputFacts(repeated_ids=Counter({output: seen - 1}))


def tag_with(path: str, output: str) -> tuple[str, str]:
    return output, path


def facts_json(facts: OutputFacts) -> str:
    return json.dumps(facts.to_json(), sort_keys=True)


class AuditOutputs(beam.PTransform):
    """`{output name: PCollection of written file names}` -> the facts and GX results files."""

    def __init__(self, settings: CheckSettings) -> None:
        super().__init__()
        self.settings = settings

    # Not annotated: Beam reads expand()'s annotation as an element type hint, which a
    # dict of PCollections is not.
    def expand(self, written):
        staging = self.settings.staging
        tagged = [
            names
            | f"Tag{name.title().replace('_', '')}" >> beam.Map(lambda path, n=name: (n, path))
            for name, names in sorted(written.items())
        ]
        checked = (
            tagged
            | "AllWrittenFiles" >> beam.Flatten()
            | "SpreadFiles" >> beam.Reshuffle()
            | "CheckOutputFile"
            >> beam.ParDo(CheckOutputFile(self.settings)).with_outputs(
                VALIDATION_TAG, DOC_IDS_TAG, main="facts"
            )
        )
        repeats = (
            checked[DOC_IDS_TAG]
            | "CountIds" >> beam.combiners.Count.PerElement()
            | "Repeated" >> beam.Filter(lambda item: item[1] > 1)
            | "RepeatsAsFacts" >> beam.Map(repeats_as_facts)
        )
        facts = (
            (checked.facts, repeats)
            | "FactsAndRepeats" >> beam.Flatten()
            | "CombineFacts" >> beam.CombineGlobally(MergeFacts())
        )
        written_facts = (
            facts
            | "FactsJson" >> beam.Map(facts_json)
            | "WriteFacts"
            >> beam.io.WriteToText(
                FileSystems.join(staging, FACTS_FILE), num_shards=1, shard_name_template=""
            )
        )
        written_results = checked[VALIDATION_TAG] | "WriteValidationResults" >> beam.io.WriteToText(
            FileSystems.join(staging, VALIDATION_RESULTS), file_name_suffix=".jsonl"
        )
        return written_facts, written_results
