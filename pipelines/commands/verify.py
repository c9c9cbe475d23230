"""`provenance verify RUN_DIR`: recompute what the manifest claims and report any difference.

Catches edits after publication: a changed, missing or extra file, a changed
row count, rows whose content no longer matches the recorded digest, a summary
that is no longer a readable run summary, a broken history chain, or a manifest
whose signature does not hold. Hashes alone only prove the files match the
manifest; the signature (`pipelines/publish/signing.py`) proves the manifest is
the one the key holder published, so a rewrite that recomputes every hash fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pipelines.publish import store
from pipelines.publish.outputs import DIGEST_MODULUS, batches_digest, digest_json
from pipelines.publish.signing import SIGNATURE, key_id, load_public_key, signature_problems
from pipelines.publish.staging import HISTORY, MANIFEST
from pipelines.run.config import load_config, load_signing_key
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


def read_manifest(location: str) -> dict:
    manifest_location = store.join(location, MANIFEST)
    if not store.exists(manifest_location):
        raise NotPublished(f"{location} has no {MANIFEST}; it is not a published run")
    try:
        manifest = json.loads(store.read_bytes(manifest_location))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NotPublished(f"{manifest_location} is not a readable manifest ({error})") from None
    if not isinstance(manifest, dict):
        raise NotPublished(f"{manifest_location} is not a readable manifest (not an object)")
    return manifest


def _chain_problems(location: str, manifest: dict) -> list[str]:
    """Walk the history back to the first version: each superseded manifest must be
    present and hash to what its successor recorded. The newest manifest's signature
    covers the first link, so a signed head vouches for the whole chain."""
    problems = []
    seen: set[str] = set()
    previous = manifest.get("previous_manifest")
    while isinstance(previous, dict) and str(previous.get("run_id")) not in seen:
        name = f"{previous.get('run_id')}.json"
        seen.add(str(previous.get("run_id")))
        history = store.join(location, HISTORY, name)
        if not store.exists(history):
            problems.append(f"{HISTORY}/{name}: the superseded manifest is missing")
            break
        if store.sha256_of(history)[0] != previous.get("sha256"):
            problems.append(f"{HISTORY}/{name}: differs from the sha256 its successor chains")
            break
        try:
            previous = json.loads(store.read_bytes(history)).get("previous_manifest")
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            problems.append(f"{HISTORY}/{name}: not a readable manifest")
            break
    return problems


def trusted_key(public_key_file: str | None, config_path: str | None) -> Ed25519PublicKey | None:
    """The key a run must be signed by: a public key file, or the public half of a run
    config's `signing_key`; None when neither is given."""
    if public_key_file:
        try:
            pem = Path(public_key_file).read_bytes()
        except OSError as error:
            raise ValueError(f"{public_key_file} cannot be read ({error.strerror})") from None
        return load_public_key(pem, public_key_file)
    if config_path:
        config = load_config(config_path, output_override="(not needed for verify)")
        private = load_signing_key(config)
        if private is None:
            raise ValueError(f"{config_path} names no `signing_key`")
        return private.public_key()
    return None


def signature_statement(location: str, trusted: Ed25519PublicKey | None) -> str:
    """One sentence for the operator on what the signature check proved."""
    signature = read_manifest(str(location).rstrip("/") or "/").get(SIGNATURE)
    if not isinstance(signature, dict):
        return (
            "the manifest is not signed: its hashes prove the files match it, not who wrote "
            "it (set `signing_key` in the run config to sign)"
        )
    named = signature.get("key_id", "?")
    if trusted is not None:
        return f"signed by the trusted key {key_id(trusted)}"
    return (
        f"signed by key {named}, checked against the key the manifest names; pass "
        "--public-key FILE (or --config) to check that it is your key"
    )


def verify_run(location: str, trusted: Ed25519PublicKey | None = None) -> list[str]:
    """Problems found, one sentence each; an empty list means the run is intact.

    `location` is the output directory or object-store prefix that holds `manifest.json`;
    on object stores the manifest's `root` names the run's own prefix under it. With
    `trusted`, the manifest must carry a valid signature by that key.
    """
    location = str(location).rstrip("/") or "/"
    manifest = read_manifest(location)
    root = store.join(location, *manifest["root"].split("/")) if "root" in manifest else location
    problems = signature_problems(manifest, trusted, MANIFEST)
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
    problems += _chain_problems(location, manifest)
    return problems
