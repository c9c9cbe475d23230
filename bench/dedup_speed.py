"""Speed of the near-duplicate stage.

    python bench/dedup_speed.py [--mb 200] [--signature-mb 20] [--datasketch-mb 4]
                                [--mode multi_processing --workers 2]
    python bench/dedup_speed.py --smoke     # CI: 0.5 MB of generated text, same steps

1. Signature throughput, one process (MB/s per core = MB / CPU seconds), on the
   same documents and the same word 5-gram shingles: this module's vectorised
   batches vs datasketch's per-document `MinHash.update_batch` (shingle strings
   built and hashed with its default SHA-1 hash, as a user of datasketch would).
2. The whole stage (`NearDuplicates`) through Beam's FnApiRunner on `--mb` MB of
   real text read from JSONL files inside the pipeline, with wall time and peak
   RSS summed over this process and every worker process.

`--smoke` takes its documents from `smoke_corpus.py` (generated, no files of this
machine) with sizes of a fraction of a MB; both parts run as usual. Its figures are not
measurements.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import smoke_corpus  # noqa: E402
from dedup_eval import iter_texts  # noqa: E402

from schemas.dedup import DedupInput, DedupSettings  # noqa: E402
from transforms.dedup.core import MinHasher, normalise_text  # noqa: E402

FN_API_RUNNER = "apache_beam.runners.portability.fn_api_runner.fn_runner.FnApiRunner"
DOC_CHARS = 4096


def real_documents(
    target_mb: float, texts: Iterable[tuple[str, str]] | None = None
) -> tuple[list[str], float]:
    """~4 KB documents cut from `texts` (default: local text); cycles if text runs out.

    Returns (documents, share of documents that are repeats of earlier ones).
    """
    target = int(target_mb * 1e6)
    docs: list[str] = []
    size = 0
    for _, text in iter_texts() if texts is None else texts:
        for start in range(0, len(text), DOC_CHARS):
            chunk = text[start : start + DOC_CHARS]
            if chunk.strip():
                docs.append(chunk)
                size += len(chunk.encode("utf-8"))
            if size >= target:
                return docs, 0.0
    unique = len(docs)
    index = 0
    while size < target:  # repeat with a marker word so repeats are near, not exact, copies
        chunk = f"{docs[index % unique]} copy{index // unique}"
        docs.append(chunk)
        size += len(chunk.encode("utf-8"))
        index += 1
    return docs, 1 - unique / len(docs)


def megabytes(docs: list[str]) -> float:
    return sum(len(d.encode("utf-8")) for d in docs) / 1e6


def take_mb(docs: list[str], mb: float) -> list[str]:
    """About `mb` MB spread evenly over the corpus (every k-th document)."""
    step = max(1, int(megabytes(docs) / mb))
    out, size = [], 0.0
    for doc in docs[::step]:
        out.append(doc)
        size += len(doc.encode("utf-8")) / 1e6
        if size >= mb:
            break
    return out


def ours(docs: list[str], settings: DedupSettings, batch: int, repeats: int = 3) -> float:
    """Best CPU time of `repeats` runs (after a warm-up): short runs on a shared machine."""
    hasher = MinHasher.from_settings(settings)
    hasher.signatures_for_texts([normalise_text(d) for d in docs[:batch]])
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        for start in range(0, len(docs), batch):
            hasher.signatures_for_texts([normalise_text(d) for d in docs[start : start + batch]])
        best = min(best, time.process_time() - started)
    return best


def datasketch_per_document(docs: list[str], settings: DedupSettings) -> float:
    from datasketch import MinHash

    n = settings.ngram
    started = time.process_time()
    for doc in docs:
        words = normalise_text(doc).split()
        shingles = [" ".join(words[i : i + n]).encode() for i in range(max(len(words) - n + 1, 1))]
        minhash = MinHash(num_perm=settings.num_perm, seed=settings.seed)
        minhash.update_batch(shingles)
    return time.process_time() - started


class PeakRss:
    """Samples the summed VmRSS of this process and all its descendants."""

    def __init__(self, interval: float = 0.2) -> None:
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._total())
            self._stop.wait(interval)

    @staticmethod
    def _total() -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            pid, ppid = int(entry), int(fields.get("PPid", "0").strip())
            children.setdefault(ppid, []).append(pid)
            rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
        total, stack = 0, [os.getpid()]
        while stack:
            pid = stack.pop()
            total += rss.get(pid, 0)
            stack.extend(children.get(pid, []))
        return total


def run_stage(docs: list[str], settings: DedupSettings, mode: str, workers: int) -> dict:
    """The whole stage on `docs`, read from JSONL in a temporary folder removed afterwards."""
    os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])
    work = Path(tempfile.mkdtemp(prefix="dedup_speed_"))
    try:
        return _run_stage_in(work, docs, settings, mode, workers)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_stage_in(
    work: Path, docs: list[str], settings: DedupSettings, mode: str, workers: int
) -> dict:
    """`run_stage` with its JSONL inputs and statistics in `work`."""
    import apache_beam as beam
    from apache_beam.metrics.metric import MetricsFilter
    from apache_beam.options.pipeline_options import PipelineOptions

    from transforms.dedup.beam import DedupStatistics, NearDuplicates

    shards = 8
    for shard in range(shards):
        with open(work / f"docs-{shard}.jsonl", "w") as handle:
            for index in range(shard, len(docs), shards):
                row = {"doc_id": f"d{index:08d}", "source_id": f"s{index % 3}", "text": docs[index]}
                handle.write(json.dumps(row) + "\n")

    def to_input(line: str) -> DedupInput:
        row = json.loads(line)
        return DedupInput(row["doc_id"], row["source_id"], row["text"], (int(row["source_id"][1]),))

    options = PipelineOptions(
        [
            f"--runner={FN_API_RUNNER}",
            f"--direct_running_mode={mode}",
            f"--direct_num_workers={workers}",
        ]
    )
    started = time.perf_counter()
    with PeakRss() as memory:
        pipeline = beam.Pipeline(options=options)
        assignments = (
            pipeline
            | beam.io.ReadFromText(str(work / "docs-*.jsonl"))
            | beam.Map(to_input)
            | NearDuplicates(settings)
        )
        _ = (
            assignments
            | DedupStatistics()
            | beam.Map(lambda s: json.dumps(s.to_json()))
            | beam.io.WriteToText(str(work / "stats"), shard_name_template="")
        )
        result = pipeline.run()
        result.wait_until_finish()
    wall = time.perf_counter() - started
    counters = {
        c.key.metric.name: c.committed for c in result.metrics().query(MetricsFilter())["counters"]
    }
    children_max = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {
        "wall_seconds": wall,
        "peak_rss_all_processes_bytes": memory.peak_bytes,
        "largest_child_maxrss_bytes": children_max,
        "self_maxrss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "counters": counters,
        "stats": json.loads((work / "stats").read_text()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=200, help="corpus size for the whole stage")
    parser.add_argument("--signature-mb", type=float, default=20)
    parser.add_argument("--datasketch-mb", type=float, default=4)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--mode", default="multi_processing")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-stage", action="store_true")
    smoke_sizes = {"mb": 0.5, "signature_mb": 0.2, "datasketch_mb": 0.05}
    args = smoke_corpus.parse_args(parser, smoke_sizes, argv)
    settings = DedupSettings(batch_size=args.batch)
    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")

    texts = smoke_corpus.texts() if args.smoke else None
    docs, repeated = real_documents(max(args.mb, args.signature_mb), texts)
    print(f"corpus: {len(docs)} documents, {megabytes(docs):.1f} MB, {repeated:.0%} repeats")
    sample = take_mb(docs, args.signature_mb)
    small = take_mb(sample, args.datasketch_mb)
    ours_small = ours(small, settings, args.batch)
    ds_small = datasketch_per_document(small, settings)
    ours_sample = ours(sample, settings, args.batch)
    mb_small, mb_sample = megabytes(small), megabytes(sample)
    print(
        f"signatures, same {mb_small:.1f} MB: vectorised {mb_small / ours_small:.1f} MB/s/core, "
        f"datasketch per-document update_batch {mb_small / ds_small:.2f} MB/s/core, "
        f"ratio {ds_small / ours_small:.1f}x"
    )
    print(f"signatures, {mb_sample:.1f} MB: vectorised {mb_sample / ours_sample:.1f} MB/s/core")

    if not args.skip_stage:
        stage_docs = take_mb(docs, args.mb)
        mb = megabytes(stage_docs)
        report = run_stage(stage_docs, settings, args.mode, args.workers)
        wall = report["wall_seconds"]
        print(
            f"whole stage ({args.mode}, {args.workers} workers): {mb:.1f} MB, "
            f"{len(stage_docs)} docs in {wall:.1f}s = {mb / wall:.2f} MB/s wall; "
            f"peak RSS all processes {report['peak_rss_all_processes_bytes'] / 2**30:.2f} GiB "
            f"(largest child {report['largest_child_maxrss_bytes'] / 2**30:.2f} GiB, "
            f"this process {report['self_maxrss_bytes'] / 2**30:.2f} GiB)"
        )
        print(f"counters: {json.dumps(report['counters'], sort_keys=True)}")
        print(f"stats: {json.dumps(report['stats'])}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
