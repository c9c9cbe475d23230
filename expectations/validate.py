"""Run the suites on one output file at a time, and build GX Data Docs from the results.

The audit pipeline validates each output file on the worker that checks it
(`FileValidator` without a docs site: workers need no launcher disk) and writes
each result as JSON. The launcher then validates only small derived tables (the
reconciliation of counts), stores the workers' results in its own context
(`FileValidator` with a docs site) and builds the Data Docs once. Global
properties one file cannot show (doc_id unique across files) come from the
pipeline's own counts (`uniqueness_results`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from expectations import suites
from expectations.scope import FILE_SUITES, UNIQUE_ID_OUTPUTS
from schemas.run_summary import SuiteResult, ValidationResults

if TYPE_CHECKING:
    # Annotations only: GX itself is imported when a validator is built (it is slow to import).
    from great_expectations.checkpoint import Checkpoint

log = logging.getLogger(__name__)

# Results say how many values failed, never which: a failing check on personal data (an
# e-mail left in a ledger column) must not copy that value into Data Docs or a result
# file, published or kept from a failed run.
RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": 0,
    "exclude_unexpected_values": True,
}
_VALUE_KEYS = ("unexpected_list", "unexpected_counts", "unexpected_rows", "unexpected_index")
WITHHELD = "<withheld>"


def withhold_values(result: Any) -> Any:
    """A GX result (JSON) without any value a row held: lists of unexpected values, their
    counts, rows and indexes removed, and string observations withheld. The result format
    above already asks GX for none; this holds whatever a future GX release adds."""
    if isinstance(result, dict):
        kept = {}
        for key, value in result.items():
            if any(marker in key for marker in _VALUE_KEYS):
                continue
            if key == "observed_value" and not isinstance(value, int | float | bool | None):
                kept[key] = WITHHELD
                continue
            kept[key] = withhold_values(value)
        return kept
    if isinstance(result, list):
        return [withhold_values(item) for item in result]
    return result


@dataclass
class ValidationReport:
    results: list[SuiteResult]

    @property
    def success(self) -> bool:
        return all(result.success for result in self.results)

    def failures(self) -> list[str]:
        return ValidationResults(success=self.success, suites=tuple(self.results)).failures()

    def to_results(self) -> ValidationResults:
        """The summary's `validation` section."""
        return ValidationResults(success=self.success, suites=tuple(self.results))


def suite_for(
    name: str, columns: set[str], allowed_categories: list[str] | None = None
) -> list[suites.Expectation]:
    """The expectations of a per-file suite over a frame with these columns."""
    if name == "ledger":
        return suites.ledger_suite(columns)
    if name == "dataset":
        return suites.dataset_suite(columns, allowed_categories)
    if name == "dead_letter":
        return suites.dead_letter_suite(columns)
    if name == "reconciliation":
        return suites.reconciliation_suite(columns)
    raise ValueError(f"no suite named {name!r}")


def _describe(result) -> str:
    config = result.expectation_config
    description = getattr(config, "description", None) or config.type
    column = config.kwargs.get("column") or config.kwargs.get("column_A")
    unexpected = (result.result or {}).get("unexpected_count")
    where = f" (column {column}" + (f", {unexpected} rows" if unexpected else "") + ")"
    return description + (where if column else "")


class FileValidator:
    """One ephemeral GX context; suites registered once, validated per file.

    With `docs_dir` (the launcher) it also has a Data Docs site, into which `store`
    puts results validated anywhere and `build_docs` renders them.
    """

    def __init__(self, docs_dir: Path | None = None) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        # GX draws a tqdm bar per validated file; a run log is no place for hundreds of them.
        self.context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        self.has_docs = docs_dir is not None
        if docs_dir is not None:
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
            gx = self.gx
            batch = self.source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(
                "file"
            )
            suite = self._suite(name, expectations)
            definition = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite)
            )
            self.checkpoints[name] = self.context.checkpoints.add(
                gx.Checkpoint(
                    name=f"{name}-checkpoint",
                    validation_definitions=[definition],
                    actions=[],
                    result_format=RESULT_FORMAT,
                )
            )
        return self.checkpoints[name]

    def _suite(self, name: str, expectations: list):
        if name in {suite.name for suite in self.context.suites.all()}:
            return self.context.suites.get(name)
        suite = self.context.suites.add(self.gx.ExpectationSuite(name=name))
        for expectation in expectations:
            suite.add_expectation(expectation)
        return suite

    def validate(
        self, name: str, label: str, frame: pd.DataFrame, expectations
    ) -> tuple[SuiteResult, dict[str, Any]]:
        """The file's result, and the GX result as JSON for the launcher's Data Docs."""
        from great_expectations.core.run_identifier import RunIdentifier

        checkpoint = self._checkpoint(name, expectations)
        outcome = checkpoint.run(
            batch_parameters={"dataframe": frame},
            run_id=RunIdentifier(run_name=label.replace("/", "__")),
        )
        [(key, run_result)] = outcome.run_results.items()
        # GX keeps every result in the context's store; a long-lived worker checks many files.
        self.context.validation_results_store.remove_key(key)
        failed = tuple(_describe(result) for result in run_result.results if not result.success)
        record = {
            "suite": name,
            "file": label,
            "columns": sorted(frame.columns),
            "key": list(key.to_tuple()),
            "result": withhold_values(run_result.to_json_dict()),
        }
        return SuiteResult(name=name, file=label, success=not failed, failed=failed), record

    def store(self, record: dict[str, Any], expectations: list) -> None:
        """Put a result validated elsewhere (a worker) into this context's Data Docs store."""
        from great_expectations.core.expectation_validation_result import (
            ExpectationSuiteValidationResultSchema,
        )
        from great_expectations.data_context.types.resource_identifiers import (
            ValidationResultIdentifier,
        )

        self._suite(record["suite"], expectations)  # so its expectations page exists too
        self.context.validation_results_store.set(
            ValidationResultIdentifier.from_tuple(tuple(record["key"])),
            ExpectationSuiteValidationResultSchema().load(record["result"]),
        )

    def build_docs(self) -> None:
        if self.has_docs:
            self.context.build_data_docs(site_names=["run"])


def ordered_file_checks(checks: Iterable[SuiteResult]) -> list[SuiteResult]:
    """Per-file results in the summary's order, however the workers finished."""
    return sorted(checks, key=lambda check: (FILE_SUITES.index(check.name), check.file))


def uniqueness_results(repeated_ids: Mapping[str, int]) -> list[SuiteResult]:
    """doc_id unique across every file of an output: GX sees one file at a time, so the
    pipeline counts repeats (occurrences beyond an id's first) over all files."""
    results = []
    for name in UNIQUE_ID_OUTPUTS:
        repeated = int(repeated_ids.get(name, 0))
        failed = (f"doc_id repeated across files ({repeated} ids)",) if repeated else ()
        results.append(
            SuiteResult(name=name, file=f"{name}/ (all files)", success=not failed, failed=failed)
        )
    return results


def reconciliation_frame(reconciliation: Mapping) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "source_id": source,
                "records_read": figures.records_read,
                "accounted": figures.ledger_rows + figures.dead_letter_rows,
            }
            for source, figures in sorted(reconciliation.items())
        ]
    )


def finish_validation(
    docs_dir: Path,
    records: Iterable[dict[str, Any]],
    file_checks: Iterable[SuiteResult],
    reconciliation: Mapping,
    repeated_ids: Mapping[str, int],
    allowed_categories: list[str] | None = None,
) -> ValidationReport:
    """On the launcher: the workers' per-file results, the reconciliation suite on the
    small per-source table, the uniqueness counts, and the Data Docs of them all.

    `records` are streamed: each is stored in the docs store and dropped."""
    validator = FileValidator(docs_dir)
    for record in records:
        columns = set(record["columns"])
        validator.store(record, suite_for(record["suite"], columns, allowed_categories))
    counts = reconciliation_frame(reconciliation)
    reconciled, record = validator.validate(
        "reconciliation",
        "reports/summary.json",
        counts,
        suites.reconciliation_suite(set(counts.columns)),
    )
    validator.store(record, [])
    validator.build_docs()
    return ValidationReport(
        [*ordered_file_checks(file_checks), reconciled, *uniqueness_results(repeated_ids)]
    )
