"""datatrove's MinHash deduplication on the bench corpus: the baseline `e2e.py` compares with.

    python bench/datatrove_minhash.py CORPUS_DIR WORK_DIR --workers 2
    python bench/datatrove_minhash.py --smoke [--tokenizer split]   # CI: does it still run?

Runs datatrove's four documented stages (signatures -> buckets -> clusters ->
filter, as in its `examples/minhash_deduplication.py`) with `LocalPipelineExecutor`,
the same number of workers as the audit and as many tasks as workers. It is
started as its own process so that `e2e.py` samples its process tree exactly as
it samples the audit's. The settings match the audit's dedup stage where
datatrove allows: word 5-grams, 128 hashes (16 buckets x 8), datatrove's default
xxhash hashing. Word splitting, `--tokenizer`:

* `spacy`: datatrove's default for English, spaCy's blank `en` tokenizer
  (rule-based, no model download): what a datatrove user gets out of the box.
* `split`: tokenizer-free `str.split()`, the fastest datatrove can be made to
  go; the stricter baseline. (datatrove's own `WhitespaceTokenizer` still
  calls spaCy's `xx` tokenizer.)

Nothing touches the network: `HF_HUB_OFFLINE=1` is set before datatrove is
imported.

Prints one JSON line: per-stage seconds, documents read and removed.

`--smoke` builds the 1 MiB generated corpus of `corpus_build.py --smoke` (no download)
in a temporary folder, runs the four stages on it with 2 workers, and fails unless every
document it wrote came out of the filter stage, kept or removed (a reader that silently
matched no file would otherwise pass). `e2e.py --smoke` also runs this script, both
tokenizers, as the comparison does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import smoke_corpus  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


def split_tokenizer():
    """A datatrove WordTokenizer that only splits on whitespace (no spaCy)."""
    from datatrove.utils.word_tokenizers import WordTokenizer

    class SplitTokenizer(WordTokenizer):
        def word_tokenize(self, text: str) -> list[str]:
            return text.split()

        def sent_tokenize(self, text: str) -> list[str]:
            return text.split("\n")

        def span_tokenize(self, text: str) -> list[tuple[int, int]]:
            return [(0, len(text))]

    return SplitTokenizer("en")


def run(corpus: Path, work: Path, workers: int, tokenizer: str = "spacy") -> dict:
    """All four stages in order; returns seconds per stage and document counts."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import (
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    if work.exists():
        shutil.rmtree(work)  # the executor skips tasks it finds completed in its logs
    config = MinhashConfig(n_grams=5, num_buckets=16, hashes_per_bucket=8)

    def reader() -> JsonlReader:
        return JsonlReader(str(corpus), glob_pattern="*/*.jsonl.gz", text_key="text")

    stages = {
        "signatures": LocalPipelineExecutor(
            pipeline=[
                reader(),
                MinhashDedupSignature(
                    output_folder=str(work / "signatures"),
                    config=config,
                    language=split_tokenizer() if tokenizer == "split" else "eng",
                ),
            ],
            tasks=workers,
            workers=workers,
            logging_dir=str(work / "logs" / "signatures"),
        ),
        "buckets": LocalPipelineExecutor(
            pipeline=[
                MinhashDedupBuckets(
                    input_folder=str(work / "signatures"),
                    output_folder=str(work / "buckets"),
                    config=config,
                )
            ],
            tasks=config.num_buckets,
            workers=workers,
            logging_dir=str(work / "logs" / "buckets"),
        ),
        "cluster": LocalPipelineExecutor(
            pipeline=[
                MinhashDedupCluster(
                    input_folder=str(work / "buckets"),
                    output_folder=str(work / "remove_ids"),
                    config=config,
                )
            ],
            tasks=1,
            logging_dir=str(work / "logs" / "cluster"),
        ),
        "filter": LocalPipelineExecutor(
            pipeline=[
                reader(),
                MinhashDedupFilter(
                    input_folder=str(work / "remove_ids"),
                    exclusion_writer=JsonlWriter(str(work / "removed")),
                ),
                JsonlWriter(str(work / "deduplicated")),
            ],
            tasks=workers,
            workers=workers,
            logging_dir=str(work / "logs" / "filter"),
        ),
    }
    seconds: dict[str, float] = {}
    for name, executor in stages.items():
        started = time.perf_counter()
        executor.run()
        seconds[name] = time.perf_counter() - started
    stats = json.loads((work / "logs" / "filter" / "stats.json").read_text())
    return {"seconds": seconds, "total_seconds": sum(seconds.values()), "stats": _counts(stats)}


def _counts(stats: list) -> dict:
    """Documents read and removed, from the filter stage's merged stats."""
    counts = {}
    for step in stats:
        for key, value in step.get("stats", {}).items():
            if key in ("documents", "dropped", "forwarded") and isinstance(value, dict | int):
                total = value.get("total", 0) if isinstance(value, dict) else value
                counts[f"{step['name']}.{key}"] = total
    return counts


def _documents_out(work: Path) -> int:
    """Documents the filter stage wrote, kept plus removed."""
    files = [*(work / "deduplicated").glob("*.jsonl.gz"), *(work / "removed").glob("*.jsonl.gz")]
    total = 0
    for path in files:
        with gzip.open(path, "rb") as handle:
            total += sum(1 for _ in handle)
    return total


def smoke(workers: int, tokenizer: str) -> int:
    """The four stages on the generated smoke corpus; 1 unless every document came out."""
    from corpus_build import build_corpus

    with smoke_corpus.scratch("datatrove_minhash") as folder:
        corpus = build_corpus(folder, 1, smoke=True)
        result = run(corpus.directory, folder / "work", workers, tokenizer)
        sys.stdout.write("DATATROVE_RESULT " + json.dumps(result) + "\n")
        out = _documents_out(folder / "work")
    print(f"documents written {corpus.documents}, out of the filter stage {out}")
    return 0 if out == corpus.documents else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, nargs="?")
    parser.add_argument("work", type=Path, nargs="?")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--tokenizer", choices=("spacy", "split"), default="spacy")
    args = smoke_corpus.parse_args(parser, {"workers": 2}, argv)
    if args.smoke:
        return smoke(args.workers, args.tokenizer)
    if args.corpus is None or args.work is None:
        parser.error("CORPUS_DIR and WORK_DIR are required (or --smoke)")
    result = run(args.corpus, args.work, args.workers, args.tokenizer)
    sys.stdout.write("DATATROVE_RESULT " + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
