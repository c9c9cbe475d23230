"""Opening the version `provenance run --previous OLD` builds on, or refusing it (exit 2).

OLD is opened the way `provenance diff` opens a version (its manifest, signature and
summary must hold) and must share this run's HMAC key: tokens made under another key
never match, so a withdrawal could not follow a subject across versions. It must
publish an index (the duplicate sketches), which versions made before it did not.
"""

from __future__ import annotations

import logging

from pipelines.commands.diff import DiffRefused, open_version
from pipelines.publish import store
from pipelines.publish.staging import MANIFEST
from pipelines.publish.verified_read import listed_files
from pipelines.run.config import LoadedConfig
from pipelines.run.previous import SETTINGS_CHANGED, PreviousVersion, scan_fingerprint
from schemas.index import INDEX_DIR
from transforms.common.hashing import key_id

log = logging.getLogger(__name__)


class PreviousRefused(Exception):
    """OLD cannot be built on: exit 2 before any work."""


def open_previous(location: str, config: LoadedConfig, trusted=None) -> PreviousVersion:
    try:
        version = open_version(location, "--previous", trusted)
    except DiffRefused as error:
        raise PreviousRefused(str(error)) from None
    ours = key_id(config.key_source.load())
    theirs = version.manifest.get("hmac_key_id")
    if theirs != ours:
        raise PreviousRefused(
            f"--previous {version.location} was made with "
            + (f"HMAC key {theirs}" if theirs else "an HMAC key it does not record")
            + f", this run uses {ours}: its tokens would never match this run's, so "
            "withdrawals could not follow a subject across versions. Run without --previous"
        )
    if not listed_files(version.manifest, INDEX_DIR):
        raise PreviousRefused(
            f"--previous {version.location} has no {INDEX_DIR}/ (it was made before the "
            "index was published); run once without --previous to start a chain"
        )
    refused = ""
    if version.manifest.get("scan_fingerprint") != scan_fingerprint(config):
        refused = SETTINGS_CHANGED
        log.warning(
            "--previous %s was scanned with other scanner versions or scan settings: "
            "every record is scanned again (its manifest's scan_fingerprint differs)",
            version.location,
        )
    manifest_sha256, _ = store.sha256_of(store.join(version.location, MANIFEST))
    return PreviousVersion(
        version.location, version.root, version.manifest, manifest_sha256, refused
    )
