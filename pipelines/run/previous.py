"""`provenance run --previous OLD`: the published version a run builds on, in the graph.

Whether OLD's scan results may be reused at all is one comparison per run, not per
record: the scan fingerprint (the scanning code's versions and every setting the
text scans read) must be the one this run records. OLD's files are only listed on
the launcher; workers read and hash-check them (pipelines/publish/verified_read.py).
Opening and refusing OLD is the command's job (pipelines/commands/previous.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import apache_beam as beam

from pipelines.publish.staging import package_versions
from pipelines.publish.verified_read import ReadVerifiedParquet, listed_files
from pipelines.run.config import LoadedConfig
from schemas.index import INDEX_DIR
from transforms.common.packing import pack
from transforms.reuse.prior import (
    PRIOR_INDEX_COLUMNS,
    PRIOR_LEDGER_COLUMNS,
    prior_from_ledger,
    sketch_from_index,
)

# The code whose results a reused record keeps: a new release of any may find otherwise.
SCANNING_PACKAGES = ("provenance-pipeline", "presidio-analyzer", "phonenumbers", "datasketch")
SETTINGS_CHANGED = "scan_settings_changed"


def scan_fingerprint(config: LoadedConfig) -> str:
    """sha256 of what the text scans' results depend on besides the text itself."""
    policy, limits = config.policy, config.run.limits
    facts = {
        "packages": package_versions(SCANNING_PACKAGES),
        "pii": policy.pii.model_dump(mode="json"),
        "licenses": policy.licenses.model_dump(mode="json"),
        "dedup": policy.dedup.model_dump(mode="json"),
        "record_time_budget_seconds": limits.record_time_budget_seconds,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PreviousVersion:
    location: str
    root: str  # where its files are: the location, or its object-store run prefix
    manifest: dict
    manifest_sha256: str
    # Empty when OLD's results may be reused; else why not (`rescanned.<refused>`).
    refused: str

    @property
    def run_id(self) -> str:
        return str(self.manifest.get("run_id"))

    def chain(self) -> dict:
        """The new manifest's `previous_version`: what it was built on, by hash."""
        return {
            "location": self.location,
            "run_id": self.run_id,
            "manifest_sha256": self.manifest_sha256,
        }


def _prior_item(row: dict) -> tuple[str, bytes]:
    return row["doc_id"], pack(prior_from_ledger(row))


def _sketch_item(row: dict):
    return row["doc_id"], sketch_from_index(row)


class _FailOnProblem(beam.DoFn):
    def process(self, problem: str):
        raise RuntimeError(f"--previous: {problem}")


def read_previous(pipeline: beam.Pipeline, previous: PreviousVersion):
    """(priors, sketches): OLD's ledger as packed PriorScans and its index, by doc id."""
    priors, ledger_problems = pipeline | "ReadPreviousLedger" >> ReadVerifiedParquet(
        "--previous",
        previous.root,
        listed_files(previous.manifest, "ledger"),
        PRIOR_LEDGER_COLUMNS,
        _prior_item,
    )
    sketches, index_problems = pipeline | "ReadPreviousIndex" >> ReadVerifiedParquet(
        "--previous",
        previous.root,
        listed_files(previous.manifest, INDEX_DIR),
        PRIOR_INDEX_COLUMNS,
        _sketch_item,
    )
    _ = (
        (ledger_problems, index_problems)
        | "PreviousProblems" >> beam.Flatten()
        | "FailOnProblem" >> beam.ParDo(_FailOnProblem())
    )
    return priors, sketches
