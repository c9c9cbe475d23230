"""`provenance keygen FILE`: a fresh Ed25519 key pair for signing manifests.

The private key is created readable by its owner only (never briefly world-readable),
and neither file is ever overwritten: replacing a signing key by accident would make
every later release unverifiable with the public key auditors already hold.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.publish.signing import key_id, load_public_key, new_key_pair


class KeygenError(Exception):
    """A key file exists already or cannot be written: exit 2."""


def write_key_pair(private_path: Path) -> tuple[Path, str]:
    """Write FILE and FILE.pub; return the public key's path and its key id."""
    public_path = private_path.with_name(private_path.name + ".pub")
    existing = [str(path) for path in (private_path, public_path) if path.exists()]
    if existing:
        raise KeygenError(f"{', '.join(existing)} already exists; not overwriting a key")
    private_pem, public_pem = new_key_pair()
    try:
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(private_pem)
        public_path.write_bytes(public_pem)
    except OSError as error:
        raise KeygenError(f"cannot write {error.filename}: {error.strerror}") from None
    return public_path, key_id(load_public_key(public_pem, str(public_path)))
