"""Validation of a staged run with the Great Expectations suites, before publishing.

Builds the policy-derived checks (allowed license categories, consent valid for
the source type, no personal data left of the kinds policy redacts) and runs
the suites file by file; the caller refuses to publish on any failure.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.run.after_pool import PendingResidual, local_residual
from pipelines.run.config import LoadedConfig
from schemas.reason_codes import is_known_reason

ACCEPTABLE_CONSENT = {"granted", "not_required"}


def accepted_categories(config: LoadedConfig) -> list[str]:
    """Categories the license policy lets into the dataset: the allowed ones for the
    intended use, plus `unknown` when unknown rights are not rejected."""
    licenses = config.policy.licenses
    categories = {str(category) for category in licenses.allowed()}
    if licenses.unknown_action != "reject":
        categories.add("unknown")
    return sorted(categories)


def consent_checker(config: LoadedConfig):
    required = set(config.policy.consent.required_source_types)

    def consent_valid(row: dict) -> bool:
        if row["source_type"] in required:
            return row["consent_status"] == "granted"
        return row["consent_status"] in ACCEPTABLE_CONSENT

    return consent_valid


def validate_staged_run(
    config: LoadedConfig,
    staging: Path,
    reconciliation: dict,
    residual: PendingResidual | None = None,
):
    """`residual` holds the dataset's re-scan when it ran on the after-run pool; files it
    does not cover are re-scanned here, in-process."""
    # Lazy: Great Expectations costs ~5 s and ~140 MB to import; only a run that validates pays.
    from expectations.validate import validate_run

    key = config.key_source.load()
    return validate_run(
        staging,
        reconciliation,
        is_known_reason,
        allowed_categories=accepted_categories(config),
        consent_valid=consent_checker(config),
        pii_left=local_residual(config.policy.pii, key),
        pii_left_for=residual.counter_for if residual is not None else None,
    )
