"""Build the end-to-end benchmark corpus offline, from real Debian text.

    python bench/corpus_build.py --mb 50 [--cache bench/.cache]
    python bench/corpus_build.py --smoke [--mb 1]      # generated pools, no download

`--smoke` (CI, and `e2e.py --smoke`) builds the same layout from generated pools
(`smoke_corpus.py`: C files with license notices, prose pages) instead of the Debian
packages: no network, a 1 MiB corpus in a second, in a temporary folder unless
`--cache` is given (then as `smoke-corpus-<mib>/`, beside and apart from real corpora).

Why real text: synthetic filler makes every stage look faster or slower than it
is (PII regexes, license markers and MinHash all depend on what the words are).
The corpus is the Linux kernel source (`linux-source-6.1`, C, headers, Kconfig,
Documentation) and manual pages in eleven languages (`manpages*`), fetched once
with `apt-get download` and kept in the cache.

What the corpus holds, and why:

* `kernel/`: one kernel file = one JSONL document (an `open_source` source).
  Files over `DOC_CAP_BYTES` are split at line breaks into parts of at most that
  size, and only their first `MAX_PARTS` parts are kept: 84 generated register
  headers (amdgpu) hold 335 MiB and would otherwise dominate the corpus, while
  capping every file at 64 KiB leaves only 757 MiB of kernel text, short of 1 GiB.
* `posts/`: man-page sections as forum posts with authors (a `user_input`
  source, so the consent registry is consulted for every post).
* injected personal data at known documents: emails and phone numbers (redact),
  a few card numbers and SSNs (reject), recorded in `truth.json`.
* planted near-duplicates: copies of documents with a few word edits, in a
  separate shard, recorded in `truth.json` with the original's locator.

Documents are chosen in a fixed pseudo-random order (sha256 of the path), so a
smaller corpus is a uniform sample of the same material, and a 250 MiB corpus
is contained in the 500 MiB one: the memory-scaling runs differ in size only.
Sizes are MiB (2**20 bytes) of UTF-8 document text.

This script lays the corpus out (sources, budgets, consent registry, run config); the
text comes from `corpus_pools.py`, what is planted in it from `corpus_planting.py`, and
how it is cut and written from `corpus_shards.py`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "bench"))

import smoke_corpus  # noqa: E402
from corpus_planting import PiiFactory, Truth, inject_pii, near_copy  # noqa: E402
from corpus_pools import (  # noqa: E402
    MIB,
    download_packages,
    extract_kernel,
    extract_manpages,
    iter_pool,
    write_smoke_pools,
)
from corpus_shards import ShardWriter, document_parts, post_chunks  # noqa: E402

DEFAULT_CACHE = REPO_ROOT / "bench" / ".cache"
POSTS_SHARE = 0.04
DUPLICATE_SHARE = 0.03
USERS = 2000
MAX_DOCUMENT_BYTES = 200_000
CORPUS_FORMAT_VERSION = 2


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def doc_id(source_id: str, locator: str) -> str:
    """The pipeline's id rule (docs/outputs.md): sha256(source_id + US + locator), 32 hex chars."""
    return _sha(f"{source_id}\x1f{locator}")[:32]


@dataclass(frozen=True)
class BuiltCorpus:
    directory: Path
    config: Path
    text_mib: float
    documents: int
    disk_mib: float


def _users(rng: random.Random, factory: PiiFactory) -> list[dict]:
    statuses = rng.choices(
        ("granted", "withdrawn", "refused", "absent"), weights=(92, 3, 2, 3), k=USERS
    )
    return [
        {"user_id": f"u-{i:05d}", "email": factory.email(), "status": status}
        for i, status in enumerate(statuses)
    ]


def _write_consent(path: Path, users: list[dict]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["subject_kind", "subject_id", "status", "purposes", "granted_at", "withdrawn_at"]
        )
        for user in users:
            if user["status"] == "absent":
                continue
            withdrawn = "2026-10-15T09:30:00Z" if user["status"] == "withdrawn" else ""
            writer.writerow(
                ["email", user["email"], user["status"], "training", "2025-12-01T00:00:00Z",
                 withdrawn]
            )  # fmt: skip


def _write_config(directory: Path, name: str) -> Path:
    config = {
        "name": name,
        "policy": str(REPO_ROOT / "configs" / "policy.yaml"),
        "output": "out",
        "hmac_key": {"file": "bench-hmac.key"},
        "limits": {"max_document_bytes": MAX_DOCUMENT_BYTES},
        "consent": {"registry": "consent.csv", "purpose": "training"},
        "sources": [
            {
                "id": "kernel-src",
                "type": "open_source",
                "format": "jsonl",
                "paths": ["kernel/*.jsonl.gz"],
                "fields": {"text": "text", "id": "path", "metadata": ["path"]},
                "declared_license": "GPL-2.0-only",
                "legal_basis": "legitimate_interests",
                "priority": 10,
                "evidence": {
                    "license": "GPL-2.0-only",
                    "license_url": "https://www.kernel.org/doc/html/latest/process/license-rules.html",
                    "legitimate_interests_assessment_ref": "LIA-BENCH-001",
                    "jurisdiction": "US",
                },
            },
            {
                "id": "forum-posts",
                "type": "user_input",
                "format": "jsonl",
                "paths": ["posts/*.jsonl.gz"],
                "fields": {"text": "text", "id": "post_id", "metadata": ["created_at", "thread"]},
                "subjects": {"email": "author_email", "user_id": "author_id"},
                "collected_at_field": "created_at",
                "declared_license": "LicenseRef-bench-forum-terms",
                "legal_basis": "consent",
                "priority": 30,
                "evidence": {
                    "authorisation_ref": "Bench forum terms v1: training opt-in, consent.csv",
                    "jurisdiction": "EU",
                },
            },
        ],
    }
    path = directory / "bench.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    # Bench-only key: the corpus is invented, so a fixed public key is fine here.
    (directory / "bench-hmac.key").write_text("bench-only-hmac-key-not-a-secret-0123456789\n")
    return path


def build_corpus(cache: Path, mib: int, seed: int = 7, smoke: bool = False) -> BuiltCorpus:
    """Build (or reuse) `cache/corpus-<mib>/` with shards, truth, consent and config.

    `smoke`: from `write_smoke_pools` (no download), as `cache/smoke-corpus-<mib>/`.
    """
    directory = cache / f"{'smoke-' if smoke else ''}corpus-{mib}"
    stamp = directory / "corpus.json"
    if stamp.exists():
        meta = json.loads(stamp.read_text())
        if meta.get("format_version") == CORPUS_FORMAT_VERSION:
            return BuiltCorpus(
                directory,
                directory / "bench.yaml",
                meta["text_mib"],
                meta["documents"],
                meta["disk_mib"],
            )
    if directory.exists():
        shutil.rmtree(directory)
    if smoke:
        kernel_pool, man_pool = write_smoke_pools(cache, mib)
    else:
        debs = download_packages(cache)
        kernel_pool = extract_kernel(cache, debs)
        man_pool = extract_manpages(cache, debs)
    print(f"  building {directory.name} ...", flush=True)

    rng = random.Random(seed)
    factory = PiiFactory(rng)
    truth = Truth()
    target = mib * MIB
    posts_budget = int(target * POSTS_SHARE)
    duplicate_budget = int(target * DUPLICATE_SHARE)
    kernel_budget = target - posts_budget - duplicate_budget
    users = _users(rng, factory)
    originals: list[tuple[str, str, dict]] = []  # (source, locator, record) copy candidates

    posts = ShardWriter(directory / "posts", "posts")
    post_rates = {"contact": 0.3, "card": 0.003, "ssn": 0.003}
    for page in iter_pool(man_pool):
        if posts.text_bytes >= posts_budget:
            break
        for number, chunk in enumerate(post_chunks(page["text"])):
            user = rng.choice(users)
            text, planted = inject_pii(chunk, post_rates, factory)
            record = {
                "post_id": f"{page['path']}#{number}",
                "thread": page["path"],
                "text": text,
                "author_email": user["email"],
                "author_id": user["user_id"],
                "created_at": f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)}T12:00:00Z",
            }
            locator = posts.write(record, len(text.encode("utf-8")))
            for item in planted:
                truth.pii.append({"source": "forum-posts", "locator": locator, **item})
            if len(text) > 1500 and rng.random() < 0.1:
                originals.append(("forum-posts", locator, record))
    if posts.text_bytes < posts_budget:
        print(f"  note: man pages ran out at {posts.text_bytes / MIB:.1f} MiB of posts")
        kernel_budget += posts_budget - posts.text_bytes

    kernel = ShardWriter(directory / "kernel", "kernel")
    kernel_rates = {"contact": 0.02, "card": 0.0005, "ssn": 0.0005}
    for item in iter_pool(kernel_pool):
        if kernel.text_bytes >= kernel_budget:
            break
        for number, part in document_parts(item["text"]):
            text, planted = inject_pii(part, kernel_rates, factory)
            path = item["path"] if number == 0 else f"{item['path']}#part={number}"
            record = {"path": path, "text": text}
            locator = kernel.write(record, len(text.encode("utf-8")))
            for entry in planted:
                truth.pii.append({"source": "kernel-src", "locator": locator, **entry})
            if len(text) > 1500 and rng.random() < 0.1:
                originals.append(("kernel-src", locator, record))
    if kernel.text_bytes < kernel_budget:
        print(f"  note: kernel pool ran out at {kernel.text_bytes / MIB:.1f} MiB")

    # Near-duplicates go to their own shards in the same source (a mirror / a repost).
    mirrors = {
        "kernel-src": ShardWriter(directory / "kernel", "mirror"),
        "forum-posts": ShardWriter(directory / "posts", "repost"),
    }
    rng.shuffle(originals)
    planted_bytes = 0
    for source, locator, record in originals:
        if planted_bytes >= duplicate_budget:
            break
        copy = dict(record)
        copy["text"] = near_copy(record["text"], rng)
        if source == "kernel-src":
            copy["path"] = "mirror/" + record["path"]
        else:
            copy["post_id"] = "repost-" + record["post_id"]
            user = rng.choice(users)
            copy["author_email"], copy["author_id"] = user["email"], user["user_id"]
        size = len(copy["text"].encode("utf-8"))
        copy_locator = mirrors[source].write(copy, size)
        planted_bytes += size
        truth.near_duplicates.append({"source": source, "copy": copy_locator, "original": locator})
    writers = [posts, kernel, *mirrors.values()]
    for writer in writers:
        writer.close()

    _write_consent(directory / "consent.csv", users)
    (directory / "truth.json").write_text(
        json.dumps({"pii": truth.pii, "near_duplicates": truth.near_duplicates})
    )
    config = _write_config(directory, f"bench-e2e-{directory.name}")
    text_bytes = sum(w.text_bytes for w in writers)
    documents = sum(w.documents for w in writers)
    disk = sum(p.stat().st_size for p in directory.glob("*/*.jsonl.gz"))
    meta = {
        "format_version": CORPUS_FORMAT_VERSION,
        "text_mib": text_bytes / MIB,
        "documents": documents,
        "disk_mib": disk / MIB,
        "kernel_documents": kernel.documents,
        "post_documents": posts.documents,
        "near_duplicates": len(truth.near_duplicates),
        "pii_planted": len(truth.pii),
    }
    stamp.write_text(json.dumps(meta, indent=1))
    print(
        f"  {directory.name}: {documents} documents, {text_bytes / MIB:.1f} MiB text, "
        f"{disk / MIB:.1f} MiB gzip on disk"
    )
    return BuiltCorpus(directory, config, text_bytes / MIB, documents, disk / MIB)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=50, help="corpus size in MiB of text")
    parser.add_argument("--cache", type=Path, default=None, help=f"default {DEFAULT_CACHE}")
    args = smoke_corpus.parse_args(parser, {"mb": 1}, argv)
    if not args.smoke:
        return build_and_report(args.cache or DEFAULT_CACHE, args.mb)
    with smoke_corpus.scratch("corpus_build", args.cache) as cache:
        return build_and_report(cache, args.mb, smoke=True)


def build_and_report(cache: Path, mib: int, smoke: bool = False) -> int:
    """Build, say where and what was planted; 1 if the corpus came out empty."""
    corpus = build_corpus(cache, mib, smoke=smoke)
    print(f"{corpus.directory}: config {corpus.config}")
    truth = json.loads((corpus.directory / "truth.json").read_text())
    print(
        f"  planted: {len(truth['pii'])} personal data values, "
        f"{len(truth['near_duplicates'])} near-duplicates"
    )
    return 0 if corpus.documents else 1  # an empty corpus would make every figure vacuous


if __name__ == "__main__":
    sys.exit(main())
