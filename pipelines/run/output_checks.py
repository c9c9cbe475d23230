"""Check one written output file: the pure core of the audit pipeline's output checks.

For one file it returns everything the launcher used to learn by reading all of
them: the manifest's entry (bytes, sha256, rows), its part of the content digest,
its tallies for the summary, and its Great Expectations result (for the dataset,
with the residual-PII re-scan of its text). Files are read through Beam's
`FileSystems`, so the same code reads local disks and object stores. No Beam
pipeline construct here: `pipelines/run/audit_outputs.py` wraps it in a DoFn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

from expectations import frames
from pipelines.publish import store
from pipelines.publish.outputs import FileEntry, batches_digest
from pipelines.reports.output_facts import OutputFacts
from schemas.actions import Action
from schemas.gate import GateSettings
from schemas.pii import PiiSettings
from schemas.reason_codes import is_known_reason
from transforms.common.keys import KeySource

if TYPE_CHECKING:
    from expectations.validate import FileValidator

ACCEPTABLE_CONSENT = frozenset({"granted", "not_required"})
BATCH_ROWS = 4096


@dataclass(frozen=True)
class ConsentRule:
    """Consent valid for a record's source type: `granted` where policy requires consent."""

    required_source_types: frozenset[str]

    def __call__(self, row: dict) -> bool:
        if row["source_type"] in self.required_source_types:
            return row["consent_status"] == "granted"
        return row["consent_status"] in ACCEPTABLE_CONSENT


@dataclass(frozen=True)
class CheckSettings:
    """What a worker needs to check outputs; small and picklable (the key travels as its
    location, never as the key)."""

    staging: str
    gate: GateSettings
    pii: PiiSettings
    key_source: KeySource
    allowed_categories: tuple[str, ...]
    consent: ConsentRule


def relative_path(staging: str, path: str) -> str:
    prefix = staging.rstrip("/") + "/"
    if not path.startswith(prefix):
        raise ValueError(f"output file {path} is not under the staging directory {staging}")
    return path[len(prefix) :]


def file_entry(path: str, relative: str, rows: int) -> FileEntry:
    sha256, size = store.sha256_of(path)
    return FileEntry(path=relative, bytes=size, sha256=sha256, rows=rows)


class ResidualScan:
    """Texts -> per text, findings of entity types policy does not keep; the PII engine
    is built on the first batch, once per instance (so once per DoFn instance)."""

    def __init__(self, settings: PiiSettings, key: bytes) -> None:
        self.settings = settings
        self.key = key
        self._engine: Any = None

    def _count(self, text: str) -> int:
        return sum(
            1
            for finding in self._engine.scan(text, self.key)
            if self.settings.action_for(finding.entity_type) is not Action.KEEP
        )

    def __call__(self, batches: Iterator[list[str]]) -> Iterator[int]:
        for batch in batches:
            if self._engine is None:
                # Presidio announces every recognizer it loads at INFO: noise in a run's log.
                logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)
                # lazy: Presidio and spaCy (~60 MB, ~2 s) load only where a dataset is re-scanned.
                from transforms.pii.shared import shared_engine

                self._engine = shared_engine(self.settings)
            for text in batch:
                yield self._count(text)


Checker = Callable[[str, str, pq.ParquetFile, OutputFacts], dict[str, Any]]


class OutputChecker:
    """Checks output files one at a time; heavy helpers (GX, Presidio) built on first use."""

    def __init__(self, settings: CheckSettings) -> None:
        self.settings = settings
        self._validator: FileValidator | None = None
        self._residual: ResidualScan | None = None
        self._checkers: dict[str, Checker] = {
            "ledger": self._ledger,
            "dataset": self._dataset,
            "dead_letter": self._dead_letter,
        }

    def validator(self) -> FileValidator:
        if self._validator is None:
            # lazy: GX costs ~6 s to import; only a worker that validates a file pays.
            from expectations.validate import FileValidator

            self._validator = FileValidator()
        return self._validator

    def residual(self) -> ResidualScan:
        if self._residual is None:
            self._residual = ResidualScan(self.settings.pii, self.settings.key_source.load())
        return self._residual

    def check(self, output: str, path: str) -> tuple[OutputFacts, dict[str, Any] | None]:
        """The file's facts, and its GX result as JSON (None for outputs without a suite)."""
        relative = relative_path(self.settings.staging, path)
        facts = OutputFacts()
        record = None
        with store.open_for_reading(path) as handle:
            parquet = pq.ParquetFile(handle)
            rows = parquet.metadata.num_rows
            checker = self._checkers.get(output)
            if checker is not None:
                record = checker(output, relative, parquet, facts)
        facts.files.append(file_entry(path, relative, rows))
        return facts, record

    def _validate(
        self, name: str, label: str, frame, expectations, facts: OutputFacts
    ) -> dict[str, Any]:
        result, record = self.validator().validate(name, label, frame, expectations)
        facts.checks.append(result)
        return record

    def _ledger(
        self, output: str, label: str, parquet: pq.ParquetFile, facts: OutputFacts
    ) -> dict[str, Any]:
        # lazy: the suites import GX (see validator()).
        from expectations.validate import suite_for

        table = parquet.read()  # one ledger file has no text: GX validated it whole before too
        facts.add_digest(output, *batches_digest(table.to_batches(BATCH_ROWS)))
        facts.counts.add_ledger(table)
        facts.stages.add(table)
        facts.gates.add(table, self.settings.gate)
        frame = frames.ledger_frame(table, is_known_reason)
        return self._validate(
            "ledger", label, frame, suite_for("ledger", set(frame.columns)), facts
        )

    def _dataset(
        self, output: str, label: str, parquet: pq.ParquetFile, facts: OutputFacts
    ) -> dict[str, Any]:
        # lazy: the suites import GX (see validator()).
        from expectations.validate import suite_for

        rows = total = 0
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            part_rows, part_total = batches_digest([batch])
            rows, total = rows + part_rows, total + part_total
            facts.sizes.add(batch)
        facts.add_digest(output, rows, total)
        frame = frames.dataset_frame(parquet, self.settings.consent, self.residual())
        expectations = suite_for(
            "dataset", set(frame.columns), list(self.settings.allowed_categories)
        )
        return self._validate("dataset", label, frame, expectations, facts)

    def _dead_letter(
        self, output: str, label: str, parquet: pq.ParquetFile, facts: OutputFacts
    ) -> dict[str, Any]:
        # lazy: the suites import GX (see validator()).
        from expectations.validate import suite_for

        table = parquet.read()
        facts.add_digest(output, *batches_digest(table.to_batches(BATCH_ROWS)))
        facts.counts.add_dead_letter(table)
        frame = table.to_pandas()
        expectations = suite_for("dead_letter", set(frame.columns))
        return self._validate("dead_letter", label, frame, expectations, facts)

    def doc_ids(self, path: str) -> Iterator[str]:
        with store.open_for_reading(path) as handle:
            for batch in pq.ParquetFile(handle).iter_batches(
                batch_size=BATCH_ROWS * 4, columns=["doc_id"]
            ):
                yield from batch.column("doc_id").to_pylist()
