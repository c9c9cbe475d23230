"""Allocator benchmark: the same audit with the default allocators and with leaner settings.

    python bench/allocators.py [--mb 250] [--pairs 2] [--workers N] [--cache DIR]
    python bench/allocators.py --smoke                      # CI: does it still run?

A worker's resident memory is mostly not its live objects: at a worker's peak on
the 250 MiB e2e corpus, `/proc/PID/smaps` showed 64 MiB-multiple anonymous
segments (pyarrow's default mimalloc pool), other large anonymous mappings and
the glibc heap, each a few hundred MiB. This bench measures what the allocators'
own settings change, with no code change: in each pair, in alternating order,

- DEFAULT: `provenance run` as shipped;
- LEAN: the same with `LEAN_ENV` in the environment (pyarrow on the system
  allocator, at most two glibc arenas, large blocks mapped and given back).

Every Beam worker of the local runner inherits the launcher's environment. Both
runs' decisions are compared by doc id, so a setting that changed results would
show. Wall and memory as in `e2e.py` (`process_tree.py`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import smoke_corpus  # noqa: E402
from corpus_build import DEFAULT_CACHE, build_corpus  # noqa: E402
from incremental import ledger_decisions, provenance_run  # noqa: E402
from process_tree import Measured  # noqa: E402

LEAN_ENV = {
    "ARROW_DEFAULT_MEMORY_POOL": "system",
    "MALLOC_ARENA_MAX": "2",
    "MALLOC_MMAP_THRESHOLD_": str(1 << 20),
    "MALLOC_TRIM_THRESHOLD_": str(4 << 20),
}


def _line(label: str, run: Measured) -> str:
    memory = run.memory
    return (
        f"  {label:<8} {run.wall:>7.1f} s  peak RSS all {memory.peak_sum / (1 << 20):>7,.0f} MiB, "
        f"largest {memory.peak_single / (1 << 20):>7,.0f} MiB ({memory.peak_single_name})"
    )


def run_bench(args: argparse.Namespace, cache: Path) -> int:
    print(f"load average at start: {os.getloadavg()}; cores {os.cpu_count()}")
    print("LEAN: " + " ".join(f"{name}={value}" for name, value in LEAN_ENV.items()))
    corpus = build_corpus(cache, args.mb, smoke=args.smoke)
    work = cache / f"allocators-{corpus.directory.name}"
    print(f"\n{corpus.directory.name}: {corpus.documents:,} documents")
    ok = True
    for pair in range(1, args.pairs + 1):
        order = ("default", "lean") if pair % 2 else ("lean", "default")
        runs = {}
        for kind in order:
            env = LEAN_ENV if kind == "lean" else {}
            log = work / "logs" / f"{kind}-{pair}.log"
            runs[kind] = provenance_run(corpus.config, work / kind, log, args.workers, env=env)
            if runs[kind].returncode != 0:
                return 1
        same = ledger_decisions(work / "default") == ledger_decisions(work / "lean")
        ok = ok and same
        default, lean = runs["default"], runs["lean"]
        print(f"\npair {pair} (order: {' then '.join(order)}):")
        print(_line("DEFAULT", default))
        print(_line("LEAN", lean))
        print(
            f"  LEAN/DEFAULT: wall {lean.wall / default.wall:.3f}, peak all "
            f"{lean.memory.peak_sum / default.memory.peak_sum:.3f}, largest "
            f"{lean.memory.peak_single / default.memory.peak_single:.3f}; "
            f"decisions {'equal' if same else 'DIFFER'}"
        )
    print(f"load average at end: {os.getloadavg()}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=250, help="corpus MiB of text (default 250)")
    parser.add_argument("--pairs", type=int, default=2, help="paired DEFAULT/LEAN runs")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cache", type=Path, default=None, help=f"default {DEFAULT_CACHE}")
    args = smoke_corpus.parse_args(parser, {"mb": 1, "workers": 2, "pairs": 1}, argv)
    if not args.smoke:
        return run_bench(args, args.cache or DEFAULT_CACHE)
    with smoke_corpus.scratch("allocators", args.cache) as cache:
        return run_bench(args, cache)


if __name__ == "__main__":
    sys.exit(main())
