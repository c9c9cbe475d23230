"""What returning new records (the stage contract, issue 15) costs: paired runs, base vs head.

    git worktree add --detach ../stagec-base 81c7385       # once: the commit before the contract
    python bench/stage_contract_cost.py --base ../stagec-base [--mb 50] [--rounds 5] [--workers 2]
    python bench/stage_contract_cost.py --base ../stagec-base --smoke   # does it still run?

Why paired and alternating: the cost looked for (a few microseconds per record per
stage) is far below the run-to-run noise of a machine that does anything else, so one
run of each proves nothing. Both checkouts run the same `provenance run` on the same
corpus (built once by `corpus_build.py`, as `e2e.py` builds it), alternating base, head,
base, head, ... after one unmeasured warm-up of each, and the figure is the median over
rounds of head's documents/s over base's in the same round. The wall time is a whole
user run (start-up, Beam workers, validation), as in `e2e.py`. Each checkout's own code
is imported (`PYTHONPATH`, checked before the first run). The two runs' content digests
(dataset, ledger, dead_letter) must be identical: new records must not change a result.

Exit 1 when a run fails, the digests differ, or head is more than `--limit` (3%)
slower; a `--smoke` run checks only that it runs (its figures mean nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import smoke_corpus  # noqa: E402
from corpus_build import DEFAULT_CACHE, BuiltCorpus, build_corpus  # noqa: E402


@dataclass(frozen=True)
class Run:
    label: str
    wall: float
    cpu: float  # user + sys of the run's process tree (what it waited for)
    documents: int
    digests: dict

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.wall


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree), "GX_ANALYTICS_ENABLED": "false"}


def check_imports(tree: Path) -> None:
    """Fail unless `tree`'s interpreter setup imports `tree`'s own code."""
    probe = "import pipelines, transforms; print(pipelines.__file__); print(transforms.__file__)"
    found = subprocess.run(
        [sys.executable, "-c", probe], env=_env(tree), cwd=tree, capture_output=True, text=True
    )
    paths = found.stdout.split()
    if found.returncode or not all(Path(p).resolve().is_relative_to(tree) for p in paths):
        sys.exit(f"error: {tree} does not import its own code (got {paths or found.stderr})")


def run_once(label: str, tree: Path, corpus: BuiltCorpus, workers: int, out: Path) -> Run:
    output = out / label
    shutil.rmtree(output, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "pipelines.commands.cli",
        "run",
        str(corpus.config),
        "--output",
        str(output),
        "--quiet",
        "--direct_running_mode=multi_processing",
        f"--direct_num_workers={workers}",
    ]
    log = out / f"{label}.log"
    with log.open("w") as handle:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=handle, stderr=subprocess.STDOUT, env=_env(tree), cwd=tree
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"error: {label} run failed; log: {log}\n{log.read_text()[-1500:]}")
    summary = json.loads((output / "reports" / "summary.json").read_text())
    manifest = json.loads((output / "manifest.json").read_text())
    return Run(
        label,
        wall,
        usage.ru_utime + usage.ru_stime,
        summary["totals"]["records_read"],
        manifest["content_digests"],
    )


def report(runs: list[Run], limit: float, smoke: bool) -> int:
    base = [run for run in runs if run.label.startswith("base")]
    head = [run for run in runs if run.label.startswith("head")]
    for name, group in (("base", base), ("head", head)):
        rates = [run.docs_per_second for run in group]
        cpu = [run.cpu / run.documents * 1e3 for run in group]
        print(
            f"  {name}  median {statistics.median(rates):8.2f} docs/s  "
            f"(runs: {', '.join(f'{rate:.2f}' for rate in rates)}); "
            f"median CPU {statistics.median(cpu):.3f} ms/doc"
        )
    paired = [h.docs_per_second / b.docs_per_second - 1 for b, h in zip(base, head, strict=True)]
    medians = statistics.median(r.docs_per_second for r in head) / statistics.median(
        r.docs_per_second for r in base
    )
    cost = -statistics.median(paired)
    print(f"  head vs base, paired per round: {', '.join(f'{p:+.2%}' for p in paired)}")
    print(f"  head vs base, medians: {medians - 1:+.2%}")
    print(f"  cost of returning new records: {cost:+.2%} of per-doc throughput (limit {limit:.0%})")
    same = all(run.digests == runs[0].digests for run in runs)
    print(f"  content digests identical across all runs: {same}")
    if not same:
        return 1
    if smoke:
        print("  (smoke: the limit is not checked)")
        return 0
    return 0 if cost <= limit else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--base", type=Path, required=True, help="checkout of the base commit")
    parser.add_argument("--head", type=Path, default=REPO_ROOT, help="default: this checkout")
    parser.add_argument("--mb", type=int, default=50, help="corpus MiB of text (default 50)")
    parser.add_argument("--rounds", type=int, default=5, help="base+head pairs measured")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured pairs first")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=float, default=0.03, help="allowed cost (0.03 = 3%%)")
    parser.add_argument("--cache", type=Path, default=None, help=f"default {DEFAULT_CACHE}")
    args = smoke_corpus.parse_args(parser, {"mb": 1, "workers": 2, "rounds": 2, "warmup": 0}, argv)
    trees = {"base": args.base.resolve(), "head": args.head.resolve()}
    for tree in trees.values():
        check_imports(tree)
    if not args.smoke:
        return measure(args, trees, args.cache or DEFAULT_CACHE)
    with smoke_corpus.scratch("stage-contract-cost", args.cache) as cache:
        return measure(args, trees, cache)


def measure(args: argparse.Namespace, trees: dict[str, Path], cache: Path) -> int:
    print(f"load average at start: {os.getloadavg()}; cores {os.cpu_count()}", flush=True)
    corpus = build_corpus(cache, args.mb, smoke=args.smoke)
    print(f"corpus {corpus.directory} ({corpus.documents:,} docs, {corpus.text_mib:.1f} MiB)")
    out = cache / "stage-contract-cost"
    out.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    for round_index in range(args.warmup + args.rounds):
        for label, tree in trees.items():  # ABAB...: base, then head, every round
            run = run_once(f"{label}-{round_index}", tree, corpus, args.workers, out)
            measured = round_index >= args.warmup
            print(
                f"  {run.label:<8} {run.wall:7.1f} s  {run.docs_per_second:8.2f} docs/s"
                f"{'' if measured else '  (warm-up, not counted)'}",
                flush=True,
            )
            if measured:
                runs.append(run)
    print(f"\n{args.rounds} paired rounds, {args.workers} workers:")
    status = report(runs, args.limit, args.smoke)
    print(f"load average at end: {os.getloadavg()}")
    return status


if __name__ == "__main__":
    sys.exit(main())
