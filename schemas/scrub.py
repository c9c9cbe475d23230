"""Scrubbing contact data out of free text that leaves a run.

Free text copied from documents (copyright holders, a malformed SPDX tag kept as an
unknown id, a signal's detail) can carry contact data: "Jane Doe <jane@...>"; so can an
exception's message when a library quotes the record it choked on. Holders are public
attributions and are kept as found, minus such values. Pure regular expressions, no
dependencies: the command line scrubs its log records with it before importing Beam.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"<?[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}>?")
_CARD_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:\d[ -]?){13,19}(?![0-9A-Za-z])")


def scrub(text: str) -> str:
    return _CARD_LIKE.sub("<NUMBER>", _EMAIL.sub("<EMAIL_ADDRESS>", text))


def scrub_tree(value):
    """`scrub` every string inside dicts and lists (ledger structs), leaving the rest."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: scrub_tree(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_tree(item) for item in value]
    return value
