"""Validation of a staged run with the Great Expectations suites, before publishing.

Builds the policy-derived checks (allowed license categories, consent valid for
the source type, no personal data left of the kinds policy redacts) that the
audit pipeline's workers run file by file (`check_settings`), and, on the
launcher, finishes the validation from their results (`finish_staged_validation`);
the caller refuses to publish on any failure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from pipelines.reports.output_facts import VALIDATION_RESULTS, OutputFacts
from pipelines.run.config import LoadedConfig
from pipelines.run.output_checks import CheckSettings, ConsentRule
from schemas.run_summary import SourceReconciliation


def accepted_categories(config: LoadedConfig) -> list[str]:
    """Categories the license policy lets into the dataset: the allowed ones for the
    intended use, plus `unknown` when unknown rights are not rejected."""
    licenses = config.policy.licenses
    categories = {str(category) for category in licenses.allowed()}
    if licenses.unknown_action != "reject":
        categories.add("unknown")
    return sorted(categories)


def check_settings(config: LoadedConfig, staging: str) -> CheckSettings:
    return CheckSettings(
        staging=staging,
        gate=config.policy.gate,
        pii=config.policy.pii,
        key_source=config.key_source,
        allowed_categories=tuple(accepted_categories(config)),
        consent=ConsentRule(frozenset(config.policy.consent.required_source_types)),
    )


def validation_records(staging: str | Path) -> Iterator[dict[str, Any]]:
    """The workers' GX results, one at a time (there is one per output file)."""
    pattern = FileSystems.join(str(staging), VALIDATION_RESULTS) + "*"
    for match in FileSystems.match([pattern])[0].metadata_list:
        with FileSystems.open(match.path, compression_type=CompressionTypes.UNCOMPRESSED) as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)


def finish_staged_validation(
    config: LoadedConfig,
    data_root: str,
    scratch: Path,
    facts: OutputFacts,
    reconciliation: Mapping[str, SourceReconciliation],
):
    """The workers' GX results are read from the run's data root; Data Docs are built in
    the launcher's own directory (the staging dir, or the scratch dir it uploads)."""
    # Lazy: Great Expectations costs ~5 s and ~140 MB to import; only a run that validates pays.
    from expectations.validate import finish_validation

    return finish_validation(
        scratch / "reports" / "gx",
        validation_records(data_root),
        facts.checks,
        reconciliation,
        facts.repeated_ids,
        allowed_categories=accepted_categories(config),
    )
