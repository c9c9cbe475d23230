"""Keyed hashing for everything that must identify personal data without storing it.

GDPR wants audit logs pseudonymized with keyed hashes whose key lives apart from
the outputs; a plain SHA-256 of an email address is reversible by dictionary
attack, an HMAC without the key is not.
"""

from __future__ import annotations

import hashlib
import hmac

TOKEN_HEX_LENGTH = 64


def hmac_token(key: bytes, normalised_value: str) -> str:
    """HMAC-SHA256 of an already-normalised value, as 64 lowercase hex characters."""
    return hmac.new(key, normalised_value.encode("utf-8"), hashlib.sha256).hexdigest()


KEY_ID_HEX_LENGTH = 16


def key_id(key: bytes) -> str:
    """A name for the HMAC key that manifests can carry: two runs with equal ids made
    comparable tokens. It is an HMAC of a fixed label, so it reveals nothing of the key."""
    return hmac_token(key, "provenance-pipeline key id")[:KEY_ID_HEX_LENGTH]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
