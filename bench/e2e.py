"""End-to-end benchmark: the full audit on >= 1 GiB of real text, on the local runner.

    python bench/e2e.py [--mb 1024] [--workers N] [--skip-datatrove] [--cache DIR]
    python bench/e2e.py --sizes 250,500,1024 [--workers N]       # memory scaling
    python bench/e2e.py --mb 50 --skip-datatrove --deep          # with ScanCode's second opinion
    python bench/e2e.py --smoke [--skip-datatrove]               # CI: does it still run?

`--smoke` runs the same steps (real `provenance run`, ledger vs truth, datatrove) on a
1 MiB generated corpus (`corpus_build.py --smoke`: no download) with 2 workers, in a
temporary folder unless `--cache` is given; its figures are not measurements.

Why this shape: the per-stage benches (`pii_speed.py`, `dedup_speed.py`, ...)
time one stage in-process; this one times what a user runs, `provenance run`,
as a subprocess: reading gzip JSONL, PII, licenses, consent, opt-outs, dedup,
gate, policy, Parquet, Great Expectations validation and publishing. Wall time
therefore includes interpreter start-up, Beam worker start-up and validation.

The corpus (`corpus_build.py`) is the Linux kernel source and man pages from
Debian packages, with injected personal data and planted near-duplicates, built
once and kept in `--cache`. After the run the ledger is checked against the
truth file, so a fast run that skipped work would show up.

Memory: the run's process tree (launcher + Beam SDK worker subprocesses) is
sampled with psutil every 0.2 s (`process_tree.py`); the peak of the summed RSS and the largest
single process are reported, plus `ru_maxrss` from `os.wait4` (largest process
of this run's tree that was waited for) and the cumulative
`getrusage(RUSAGE_CHILDREN)`. Summed RSS counts shared pages once per process,
so it overstates physical use somewhat; it is the conservative figure.

Throughput: MiB/s per core = corpus MiB of UTF-8 document text / wall seconds /
workers. MiB are 2**20 bytes, so 2 MiB/s/core is slightly stricter than 2 MB/s.

datatrove (bench-only extra: `datatrove`, `xxhash`, `psutil`): its MinHash
deduplication alone runs on the same corpus and the same number of workers in
`--mb` mode, or on the largest `--sizes` corpus (see `datatrove_minhash.py`);
the ratio audit wall / datatrove wall is printed (below 1: the audit is faster).

Phases: the sampler also notes when the launcher first and last had worker
subprocesses; before that is start-up and graph construction, after it the
launcher finishes the summary and validation from the facts the workers combined
(it reads no output file), builds the GX Data Docs and publishes.

`--deep` runs with the optional deep license scan on (`licenses.deep.engine:
scancode`, needs the `scancode` extra in this interpreter's environment) and
prints how many records went to ScanCode and what came back: the price of the
second opinion on this corpus.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import smoke_corpus  # noqa: E402
from corpus_build import DEFAULT_CACHE, BuiltCorpus, build_corpus, doc_id  # noqa: E402
from process_tree import Measured, measure  # noqa: E402

VENV_BIN = Path(sys.executable).parent
TARGET_MIB_PER_CORE = 2.0


@dataclass
class AuditResult:
    corpus: BuiltCorpus
    workers: int
    run: Measured
    records_read: int = 0
    deep_counters: dict[str, int] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)
    truth: dict[str, str] = field(default_factory=dict)
    status: str = "published"

    @property
    def mib_per_second_per_core(self) -> float:
        return self.corpus.text_mib / self.run.wall / self.workers

    @property
    def records_per_second(self) -> float:
        return self.records_read / self.run.wall


def deep_config(corpus: BuiltCorpus, cache: Path) -> Path:
    """The corpus config with a copy of its policy that turns the deep license scan on."""
    config = yaml.safe_load(corpus.config.read_text(encoding="utf-8"))
    policy = yaml.safe_load(Path(config["policy"]).read_text(encoding="utf-8"))
    policy.setdefault("licenses", {}).setdefault("deep", {})["engine"] = "scancode"
    policy_path = cache / "policy-deep.yaml"
    policy_path.write_text(yaml.safe_dump(policy, sort_keys=False), encoding="utf-8")
    config["policy"] = str(policy_path)
    config_path = corpus.config.with_name(f"{corpus.config.stem}-deep.yaml")
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return config_path


def run_audit(corpus: BuiltCorpus, workers: int, cache: Path, deep: bool = False) -> AuditResult:
    """`provenance run` on the corpus config, on the local FnApiRunner with `workers`."""
    output = cache / "runs" / (corpus.directory.name + ("-deep" if deep else ""))
    if output.exists():
        shutil.rmtree(output)
    command = [
        str(VENV_BIN / "provenance"),
        "run",
        str(deep_config(corpus, cache) if deep else corpus.config),
        "--output",
        str(output),
        "--quiet",
        "--direct_running_mode=multi_processing",
        f"--direct_num_workers={workers}",
    ]
    print(f"  $ {' '.join(command)}", flush=True)
    log = cache / "logs" / f"audit-{corpus.directory.name}.log"
    measured = measure(command, log, cwd=REPO_ROOT)
    result = AuditResult(corpus, workers, measured)
    published = output
    if measured.returncode != 0:
        # A run whose validation fails did all the work and keeps its outputs in
        # `.failed-*`: its time is still the full audit's, so report it, marked.
        kept = sorted(output.glob(".failed-*/reports/summary.json"))
        print(f"  audit FAILED (exit {measured.returncode}); log tail:\n{measured.output[-1500:]}")
        if not kept:
            result.status = "FAILED (nothing published)"
            return result
        published = kept[-1].parents[1]
        result.status = "validation failed (nothing published; outputs in .failed-*)"
    summary = json.loads((published / "reports" / "summary.json").read_text())
    result.records_read = summary["totals"]["records_read"]
    result.deep_counters = {
        name.removeprefix("licenses/"): value
        for name, value in summary["metrics"].items()
        if name.startswith(("licenses/deep.", "licenses/uncertain."))
    }
    result.decisions = _decision_totals(summary)
    result.truth = check_truth(corpus, published)
    return result


def _decision_totals(summary: dict) -> dict[str, int]:
    totals: dict[str, int] = {}
    for figures in summary.get("sources", {}).values():
        for decision, count in figures.get("decisions", {}).items():
            totals[decision] = totals.get(decision, 0) + count
    return totals


def check_truth(corpus: BuiltCorpus, output: Path) -> dict[str, str]:
    """Planted PII and near-duplicates vs the published ledger (no text is read)."""
    import pyarrow.parquet as pq

    truth = json.loads((corpus.directory / "truth.json").read_text())
    ledger = pq.read_table(output / "ledger", columns=["doc_id", "decision", "signals"])
    codes: dict[str, set[str]] = {}
    for row_id, signals in zip(
        ledger.column("doc_id").to_pylist(), ledger.column("signals").to_pylist(), strict=True
    ):
        codes[row_id] = {signal["code"] for signal in signals or ()}
    found: dict[str, list[int]] = {}
    for item in truth["pii"]:
        doc_codes = codes.get(doc_id(item["source"], item["locator"]), set())
        hit = any(code.endswith("." + item["type"]) for code in doc_codes)
        counts = found.setdefault(item["type"], [0, 0])
        counts[0] += hit
        counts[1] += 1
    pairs = [0, 0]
    for pair in truth["near_duplicates"]:
        copy = codes.get(doc_id(pair["source"], pair["copy"]), set())
        original = codes.get(doc_id(pair["source"], pair["original"]), set())
        pairs[0] += any(code.startswith("dedup.") for code in copy | original)
        pairs[1] += 1
    report = {kind: f"{hit}/{total}" for kind, (hit, total) in sorted(found.items())}
    report["near_duplicate_pairs"] = f"{pairs[0]}/{pairs[1]}"
    return report


def run_datatrove(
    corpus: BuiltCorpus, workers: int, cache: Path, tokenizer: str
) -> tuple[Measured, dict]:
    """datatrove's four MinHash stages in their own process tree (same sampling)."""
    command = [
        sys.executable,
        str(BENCH_DIR / "datatrove_minhash.py"),
        str(corpus.directory),
        str(cache / "datatrove" / corpus.directory.name),
        f"--workers={workers}",
        f"--tokenizer={tokenizer}",
    ]
    print(f"  $ {' '.join(command)}", flush=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    log = cache / "logs" / f"datatrove-{tokenizer}-{corpus.directory.name}.log"
    measured = measure(command, log, env, cwd=REPO_ROOT)
    for line in measured.output.splitlines():
        if line.startswith("DATATROVE_RESULT "):
            return measured, json.loads(line.split(" ", 1)[1])
    print(f"  datatrove FAILED (exit {measured.returncode}); log tail:\n{measured.output[-3000:]}")
    return measured, {}


def compare_with_datatrove(audit: AuditResult, cache: Path, tokenizers: list[str]) -> bool:
    """Time datatrove's MinHash dedup alone on the audit's corpus; print the ratio.

    Returns False if a datatrove run failed, so the bench's exit code shows it.
    """
    try:
        import datatrove  # noqa: F401
    except ImportError:
        print("\ndatatrove not installed (bench extra); skipping the comparison")
        return True
    failed = False
    for tokenizer in tokenizers:
        measured, figures = run_datatrove(audit.corpus, audit.workers, cache, tokenizer)
        if not figures:
            failed = True
            continue
        per_core = audit.corpus.text_mib / measured.wall / audit.workers
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in figures["seconds"].items())
        ratio = audit.run.wall / measured.wall
        print(
            f"\ndatatrove MinHash dedup alone, {tokenizer} word splitting "
            f"({audit.workers} workers, {audit.corpus.directory.name}):"
        )
        print(f"  wall              {measured.wall:,.1f} s ({stages})")
        print(f"  throughput        {per_core:.2f} MiB/s per core")
        print(
            f"  peak RSS          all processes {_mib(measured.memory.peak_sum)}; "
            f"largest process {_mib(measured.memory.peak_single)}"
        )
        print(f"  counts            {figures['stats']}")
        print(
            f"  ratio             full audit / datatrove dedup = {ratio:.2f} "
            f"({'audit faster' if ratio < 1 else 'audit SLOWER'})"
        )
    return not failed


def _mib(value: int) -> str:
    return f"{value / (1 << 20):,.0f} MiB"


def print_audit(result: AuditResult) -> None:
    run, corpus = result.run, result.corpus
    verdict = "meets" if result.mib_per_second_per_core >= TARGET_MIB_PER_CORE else "MISSES"
    print(f"\nFull audit, {corpus.directory.name} ({result.workers} workers):")
    print(
        f"  corpus            {corpus.text_mib:,.1f} MiB text, {corpus.documents:,} documents, "
        f"{corpus.disk_mib:,.1f} MiB gzip JSONL"
    )
    print(f"  wall              {run.wall:,.1f} s (exit {run.returncode}: {result.status})")
    print(
        f"  throughput        {result.mib_per_second_per_core:.2f} MiB/s per core "
        f"({verdict} the {TARGET_MIB_PER_CORE} target); {result.records_per_second:,.0f} records/s "
        f"({result.records_read:,} records)"
    )
    print(
        f"  peak RSS          all processes {_mib(run.memory.peak_sum)}; largest process "
        f"{_mib(run.memory.peak_single)} ({run.memory.peak_single_name}); "
        f"{run.memory.max_processes} processes; {run.memory.samples} samples"
    )
    print(
        f"  peak RSS by phase while Beam workers run {_mib(run.memory.peak_with_workers)}; "
        f"before/after them {_mib(run.memory.peak_launcher_alone)}"
    )
    print(f"  launcher          peak RSS {_mib(run.memory.peak_root)} (the root process alone)")
    print(f"  ru_maxrss         wait4 (this run's tree) {_mib(run.wait4_maxrss)}")
    cores = result.workers
    print(
        f"  CPU               {run.cpu_seconds:.1f} s user+sys, all processes "
        f"({run.cpu_seconds / (run.wall * cores):.0%} of wall x {cores} cores)"
    )
    if run.memory.first_workers is not None and run.memory.last_workers is not None:
        print(
            f"  phases            launcher alone {run.memory.first_workers:.1f} s, with Beam "
            f"workers {run.memory.last_workers - run.memory.first_workers:.1f} s, after them "
            f"(summary, validation, publish) {run.wall - run.memory.last_workers:.1f} s"
        )
    if result.deep_counters:
        print(f"  deep scan         {result.deep_counters}")
    if result.decisions:
        print(f"  decisions         {result.decisions}")
    if result.truth:
        print(f"  planted found     {result.truth}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=1024, help="corpus MiB of text (default 1024)")
    parser.add_argument(
        "--sizes",
        help="comma-separated MiB sizes: memory-scaling table (datatrove on the largest)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-datatrove", action="store_true")
    parser.add_argument(
        "--datatrove-tokenizers",
        default="spacy,split",
        help="datatrove word splitting to time: spacy (its English default), split",
    )
    parser.add_argument("--cache", type=Path, default=None, help=f"default {DEFAULT_CACHE}")
    parser.add_argument(
        "--deep",
        action="store_true",
        help="with the optional deep license scan (ScanCode; needs the scancode extra)",
    )
    args = smoke_corpus.parse_args(parser, {"mb": 1, "workers": 2}, argv)
    if args.deep and importlib.util.find_spec("licensedcode") is None:
        print('error: --deep needs ScanCode: pip install -e ".[scancode]"', file=sys.stderr)
        return 2
    if not args.smoke:
        return run_bench(args, args.cache or DEFAULT_CACHE)
    with smoke_corpus.scratch("e2e", args.cache) as cache:
        return run_bench(args, cache)


def run_bench(args: argparse.Namespace, cache: Path) -> int:
    """Every size, the summary table, datatrove; 0 if every run published (and datatrove ran)."""
    print(f"load average at start: {os.getloadavg()}; cores {os.cpu_count()}")

    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.mb]
    results = []
    for size in sizes:
        corpus = build_corpus(cache, size, smoke=args.smoke)
        result = run_audit(corpus, args.workers, cache, args.deep)
        print_audit(result)
        results.append(result)

    if args.sizes:
        print(f"\nMemory scaling ({args.workers} workers):")
        print(
            f"  {'MiB':>6} {'docs':>8} {'wall s':>8} {'MiB/s/core':>11} {'rec/s':>7} "
            f"{'peak RSS all':>13} {'largest proc':>13} {'launcher':>10} {'wait4 maxrss':>13}"
        )
        for r in results:
            print(
                f"  {r.corpus.text_mib:>6.0f} {r.corpus.documents:>8,} {r.run.wall:>8.1f} "
                f"{r.mib_per_second_per_core:>11.2f} {r.records_per_second:>7,.0f} "
                f"{_mib(r.run.memory.peak_sum):>13} {_mib(r.run.memory.peak_single):>13} "
                f"{_mib(r.run.memory.peak_root):>10} {_mib(r.run.wait4_maxrss):>13}"
            )
        if len(results) > 1:
            first, last = results[0], results[-1]
            added = last.corpus.documents - first.corpus.documents
            growth = (last.run.memory.peak_root - first.run.memory.peak_root) / max(added, 1)
            print(
                f"  launcher growth   {growth / 1024:,.1f} KB per added document "
                f"({first.corpus.documents:,} -> {last.corpus.documents:,} documents)"
            )
    datatrove_ok = args.skip_datatrove or compare_with_datatrove(
        results[-1], cache, args.datatrove_tokenizers.split(",")
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(f"\ngetrusage(RUSAGE_CHILDREN).ru_maxrss (all runs of this bench): {_mib(children)}")
    print(f"load average at end: {os.getloadavg()}")
    return 0 if datatrove_ok and all(r.status == "published" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
