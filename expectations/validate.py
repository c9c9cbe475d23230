"""Run the suites over a run's outputs, file by file, and build GX Data Docs.

Memory stays bounded by one output file's non-text columns (dataset text is
streamed by record batch) whatever the size of the run. Global
properties that one file cannot show (doc_id unique across files, the
reconciliation of counts) are checked on small derived tables.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow.parquet as pq

from expectations import frames, suites
from schemas.run_summary import SourceReconciliation, SuiteResult, ValidationResults

if TYPE_CHECKING:
    # Annotations only: GX itself is imported when a validator is built (it is slow to import).
    from great_expectations.checkpoint import Checkpoint

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    suite: str
    file: str
    success: bool
    failed: list[str] = field(default_factory=list)

    def to_result(self) -> SuiteResult:
        return SuiteResult(
            name=self.suite, file=self.file, success=self.success, failed=tuple(self.failed)
        )


@dataclass
class ValidationReport:
    results: list[FileResult]

    @property
    def success(self) -> bool:
        return all(result.success for result in self.results)

    def failures(self) -> list[str]:
        return [
            f"{result.suite} on {result.file}: {failure}"
            for result in self.results
            for failure in result.failed
        ]

    def to_results(self) -> ValidationResults:
        """The summary's `validation` section."""
        return ValidationResults(
            success=self.success, suites=tuple(r.to_result() for r in self.results)
        )


def _describe(result) -> str:
    config = result.expectation_config
    description = getattr(config, "description", None) or config.type
    column = config.kwargs.get("column") or config.kwargs.get("column_A")
    unexpected = (result.result or {}).get("unexpected_count")
    where = f" (column {column}" + (f", {unexpected} rows" if unexpected else "") + ")"
    return description + (where if column else "")


class OutputValidator:
    """One ephemeral GX context per run; suites registered once, validated per file."""

    def __init__(self, docs_dir: Path) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx

        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        self.gx = gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context = gx.get_context(mode="ephemeral")
        # GX draws a tqdm bar per validated file; a run log is no place for hundreds of them.
        self.context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        self.context.add_data_docs_site(
            site_name="run",
            site_config={
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir.absolute()),
                },
            },
        )
        self.source = self.context.data_sources.add_pandas("outputs")
        self.checkpoints: dict[str, Checkpoint] = {}

    def _checkpoint(self, name: str, expectations: list) -> Checkpoint:
        if name not in self.checkpoints:
            from great_expectations.checkpoint import UpdateDataDocsAction

            gx = self.gx
            batch = self.source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(
                "file"
            )
            suite = self.context.suites.add(gx.ExpectationSuite(name=name))
            for expectation in expectations:
                suite.add_expectation(expectation)
            definition = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite)
            )
            self.checkpoints[name] = self.context.checkpoints.add(
                gx.Checkpoint(
                    name=f"{name}-checkpoint",
                    validation_definitions=[definition],
                    actions=[UpdateDataDocsAction(name="docs", site_names=["run"])],
                )
            )
        return self.checkpoints[name]

    def validate(self, name: str, label: str, frame: pd.DataFrame, expectations) -> FileResult:
        from great_expectations.core.run_identifier import RunIdentifier

        checkpoint = self._checkpoint(name, expectations)
        outcome = checkpoint.run(
            batch_parameters={"dataframe": frame},
            run_id=RunIdentifier(run_name=label.replace("/", "__")),
        )
        failed = [
            _describe(result)
            for run_result in outcome.run_results.values()
            for result in run_result.results
            if not result.success
        ]
        return FileResult(suite=name, file=label, success=not failed, failed=failed)


def _duplicate_ids_across_files(directory: Path) -> list[str]:
    """doc_id uniqueness across files: GX sees one file at a time, so check the union here."""
    seen: set[str] = set()
    duplicates = []
    for path in sorted(directory.glob("*.parquet")):
        for doc_id in pq.read_table(path, columns=["doc_id"]).column("doc_id").to_pylist():
            if doc_id in seen:
                duplicates.append(doc_id)
            seen.add(doc_id)
    return duplicates


def validate_run(
    run_dir: Path,
    reconciliation: Mapping[str, SourceReconciliation],
    is_known_reason: Callable[[str], bool],
    allowed_categories: list[str] | None = None,
    consent_valid: Callable[[dict], bool] | None = None,
    pii_left: frames.ResidualCounter | None = None,
    pii_left_for: Callable[[Path], frames.ResidualCounter | None] | None = None,
) -> ValidationReport:
    """`pii_left_for` may give a dataset file's counter precomputed (the after-run pool);
    where it gives None, `pii_left` counts the file's texts."""
    validator = OutputValidator(run_dir / "reports" / "gx")
    results: list[FileResult] = []
    for path in sorted((run_dir / "ledger").glob("*.parquet")):
        frame = frames.ledger_frame(pq.read_table(path), is_known_reason)
        results.append(
            validator.validate(
                "ledger", f"ledger/{path.name}", frame, suites.ledger_suite(set(frame.columns))
            )
        )
    for path in sorted((run_dir / "dataset").glob("*.parquet")):
        counter = (pii_left_for(path) if pii_left_for else None) or pii_left
        frame = frames.dataset_frame(pq.ParquetFile(path), consent_valid, counter)
        results.append(
            validator.validate(
                "dataset",
                f"dataset/{path.name}",
                frame,
                suites.dataset_suite(set(frame.columns), allowed_categories),
            )
        )
    for path in sorted((run_dir / "dead_letter").glob("*.parquet")):
        frame = pq.read_table(path).to_pandas()
        results.append(
            validator.validate(
                "dead_letter",
                f"dead_letter/{path.name}",
                frame,
                suites.dead_letter_suite(set(frame.columns)),
            )
        )
    counts = pd.DataFrame(
        [
            {
                "source_id": source,
                "records_read": figures.records_read,
                "accounted": figures.ledger_rows + figures.dead_letter_rows,
            }
            for source, figures in sorted(reconciliation.items())
        ]
    )
    results.append(
        validator.validate(
            "reconciliation",
            "reports/summary.json",
            counts,
            suites.reconciliation_suite(set(counts.columns)),
        )
    )
    for name in ("ledger", "dataset"):
        duplicates = _duplicate_ids_across_files(run_dir / name)
        results.append(
            FileResult(
                suite=name,
                file=f"{name}/ (all files)",
                success=not duplicates,
                failed=[f"doc_id repeated across files ({len(duplicates)} ids)"]
                if duplicates
                else [],
            )
        )
    return ValidationReport(results)
