"""Staging and publishing: a run is visible only once its manifest exists.

Everything is written under `OUT/.staging-RUN_ID/`; after the pipeline and every
check succeed, the old manifest is removed (unpublishing the previous run), the
output directories are swapped in by rename, and `manifest.json` is written last
through a temporary file and an atomic rename. A directory without a manifest
is not a published dataset.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pipelines.publish.outputs import FileEntry, file_sha256, parquet_rows, relative_files
from pipelines.publish.signing import sign_manifest

MANIFEST = "manifest.json"
STAGING_PREFIX = ".staging-"
PACKAGES = (
    "provenance-pipeline",
    "apache-beam",
    "pyarrow",
    "pydantic",
    "presidio-analyzer",
    "datasketch",
    "license-expression",
    "great-expectations",
)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + os.urandom(4).hex()


def staging_dir(output: str | Path, run_id: str) -> Path:
    return Path(output) / f"{STAGING_PREFIX}{run_id}"


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Installed versions of `names`; a package that is not installed is left out."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def published_files(root: Path, published: tuple[str, ...]) -> list[str]:
    return [relative for relative in relative_files(root) if relative.split("/", 1)[0] in published]


def unchecked_files(
    root: Path, published: tuple[str, ...], checked: Mapping[str, FileEntry]
) -> list[str]:
    """Published Parquet files the audit pipeline did not check (so has no entry for)."""
    return [
        relative
        for relative in published_files(root, published)
        if relative.endswith(".parquet") and relative not in checked
    ]


def describe_outputs(
    root: Path, published: tuple[str, ...], checked: Mapping[str, FileEntry] | None = None
) -> list[dict]:
    """Every published file with its sha256; Parquet files also with their row count.

    After a run, Parquet files (the data, as large as the corpus) are described by the
    entries the audit pipeline's workers made when they checked them (`checked`); only
    the small files the launcher wrote itself (reports, croissant.json) are hashed here.
    Without `checked` (erasure, which rewrites files on the launcher) every file is.
    """
    entries = []
    for relative in published_files(root, published):
        if checked is not None and relative in checked:
            entries.append(checked[relative].to_json())
            continue
        if checked is not None and relative.endswith(".parquet"):
            raise ValueError(f"{relative} was not checked by the audit pipeline")
        path = root / relative
        entry = {"path": relative, "bytes": path.stat().st_size, "sha256": file_sha256(path)}
        if relative.endswith(".parquet"):
            entry["rows"] = parquet_rows(path)
        entries.append(entry)
    return entries


def _write_json_atomically(path: Path, payload: dict) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2, sort_keys=False)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_json_atomically(path, payload)


HISTORY = "manifests"


def previous_manifest(output: Path) -> dict | None:
    """The published manifest this run will supersede: its run id and sha256."""
    path = output / MANIFEST
    if not path.is_file():
        return None
    previous = json.loads(path.read_text(encoding="utf-8"))
    return {"run_id": previous.get("run_id"), "sha256": file_sha256(path)}


def publish(
    staging: Path,
    output: Path,
    published: tuple[str, ...],
    manifest: dict,
    checked: Mapping[str, FileEntry] | None = None,
    signing_key: Ed25519PrivateKey | None = None,
) -> Path:
    """Swap staged outputs into place and write the manifest last, signed if a key is given.

    The superseded manifest is kept, unchanged, under `manifests/<run id>.json`: the
    new manifest records its sha256, so the history is a hash chain, and the signature
    covers that sha256 with everything else.
    """
    manifest_path = output / MANIFEST
    if manifest_path.exists():
        history = output / HISTORY
        history.mkdir(exist_ok=True)
        old_run = manifest.get("previous_manifest", {}).get("run_id") or "unknown"
        os.replace(manifest_path, history / f"{old_run}.json")
    for name in published:
        target = output / name
        retired = staging / f".retired-{name}"
        if target.exists():
            os.replace(target, retired)
        if (staging / name).exists():
            os.replace(staging / name, target)
    manifest["outputs"] = describe_outputs(output, published, checked)
    if signing_key is not None:
        manifest = sign_manifest(manifest, signing_key)
    _write_json_atomically(manifest_path, manifest)
    shutil.rmtree(staging, ignore_errors=True)
    return manifest_path


FAILED_PREFIX = ".failed-"


def clear_stale(output: Path) -> list[Path]:
    """Remove staging directories of runs that were killed: one run per output at a time."""
    stale = sorted(output.glob(f"{STAGING_PREFIX}*"))
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale


def keep_failed(staging: Path, output: Path, run_id: str) -> Path:
    """Keep a run that failed validation for inspection, under a name no reader mistakes
    for a published dataset (it has no manifest and a dot-prefixed name)."""
    failed = output / f"{FAILED_PREFIX}{run_id}"
    os.replace(staging, failed)
    return failed
