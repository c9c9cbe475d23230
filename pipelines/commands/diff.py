"""`provenance diff OLD NEW`: what changed between two published versions, for a privacy officer.

The launcher only reads what is small (both manifests, both summaries, the job's
aggregate lines); the ledgers are hash-checked and joined by a Beam job on whatever
runner the flags name (`pipelines/diff/job.py`). A diff is refused (exit 2) when a
version is not published, its signature or a ledger file does not hold, or the two
were made with different HMAC keys, whose tokens could never match.
"""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pipelines.commands.verify import NotPublished, read_manifest
from pipelines.diff.changes import gate_flips
from pipelines.diff.job import FACTS_PREFIX, build_diff
from pipelines.diff.report import DiffFactsError, assemble, render_html, to_json
from pipelines.publish import store
from pipelines.publish.signing import SIGNATURE, signature_problems
from pipelines.publish.staging import MANIFEST
from pipelines.publish.verified_read import listed_files
from pipelines.run.options import build_pipeline_options, describe_runner
from schemas.diff import DIFF_HTML, DIFF_JSON, DiffReport, VersionFacts
from schemas.run_summary import RunSummary, SummaryFormatError

log = logging.getLogger(__name__)


class DiffRefused(Exception):
    """A version cannot be compared as it is: exit 2, nothing written."""


@dataclass(frozen=True)
class Version:
    location: str
    root: str  # where its files are: the location, or the object-store run prefix
    manifest: dict
    summary: RunSummary

    def facts(self) -> VersionFacts:
        policy = self.manifest.get("policy", {})
        signature = self.manifest.get(SIGNATURE)
        return VersionFacts(
            location=self.location,
            run_id=str(self.manifest.get("run_id")),
            kind=str(self.manifest.get("kind", "run")),
            finished_at=str(self.manifest.get("finished_at")),
            policy=f"{policy.get('name')} {policy.get('version')}",
            policy_sha256=str(policy.get("sha256")),
            config_sha256=str(self.manifest.get("config", {}).get("sha256")),
            hmac_key_id=self.manifest.get("hmac_key_id"),
            signed_by=signature.get("key_id") if isinstance(signature, dict) else None,
        )

    def ledger_files(self) -> list[tuple[str, str]]:
        return listed_files(self.manifest, "ledger")


def _listed_sha256(manifest: dict, path: str) -> str | None:
    for entry in manifest.get("outputs", []):
        if entry.get("path") == path:
            return entry.get("sha256")
    return None


def open_version(location: str, label: str, trusted: Ed25519PublicKey | None) -> Version:
    location = str(location).rstrip("/") or "/"
    try:
        manifest = read_manifest(location)
    except NotPublished as error:
        raise DiffRefused(f"{label}: {error}") from None
    problems = signature_problems(manifest, trusted, MANIFEST)
    if problems:
        raise DiffRefused(f"{label} {location}: " + "; ".join(problems))
    root = store.join(location, *manifest["root"].split("/")) if "root" in manifest else location
    summary_location = store.join(root, *RunSummary.FILE.split("/"))
    if not store.exists(summary_location):
        raise DiffRefused(f"{label} {location}: {RunSummary.FILE} is missing")
    if store.sha256_of(summary_location)[0] != _listed_sha256(manifest, RunSummary.FILE):
        raise DiffRefused(
            f"{label} {location}: {RunSummary.FILE} does not match its manifest; "
            "run `provenance verify`"
        )
    try:
        summary = RunSummary.from_json(json.loads(store.read_bytes(summary_location)))
    except (UnicodeDecodeError, json.JSONDecodeError, SummaryFormatError) as error:
        raise DiffRefused(f"{label} {location}: {error}") from None
    return Version(location, root, manifest, summary)


def check_comparable(old: Version, new: Version) -> str | None:
    """Refuses different HMAC keys; returns a warning when a version records no key id."""
    old_key, new_key = old.facts().hmac_key_id, new.facts().hmac_key_id
    if old_key is None or new_key is None:
        return (
            "a version records no HMAC key id (made before key ids were recorded): subject "
            "tokens match only if both runs used the same key"
        )
    if old_key != new_key:
        raise DiffRefused(
            f"the versions were made with different HMAC keys ({old_key} and {new_key}): "
            "their tokens never match, so withdrawn subjects could not be followed"
        )
    return None


def _inside(output: str, run: str) -> bool:
    if store.is_object_store(output) or store.is_object_store(run):
        return output.rstrip("/").startswith(run.rstrip("/") + "/")
    return Path(output).resolve().is_relative_to(Path(run).resolve())


def default_output(old: Version, new: Version) -> str:
    return f"diff-{old.facts().run_id}-vs-{new.facts().run_id}"


def _read_facts(facts_dir: str) -> list[str]:
    pattern = FileSystems.join(facts_dir, FACTS_PREFIX + "*")
    lines = []
    for match in FileSystems.match([pattern])[0].metadata_list:
        lines += store.read_bytes(match.path).decode("utf-8").splitlines()
    return [line for line in lines if line.strip()]


def _remove(work_dir: str) -> None:
    if not store.is_object_store(work_dir):
        shutil.rmtree(work_dir, ignore_errors=True)
    elif FileSystems.exists(work_dir):
        store.delete_tree(work_dir)


def diff_versions(
    old_location: str,
    new_location: str,
    output: str | None,
    beam_args: list[str],
    trusted: Ed25519PublicKey | None = None,
) -> tuple[DiffReport, str, str | None]:
    """Run the diff; returns the report, where it was written, and a warning if any."""
    old = open_version(old_location, "OLD", trusted)
    new = open_version(new_location, "NEW", trusted)
    warning = check_comparable(old, new)
    output = output or default_output(old, new)
    for label, version in (("OLD", old), ("NEW", new)):
        if _inside(output, version.location):
            raise DiffRefused(
                f"--output {output} is inside {label} {version.location}: writing there would "
                "change a published version; choose a directory outside both"
            )
    facts_dir = store.join(output, f".diff-work-{uuid.uuid4().hex[:12]}")
    options = build_pipeline_options(beam_args)
    log.info(
        "diff: joining %d + %d ledger file(s) on %s",
        len(old.ledger_files()),
        len(new.ledger_files()),
        describe_runner(options),
    )
    try:
        pipeline = beam.Pipeline(options=options)
        build_diff(
            pipeline, (old.root, old.ledger_files()), (new.root, new.ledger_files()), facts_dir
        )
        pipeline.run().wait_until_finish()
        flips = gate_flips(old.summary.gates, new.summary.gates)
        report = assemble(old.facts(), new.facts(), _read_facts(facts_dir), flips)
    except DiffFactsError as error:
        raise DiffRefused(
            f"{len(error.problems)} problem(s) in the ledgers:\n  - "
            + "\n  - ".join(error.problems[:20])
        ) from None
    finally:
        _remove(facts_dir)
    store.write_bytes(
        store.join(output, DIFF_JSON),
        (json.dumps(to_json(report), indent=2, sort_keys=True) + "\n").encode("utf-8"),
    )
    store.write_bytes(store.join(output, DIFF_HTML), render_html(report).encode("utf-8"))
    return report, output, warning
