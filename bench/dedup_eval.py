"""Quality of the near-duplicate stage against brute-force Jaccard on real text.

    python bench/dedup_eval.py [--docs 30000] [--planted 2400] [--skip-beam]
    python bench/dedup_eval.py --smoke       # CI: 300 generated paragraphs, 16 planted

Corpus: unique paragraphs (>= 40 words) of text found on this machine (Python
sources, /usr/share/doc, man pages), exact duplicates removed so boilerplate
does not swamp the pair counts. Near duplicates are planted at controlled
Jaccard levels by replacing words until the exact 5-gram Jaccard hits the level.

Brute force is restricted to: planted pairs, every pair the stage reports, the
candidates of a much looser LSH sweep (32 bands x 4 rows: catches ~all pairs
with J >= 0.7) and a random sample of pairs. Targets (issue): recall >= 0.95 on
pairs with true J >= threshold + 0.05; precision >= 0.95 (share of reported
pairs with true J >= threshold - 0.1).

`--smoke` takes its paragraphs from `smoke_corpus.py` (generated, the same on every
machine) instead of the machine's files, with small default sizes; planting, the core
run, brute force and the Beam run are the same code. Its figures are not measurements.
"""

from __future__ import annotations

import argparse
import glob
import gzip
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

import smoke_corpus  # noqa: E402

from schemas.dedup import DedupInput, DedupSettings  # noqa: E402
from transforms.dedup.core import (  # noqa: E402
    ClusterMember,
    MinHasher,
    assign_cluster,
    band_keys,
    compact_signature,
    connected_components,
    exact_key,
    is_empty_signature,
    normalise_text,
    verified_edges,
)

FN_API_RUNNER = "apache_beam.runners.portability.fn_api_runner.fn_runner.FnApiRunner"
LEVELS = (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98)
TEXT_GLOBS = (
    "/usr/lib/python3*/**/*.py",
    "/usr/share/doc/**/*",
    "/usr/share/man/man*/*.gz",
    "/work/venv/lib/python3.11/site-packages/**/*.py",
)
_TROFF = re.compile(r"^\.[A-Za-z]+\s?|\\f[BIRP]|\\-|\\\(\w\w|\\&", re.MULTILINE)


def iter_texts() -> Iterator[tuple[str, str]]:
    """(path, text) of readable text files on this machine, in a fixed order."""
    for pattern in TEXT_GLOBS:
        for path in sorted(glob.glob(pattern, recursive=True)):
            if not os.path.isfile(path):
                continue
            try:
                opener = gzip.open if path.endswith(".gz") else open
                with opener(path, "rb") as handle:
                    text = handle.read().decode("utf-8")
            except (OSError, UnicodeDecodeError, EOFError):
                continue
            yield path, _TROFF.sub(" ", text) if "/man/" in path else text


def iter_paragraphs(min_words: int = 40) -> Iterator[tuple[str, str]]:
    """(locator, paragraph) blocks separated by blank lines, at least `min_words` long."""
    for path, text in iter_texts():
        for index, block in enumerate(re.split(r"\n\s*\n", text)):
            if len(block.split()) >= min_words:
                yield f"{path}#{index}", block


def unique_paragraphs(
    limit: int, paragraphs: Iterable[tuple[str, str]] | None = None
) -> list[tuple[str, str]]:
    """The first `limit` distinct (locator, paragraph) of `paragraphs` (default: this machine's)."""
    seen, out = set(), []
    for locator, block in iter_paragraphs() if paragraphs is None else paragraphs:
        key = exact_key(normalise_text(block))
        if key not in seen:
            seen.add(key)
            out.append((locator, block))
            if len(out) >= limit:
                break
    return out


def shingle_set(text: str, ngram: int = 5) -> frozenset:
    words = normalise_text(text).split()
    if len(words) < ngram:
        return frozenset([tuple(words)])
    return frozenset(tuple(words[i : i + ngram]) for i in range(len(words) - ngram + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def plant_variant(text: str, target: float, rng: random.Random, vocabulary: list[str]) -> str:
    """Replace words until the exact shingle Jaccard is as close to `target` as edits allow."""
    words = text.split()
    base = shingle_set(text)
    order = rng.sample(range(len(words)), len(words))
    replacements = [rng.choice(vocabulary) + "zq" for _ in words]

    def edited(k: int) -> str:
        out = list(words)
        for position in order[:k]:
            out[position] = replacements[position]
        return " ".join(out)

    low, high = 0, len(words)
    while low < high:  # smallest k whose Jaccard drops to target or below
        mid = (low + high) // 2
        if jaccard(base, shingle_set(edited(mid))) > target:
            low = mid + 1
        else:
            high = mid
    # Replacements move J in steps of up to 5 shingles; trimming trailing words of the
    # last version still above target moves it one shingle at a time.
    best = edited(low)
    above = edited(max(low - 1, 0)).split()
    while len(above) > 10:
        score = jaccard(base, shingle_set(" ".join(above)))
        if abs(score - target) < abs(jaccard(base, shingle_set(best)) - target):
            best = " ".join(above)
        if score <= target:
            break
        above = above[:-1]
    return best


def build_corpus(docs: int, planted: int, seed: int = 7, smoke: bool = False):
    """Unique paragraphs plus `planted` variants; `smoke`: generated paragraphs."""
    rng = random.Random(seed)
    paragraphs = unique_paragraphs(docs, smoke_corpus.paragraphs(seed) if smoke else None)
    corpus = [
        DedupInput(f"p{i:06d}", "local", text, (1,)) for i, (_, text) in enumerate(paragraphs)
    ]
    vocabulary = sorted({w for _, text in paragraphs[:2000] for w in text.split()})
    long_enough = [i for i, doc in enumerate(corpus) if len(doc.text.split()) >= 80]
    bases = rng.sample(long_enough, planted)
    planted_pairs = []
    for index, base_index in enumerate(bases):
        level = LEVELS[index % len(LEVELS)]
        base = corpus[base_index]
        variant = DedupInput(f"v{index:06d}", "planted", "", (0 if index % 2 else 2,))
        text = plant_variant(base.text, level, rng, vocabulary)
        corpus.append(DedupInput(variant.doc_id, variant.source_id, text, variant.rank))
        planted_pairs.append((base.doc_id, variant.doc_id, level))
    return corpus, planted_pairs


def run_core(corpus: list[DedupInput], settings: DedupSettings):
    """The stage's algorithm in memory, from the same core functions the Beam transform uses."""
    bands, rows = settings.bands_and_rows
    hasher = MinHasher.from_settings(settings)
    normalised = [normalise_text(doc.text) for doc in corpus]
    signatures = hasher.signatures_for_texts(normalised)
    buckets, exact_groups = defaultdict(list), defaultdict(list)
    for doc, text, signature in zip(corpus, normalised, signatures, strict=True):
        exact_groups[exact_key(text)].append(doc.doc_id)
        if not is_empty_signature(signature):
            for key in band_keys(signature, bands, rows):
                buckets[key].append((doc.doc_id, compact_signature(signature)))
    edges, candidates = set(), 0
    for members in buckets.values():
        if len(members) > 1:
            found, examined = verified_edges(members, settings.threshold, settings.max_bucket_pairs)
            edges.update(found)
            candidates += examined
    for ids in exact_groups.values():
        edges.update((min(ids), other) for other in ids if other != min(ids))
    roots = connected_components(edges)
    clusters = defaultdict(list)
    keys = {doc.doc_id: exact_key(text) for doc, text in zip(corpus, normalised, strict=True)}
    for doc in corpus:
        if doc.doc_id in roots:
            member = ClusterMember(doc.doc_id, doc.source_id, doc.rank, keys[doc.doc_id])
            clusters[roots[doc.doc_id]].append(member)
    assignments = [a for members in clusters.values() for a in assign_cluster(members)]
    return edges, candidates, assignments, signatures


def sweep_pairs(corpus, signatures, max_bucket: int = 50) -> set[tuple[str, str]]:
    """Loose LSH (32 x 4) over the same signatures: reference pairs for recall."""
    buckets = defaultdict(list)
    for doc, signature in zip(corpus, signatures, strict=True):
        for key in band_keys(signature, 32, 4):
            buckets[key].append(doc.doc_id)
    pairs = set()
    for ids in buckets.values():
        if 1 < len(ids) <= max_bucket:
            ids = sorted(ids)
            pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return pairs


def run_beam(corpus: list[DedupInput], settings: DedupSettings) -> list[dict]:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from transforms.dedup.beam import NearDuplicates

    options = PipelineOptions([f"--runner={FN_API_RUNNER}", "--direct_running_mode=in_memory"])
    with tempfile.TemporaryDirectory(prefix="dedup_eval_") as folder:
        out = Path(folder) / "assignments.jsonl"
        with beam.Pipeline(options=options) as pipeline:
            _ = (
                pipeline
                | beam.Create(corpus)
                | NearDuplicates(settings)
                | beam.Map(lambda a: json.dumps(a.to_row()))
                | beam.io.WriteToText(str(out), shard_name_template="")
            )
        return [json.loads(line) for line in out.read_text().splitlines()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=30_000, help="unique real paragraphs")
    parser.add_argument("--planted", type=int, default=2_400, help="planted near duplicates")
    parser.add_argument("--random-pairs", type=int, default=200_000)
    parser.add_argument("--skip-beam", action="store_true", help="core only, no FnApiRunner run")
    smoke_sizes = {"docs": 300, "planted": 2 * len(LEVELS), "random_pairs": 2_000}
    args = smoke_corpus.parse_args(parser, smoke_sizes, argv)
    settings = DedupSettings()
    started = time.perf_counter()
    corpus, planted = build_corpus(args.docs, args.planted, smoke=args.smoke)
    print(
        f"corpus: {len(corpus)} documents ({len(planted)} planted) "
        f"in {time.perf_counter() - started:.1f}s; settings {settings.model_dump()}, "
        f"bands x rows = {settings.bands_and_rows}"
    )

    started = time.perf_counter()
    edges, candidates, assignments, signatures = run_core(corpus, settings)
    print(
        f"core: {candidates} candidate pairs, {len(edges)} verified edges, "
        f"{time.perf_counter() - started:.1f}s"
    )

    text_of = {doc.doc_id: doc.text for doc in corpus}
    shingles: dict[str, frozenset] = {}

    def true_jaccard(a: str, b: str) -> float:
        for doc_id in (a, b):
            if doc_id not in shingles:
                shingles[doc_id] = shingle_set(text_of[doc_id])
        return jaccard(shingles[a], shingles[b])

    cluster_of = {a.doc_id: a.cluster_id for a in assignments}

    def same_cluster(a: str, b: str) -> bool:
        return cluster_of.get(a) is not None and cluster_of.get(a) == cluster_of.get(b)

    rng = random.Random(11)
    ids = [doc.doc_id for doc in corpus]
    reference = {(a, b) for a, b, _ in planted} | sweep_pairs(corpus, signatures)
    reference |= {tuple(sorted(rng.sample(ids, 2))) for _ in range(args.random_pairs)}
    high = args_high = settings.threshold + 0.05
    truth = {pair: true_jaccard(*pair) for pair in reference}
    positives = [pair for pair, j in truth.items() if j >= high]
    recall_all = sum(same_cluster(*p) for p in positives) / max(len(positives), 1)
    planted_high = [(a, b) for a, b, _ in planted if truth[(a, b)] >= args_high]
    recall_planted = sum(same_cluster(a, b) for a, b in planted_high) / max(len(planted_high), 1)
    print(
        f"reference pairs brute-forced: {len(reference)}; with true J >= {high:.2f}: "
        f"{len(positives)} ({len(planted_high)} planted)"
    )
    print(
        f"RECALL (same cluster) all reference pairs J>={high:.2f}: {recall_all:.4f}  "
        f"planted only: {recall_planted:.4f}"
    )
    for level in LEVELS:
        pairs = [(a, b) for a, b, lv in planted if lv == level]
        js = [truth[p] for p in pairs]
        found = sum(same_cluster(*p) for p in pairs) / len(pairs)
        print(
            f"  planted level {level:.2f}: true J mean {sum(js) / len(js):.3f} "
            f"[{min(js):.3f}, {max(js):.3f}]  found {found:.3f}"
        )

    low = settings.threshold - 0.1
    edge_truth = [true_jaccard(a, b) for a, b in edges]
    kept_pairs = [(a.doc_id, a.duplicate_of) for a in assignments if a.duplicate_of]
    kept_truth = [true_jaccard(a, b) for a, b in kept_pairs]
    precision_edges = sum(j >= low for j in edge_truth) / max(len(edge_truth), 1)
    precision_kept = sum(j >= low for j in kept_truth) / max(len(kept_truth), 1)
    print(
        f"PRECISION verified edges (true J >= {low:.2f}): {precision_edges:.4f} "
        f"of {len(edge_truth)}; (removed doc, kept copy) pairs: {precision_kept:.4f} "
        f"of {len(kept_truth)}"
    )

    if not args.skip_beam:
        started = time.perf_counter()
        rows = run_beam(corpus, settings)
        core_rows = {a.doc_id: a.to_row() for a in assignments}
        clustered = {r["doc_id"]: r for r in rows if r["cluster_id"] is not None}
        print(
            f"beam (FnApiRunner in_memory): {len(rows)} assignments in "
            f"{time.perf_counter() - started:.1f}s; identical to core: {clustered == core_rows}"
        )
        if clustered != core_rows:
            # The Beam graph must reproduce the pure core; a release that changes it fails here.
            sys.exit(1)


if __name__ == "__main__":
    main()
