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


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
