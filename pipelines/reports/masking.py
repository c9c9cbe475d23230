"""Masking of e-mail-shaped strings in text the reports publish.

A second line of defence: reports are built from counts and hashes, but free text
that does pass through (source evidence, file names, erasure reasons) could carry an
address. The ledger masks more kinds of value (see `schemas.scrub`); reports
need only this one.
"""

from __future__ import annotations

import re
from typing import Any

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def mask_emails(text: Any) -> str:
    """Text safe to publish: e-mail-shaped strings replaced by a placeholder."""
    return _EMAIL.sub("<EMAIL_ADDRESS>", str(text))


def mask_emails_in_tree(value: Any) -> Any:
    """`mask_emails` applied to every string (keys too) of a JSON-like structure."""
    if isinstance(value, str):
        return mask_emails(value)
    if isinstance(value, dict):
        return {mask_emails_in_tree(key): mask_emails_in_tree(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_emails_in_tree(item) for item in value]
    return value
