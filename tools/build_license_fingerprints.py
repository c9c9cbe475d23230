"""Build `transforms/licenses/data/fingerprints.json` from SPDX license texts.

Input: a directory with one JSON file per SPDX license id holding its `licenseText`
(sindresorhus/spdx-license-list's layout, CC0-1.0; on this project's machines it is
`../shared/data/spdx-licenses`). Run from the repository root when the texts change:

    python tools/build_license_fingerprints.py ../shared/data/spdx-licenses

The output is deterministic for a given input, so a rebuild that changes nothing leaves
the committed file byte-identical.
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms.licenses.fingerprints import (  # noqa: E402
    DATA_FILE,
    DATA_FORMAT,
    MIN_HITS,
    PHRASE_WORDS,
    PHRASES_PER_LICENSE,
)
from transforms.licenses.normalise import normalise  # noqa: E402

TARGET = Path(__file__).resolve().parents[1] / "transforms" / "licenses" / "data" / DATA_FILE
SOURCE = (
    "sindresorhus/spdx-license-list (CC0-1.0): one {name, url, osiApproved, licenseText} "
    "JSON file per SPDX id"
)
# Ids whose text is shared with a better-handled id, or that rules cover with versions.
_SKIP_PREFIXES = ("GPL-", "LGPL-", "AGPL-", "GFDL-")


def _phrases(tokens: list[str]) -> list[str]:
    return [
        " ".join(tokens[index : index + PHRASE_WORDS])
        for index in range(0, max(0, len(tokens) - PHRASE_WORDS + 1))
    ]


def build(reference_dir: Path) -> dict[str, list[str]]:
    """Pick unique, spread-out phrases for every reference license text."""
    texts: dict[str, list[str]] = {}
    for path in sorted(reference_dir.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        texts[path.stem] = normalise(record.get("licenseText") or "").split()
    # Skipped texts still count here: SSPL's phrases must not be ones it shares with GPL-3.0.
    document_frequency: collections.Counter[str] = collections.Counter()
    for tokens in texts.values():
        document_frequency.update(set(_phrases(tokens)))
    fingerprints: dict[str, list[str]] = {}
    for spdx, tokens in texts.items():
        if spdx.startswith(_SKIP_PREFIXES) or spdx.endswith("+"):
            continue
        spread: list[tuple[int, str]] = []
        for position, phrase in enumerate(_phrases(tokens)):
            if (
                document_frequency[phrase] == 1
                and not any(char.isdigit() for char in phrase)  # years and versions vary
                and len(phrase) >= 30
                and (not spread or position - spread[-1][0] >= PHRASE_WORDS)
            ):
                spread.append((position, phrase))
        if len(spread) < MIN_HITS:
            continue  # no two separate unique phrases: a rule or nothing must find it
        step = len(spread) / PHRASES_PER_LICENSE
        picked = dict.fromkeys(spread[int(step * i)][1] for i in range(PHRASES_PER_LICENSE))
        if len(picked) >= MIN_HITS:
            fingerprints[spdx] = list(picked)
    return fingerprints


def document(fingerprints: dict[str, list[str]]) -> dict[str, object]:
    """The data file's content: the fingerprints plus where they came from."""
    return {
        "format": DATA_FORMAT,
        "source": SOURCE,
        "built_by": "python tools/build_license_fingerprints.py SPDX_LICENSES_DIR",
        "fingerprints": {spdx: fingerprints[spdx] for spdx in sorted(fingerprints)},
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python tools/build_license_fingerprints.py <spdx-licenses dir>")
        return 2
    fingerprints = build(Path(argv[0]))
    text = json.dumps(document(fingerprints), indent=1, ensure_ascii=True) + "\n"
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {len(fingerprints)} fingerprints to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
