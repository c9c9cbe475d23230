"""Incremental benchmark: a scheduled rerun with ~5% new documents vs a full run of the same inputs.

    python bench/incremental.py [--mb 250] [--new-percent 5] [--pairs 3] [--workers N] [--cache DIR]
    python bench/incremental.py --smoke                     # CI: does it still run?

The corpus is the e2e corpus (`corpus_build.py`, built once into `--cache`). The last
kernel shards are held back: whole shards, then the first lines of one more shard,
until about `--new-percent` of the documents are missing. BASE is `provenance run` on
what is left (the version published yesterday). Then, in each pair, on the whole
corpus, in alternating order so that drift between commands does not favour either:

- FULL: `provenance run` from scratch;
- INCREMENTAL: `provenance run --previous BASE`.

The ratio INCREMENTAL wall / FULL wall is printed per pair (the issue's target: at
most 0.20). Both runs' ledgers are then compared by doc id (decision and reason
codes), so an incremental run that skipped work it needed would show up as a
mismatch, and the reuse counters (`summary.json` `reuse`) say what was scanned.

The split keeps the kept part of the split shard a prefix of the original file, so
every record of BASE has the same locator and content in the whole corpus. The new
documents are kernel files only (some of them planted near-copies of documents BASE
already has), so the rerun also exercises dedup against the earlier version.
Wall and memory as in `e2e.py` (`process_tree.py`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import smoke_corpus  # noqa: E402
from corpus_build import DEFAULT_CACHE, BuiltCorpus, build_corpus  # noqa: E402
from process_tree import Measured, measure  # noqa: E402

VENV_BIN = Path(sys.executable).parent
CONFIG_FILES = ("bench.yaml", "bench-hmac.key", "consent.csv")
TARGET_RATIO = 0.20


def _lines(path: Path) -> list[bytes]:
    with gzip.open(path, "rb") as handle:
        return handle.read().splitlines(keepends=True)


def base_inputs(corpus: BuiltCorpus, work: Path, new_percent: float) -> int:
    """`work/base/`: the corpus without its last ~new_percent of documents; returns how many
    documents were held back."""
    base = work / "base"
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    for name in CONFIG_FILES:
        shutil.copy(corpus.directory / name, base / name)
    wanted = round(corpus.documents * new_percent / 100)
    held = 0
    for folder in ("kernel", "posts"):
        (base / folder).mkdir()
    shards = sorted((corpus.directory / "kernel").glob("*.jsonl.gz"))
    for path in reversed(shards):
        lines = _lines(path) if held < wanted else []
        missing = wanted - held
        if not lines:
            (base / "kernel" / path.name).symlink_to(path)
        elif len(lines) <= missing:
            held += len(lines)
        else:
            with gzip.open(base / "kernel" / path.name, "wb") as handle:
                handle.writelines(lines[: len(lines) - missing])
            held += missing
    for path in sorted((corpus.directory / "posts").glob("*.jsonl.gz")):
        (base / "posts" / path.name).symlink_to(path)
    return held


def provenance_run(
    config: Path,
    output: Path,
    log: Path,
    workers: int,
    *extra: str,
    env: dict[str, str] | None = None,
) -> Measured:
    """`provenance run` on the local runner, measured; `env` adds to this environment."""
    if output.exists():
        shutil.rmtree(output)
    command = [
        str(VENV_BIN / "provenance"),
        "run",
        str(config),
        "--output",
        str(output),
        "--quiet",
        *extra,
        "--direct_running_mode=multi_processing",
        f"--direct_num_workers={workers}",
    ]
    print(f"  $ {' '.join(command)}", flush=True)
    measured = measure(command, log, {**os.environ, **env} if env else None, cwd=REPO_ROOT)
    if measured.returncode != 0:
        print(f"  FAILED (exit {measured.returncode}); log tail:\n{measured.output[-1500:]}")
    return measured


def ledger_decisions(run: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    import pyarrow.parquet as pq

    table = pq.read_table(run / "ledger", columns=["doc_id", "decision", "reasons"])
    return {
        doc_id: (decision, tuple(sorted(reasons)))
        for doc_id, decision, reasons in zip(
            table.column("doc_id").to_pylist(),
            table.column("decision").to_pylist(),
            table.column("reasons").to_pylist(),
            strict=True,
        )
    }


def _mib(value: int) -> str:
    return f"{value / (1 << 20):,.0f} MiB"


def _describe(label: str, run: Measured) -> str:
    memory = run.memory
    phases = ""
    if memory.first_workers is not None and memory.last_workers is not None:
        phases = (
            f"; launcher alone {memory.first_workers:.1f} s, with Beam workers "
            f"{memory.last_workers - memory.first_workers:.1f} s, after them "
            f"{run.wall - memory.last_workers:.1f} s"
        )
    return (
        f"{label:<12} {run.wall:>7.1f} s  peak RSS all {_mib(memory.peak_sum):>9}, "
        f"largest {_mib(memory.peak_single):>9}  (exit {run.returncode}){phases}"
    )


def run_bench(args: argparse.Namespace, cache: Path) -> int:
    print(f"load average at start: {os.getloadavg()}; cores {os.cpu_count()}")
    corpus = build_corpus(cache, args.mb, smoke=args.smoke)
    work = cache / f"incremental-{corpus.directory.name}"
    held = base_inputs(corpus, work, args.new_percent)
    print(
        f"\n{corpus.directory.name}: {corpus.documents:,} documents, {corpus.text_mib:,.1f} MiB "
        f"text; BASE holds back {held:,} ({held / corpus.documents:.1%}) as the new ones"
    )
    logs = work / "logs"
    base_out = work / "runs" / "base"
    base = provenance_run(work / "base" / "bench.yaml", base_out, logs / "base.log", args.workers)
    print("  " + _describe("BASE", base))
    if base.returncode != 0:
        return 1
    ratios, ok = [], True
    for pair in range(1, args.pairs + 1):
        order = ("full", "incremental") if pair % 2 else ("incremental", "full")
        walls: dict[str, Measured] = {}
        for kind in order:
            extra = ("--previous", str(base_out)) if kind == "incremental" else ()
            output = work / "runs" / kind
            log = logs / f"{kind}-{pair}.log"
            walls[kind] = provenance_run(corpus.config, output, log, args.workers, *extra)
        full, incremental = walls["full"], walls["incremental"]
        if full.returncode or incremental.returncode:
            return 1
        ratio = incremental.wall / full.wall
        ratios.append(ratio)
        mismatched = _compare(work / "runs" / "full", work / "runs" / "incremental")
        ok = ok and mismatched == 0
        print(f"\npair {pair} (order: {' then '.join(order)}):")
        print("  " + _describe("FULL", full))
        print("  " + _describe("INCREMENTAL", incremental))
        print(
            f"  ratio        {ratio:.3f} of the full run's wall "
            f"({'meets' if ratio <= TARGET_RATIO else 'MISSES'} the {TARGET_RATIO} target); "
            f"ledger rows whose decision or reasons differ: {mismatched}"
        )
    reuse = json.loads((work / "runs" / "incremental" / "reports" / "summary.json").read_text())
    print(f"\nreuse (last incremental run): {reuse['reuse']}")
    print("ratios: " + ", ".join(f"{r:.3f}" for r in ratios))
    print(f"load average at end: {os.getloadavg()}")
    return 0 if ok else 1


def _compare(full: Path, incremental: Path) -> int:
    expected, got = ledger_decisions(full), ledger_decisions(incremental)
    return sum(got.get(doc_id) != row for doc_id, row in expected.items()) + len(
        got.keys() - expected.keys()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=250, help="corpus MiB of text (default 250)")
    parser.add_argument("--new-percent", type=float, default=5.0)
    parser.add_argument("--pairs", type=int, default=3, help="paired FULL/INCREMENTAL runs")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cache", type=Path, default=None, help=f"default {DEFAULT_CACHE}")
    args = smoke_corpus.parse_args(parser, {"mb": 1, "workers": 2, "pairs": 1}, argv)
    if not args.smoke:
        return run_bench(args, args.cache or DEFAULT_CACHE)
    with smoke_corpus.scratch("incremental", args.cache) as cache:
        return run_bench(args, cache)


if __name__ == "__main__":
    sys.exit(main())
