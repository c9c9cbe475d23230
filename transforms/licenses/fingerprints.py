"""Full-license-text fingerprints: a few phrases that occur in exactly one SPDX license text.

Matching whole texts against 681 references at corpus speed is too slow in Python, and
the repository must not depend on /work/shared at run time. Instead a build step
(`tools/build_license_fingerprints.py`) picks, for each SPDX license, up to
`PHRASES_PER_LICENSE` normalised 7-word phrases that appear in no other license text,
spread over the text, and writes them to the packaged data file `data/fingerprints.json`.
They are compiled into the same Hyperscan database as the notice rules; a window that
contains at least `MIN_HITS` phrases of one license holds (most of) that license's text.

The data file is part of the product: without it full-text detection would switch off
and license coverage would drop with no sign, so a missing or corrupt file is an error
at start-up (`FingerprintDataError`), never an empty table.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

PHRASE_WORDS = 7
PHRASES_PER_LICENSE = 4
MIN_HITS = 2
DATA_FORMAT = 1
DATA_FILE = "fingerprints.json"


class FingerprintDataError(RuntimeError):
    """The packaged fingerprint file is missing or unreadable: the install is broken."""


@lru_cache(maxsize=1)
def load_fingerprints() -> dict[str, tuple[str, ...]]:
    """SPDX id → unique phrases (normalised text), from the packaged data file."""
    resource = resources.files("transforms.licenses").joinpath("data", DATA_FILE)
    try:
        document = json.loads(resource.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FingerprintDataError(
            f"license fingerprint data {resource} cannot be read ({error}); reinstall the "
            "package or rebuild it with tools/build_license_fingerprints.py"
        ) from error
    return parse_fingerprints(document, str(resource))


def parse_fingerprints(document: object, origin: str) -> dict[str, tuple[str, ...]]:
    """Validate the data file's shape: a truncated or hand-edited file must not load half."""
    fingerprints = document.get("fingerprints") if isinstance(document, dict) else None
    if (
        not isinstance(document, dict)
        or document.get("format") != DATA_FORMAT
        or not isinstance(fingerprints, dict)
        or not fingerprints
    ):
        raise FingerprintDataError(
            f"license fingerprint data {origin} is not a format-{DATA_FORMAT} fingerprint file"
        )
    parsed: dict[str, tuple[str, ...]] = {}
    for spdx, phrases in fingerprints.items():
        if (
            not isinstance(phrases, list)
            or len(phrases) < MIN_HITS
            or not all(isinstance(phrase, str) and phrase.isascii() for phrase in phrases)
        ):
            raise FingerprintDataError(
                f"license fingerprint data {origin}: entry {spdx!r} needs at least {MIN_HITS} "
                "ASCII phrases"
            )
        parsed[spdx] = tuple(phrases)
    return parsed
