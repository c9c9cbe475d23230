"""Many small generated documents for `scale.py`: what grows with the document count.

    python bench/scale.py --docs 100000,300000,1000000      # builds these, then runs them

Why small documents: the launcher's memory and the shuffles grow with the number of
records, not with their bytes, so a million 400-byte documents show the per-record cost
of every step in minutes instead of the hours a million kernel files would take.

Each corpus is a deterministic function of (documents, seed): pseudo-word prose
(`smoke_corpus.sentence`), one document in 50 a near-copy of an earlier one (so the
duplicate graph has edges and chains), one in 20 carrying an e-mail address or a phone
number (so PII findings and redaction run), spread over gzip JSONL shards.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import random
from dataclasses import dataclass
from pathlib import Path

import yaml
from smoke_corpus import REPO_ROOT, sentence

SHARDS = 16
NEAR_COPY_EVERY = 50
PII_EVERY = 20
# Bench-only key: the corpus is invented, so a fixed public key is fine here.
BENCH_KEY = "bench-only-hmac-key-not-a-secret-0123456789\n"


@dataclass(frozen=True)
class ScaleCorpus:
    directory: Path
    config: Path
    documents: int
    text_bytes: int


def _document(rng: random.Random, index: int, earlier: list[str]) -> str:
    if index % NEAR_COPY_EVERY == NEAR_COPY_EVERY - 1 and earlier:
        words = rng.choice(earlier).split(" ")
        position = rng.randrange(len(words))
        words[position] = words[position] + "x"  # one changed word: still a near-copy
        return " ".join(words)
    text = " ".join(sentence(rng) for _ in range(4))
    if index % PII_EVERY == 0:
        text += f" Write to person{index}@example.org or call +44 20 7946 {index % 10000:04d}."
    return text


def build_scale_corpus(cache: Path, documents: int, seed: int = 11) -> ScaleCorpus:
    """Build (or reuse) the corpus of `documents` small documents under `cache`."""
    directory = cache / f"scale-{documents}"
    config = directory / "scale.yaml"
    done = directory / "BUILT"
    if done.is_file():
        return ScaleCorpus(directory, config, documents, int(done.read_text()))
    (directory / "docs").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    earlier: list[str] = []
    text_bytes = 0
    with contextlib.ExitStack() as stack:
        handles = [
            stack.enter_context(
                gzip.open(directory / "docs" / f"part-{shard:03d}.jsonl.gz", "wt", encoding="utf-8")
            )
            for shard in range(SHARDS)
        ]
        for index in range(documents):
            text = _document(rng, index, earlier)
            if len(earlier) < 2000:
                earlier.append(text)
            elif rng.random() < 0.01:
                earlier[rng.randrange(len(earlier))] = text
            text_bytes += len(text.encode("utf-8"))
            row = {"id": f"doc-{index:08d}", "text": text}
            handles[index % SHARDS].write(json.dumps(row) + "\n")
    _write_config(directory)
    done.write_text(str(text_bytes))
    return ScaleCorpus(directory, config, documents, text_bytes)


def _write_config(directory: Path) -> None:
    config = {
        "name": directory.name,
        "policy": str(REPO_ROOT / "configs" / "policy.yaml"),
        "output": "out",
        "hmac_key": {"file": "bench-hmac.key"},
        "sources": [
            {
                "id": "scale-docs",
                "type": "open_source",
                "format": "jsonl",
                "paths": ["docs/*.jsonl.gz"],
                "fields": {"text": "text", "id": "id"},
                "declared_license": "CC-BY-4.0",
                "legal_basis": "legitimate_interests",
                "evidence": {
                    "license": "CC-BY-4.0",
                    "license_url": "https://creativecommons.org/licenses/by/4.0/",
                    "legitimate_interests_assessment_ref": "LIA-BENCH-SCALE",
                    "jurisdiction": "US",
                },
            }
        ],
    }
    (directory / "scale.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    (directory / "bench-hmac.key").write_text(BENCH_KEY)
