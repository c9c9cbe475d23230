"""`provenance verify RUN_DIR`: recompute what the manifest claims and report any difference.

Catches edits after publication: a changed, missing or extra file, a changed
row count, rows whose content no longer matches the recorded digest, or a
summary that is no longer a readable run summary.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.publish.outputs import content_digest, file_sha256, relative_files
from pipelines.publish.staging import HISTORY, MANIFEST
from pipelines.run.graph import PARQUET_OUTPUT_DIRS, PUBLISHED
from schemas.run_summary import RunSummary, SummaryFormatError


class NotPublished(Exception):
    """The directory has no manifest: it is not a published run."""


def _summary_problems(run_dir: Path) -> list[str]:
    """The summary the reports were written from must still be one this version can read."""
    path = run_dir / RunSummary.FILE
    if not path.is_file():
        return []  # a missing listed file is reported above
    try:
        RunSummary.read(path)
    except SummaryFormatError as error:
        return [str(error)]
    return []


def verify_run(run_dir: str | Path) -> list[str]:
    """Problems found, one sentence each; an empty list means the run is intact."""
    run_dir = Path(run_dir)
    manifest_path = run_dir / MANIFEST
    if not manifest_path.is_file():
        raise NotPublished(f"{run_dir} has no {MANIFEST}; it is not a published run")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    problems = []
    listed = {entry["path"]: entry for entry in manifest.get("outputs", [])}
    present = {p for p in relative_files(run_dir) if p.split("/", 1)[0] in PUBLISHED}
    for path in sorted(set(listed) - present):
        problems.append(f"{path}: listed in the manifest but missing")
    for path in sorted(present - set(listed)):
        problems.append(f"{path}: present but not listed in the manifest")
    for path in sorted(set(listed) & present):
        entry = listed[path]
        actual = file_sha256(run_dir / path)
        if actual != entry["sha256"]:
            problems.append(
                f"{path}: sha256 is {actual[:16]}…, manifest says {entry['sha256'][:16]}…"
            )
    for name, recorded in manifest.get("content_digests", {}).items():
        if name in PARQUET_OUTPUT_DIRS and content_digest(run_dir / name) != recorded:
            problems.append(f"{name}/: row content differs from the manifest's digest")
    problems += _summary_problems(run_dir)
    previous = manifest.get("previous_manifest")
    if previous:
        path = run_dir / HISTORY / f"{previous['run_id']}.json"
        if not path.is_file():
            problems.append(f"{HISTORY}/{path.name}: the superseded manifest is missing")
        elif file_sha256(path) != previous["sha256"]:
            problems.append(f"{HISTORY}/{path.name}: differs from the sha256 the manifest chains")
    return problems
