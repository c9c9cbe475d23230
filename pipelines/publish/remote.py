"""Publishing to an object store (`--output s3://...`, `gs://...`): the manifest, written last.

Why not staging and rename, as on a local disk: object stores cannot rename a directory
(a "rename" copies every object, and a reader can see it half done). So a run is written
once, where it stays, under `OUT/runs/RUN_ID/`, and published by one object: `OUT/manifest.json`,
which names that run (`"root": "runs/RUN_ID"`) and is put whole or not at all. Until it
is written the run is invisible to anyone who starts from the manifest, which readers
must do (`provenance verify OUT` does); a run that failed, or was killed, leaves a
`runs/RUN_ID/` that no manifest names. The superseded manifest is copied, unchanged, to
`OUT/manifests/<run id>.json` before the new one is written, so the history is the same
hash chain as on local disks; superseded runs' data stays under `runs/` until removed.

The launcher writes its own small files (summary, reports, Data Docs, lineage) in a local
scratch directory and uploads them here; what the pipeline wrote is never read back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pipelines.publish import store
from pipelines.publish.outputs import FileEntry, file_sha256, relative_files
from pipelines.publish.signing import sign_manifest

MANIFEST = "manifest.json"
HISTORY = "manifests"
RUNS = "runs"


def run_root(output: str, run_id: str) -> str:
    """Where the run's files go, and stay: `OUT/runs/RUN_ID`."""
    return store.join(output, RUNS, run_id)


def previous_remote_manifest(output: str) -> dict | None:
    """The published manifest this run will supersede: its run id and sha256."""
    location = store.join(output, MANIFEST)
    if not store.exists(location):
        return None
    data = store.read_bytes(location)
    previous = json.loads(data)
    return {"run_id": previous.get("run_id"), "sha256": hashlib.sha256(data).hexdigest()}


def published_files(root: str, published: tuple[str, ...]) -> list[str]:
    """Files under the run root that belong to its published outputs."""
    return [path for path in store.files_under(root) if path.split("/", 1)[0] in published]


def describe_remote_outputs(
    root: str, scratch: Path, published: tuple[str, ...], checked: Mapping[str, FileEntry]
) -> list[dict]:
    """Manifest entries: the pipeline's files as its workers described them, the
    launcher's own from its local copies (the same bytes it uploaded)."""
    written_here = set(relative_files(scratch))
    entries = []
    for relative in published_files(root, published):
        if relative in checked:
            entries.append(checked[relative].to_json())
        elif relative in written_here:
            local = scratch / relative
            entries.append(
                {"path": relative, "bytes": local.stat().st_size, "sha256": file_sha256(local)}
            )
        else:
            raise ValueError(f"{relative} was not checked by the audit pipeline")
    return entries


def publish_remote(
    scratch: Path,
    output: str,
    root: str,
    published: tuple[str, ...],
    manifest: dict,
    checked: Mapping[str, FileEntry],
    never_published: tuple[str, ...],
    signing_key: Ed25519PrivateKey | None = None,
) -> str:
    """Upload the launcher's files, drop what is never published, then write the manifest
    (signed if a key is given)."""
    store.upload_tree(scratch, root)
    for name in never_published:
        store.delete_tree(store.join(root, name))
    manifest["root"] = f"{RUNS}/{manifest['run_id']}"
    manifest["outputs"] = describe_remote_outputs(root, scratch, published, checked)
    manifest_location = store.join(output, MANIFEST)
    previous = manifest.get("previous_manifest")
    if previous and store.exists(manifest_location):
        old_run = previous.get("run_id") or "unknown"
        superseded = store.read_bytes(manifest_location)
        if hashlib.sha256(superseded).hexdigest() != previous.get("sha256"):
            raise RuntimeError(
                f"{manifest_location} changed while this run was running (another run "
                "published?); not publishing over it: one run per output at a time"
            )
        store.write_bytes(store.join(output, HISTORY, f"{old_run}.json"), superseded)
    if signing_key is not None:
        manifest = sign_manifest(manifest, signing_key)
    payload = json.dumps(manifest, indent=2, sort_keys=False) + "\n"
    store.write_bytes(manifest_location, payload.encode("utf-8"))
    return manifest_location


def keep_failed_remote(scratch: Path, root: str) -> str:
    """A failed run's reports go up beside its data for inspection; no manifest names it."""
    if scratch.exists():
        store.upload_tree(scratch, root)
    return root
