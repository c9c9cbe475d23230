"""Signed manifests: who published a run, and that nothing in it changed since.

Why: the manifest's SHA-256 hashes and row digests prove a file matches the manifest,
but anyone who can write the output can rewrite a file and recompute every hash. An
Ed25519 signature over the whole manifest (its file hashes, digests, and the hash of the
previous version's manifest, so the history chain too) can only be made with the
private key, which stays with the operator; auditors verify with the public key alone.
The signing key is configured apart from the pseudonymisation (HMAC) key: whoever
verifies needs neither secret.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE = "signature"
ALGORITHM = "ed25519"


class SigningKeyError(Exception):
    """A signing or public key that cannot be used (unreadable, not Ed25519)."""


def canonical_bytes(manifest: dict[str, Any]) -> bytes:
    """The bytes signed: the manifest without its signature, keys sorted, no whitespace,
    so the same content gives the same bytes however the file was laid out."""
    unsigned = {key: value for key, value in manifest.items() if key != SIGNATURE}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint an operator can compare: sha256 of the raw public key."""
    return hashlib.sha256(public_bytes(public_key)).hexdigest()[:16]


def load_private_key(pem: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise SigningKeyError(
            f"{where} is not an unencrypted PEM private key ({error}); "
            "create one with `provenance keygen FILE`"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{where} holds a {type(key).__name__}; use an Ed25519 key")
    return key


def load_public_key(pem: bytes, where: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as error:
        raise SigningKeyError(f"{where} is not a PEM public key ({error})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"{where} holds a {type(key).__name__}; use an Ed25519 key")
    return key


def new_key_pair() -> tuple[bytes, bytes]:
    """(private PEM, public PEM) of a fresh Ed25519 key."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def sign_manifest(manifest: dict[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """The manifest with a `signature` over everything else in it."""
    public_key = private_key.public_key()
    return {
        **{key: value for key, value in manifest.items() if key != SIGNATURE},
        SIGNATURE: {
            "algorithm": ALGORITHM,
            "key_id": key_id(public_key),
            "public_key": public_bytes(public_key).hex(),
            "value": private_key.sign(canonical_bytes(manifest)).hex(),
        },
    }


def signature_problems(
    manifest: dict[str, Any], trusted: Ed25519PublicKey | None, label: str = "manifest.json"
) -> list[str]:
    """Problems with the manifest's signature, one sentence each.

    With `trusted` (the operator's public key) the manifest must be signed by that key.
    Without it, a signature is checked against the public key it names: that proves the
    manifest is unchanged since signing, not who signed, and a rewritten manifest
    re-signed with another key passes; `verify` says so.
    """
    signature = manifest.get(SIGNATURE)
    if not isinstance(signature, dict):
        return [f"{label}: not signed"] if trusted is not None else []
    if signature.get("algorithm") != ALGORITHM:
        return [f"{label}: signature algorithm {signature.get('algorithm')!r} is not {ALGORITHM}"]
    try:
        named = Ed25519PublicKey.from_public_bytes(bytes.fromhex(signature["public_key"]))
        value = bytes.fromhex(signature["value"])
    except (KeyError, TypeError, ValueError):
        return [f"{label}: the signature is malformed"]
    key = trusted if trusted is not None else named
    if trusted is not None and public_bytes(trusted) != public_bytes(named):
        return [f"{label}: signed by key {key_id(named)}, not by the trusted key {key_id(trusted)}"]
    try:
        key.verify(value, canonical_bytes(manifest))
    except InvalidSignature:
        return [f"{label}: the signature does not match its content (changed after signing)"]
    return []
