"""One audited run: build the pipeline, run it, check nothing was lost, publish.

A run that fails at any point (pipeline error, lost records, a failed
expectation) publishes nothing: its outputs stay in `OUT/.failed-RUN_ID/` (on an
object store: `OUT/runs/RUN_ID/`, which no manifest names) for inspection, an
OpenLineage FAIL event says why, and the previously published run is untouched.
Where each layout writes: `pipelines/run/locations.py`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, replace

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pipelines.publish.lineage import LineageEmitter
from pipelines.publish.output_lock import hold_output
from pipelines.publish.staging import MANIFEST, new_run_id, package_versions, utc_now, write_json
from pipelines.reports.output_facts import FACTS_DIR, OutputFacts
from pipelines.reports.summary import counter_values
from pipelines.reports.write import write_reports
from pipelines.run.config import LoadedConfig, check_output_location, load_signing_key
from pipelines.run.graph import (
    PARQUET_OUTPUT_DIRS,
    PUBLISHED,
    RAW_TEXT_SIDECAR_DIR,
    TEXT_SIDECAR_DIR,
    build_audit,
)
from pipelines.run.locations import RunLocations
from pipelines.run.options import FN_API_RUNNER, build_pipeline_options, describe_runner
from pipelines.run.previous import PreviousVersion, scan_fingerprint
from pipelines.run.progress import MetricsCollector, ProgressDisplay, ProgressFnApiRunner, describe
from pipelines.run.validation import finish_staged_validation
from schemas.run_summary import ReuseFigures, RunSummary, SourceFacts, ValidationResults
from transforms.common.hashing import key_id
from transforms.dedup.components import not_settled_message, rounds_that_changed
from transforms.reuse.stage import NAMESPACE as REUSE

log = logging.getLogger(__name__)


class RunFailed(Exception):
    """The run finished but must not be published; the message says why."""


@dataclass(frozen=True)
class RunOutcome:
    run_id: str
    output: str
    manifest_path: str
    summary: RunSummary


def source_facts(config: LoadedConfig) -> dict[str, SourceFacts]:
    return {
        source.id: SourceFacts(
            type=str(source.type),
            format=str(source.format),
            declared_license=source.declared_license,
            legal_basis=str(source.legal_basis),
            evidence=source.evidence.model_dump(mode="json", exclude_none=True),
            priority=source.priority,
            missing_evidence=tuple(config.sources_missing_evidence.get(source.id, [])),
        )
        for source in config.run.sources
    }


def _run_pipeline(
    config: LoadedConfig,
    options,
    staging: str,
    show_progress: bool,
    previous: PreviousVersion | None,
):
    """Run to completion; on the local default runner, with a live progress line."""
    collector = MetricsCollector()
    local = options.view_as(StandardOptions).runner == FN_API_RUNNER
    runner = ProgressFnApiRunner(collector) if local else None
    pipeline = beam.Pipeline(runner=runner, options=options)
    build_audit(pipeline, config, staging, previous)
    if local and show_progress:
        with ProgressDisplay(collector) as display:
            result = pipeline.run()
            result.wait_until_finish()
        log.info(describe(collector.counters(), time.monotonic() - display.started))
    else:
        result = pipeline.run()
        result.wait_until_finish()
    return result


def run_audit(
    config: LoadedConfig,
    beam_args: list[str],
    show_progress: bool = False,
    previous: PreviousVersion | None = None,
) -> RunOutcome:
    if config.run.output is None:  # load_config always sets it; a hand-built config may not
        raise RunFailed("no output directory: set `output:` in the config or pass --output DIR")
    signing_key = load_signing_key(config)  # before any work: a bad key is a config error
    check_output_location(config)
    run_id = new_run_id()
    # Held before staging dirs of killed runs are cleared: a live run's are never touched.
    with hold_output(config.run.output, f"run {run_id}"):
        return _audit(
            config, config.run.output, beam_args, show_progress, run_id, signing_key, previous
        )


def _audit(
    config: LoadedConfig,
    output: str,
    beam_args: list[str],
    show_progress: bool,
    run_id: str,
    signing_key: Ed25519PrivateKey | None,
    previous: PreviousVersion | None = None,
) -> RunOutcome:
    started_at = utc_now()
    options = build_pipeline_options(beam_args)
    where = RunLocations.prepare(output, run_id)
    log.info("run %s: runner %s, writing in %s", run_id, describe_runner(options), where.data_root)
    lineage = LineageEmitter(
        config, config.run.lineage, output_dir=where.data_root, events_dir=where.scratch
    )
    try:
        lineage.emit(lineage.start(run_id))
        result = _run_pipeline(config, options, where.data_root, show_progress, previous)
        facts = OutputFacts.read(where.data_root)
        counters = counter_values(result.metrics())
        summary = summarise(config, where, run_id, counters, facts, previous)
        write_json(where.scratch / RunSummary.FILE, summary.to_json())
        # Files first: a file the checks missed would also show up as lost records.
        check_every_file_checked(where, facts)
        check_nothing_lost(summary)
        manifest = {
            "run_id": run_id,
            "started_at": started_at,
            "finished_at": utc_now(),
            "config": {"path": config.path, "sha256": config.config_sha256},
            "policy": {
                "path": config.policy_path,
                "name": config.policy.name,
                "version": config.policy.version,
                "sha256": config.policy_sha256,
            },
            "runner": describe_runner(options),
            "hmac_key_id": key_id(config.key_source.load()),
            "scan_fingerprint": scan_fingerprint(config),
            "packages": package_versions(),
            "totals": asdict(summary.totals),
            "content_digests": facts.content_digests(PARQUET_OUTPUT_DIRS),
            "previous_manifest": where.previous_manifest(),
        }
        if previous is not None:
            manifest["previous_version"] = previous.chain()
        if summary.validation is not None and not summary.validation.success:
            raise ValidationFailed(summary.validation)
        write_reports(where.scratch, summary, manifest, facts.files_of("dataset"))
        lineage.emit(lineage.complete(run_id, summary, manifest))
        manifest_path = where.publish(
            PUBLISHED,
            manifest,
            facts.file_entries(),
            (TEXT_SIDECAR_DIR, RAW_TEXT_SIDECAR_DIR, FACTS_DIR),
            signing_key,
        )
    except BaseException as error:
        lineage.emit(lineage.fail(run_id, f"{type(error).__name__}: {error}"))
        kept = _keep_failed(where)
        if isinstance(error, ValidationFailed):
            failures = error.failures()
            raise RunFailed(
                f"validation failed ({len(failures)} expectation(s)); outputs kept for "
                f"inspection in {kept}:\n  - " + "\n  - ".join(failures[:20])
            ) from None
        check_components_settled(error)
        raise
    return RunOutcome(run_id, where.output, manifest_path, summary)


class ValidationFailed(Exception):
    def __init__(self, validation: ValidationResults) -> None:
        super().__init__("validation failed")
        self.validation = validation

    def failures(self) -> list[str]:
        return self.validation.failures()


def summarise(
    config: LoadedConfig,
    where: RunLocations,
    run_id: str,
    counters: dict[str, int],
    facts: OutputFacts,
    previous: PreviousVersion | None = None,
) -> RunSummary:
    """summary.json: counts, stage figures, gates, sizes and the validation results, all
    finished from the audit pipeline's combined facts (no output file is read here)."""
    counts = facts.counts.finish(counters)
    stages = facts.stages.finish()
    validation = finish_staged_validation(
        config, where.data_root, where.scratch, facts, counts.reconciliation
    )
    return RunSummary(
        totals=counts.totals,
        reconciliation=counts.reconciliation,
        sources=counts.sources,
        metrics=counters,
        run_id=run_id,
        source_facts=source_facts(config),
        pii=stages.pii,
        licenses=stages.licenses,
        consent=stages.consent,
        optout=stages.optout,
        dedup=replace(stages.dedup, component_rounds=rounds_that_changed(counters)),
        gates=facts.gates.finish(config.policy.gate),
        sizes=facts.sizes.finish(),
        validation=validation.to_results(),
        reuse=reuse_figures(previous, counters) if previous is not None else None,
    )


def reuse_figures(previous: PreviousVersion, counters: dict[str, int]) -> ReuseFigures:
    def count(name: str) -> int:
        return counters.get(f"{REUSE}/{name}", 0)

    prefix = f"{REUSE}/rescanned."
    return ReuseFigures(
        previous_run_id=previous.run_id,
        reused=count("reused"),
        rescanned={
            name.removeprefix(prefix): value
            for name, value in sorted(counters.items())
            if name.startswith(prefix)
        },
        removed=count("removed"),
        removed_published=count("removed_published"),
        newly_accepted=count("newly_accepted"),
        newly_rejected=count("newly_rejected"),
        new_accepted=count("new.accepted"),
        new_rejected=count("new.rejected"),
    )


def _keep_failed(where: RunLocations) -> str | None:
    """Keep the failed run for inspection; a failure to keep it must not hide why it failed."""
    try:
        return where.keep_failed()
    except Exception as error:  # noqa: BLE001 - reported, then the original error goes on
        log.warning("could not keep the failed run's outputs (%s: %s)", type(error).__name__, error)
        return None


def check_every_file_checked(where: RunLocations, facts: OutputFacts) -> None:
    """Every staged Parquet file must have been checked: the manifest takes their hashes
    and rows from the facts, so a file the checks missed would be published unverified."""
    checked = facts.file_entries()
    unchecked = [path for path in where.published_parquet_files(PUBLISHED) if path not in checked]
    if unchecked:
        raise RunFailed(
            f"{len(unchecked)} output file(s) were written but not checked by the pipeline: "
            + ", ".join(unchecked[:10])
        )


def check_nothing_lost(summary: RunSummary) -> None:
    lost = {source: figures for source, figures in summary.reconciliation.items() if not figures.ok}
    if lost:
        raise RunFailed(
            "records read do not equal ledger + dead-letter rows for: "
            + ", ".join(
                f"{source} (read {f.records_read}, ledger {f.ledger_rows}, "
                f"dead letter {f.dead_letter_rows})"
                for source, f in lost.items()
            )
        )


def check_components_settled(error: BaseException) -> None:
    """A run that failed because duplicate clusters did not settle says so, not a traceback."""
    message = not_settled_message(error)
    if message is not None:
        raise RunFailed(message) from error


__all__ = ["MANIFEST", "RunFailed", "RunOutcome", "run_audit"]
