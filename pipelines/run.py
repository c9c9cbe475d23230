"""One audited run: build the pipeline, run it, check nothing was lost, publish.

A run that fails at any point (pipeline error, reconciliation mismatch) leaves
no manifest for itself and leaves the previously published run untouched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import apache_beam as beam

from pipelines.audit import OUTPUT_DIRS, PARQUET_OUTPUT_DIRS, build_audit
from pipelines.config import LoadedConfig
from pipelines.options import build_pipeline_options, describe_runner
from pipelines.outputs import content_digest
from pipelines.publish import (
    MANIFEST,
    discard,
    keep_failed,
    new_run_id,
    package_versions,
    publish,
    staging_dir,
    utc_now,
    write_json,
)
from pipelines.stage_summary import gate_figures, size_figures, stage_sections
from pipelines.summary import build_summary, counter_values
from pipelines.validation import validate_staged_run

log = logging.getLogger(__name__)


class RunFailed(Exception):
    """The run finished but must not be published; the message says why."""


@dataclass(frozen=True)
class RunOutcome:
    run_id: str
    output: Path
    manifest_path: Path
    summary: dict


def source_facts(config: LoadedConfig) -> dict[str, dict]:
    return {
        source.id: {
            "type": str(source.type),
            "format": str(source.format),
            "declared_license": source.declared_license,
            "legal_basis": str(source.legal_basis),
            "evidence": source.evidence.model_dump(mode="json", exclude_none=True),
            "priority": source.priority,
            "missing_evidence": config.sources_missing_evidence.get(source.id, []),
        }
        for source in config.run.sources
    }


def run_audit(config: LoadedConfig, beam_args: list[str]) -> RunOutcome:
    run_id = new_run_id()
    output = Path(config.run.output)
    output.mkdir(parents=True, exist_ok=True)
    staging = staging_dir(output, run_id)
    started_at = utc_now()
    options = build_pipeline_options(beam_args)
    log.info("run %s: runner %s, staging in %s", run_id, describe_runner(options), staging)
    try:
        pipeline = beam.Pipeline(options=options)
        build_audit(pipeline, config, str(staging))
        result = pipeline.run()
        result.wait_until_finish()
        counters = counter_values(result.metrics())
        summary = build_summary(staging, counters)
        summary["run_id"] = run_id
        summary["source_facts"] = source_facts(config)
        summary.update(stage_sections(staging / "ledger"))
        summary["gates"] = gate_figures(staging / "ledger", config.policy.gate)
        summary["sizes"] = size_figures(staging / "dataset")
        validation = validate_staged_run(config, staging, summary["reconciliation"])
        summary["validation"] = validation.to_dict()
        write_json(staging / "reports" / "summary.json", summary)
        lost = {
            source: figures
            for source, figures in summary["reconciliation"].items()
            if not figures["ok"]
        }
        if lost:
            raise RunFailed(
                "records read do not equal ledger + dead-letter rows for: "
                + ", ".join(
                    f"{source} (read {f['records_read']}, ledger {f['ledger_rows']}, "
                    f"dead letter {f['dead_letter_rows']})"
                    for source, f in lost.items()
                )
            )
        if not validation.success:
            kept = keep_failed(staging, output, run_id)
            raise RunFailed(
                f"validation failed ({len(validation.failures())} expectation(s)); "
                f"outputs kept for inspection in {kept}:\n  - "
                + "\n  - ".join(validation.failures()[:20])
            )
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
            "packages": package_versions(),
            "totals": summary["totals"],
            "content_digests": {
                name: content_digest(staging / name) for name in PARQUET_OUTPUT_DIRS
            },
        }
        manifest_path = publish(staging, output, OUTPUT_DIRS, manifest)
    except BaseException:
        discard(staging)
        raise
    return RunOutcome(run_id, output, manifest_path, summary)


__all__ = ["MANIFEST", "RunFailed", "RunOutcome", "run_audit"]
