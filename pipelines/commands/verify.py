"""`provenance verify RUN_DIR`: recompute what the manifest claims and report any difference.

Catches edits after publication: a changed, missing or extra file, a changed
row count, rows whose content no longer matches the recorded digest, or a
summary that is no longer a readable run summary.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.publish import store
from pipelines.publish.outputs import DIGEST_MODULUS, batches_digest, digest_json
from pipelines.publish.staging import HISTORY, MANIFEST
from pipelines.run.graph import PARQUET_OUTPUT_DIRS, PUBLISHED
from schemas.run_summary import RunSummary, SummaryFormatError


class NotPublished(Exception):
    """The directory has no manifest: it is not a published run."""


def _summary_problems(root: str) -> list[str]:
    """The summary the reports were written from must still be one this version can read."""
    location = store.join(root, *RunSummary.FILE.split("/"))
    if not store.exists(location):
        return []  # a missing listed file is reported above
    try:
        data = json.loads(store.read_bytes(location))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [f"{location} cannot be read as JSON: {error}"]
    try:
        RunSummary.from_json(data, location)
    except SummaryFormatError as error:
        return [str(error)]
    return []


def _content_digest(root: str, output: str, files: list[str]) -> tuple[dict, list[str]]:
    """The output's order-independent row digest (`pipelines/publish/outputs.py`), streamed
    file by file through Beam's filesystems so object stores verify like local disks;
    and the files that are no longer readable Parquet (their rows count for nothing)."""
    rows = total = 0
    unreadable = []
    for relative in files:
        if relative.split("/", 1)[0] != output or not relative.endswith(".parquet"):
            continue
        try:
            with store.open_for_reading(store.join(root, *relative.split("/"))) as stream:
                part_rows, part_total = batches_digest(pq.ParquetFile(stream).iter_batches(4096))
        except pa.ArrowInvalid as error:
            unreadable.append(f"{relative}: not a readable Parquet file ({error})")
            continue
        except OSError as error:
            unreadable.append(f"{relative}: could not be read ({error})")
            continue
        rows, total = rows + part_rows, (total + part_total) % DIGEST_MODULUS
    return digest_json(rows, total), unreadable


def verify_run(location: str) -> list[str]:
    """Problems found, one sentence each; an empty list means the run is intact.

    `location` is the output directory or object-store prefix that holds `manifest.json`;
    on object stores the manifest's `root` names the run's own prefix under it.
    """
    location = str(location).rstrip("/") or "/"
    manifest_location = store.join(location, MANIFEST)
    if not store.exists(manifest_location):
        raise NotPublished(f"{location} has no {MANIFEST}; it is not a published run")
    manifest = json.loads(store.read_bytes(manifest_location))
    root = store.join(location, *manifest["root"].split("/")) if "root" in manifest else location
    problems = []
    listed = {entry["path"]: entry for entry in manifest.get("outputs", [])}
    present = [p for p in store.files_under(root) if p.split("/", 1)[0] in PUBLISHED]
    for path in sorted(set(listed) - set(present)):
        problems.append(f"{path}: listed in the manifest but missing")
    for path in sorted(set(present) - set(listed)):
        problems.append(f"{path}: present but not listed in the manifest")
    for path in sorted(set(listed) & set(present)):
        entry = listed[path]
        actual, _ = store.sha256_of(store.join(root, *path.split("/")))
        if actual != entry["sha256"]:
            problems.append(
                f"{path}: sha256 is {actual[:16]}…, manifest says {entry['sha256'][:16]}…"
            )
    for name, recorded in manifest.get("content_digests", {}).items():
        if name not in PARQUET_OUTPUT_DIRS:
            continue
        digest, unreadable = _content_digest(root, name, present)
        problems += unreadable
        if digest != recorded:
            problems.append(f"{name}/: row content differs from the manifest's digest")
    problems += _summary_problems(root)
    previous = manifest.get("previous_manifest")
    if previous:
        name = f"{previous['run_id']}.json"
        history = store.join(location, HISTORY, name)
        if not store.exists(history):
            problems.append(f"{HISTORY}/{name}: the superseded manifest is missing")
        elif store.sha256_of(history)[0] != previous["sha256"]:
            problems.append(f"{HISTORY}/{name}: differs from the sha256 the manifest chains")
    return problems
